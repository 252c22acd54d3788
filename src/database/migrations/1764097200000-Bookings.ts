import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bookings with database-enforced conflict freedom, idempotency keys, and the SQL that computes
 * opening time and free windows (used by the booking rules and by availability search).
 */
export class Bookings1764097200000 implements MigrationInterface {
  name = 'Bookings1764097200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bookings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resource_id uuid NOT NULL REFERENCES resources(id) ON DELETE RESTRICT,
        facility_id uuid NOT NULL REFERENCES facilities(id) ON DELETE RESTRICT,
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
        requested_by uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        -- the booked window, half-open, and the window it blocks (widened by the changeover buffers)
        period tstzrange NOT NULL CHECK (NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period) AND NOT lower_inf(period) AND NOT upper_inf(period)),
        blocked tstzrange NOT NULL CHECK (blocked @> period),
        exclusive boolean NOT NULL,
        units integer NOT NULL CHECK (units >= 1 AND (NOT exclusive OR units = 1)),
        state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'expired', 'in_use', 'completed', 'no_show')),
        stage text NOT NULL CHECK (stage IN ('lab_validation', 'pilot_maturation', 'industrialisation')),
        purpose text NOT NULL CHECK (length(btrim(purpose)) > 0),
        project_id uuid,
        price_fen bigint NOT NULL CHECK (price_fen >= 0),
        list_price_fen bigint NOT NULL CHECK (list_price_fen >= price_fen),
        discount_percent integer NOT NULL CHECK (discount_percent BETWEEN 0 AND 100),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        decision_reason text,
        cancelled_by uuid REFERENCES users(id),
        cancelled_at timestamptz,
        cancel_reason text,
        checked_in_by uuid REFERENCES users(id),
        checked_in_at timestamptz,
        checked_out_by uuid REFERENCES users(id),
        checked_out_at timestamptz,
        ended_by_job text,
        ended_at timestamptz,
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- No double booking of an exclusive resource, whatever the code or the number of instances does.
        CONSTRAINT bookings_no_overlap EXCLUDE USING gist (resource_id WITH =, blocked WITH &&)
          WHERE (exclusive AND state IN ('pending', 'approved', 'in_use'))
      )`);
    await q.query(`CREATE INDEX bookings_resource_blocked_idx ON bookings USING gist (resource_id, blocked) WHERE state IN ('pending', 'approved', 'in_use')`);
    await q.query(`CREATE INDEX bookings_organisation_idx ON bookings (organisation_id, created_at)`);
    await q.query(`CREATE INDEX bookings_facility_idx ON bookings (facility_id, created_at)`);
    await q.query(`CREATE INDEX bookings_state_start_idx ON bookings (state, lower(period))`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        request_hash text NOT NULL,
        response_status integer NOT NULL,
        response_body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (organisation_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at)`);

    // Opening time of a resource between two instants, as absolute ranges: the weekly schedule is
    // local time in the facility's zone; adjacent intervals (… 24:00 | 00:00 …) merge across midnight.
    await q.query(`
      CREATE FUNCTION resource_opening(p_resource uuid, p_from timestamptz, p_to timestamptz)
      RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
        SELECT coalesce(range_agg(tstzrange((d.day + oh.opens) AT TIME ZONE f.time_zone, (d.day + oh.closes) AT TIME ZONE f.time_zone)), '{}'::tstzmultirange)
               * tstzmultirange(tstzrange(p_from, p_to))
        FROM resources r
        JOIN facilities f ON f.id = r.facility_id
        CROSS JOIN LATERAL generate_series((p_from AT TIME ZONE f.time_zone)::date - 1, (p_to AT TIME ZONE f.time_zone)::date + 1, interval '1 day') AS g(ts)
        CROSS JOIN LATERAL (SELECT g.ts::date AS day) d
        JOIN opening_hours oh ON oh.resource_id = r.id AND oh.weekday = extract(isodow FROM d.day)
        WHERE r.id = p_resource
      $$`);

    // Free windows of a resource for a new booking of p_units, clipped to what may be booked at p_now
    // (lead time, horizon): opening time minus maintenance minus holds. A hold blocks the new booking
    // where their buffered ranges would meet, so holds are widened by the resource's buffers.
    // Exclusive: the free ranges. Pooled: maximal ranges where at least p_units are free, with the
    // smallest number of free units within each.
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
           WHERE b.resource_id = p_resource AND b.state IN ('pending', 'approved', 'in_use')
             AND b.blocked && tstzrange(v_from - make_interval(mins => r.buffer_after_minutes), v_to + make_interval(mins => r.buffer_before_minutes));
          RETURN QUERY SELECT lower(w), upper(w), 1 FROM unnest(v_open - v_held) AS w ORDER BY 1;
          RETURN;
        END IF;

        RETURN QUERY
        WITH holds AS (
          SELECT tstzrange(lower(b.blocked) - make_interval(mins => r.buffer_after_minutes),
                           upper(b.blocked) + make_interval(mins => r.buffer_before_minutes)) AS h, b.units
            FROM bookings b
           WHERE b.resource_id = p_resource AND b.state IN ('pending', 'approved', 'in_use')
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION resource_free_windows(uuid, timestamptz, timestamptz, integer, timestamptz)`);
    await q.query(`DROP FUNCTION resource_opening(uuid, timestamptz, timestamptz)`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE bookings`);
  }
}
