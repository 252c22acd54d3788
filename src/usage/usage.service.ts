import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ResourcesService } from '../catalogue/resources.service';
import { AccessService } from '../common/access/access.service';
import { Actor, actorOf, AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { isInternalUse } from '../common/internal-use';
import { badRequest, conflict, notFound, unprocessable } from '../common/errors/domain-error';
import { CorrectUsageDto, CreateUsageDto, UsageQueryDto } from './usage.dto';
import { UsageOrganisationTotals, UsagePageResponse, UsageRecordResponse } from './usage.responses';
import { NewUsage, UsageRow, UsageStore, usageView } from './usage-store';

/** unitsUsed × hours of [start, end) as decimal text, rounded half up to 4 decimals (exact: integer arithmetic on ms). */
export function unitHoursOf(unitsUsed: number, start: Date, end: Date): string {
  const unitMs = BigInt(unitsUsed) * BigInt(Math.max(0, end.getTime() - start.getTime()));
  // unit-hours × 10^4 = unit-ms / 360; rounded half up
  const scaled = (unitMs * 2n + 360n) / 720n;
  return `${scaled / 10_000n}.${(scaled % 10_000n).toString().padStart(4, '0')}`;
}

/** What a check-out hands over: the booking as it was checked in. */
export interface CheckedOutBooking {
  id: string;
  resource_id: string;
  facility_id: string;
  organisation_id: string;
  units: number;
  resource_unit: string;
  checked_in_at: Date | null;
  starts_at: Date;
}

/** Actual use: records from check-out, added by hand or imported; corrections supersede, never edit. */
@Injectable()
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: UsageStore,
    private readonly resources: ResourcesService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /**
   * The record of a check-out, in the check-out's transaction: [checked in, checked out), units used
   * (default: the booked units; at most those: 422 otherwise) × actual hours.
   */
  async recordCheckOut(em: EntityManager, actor: Actor, booking: CheckedOutBooking, checkedOutAt: Date, unitsUsed?: number, note?: string): Promise<string> {
    if (unitsUsed !== undefined && unitsUsed > booking.units) {
      throw unprocessable('units_used_exceed_booked', `This booking holds ${booking.units} units; ${unitsUsed} cannot have been used.`, {
        units: booking.units,
        unitsUsed,
      });
    }
    const used = unitsUsed ?? booking.units;
    const startsAt = new Date(booking.checked_in_at ?? booking.starts_at);
    const endsAt = checkedOutAt < startsAt ? startsAt : checkedOutAt;
    return this.insert(em, actor, {
      resourceId: booking.resource_id,
      facilityId: booking.facility_id,
      organisationId: booking.organisation_id,
      bookingId: booking.id,
      startsAt,
      endsAt,
      unit: booking.resource_unit,
      unitsUsed: used,
      unitHours: unitHoursOf(used, startsAt, endsAt),
      source: 'check_out',
      note: note ?? null,
      recordedBy: actor.kind === 'user' ? actor.userId : null,
      recordedByLabel: actor.label,
      recordedAt: checkedOutAt,
      supersedes: null,
    });
  }

  /** An operator records use of a resource of its facility by hand. */
  async add(auth: AuthUser, dto: CreateUsageDto): Promise<UsageRecordResponse> {
    const id = await this.dataSource.transaction(async (em) => {
      const resource = await this.resources.findResourceForBooking(em, dto.resourceId);
      if (!resource) throw notFound('Resource');
      await this.access.requireAccess(auth, 'usage.record', [resource.facilityId], { em });
      if (dto.endsAt < dto.startsAt)
        throw badRequest('validation_failed', 'endsAt must not be before startsAt.', [{ field: 'endsAt', message: 'endsAt must not be before startsAt' }]);
      let organisationId = dto.organisationId;
      if (dto.bookingId) {
        const booking = await this.store.findBooking(em, dto.bookingId);
        if (!booking || booking.resource_id !== resource.id) {
          throw unprocessable('booking_mismatch', 'The booking is not one of this resource.');
        }
        if (organisationId && organisationId !== booking.organisation_id)
          throw unprocessable('booking_mismatch', 'The booking belongs to another organisation.');
        organisationId = booking.organisation_id;
      }
      if (!organisationId)
        throw badRequest('validation_failed', 'organisationId is required without a bookingId.', [
          { field: 'organisationId', message: 'organisationId is required without bookingId' },
        ]);
      // An enterprise's use, or the operator's own use of its facility (internal use).
      if (!isInternalUse(organisationId, resource.facility.operatorId) && (await this.store.organisationKind(em, organisationId)) !== 'enterprise')
        throw unprocessable('not_an_enterprise', "Usage is recorded for an enterprise organisation, or for the facility's own operator (internal use).");
      const unitsUsed = dto.unitsUsed ?? 1;
      if (unitsUsed > resource.capacity)
        throw unprocessable('capacity_exceeded', `This resource has ${resource.capacity} units in all.`, { capacity: resource.capacity });
      const now = this.clock.now();
      return this.insert(em, actorOf(auth), {
        resourceId: resource.id,
        facilityId: resource.facilityId,
        organisationId,
        bookingId: dto.bookingId ?? null,
        startsAt: dto.startsAt,
        endsAt: dto.endsAt,
        unit: resource.unit,
        unitsUsed,
        unitHours: dto.unitHours ?? unitHoursOf(unitsUsed, dto.startsAt, dto.endsAt),
        source: 'manual',
        note: dto.note ?? null,
        recordedBy: auth.userId,
        recordedByLabel: auth.email,
        recordedAt: now,
        supersedes: null,
      });
    });
    return this.get(auth, id);
  }

  /**
   * A correction is a new record that supersedes the old one; the old one is kept (marked) and counts in
   * no total. Only the newest of a chain can be corrected (409 `already_superseded` otherwise).
   */
  async correct(auth: AuthUser, id: string, dto: CorrectUsageDto): Promise<UsageRecordResponse> {
    const newId = await this.dataSource.transaction(async (em) => {
      await this.access.requireAccess(auth, 'usage.read', [id], { em });
      const old = (await this.store.findById(em, id, true))!;
      await this.access.requireAccess(auth, 'usage.record', [old.facility_id], { em });
      if (old.superseded_by) {
        throw conflict('already_superseded', 'This record has already been corrected; correct the newest record instead.', { supersededBy: old.superseded_by });
      }
      const startsAt = dto.startsAt ?? new Date(old.starts_at);
      const endsAt = dto.endsAt ?? new Date(old.ends_at);
      if (endsAt < startsAt)
        throw badRequest('validation_failed', 'endsAt must not be before startsAt.', [{ field: 'endsAt', message: 'endsAt must not be before startsAt' }]);
      const unitsUsed = dto.unitsUsed ?? old.units_used;
      if (dto.unitsUsed !== undefined) {
        const resource = (await this.resources.findResourceForBooking(em, old.resource_id))!;
        if (dto.unitsUsed > resource.capacity)
          throw unprocessable('capacity_exceeded', `This resource has ${resource.capacity} units in all.`, { capacity: resource.capacity });
      }
      const recompute = dto.startsAt !== undefined || dto.endsAt !== undefined || dto.unitsUsed !== undefined;
      const unitHours = dto.unitHours ?? (recompute ? unitHoursOf(unitsUsed ?? 1, startsAt, endsAt) : old.unit_hours);
      const now = this.clock.now();
      let created: string;
      try {
        created = await this.insert(
          em,
          actorOf(auth),
          {
            resourceId: old.resource_id,
            facilityId: old.facility_id,
            organisationId: old.organisation_id,
            bookingId: old.booking_id,
            startsAt,
            endsAt,
            unit: old.unit,
            unitsUsed,
            unitHours,
            source: 'manual',
            note: dto.note,
            recordedBy: auth.userId,
            recordedByLabel: auth.email,
            recordedAt: now,
            supersedes: old.id,
          },
          'usage.corrected',
        );
      } catch (e) {
        if (e instanceof QueryFailedError && (e as QueryFailedError & { code?: string }).code === '23505') {
          throw conflict('already_superseded', 'This record has already been corrected; correct the newest record instead.');
        }
        throw e;
      }
      await this.store.markSuperseded(em, old.id, created, now);
      return created;
    });
    return this.get(auth, newId);
  }

  async list(auth: AuthUser, q: UsageQueryDto): Promise<UsagePageResponse> {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const { rows, total, totals, byOrganisation } = await this.store.list(this.dataSource.manager, auth, { ...q, limit, offset });
    const perOrganisation = new Map<string, UsageOrganisationTotals>();
    for (const t of byOrganisation) {
      let entry = perOrganisation.get(t.organisation_id);
      if (!entry) {
        entry = { organisationId: t.organisation_id, nameZh: t.name_zh, nameEn: t.name_en, unitHours: {}, records: 0 };
        perOrganisation.set(t.organisation_id, entry);
      }
      (entry.unitHours as Record<string, number>)[t.unit] = Number(t.unit_hours);
      entry.records += t.records;
    }
    return {
      items: rows.map(usageView),
      total,
      limit,
      offset,
      totals: {
        unitHours: Object.fromEntries(totals.map((t) => [t.unit, Number(t.unit_hours)])),
        records: totals.reduce((n, t) => n + t.records, 0),
        byOrganisation: [...perOrganisation.values()],
      },
    };
  }

  async get(auth: AuthUser, id: string): Promise<UsageRecordResponse> {
    await this.access.requireAccess(auth, 'usage.read', [id]);
    return usageView((await this.store.findById(this.dataSource.manager, id)) as UsageRow);
  }

  /** Inserts a record and its audit entry in the caller's transaction. */
  private async insert(em: EntityManager, actor: Actor, u: NewUsage, action = 'usage.recorded'): Promise<string> {
    const id = await this.store.insert(em, u);
    const saved = (await this.store.findById(em, id))!;
    await this.audit.record(
      em,
      actor,
      {
        action,
        entityType: 'usage_record',
        entityId: id,
        organisationId: u.organisationId,
        data: {
          source: u.source,
          resourceId: u.resourceId,
          facilityId: u.facilityId,
          bookingId: u.bookingId,
          startsAt: new Date(saved.starts_at).toISOString(),
          endsAt: new Date(saved.ends_at).toISOString(),
          unit: u.unit,
          unitsUsed: u.unitsUsed,
          unitHours: saved.unit_hours,
          ...(u.supersedes ? { supersedes: u.supersedes } : {}),
          ...(u.note ? { note: u.note } : {}),
        },
      },
      u.recordedAt,
    );
    return id;
  }
}
