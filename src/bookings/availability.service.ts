import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ResourcesService } from '../catalogue/resources.service';
import type { AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { badRequest } from '../common/errors/domain-error';
import { DAY_MS, formatInZone } from '../common/time';
import { AvailabilityQueryDto, AvailabilitySearchDto } from './bookings.dto';

export interface FreeWindow {
  startsAt: string;
  endsAt: string;
  localStartsAt: string;
  localEndsAt: string;
  hours: number;
  /** Units free throughout the window (pooled: the smallest number within it; exclusive: 1). */
  freeUnits: number;
  /**
   * The longest booking that may start at `startsAt`: the window's length floored to the resource's
   * slot grain, at most its maximum duration (and within the horizon). Never below the minimum duration.
   */
  longestBookingMinutes: number;
}

const MAX_RANGE_DAYS = 92;

/**
 * Free windows, computed in SQL by `resource_free_windows` (migration HeldStatesAndSlotGrain): opening
 * hours in the facility's zone, minus maintenance, minus holds widened by the changeover buffers,
 * clipped to the lead time (plus a minute) and horizon; for pools, where at least `units` are free.
 * Each window starts on the resource's slot grain and can be booked from its start for
 * `longestBookingMinutes` (windows too short for the minimum duration are left out).
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly resources: ResourcesService,
    private readonly clock: Clock,
  ) {}

  async forResource(auth: AuthUser | undefined, resourceId: string, q: AvailabilityQueryDto) {
    const resource = await this.resources.findVisible(auth, resourceId);
    const { from, to, units } = this.range(q);
    const rows: Array<{ starts_at: Date; ends_at: Date; free_units: number; longest_minutes: number }> = await this.dataSource.query(
      `SELECT starts_at, ends_at, free_units, longest_minutes FROM resource_free_windows($1, $2, $3, $4, $5)`,
      [resourceId, from, to, units, this.clock.now()],
    );
    const tz = resource.facility.timeZone;
    return {
      resourceId,
      mode: resource.mode,
      capacity: resource.capacity,
      slotMinutes: resource.slotMinutes,
      minDurationMinutes: resource.minDurationMinutes,
      maxDurationMinutes: resource.maxDurationMinutes,
      timeZone: tz,
      from: from.toISOString(),
      to: to.toISOString(),
      units,
      windows: rows.map((r) => window(r, tz)),
    };
  }

  /** "Which pilot line in new materials is free for 8 hours in the next two weeks?" — one SQL query. */
  async search(q: AvailabilitySearchDto) {
    const { from, to, units } = this.range(q);
    const minHours = q.minHours ?? null;
    const limit = q.limit ?? 20;
    const perResource = q.windowsPerResource ?? 3;
    const params: unknown[] = [from, to, units, this.clock.now(), minHours, limit, perResource];
    // minHours: a booking of exactly that length must be possible (allowed by the resource's minimum
    // and maximum duration, and fitting the window from its start).
    const where = ['r.active', 'f.active', 'r.capacity >= $3'];
    if (minHours !== null) where.push('r.min_duration_minutes <= $5::float8 * 60');
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.kind) add('f.kind = ?', q.kind);
    if (q.city) add('f.city_code = ?', q.city);
    if (q.direction) add('? = ANY(f.directions)', q.direction);
    if (q.stage) add('? = ANY(f.stages)', q.stage);
    if (q.mode) add('r.mode = ?', q.mode);
    if (q.facilityId) add('f.id = ?', q.facilityId);
    if (q.operatorId) add('f.operator_id = ?', q.operatorId);
    const rows: Array<{
      resource_id: string;
      name_zh: string;
      name_en: string;
      mode: string;
      unit: string;
      capacity: number;
      price_per_unit_hour_fen: string;
      facility_id: string;
      facility_name_zh: string;
      facility_name_en: string;
      kind: string;
      city_code: string;
      time_zone: string;
      windows: Array<{ starts_at: string; ends_at: string; free_units: number; longest_minutes: number }>;
    }> = await this.dataSource.query(
      `SELECT r.id AS resource_id, r.name_zh, r.name_en, r.mode, r.unit, r.capacity, r.price_per_unit_hour_fen,
              f.id AS facility_id, f.name_zh AS facility_name_zh, f.name_en AS facility_name_en, f.kind, f.city_code, f.time_zone,
              w.windows
         FROM resources r
         JOIN facilities f ON f.id = r.facility_id
         CROSS JOIN LATERAL (
           SELECT json_agg(json_build_object('starts_at', fw.starts_at, 'ends_at', fw.ends_at, 'free_units', fw.free_units, 'longest_minutes', fw.longest_minutes) ORDER BY fw.starts_at) AS windows
             FROM (SELECT * FROM resource_free_windows(r.id, $1, $2, $3, $4) x
                    WHERE $5::float8 IS NULL OR x.longest_minutes >= $5::float8 * 60
                    ORDER BY x.starts_at LIMIT $7) fw
         ) w
        WHERE ${where.join(' AND ')} AND w.windows IS NOT NULL
        ORDER BY (w.windows->0->>'starts_at')::timestamptz, f.city_code, r.name_zh, r.id
        LIMIT $6`,
      params,
    );
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      units,
      minHours,
      items: rows.map((r) => ({
        resource: {
          id: r.resource_id,
          nameZh: r.name_zh,
          nameEn: r.name_en,
          mode: r.mode,
          unit: r.unit,
          capacity: r.capacity,
          pricePerUnitHourFen: Number(r.price_per_unit_hour_fen),
        },
        facility: { id: r.facility_id, nameZh: r.facility_name_zh, nameEn: r.facility_name_en, kind: r.kind, cityCode: r.city_code, timeZone: r.time_zone },
        windows: r.windows.map((w) =>
          window({ starts_at: new Date(w.starts_at), ends_at: new Date(w.ends_at), free_units: w.free_units, longest_minutes: w.longest_minutes }, r.time_zone),
        ),
      })),
    };
  }

  private range(q: AvailabilityQueryDto): { from: Date; to: Date; units: number } {
    const from = q.from ?? this.clock.now();
    const to = q.to ?? new Date(from.getTime() + 14 * DAY_MS);
    if (to <= from) throw badRequest('validation_failed', 'to must be after from.', [{ field: 'to', message: 'to must be after from' }]);
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw badRequest('validation_failed', `The range may span at most ${MAX_RANGE_DAYS} days.`, [
        { field: 'to', message: `at most ${MAX_RANGE_DAYS} days after from` },
      ]);
    }
    return { from, to, units: q.units ?? 1 };
  }
}

function window(r: { starts_at: Date; ends_at: Date; free_units: number; longest_minutes: number }, tz: string): FreeWindow {
  const s = new Date(r.starts_at);
  const e = new Date(r.ends_at);
  return {
    startsAt: s.toISOString(),
    endsAt: e.toISOString(),
    localStartsAt: formatInZone(s, tz),
    localEndsAt: formatInZone(e, tz),
    hours: Math.round(((e.getTime() - s.getTime()) / 3_600_000) * 100) / 100,
    freeUnits: r.free_units,
    longestBookingMinutes: r.longest_minutes,
  };
}
