import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 1. The states that hold a slot are defined once in SQL, `booking_state_holds(state)` (IMMUTABLE, so
 *    it may stand in the exclusion constraint's predicate and is inlined by the planner), mirroring
 *    `HOLDING_STATES` in src/bookings/booking-transitions.ts; a test checks the two agree for every
 *    state. The exclusion constraint, the partial index, the held-units peak and the guard triggers
 *    are re-created on it.
 * 2. Resources get a slot grain, `slot_minutes` (default 15; a divisor of 1440, so the grid repeats
 *    every local day), and `resource_free_windows` returns windows that can be booked as returned:
 *    each starts on the grain of the facility's local day, at least one minute after now + lead time
 *    (so a request sent a moment later still meets the lead time), and says the longest booking it
 *    allows (`longest_minutes`: its length floored to the grain, at most the maximum duration);
 *    windows in which that is below the minimum duration are left out.
 */
export class HeldStatesAndSlotGrain1764200000000 implements MigrationInterface {
  name = 'HeldStatesAndSlotGrain1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION booking_state_holds(p_state text) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_state IN ('pending', 'approved', 'in_use') $$`);
    await q.query(
      `COMMENT ON FUNCTION booking_state_holds(text) IS 'Whether a booking in this state holds its slot; mirrors HOLDING_STATES in src/bookings/booking-transitions.ts'`,
    );

    await q.query(`ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap`);
    await q.query(`
      ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (resource_id WITH =, blocked WITH &&)
        WHERE (exclusive AND booking_state_holds(state))`);
    await q.query(`DROP INDEX bookings_resource_blocked_idx`);
    await q.query(`CREATE INDEX bookings_resource_blocked_idx ON bookings USING gist (resource_id, blocked) WHERE booking_state_holds(state)`);

    await q.query(`
      CREATE OR REPLACE FUNCTION resource_peak_held_units(p_resource uuid, p_from timestamptz, p_to timestamptz)
      RETURNS integer LANGUAGE sql STABLE AS $$
        WITH held AS (
          SELECT greatest(lower(blocked), p_from) AS s, least(upper(blocked), p_to) AS e, units
            FROM bookings
           WHERE resource_id = p_resource AND booking_state_holds(state) AND blocked && tstzrange(p_from, p_to)
        ), events AS (
          SELECT s AS t, units AS delta FROM held UNION ALL SELECT e, -units FROM held
        )
        SELECT coalesce(max(running), 0)::integer
          FROM (SELECT sum(delta) OVER (ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS running FROM events) x
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION resources_refuse_breaking_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_holding integer;
        v_peak integer;
      BEGIN
        IF NEW.mode <> OLD.mode THEN
          SELECT count(*) INTO v_holding FROM bookings
           WHERE resource_id = NEW.id AND booking_state_holds(state);
          IF v_holding > 0 THEN
            RAISE EXCEPTION 'resource_mode_in_use' USING ERRCODE = 'PB409',
              DETAIL = jsonb_build_object('holdingBookings', v_holding)::text;
          END IF;
        END IF;
        IF NEW.capacity < OLD.capacity THEN
          v_peak := resource_peak_held_units(NEW.id, '-infinity', 'infinity');
          IF v_peak > NEW.capacity THEN
            RAISE EXCEPTION 'capacity_below_holds' USING ERRCODE = 'PB409',
              DETAIL = jsonb_build_object('peakHeldUnits', v_peak, 'capacity', NEW.capacity)::text;
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION maintenance_windows_refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_held jsonb;
      BEGIN
        SELECT jsonb_agg(jsonb_build_object('bookingId', b.id, 'state', b.state, 'startsAt', lower(b.period), 'endsAt', upper(b.period)) ORDER BY lower(b.period))
          INTO v_held
          FROM bookings b
         WHERE b.resource_id = NEW.resource_id AND booking_state_holds(b.state) AND b.period && NEW.period;
        IF v_held IS NOT NULL THEN
          RAISE EXCEPTION 'maintenance_overlaps_bookings' USING ERRCODE = 'PB409', DETAIL = v_held::text;
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`
      ALTER TABLE resources ADD COLUMN slot_minutes integer NOT NULL DEFAULT 15
        CONSTRAINT resources_slot_minutes_check CHECK (slot_minutes BETWEEN 1 AND 1440 AND 1440 % slot_minutes = 0)`);

    // The first instant at or after p_at that lies on the grid of p_slot minutes from local midnight
    // in p_zone. Around a DST change the local grid may skip or repeat: the loop makes sure the
    // answer is never before p_at.
    await q.query(`
      CREATE FUNCTION slot_align_up(p_at timestamptz, p_zone text, p_slot integer) RETURNS timestamptz
      LANGUAGE plpgsql STABLE AS $$
      DECLARE
        v_local timestamp := p_at AT TIME ZONE p_zone;
        v_day timestamp := date_trunc('day', v_local);
        v_k bigint := ceil(extract(epoch FROM v_local - v_day) / 60 / p_slot);
        v_out timestamptz;
      BEGIN
        LOOP
          v_out := (v_day + make_interval(mins => (v_k * p_slot)::integer)) AT TIME ZONE p_zone;
          EXIT WHEN v_out >= p_at;
          v_k := v_k + 1;
        END LOOP;
        RETURN v_out;
      END $$`);

    await q.query(`DROP FUNCTION resource_free_windows(uuid, timestamptz, timestamptz, integer, timestamptz)`);
    // Free windows of a resource for a new booking of p_units at p_now. Opening time minus maintenance
    // minus holds (widened by the buffers a new booking needs), clipped to the lead time (plus one
    // minute) and the horizon; for pools, maximal ranges where at least p_units are free (an exclusive
    // resource is a pool of 1). Then each window's start moves up to the slot grain, its free units are
    // the fewest from there on, and it is kept only if a booking of the minimum duration fits.
    await q.query(`
      CREATE FUNCTION resource_free_windows(p_resource uuid, p_from timestamptz, p_to timestamptz, p_units integer, p_now timestamptz)
      RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, free_units integer, longest_minutes integer)
      LANGUAGE plpgsql STABLE AS $$
      DECLARE
        r record;
        v_from timestamptz;
        v_to timestamptz;
        v_open tstzmultirange;
      BEGIN
        SELECT res.id, res.mode, res.capacity, res.active, res.lead_time_minutes, res.horizon_days,
               res.buffer_before_minutes, res.buffer_after_minutes, res.min_duration_minutes, res.max_duration_minutes,
               res.slot_minutes, f.active AS facility_active, f.time_zone
          INTO r
          FROM resources res JOIN facilities f ON f.id = res.facility_id
         WHERE res.id = p_resource;
        IF NOT FOUND OR NOT r.active OR NOT r.facility_active OR p_units < 1 OR p_units > r.capacity THEN
          RETURN;
        END IF;
        v_from := greatest(p_from, p_now + make_interval(mins => r.lead_time_minutes) + interval '1 minute');
        v_to := least(p_to, p_now + make_interval(days => r.horizon_days));
        IF v_from >= v_to THEN
          RETURN;
        END IF;
        v_open := resource_opening(p_resource, v_from, v_to) - coalesce((SELECT range_agg(m.period) FROM maintenance_windows m WHERE m.resource_id = p_resource AND m.period && tstzrange(v_from, v_to)), '{}'::tstzmultirange);

        RETURN QUERY
        WITH holds AS (
          SELECT tstzrange(lower(b.blocked) - make_interval(mins => r.buffer_after_minutes),
                           upper(b.blocked) + make_interval(mins => r.buffer_before_minutes)) AS h, b.units
            FROM bookings b
           WHERE b.resource_id = p_resource AND booking_state_holds(b.state)
             AND b.blocked && tstzrange(v_from - make_interval(mins => r.buffer_after_minutes), v_to + make_interval(mins => r.buffer_before_minutes))
        ), bounds AS (
          SELECT v_from AS t UNION SELECT v_to
          UNION SELECT lower(h) FROM holds WHERE lower(h) > v_from AND lower(h) < v_to
          UNION SELECT upper(h) FROM holds WHERE upper(h) > v_from AND upper(h) < v_to
        ), segments AS (
          SELECT t AS s, lead(t) OVER (ORDER BY t) AS e FROM bounds
        ), free_segments AS (
          SELECT sg.s, sg.e, (r.capacity - coalesce((SELECT sum(ho.units) FROM holds ho WHERE ho.h @> sg.s), 0))::integer AS free
            FROM segments sg WHERE sg.e IS NOT NULL
        ), pieces AS (
          SELECT lower(p) AS s, upper(p) AS e, fs.free
            FROM free_segments fs, unnest(tstzmultirange(tstzrange(fs.s, fs.e)) * v_open) AS p
           WHERE fs.free >= p_units
        ), islands AS (
          SELECT x.s, x.e, x.free, sum(CASE WHEN x.s = x.prev_e THEN 0 ELSE 1 END) OVER (ORDER BY x.s) AS island
            FROM (SELECT pc.s, pc.e, pc.free, lag(pc.e) OVER (ORDER BY pc.s) AS prev_e FROM pieces pc) x
        ), aligned AS (
          SELECT i.island, slot_align_up(min(i.s), r.time_zone, r.slot_minutes) AS s, max(i.e) AS e
            FROM islands i GROUP BY i.island
        ), sized AS (
          SELECT a.s, a.e,
                 (SELECT min(i.free) FROM islands i WHERE i.island = a.island AND i.e > a.s)::integer AS free,
                 least(r.max_duration_minutes::numeric, floor(extract(epoch FROM a.e - a.s) / 60 / r.slot_minutes) * r.slot_minutes)::integer AS longest
            FROM aligned a WHERE a.s < a.e
        )
        SELECT z.s, z.e, z.free, z.longest FROM sized z WHERE z.longest >= r.min_duration_minutes ORDER BY 1;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const held = `('pending', 'approved', 'in_use')`;
    await q.query(`DROP FUNCTION resource_free_windows(uuid, timestamptz, timestamptz, integer, timestamptz)`);
    await q.query(`DROP FUNCTION slot_align_up(timestamptz, text, integer)`);
    await q.query(`ALTER TABLE resources DROP COLUMN slot_minutes`);
    // The previous free-window function (migration Bookings), with the literal list of held states.
    await q.query(`
      CREATE FUNCTION resource_free_windows(p_resource uuid, p_from timestamptz, p_to timestamptz, p_units integer, p_now timestamptz)
      RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, free_units integer)
      LANGUAGE plpgsql STABLE AS $$
      DECLARE
        r record;
        v_from timestamptz;
        v_to timestamptz;
        v_open tstzmultirange;
        v_held tstzmultirange;
      BEGIN
        SELECT res.id, res.mode, res.capacity, res.active, res.lead_time_minutes, res.horizon_days,
               res.buffer_before_minutes, res.buffer_after_minutes, f.active AS facility_active
          INTO r
          FROM resources res JOIN facilities f ON f.id = res.facility_id
         WHERE res.id = p_resource;
        IF NOT FOUND OR NOT r.active OR NOT r.facility_active OR p_units < 1 OR p_units > r.capacity THEN
          RETURN;
        END IF;
        v_from := greatest(p_from, p_now + make_interval(mins => r.lead_time_minutes));
        v_to := least(p_to, p_now + make_interval(days => r.horizon_days));
        IF v_from >= v_to THEN
          RETURN;
        END IF;
        v_open := resource_opening(p_resource, v_from, v_to) - coalesce((SELECT range_agg(m.period) FROM maintenance_windows m WHERE m.resource_id = p_resource AND m.period && tstzrange(v_from, v_to)), '{}'::tstzmultirange);
        IF r.mode = 'exclusive' THEN
          SELECT coalesce(range_agg(tstzrange(lower(b.blocked) - make_interval(mins => r.buffer_after_minutes),
                                              upper(b.blocked) + make_interval(mins => r.buffer_before_minutes))), '{}'::tstzmultirange)
            INTO v_held
            FROM bookings b
           WHERE b.resource_id = p_resource AND b.state IN ${held}
             AND b.blocked && tstzrange(v_from - make_interval(mins => r.buffer_after_minutes), v_to + make_interval(mins => r.buffer_before_minutes));
          RETURN QUERY SELECT lower(w), upper(w), 1 FROM unnest(v_open - v_held) AS w ORDER BY 1;
          RETURN;
        END IF;
        RETURN QUERY
        WITH holds AS (
          SELECT tstzrange(lower(b.blocked) - make_interval(mins => r.buffer_after_minutes),
                           upper(b.blocked) + make_interval(mins => r.buffer_before_minutes)) AS h, b.units
            FROM bookings b
           WHERE b.resource_id = p_resource AND b.state IN ${held}
             AND b.blocked && tstzrange(v_from - make_interval(mins => r.buffer_after_minutes), v_to + make_interval(mins => r.buffer_before_minutes))
        ), bounds AS (
          SELECT v_from AS t UNION SELECT v_to
          UNION SELECT lower(h) FROM holds WHERE lower(h) > v_from AND lower(h) < v_to
          UNION SELECT upper(h) FROM holds WHERE upper(h) > v_from AND upper(h) < v_to
        ), segments AS (
          SELECT t AS s, lead(t) OVER (ORDER BY t) AS e FROM bounds
        ), free_segments AS (
          SELECT sg.s, sg.e, (r.capacity - coalesce((SELECT sum(ho.units) FROM holds ho WHERE ho.h @> sg.s), 0))::integer AS free
            FROM segments sg WHERE sg.e IS NOT NULL
        ), pieces AS (
          SELECT lower(p) AS s, upper(p) AS e, fs.free
            FROM free_segments fs, unnest(tstzmultirange(tstzrange(fs.s, fs.e)) * v_open) AS p
           WHERE fs.free >= p_units
        ), islands AS (
          SELECT x.s, x.e, x.free, sum(CASE WHEN x.s = x.prev_e THEN 0 ELSE 1 END) OVER (ORDER BY x.s) AS island
            FROM (SELECT pc.s, pc.e, pc.free, lag(pc.e) OVER (ORDER BY pc.s) AS prev_e FROM pieces pc) x
        )
        SELECT min(i.s), max(i.e), min(i.free)::integer FROM islands i GROUP BY i.island ORDER BY 1;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION maintenance_windows_refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_held jsonb;
      BEGIN
        SELECT jsonb_agg(jsonb_build_object('bookingId', b.id, 'state', b.state, 'startsAt', lower(b.period), 'endsAt', upper(b.period)) ORDER BY lower(b.period))
          INTO v_held
          FROM bookings b
         WHERE b.resource_id = NEW.resource_id AND b.state IN ${held} AND b.period && NEW.period;
        IF v_held IS NOT NULL THEN
          RAISE EXCEPTION 'maintenance_overlaps_bookings' USING ERRCODE = 'PB409', DETAIL = v_held::text;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION resources_refuse_breaking_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_holding integer;
        v_peak integer;
      BEGIN
        IF NEW.mode <> OLD.mode THEN
          SELECT count(*) INTO v_holding FROM bookings WHERE resource_id = NEW.id AND state IN ${held};
          IF v_holding > 0 THEN
            RAISE EXCEPTION 'resource_mode_in_use' USING ERRCODE = 'PB409', DETAIL = jsonb_build_object('holdingBookings', v_holding)::text;
          END IF;
        END IF;
        IF NEW.capacity < OLD.capacity THEN
          v_peak := resource_peak_held_units(NEW.id, '-infinity', 'infinity');
          IF v_peak > NEW.capacity THEN
            RAISE EXCEPTION 'capacity_below_holds' USING ERRCODE = 'PB409', DETAIL = jsonb_build_object('peakHeldUnits', v_peak, 'capacity', NEW.capacity)::text;
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION resource_peak_held_units(p_resource uuid, p_from timestamptz, p_to timestamptz)
      RETURNS integer LANGUAGE sql STABLE AS $$
        WITH held AS (
          SELECT greatest(lower(blocked), p_from) AS s, least(upper(blocked), p_to) AS e, units
            FROM bookings WHERE resource_id = p_resource AND state IN ${held} AND blocked && tstzrange(p_from, p_to)
        ), events AS (SELECT s AS t, units AS delta FROM held UNION ALL SELECT e, -units FROM held)
        SELECT coalesce(max(running), 0)::integer
          FROM (SELECT sum(delta) OVER (ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS running FROM events) x
      $$`);
    await q.query(`DROP INDEX bookings_resource_blocked_idx`);
    await q.query(`CREATE INDEX bookings_resource_blocked_idx ON bookings USING gist (resource_id, blocked) WHERE state IN ${held}`);
    await q.query(`ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap`);
    await q.query(
      `ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (resource_id WITH =, blocked WITH &&) WHERE (exclusive AND state IN ${held})`,
    );
    await q.query(`DROP FUNCTION booking_state_holds(text)`);
  }
}
