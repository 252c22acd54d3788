import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, actorOf } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { badRequest, FieldError, notFound } from '../common/errors/domain-error';
import { rethrowHeldBookingsConflict } from './catalogue-access';
import { page } from '../common/pagination';
import { intervalView, MAINTENANCE_COLUMNS, MaintenanceRow, maintenanceView } from './catalogue-views';
import { openingHoursErrors, sortIntervals } from './opening-hours';
import { OpeningHoursInterval } from './opening-interval.entity';
import { CreateMaintenanceDto, MaintenancePageDto, MaintenanceQueryDto, MaintenanceWindowDto, OpeningHoursDto, ReplaceOpeningHoursDto } from './resources.dto';
import { ResourcesService } from './resources.service';

const invalid = (errors: FieldError[]) =>
  badRequest(
    'validation_failed',
    `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${[...new Set(errors.map((e) => e.field))].join(', ')}.`,
    errors,
  );

/** Instants (already parsed by `@IsInstant`) are accepted for years 2000–2199: anything else is a typo. */
function instant(date: Date, field: string): Date {
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 2000 || year > 2199) {
    throw invalid([{ field, message: `${field} must be a date-time between the years 2000 and 2199` }]);
  }
  return date;
}

/** Weekly opening hours and maintenance windows of resources. */
@Injectable()
export class ResourceScheduleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly resources: ResourcesService,
    private readonly clock: Clock,
  ) {}

  /** The weekly schedule of a resource the caller may see. */
  async getOpeningHours(auth: AuthUser | undefined, resourceId: string): Promise<OpeningHoursDto> {
    const resource = await this.resources.findVisible(auth, resourceId);
    const hours = await this.resources.findOpeningHours(this.dataSource.manager, [resourceId]);
    return { resourceId, timeZone: resource.facility.timeZone, intervals: hours.get(resourceId) ?? [] };
  }

  /** Replaces the weekly schedule (validated here; the exclusion constraint is the backstop). */
  async replaceOpeningHours(auth: AuthUser, resourceId: string, dto: ReplaceOpeningHoursDto): Promise<OpeningHoursDto> {
    await this.dataSource.transaction(async (em) => {
      const resource = await this.resources.lockForEdit(em, auth, resourceId);
      const errors = openingHoursErrors(dto.intervals, 'intervals');
      if (errors.length) throw invalid(errors);
      const intervals = sortIntervals(dto.intervals);
      const previous = (await this.resources.findOpeningHours(em, [resourceId])).get(resourceId) ?? [];
      await em.delete(OpeningHoursInterval, { resourceId });
      try {
        await this.resources.insertOpeningHours(
          em,
          intervals.map((i) => ({ ...i, resourceId })),
        );
      } catch (e) {
        if (e instanceof QueryFailedError && ['23P01', '23514'].includes((e as QueryFailedError & { code?: string }).code ?? '')) {
          throw badRequest('opening_hours_overlap', 'Opening intervals of one weekday overlap or are not well formed.');
        }
        throw e;
      }
      await this.audit.record(em, actorOf(auth), {
        action: 'resource.opening_hours_replaced',
        entityType: 'resource',
        entityId: resourceId,
        organisationId: resource.facility.operatorId,
        data: { facilityId: resource.facilityId, previous, intervals: intervals.map(intervalView) },
      });
    });
    return this.getOpeningHours(auth, resourceId);
  }

  /** Adds a maintenance window `[startsAt, endsAt)` that blocks booking. */
  async addMaintenance(auth: AuthUser, resourceId: string, dto: CreateMaintenanceDto): Promise<MaintenanceWindowDto> {
    const startsAt = instant(dto.startsAt, 'startsAt');
    const endsAt = instant(dto.endsAt, 'endsAt');
    if (endsAt.getTime() <= startsAt.getTime()) {
      throw invalid([{ field: 'endsAt', message: 'endsAt must be after startsAt (the window is [startsAt, endsAt))' }]);
    }
    return this.dataSource.transaction(async (em) => {
      const resource = await this.resources.lockForEdit(em, auth, resourceId);
      let row: MaintenanceRow;
      try {
        [row] = await em.query(
          `INSERT INTO maintenance_windows (resource_id, period, reason, created_by)
           VALUES ($1, tstzrange($2::timestamptz, $3::timestamptz, '[)'), $4, $5)
           RETURNING ${MAINTENANCE_COLUMNS}`,
          [resourceId, startsAt.toISOString(), endsAt.toISOString(), dto.reason, auth.userId],
        );
      } catch (e) {
        rethrowHeldBookingsConflict(e);
      }
      const view = maintenanceView(row);
      await this.audit.record(em, actorOf(auth), {
        action: 'maintenance.added',
        entityType: 'maintenance_window',
        entityId: view.id,
        organisationId: resource.facility.operatorId,
        data: { resourceId, startsAt: view.startsAt.toISOString(), endsAt: view.endsAt.toISOString(), reason: view.reason },
      });
      return view;
    });
  }

  /** Windows of a resource the caller may see that overlap `[from, to)` (default: from now on). */
  async listMaintenance(auth: AuthUser | undefined, resourceId: string, q: MaintenanceQueryDto): Promise<MaintenancePageDto> {
    await this.resources.findVisible(auth, resourceId);
    const from = q.from ? instant(q.from, 'from') : this.clock.now();
    const to = q.to ? instant(q.to, 'to') : null;
    if (to && to.getTime() <= from.getTime()) throw invalid([{ field: 'to', message: 'to must be after from' }]);
    const params = [resourceId, from.toISOString(), to?.toISOString() ?? null];
    const where = `resource_id = $1 AND period && tstzrange($2::timestamptz, $3::timestamptz, '[)')`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM maintenance_windows WHERE ${where}`, params);
    const rows: MaintenanceRow[] = await this.dataSource.query(
      `SELECT ${MAINTENANCE_COLUMNS} FROM maintenance_windows WHERE ${where} ORDER BY lower(period), id LIMIT $4 OFFSET $5`,
      [...params, q.limit, q.offset],
    );
    return page<MaintenanceWindowDto>(rows.map(maintenanceView), total, q);
  }

  /** Removes a maintenance window of the resource (404 if it belongs to another one). */
  async removeMaintenance(auth: AuthUser, resourceId: string, maintenanceId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const resource = await this.resources.lockForEdit(em, auth, resourceId);
      const [rows]: [MaintenanceRow[], number] = await em.query(
        `DELETE FROM maintenance_windows WHERE id = $1 AND resource_id = $2 RETURNING ${MAINTENANCE_COLUMNS}`,
        [maintenanceId, resourceId],
      );
      if (!rows?.length) throw notFound('Maintenance window');
      const view = maintenanceView(rows[0]);
      await this.audit.record(em, actorOf(auth), {
        action: 'maintenance.removed',
        entityType: 'maintenance_window',
        entityId: view.id,
        organisationId: resource.facility.operatorId,
        data: { resourceId, startsAt: view.startsAt.toISOString(), endsAt: view.endsAt.toISOString(), reason: view.reason },
      });
    });
  }
}
