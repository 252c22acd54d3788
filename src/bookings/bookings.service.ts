import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ResourcesService } from '../catalogue/resources.service';
import { ChainService } from '../chain/chain.service';
import { AccessService } from '../common/access/access.service';
import type { Permission } from '../common/access/permissions';
import { Actor, actorOf, AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { badRequest, conflict, DomainError, forbidden, notFound, unprocessable } from '../common/errors/domain-error';
import { page, Page } from '../common/pagination';
import { DAY_MS, MINUTE_MS, minutesBetween } from '../common/time';
import { NotificationKind } from '../notifications/notification.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { UsageService } from '../usage/usage.service';
import { isInternalUse } from '../common/internal-use';
import { validationFailed } from '../common/validation/validation-pipe';
import { priceBooking } from './booking-pricing';
import { BookingRow, BookingStore } from './booking-store';
import { BookingAction, BookingParty, planTransition, timingRefusal, TRANSITIONS } from './booking-transitions';
import { BookingView, bookingView } from './booking-view';
import { BookingQueryDto, CheckInDto, CheckOutDto, CreateBookingDto, DecisionDto } from './bookings.dto';
import { IdempotencyStore, requestHash } from './idempotency.store';
import { decideServiceCategory } from './service-category';

const iso = (d: Date) => d.toISOString();

/** The answer to POST /bookings: a fresh 201, or the replay of an earlier request with the same key. */
export interface BookingCreated {
  status: number;
  body: BookingView;
  replayed: boolean;
}

@Injectable()
export class BookingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: BookingStore,
    private readonly idempotency: IdempotencyStore,
    private readonly resources: ResourcesService,
    private readonly organisations: OrganisationsService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly access: AccessService,
    private readonly chain: ChainService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly usage: UsageService,
  ) {}

  /**
   * An SME asks for a window. Rules of the resource first (422), then, with the resource row locked,
   * fair-use limits (422) and conflicts (409); the insert is backed by the exclusion constraint.
   * The booking, its audit entry and the idempotency record commit together.
   *
   * An operator books a resource of its own facility for its own organisation (internal use, `booking.create`):
   * approved at once with no decision (`decided_by` NULL), never priced, no fair-use limits; the resource's other
   * rules and the conflict checks apply as to anyone.
   */
  async request(auth: AuthUser, dto: CreateBookingDto, idempotencyKey?: string): Promise<BookingCreated> {
    const organisationId = auth.organisationId!;
    const hash = requestHash({ ...dto, startsAt: iso(dto.startsAt), endsAt: iso(dto.endsAt) });
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      if (idempotencyKey) {
        const earlier = await this.idempotency.claim(em, organisationId, idempotencyKey, hash, now);
        if (earlier) return { status: earlier.status, body: earlier.body as BookingView, replayed: true };
      }
      // A project must be the caller's organisation's (422 unknown_project otherwise); its current stage is the default stage.
      const project = dto.projectId ? await this.chain.resolveForBooking(em, organisationId, dto.projectId) : null;
      const stage = dto.stage ?? project!.stage;
      const resource = await this.resources.findResourceForBooking(em, dto.resourceId);
      if (!resource) throw notFound('Resource');
      await this.access.requireAccess(auth, 'booking.create', [resource.id], { em });
      const internal = isInternalUse(organisationId, resource.facility.operatorId);
      const category = decideServiceCategory({ kind: resource.facility.kind, unit: resource.unit }, dto.serviceCategory);
      if (!category.ok && category.error === 'required') throw validationFailed([{ field: 'serviceCategory', message: 'serviceCategory is required' }]);
      if (!category.ok) {
        throw unprocessable(
          'service_category_not_offered',
          dto.serviceCategory === 'compute'
            ? 'This resource is not a compute resource: book it for one of the pilot-platform services.'
            : 'This is a compute resource: it is booked for compute only (serviceCategory compute, the default).',
          { serviceCategory: dto.serviceCategory, allowed: category.allowed },
        );
      }
      const units = this.unitsFor(resource, dto.units);
      const { startsAt, endsAt } = dto;
      if (endsAt <= startsAt)
        throw badRequest('validation_failed', 'endsAt must be after startsAt.', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
      // Lock first, so that the rules and maintenance read below cannot change before this commits. Requests that
      // are decided here — a pool's capacity, an organisation's fair-use and open-request limits — queue on the row
      // (FOR UPDATE). The others, on an exclusive resource, share it: the exclusion constraint decides between them
      // (the loser waits only for the winner's commit, then gets 409), instead of each waiting for all before it.
      const decidedHere =
        resource.mode === 'pooled' ||
        (!internal && (resource.maxUnitHoursPer30Days !== null || (resource.maxOpenRequests !== null && resource.approvalRequired)));
      await this.resources.lockResource(em, resource.id, decidedHere ? 'update' : 'share');
      await this.checkRules(em, resource, startsAt, endsAt, now);
      // Fair use shares a resource among enterprises; an operator's own use of its resource is not held to it.
      if (!internal) await this.checkFairUse(em, resource, organisationId, startsAt, endsAt, units);
      await this.checkFree(em, resource, startsAt, endsAt, units);

      const organisation = await this.organisations.findById(organisationId, em);
      const price = priceBooking({
        pricePerUnitHourFen: resource.pricePerUnitHourFen,
        units,
        durationMinutes: minutesBetween(startsAt, endsAt),
        smeDiscountPercent: resource.smeDiscountPercent,
        isSme: organisation.sme,
        internal,
      });
      const state = resource.approvalRequired && !internal ? 'pending' : 'approved';
      let id: string;
      try {
        id = await this.store.insert(em, {
          resourceId: resource.id,
          facilityId: resource.facilityId,
          organisationId,
          requestedBy: auth.userId,
          startsAt,
          endsAt,
          bufferBeforeMinutes: resource.bufferBeforeMinutes,
          bufferAfterMinutes: resource.bufferAfterMinutes,
          exclusive: resource.mode === 'exclusive',
          units,
          state,
          stage,
          serviceCategory: category.category,
          purpose: dto.purpose,
          projectId: dto.projectId ?? null,
          priceFen: price.fen,
          listPriceFen: price.listFen,
          discountPercent: price.discountPercent,
          decidedAt: state === 'approved' ? now : null,
          createdAt: now,
        });
      } catch (e) {
        // The resource lock makes this rare; the exclusion constraint is what guarantees it.
        if (e instanceof QueryFailedError && (e as QueryFailedError & { code?: string }).code === '23P01') {
          throw conflict('slot_taken', 'The window overlaps a booking that holds this resource (including changeover buffers).');
        }
        throw e;
      }
      await this.audit.record(
        em,
        actorOf(auth),
        {
          action: 'booking.requested',
          entityType: 'booking',
          entityId: id,
          organisationId,
          data: {
            resourceId: resource.id,
            facilityId: resource.facilityId,
            startsAt: iso(startsAt),
            endsAt: iso(endsAt),
            units,
            state,
            autoApproved: state === 'approved',
            priceFen: price.fen,
            stage,
            serviceCategory: category.category,
            internal,
            // A booking may serve another stage than the project's current one (an SME testing ahead): both are kept.
            ...(project ? { projectId: project.id, projectStage: project.stage } : {}),
          },
        },
        now,
      );
      const created = (await this.store.findById(em, id, false, auth))!;
      // Internal use asks nobody and tells nobody: the operator booked its own resource itself.
      if (!internal) {
        await this.notify(em, 'booking_requested', created, now);
        if (state === 'approved') await this.notify(em, 'booking_approved', created, now);
      }
      const body = bookingView(created);
      if (idempotencyKey) await this.idempotency.complete(em, organisationId, idempotencyKey, { status: 201, body });
      return { status: 201, body, replayed: false };
    });
  }

  /**
   * The price a request would get, before sending it (the console's price preview): the same units rule and
   * `priceBooking` as `request`, for the caller's organisation; the other rules are checked only by `request`.
   */
  async quote(
    auth: AuthUser,
    dto: Pick<CreateBookingDto, 'resourceId' | 'startsAt' | 'endsAt' | 'units'>,
  ): Promise<ReturnType<typeof priceBooking> & { units: number; durationMinutes: number }> {
    const resource = await this.resources.findVisible(auth, dto.resourceId);
    const units = this.unitsFor(resource, dto.units);
    if (dto.endsAt <= dto.startsAt)
      throw badRequest('validation_failed', 'endsAt must be after startsAt.', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
    const organisation = await this.organisations.findById(auth.organisationId!);
    const durationMinutes = minutesBetween(dto.startsAt, dto.endsAt);
    const price = priceBooking({
      pricePerUnitHourFen: resource.pricePerUnitHourFen,
      units,
      durationMinutes,
      smeDiscountPercent: resource.smeDiscountPercent,
      isSme: organisation.sme,
      internal: isInternalUse(auth.organisationId!, resource.facility.operatorId),
    });
    return { ...price, units, durationMinutes };
  }

  approve(auth: AuthUser, id: string, dto: DecisionDto) {
    return this.act(auth, id, 'approve', dto.reason);
  }

  reject(auth: AuthUser, id: string, dto: DecisionDto) {
    return this.act(auth, id, 'reject', dto.reason);
  }

  cancel(auth: AuthUser, id: string, dto: DecisionDto) {
    return this.act(auth, id, 'cancel', dto.reason);
  }

  checkIn(auth: AuthUser, id: string, _dto: CheckInDto = {}) {
    return this.act(auth, id, 'check_in');
  }

  /** Check-out also records the actual use ([checked in, checked out) × units used) in the same transaction. */
  checkOut(auth: AuthUser, id: string, dto: CheckOutDto = {}) {
    return this.act(auth, id, 'check_out', dto.note, (em, row, now) => this.usage.recordCheckOut(em, actorOf(auth), row, now, dto.unitsUsed, dto.note));
  }

  async list(auth: AuthUser, q: BookingQueryDto): Promise<Page<BookingView>> {
    const { rows, total } = await this.store.list(this.dataSource.manager, auth, {
      state: q.state,
      resourceId: q.resourceId,
      facilityId: q.facilityId,
      city: q.city,
      kind: q.kind,
      operatorId: q.operatorId,
      organisationId: q.organisationId,
      projectId: q.projectId,
      direction: q.direction,
      stage: q.stage,
      serviceCategory: q.serviceCategory,
      internal: q.internal,
      counted: q.counted,
      from: q.from,
      to: q.to,
      unit: q.unit,
      startFrom: q.startFrom,
      startTo: q.startTo,
      endFrom: q.endFrom,
      endTo: q.endTo,
      decidedFrom: q.decidedFrom,
      decidedTo: q.decidedTo,
      sort: q.sort,
      limit: q.limit ?? 20,
      offset: q.offset ?? 0,
    });
    return page(rows.map(bookingView), total, q);
  }

  /** Another tenant's booking is 404, not 403: its existence is not revealed. */
  async get(auth: AuthUser, id: string): Promise<BookingView> {
    await this.access.requireAccess(auth, 'booking.read', [id]);
    return bookingView((await this.store.findById(this.dataSource.manager, id, false, auth))!);
  }

  /** A user's action on a booking: who may act is decided here, what may happen by the transition table. */
  private async act(
    auth: AuthUser,
    id: string,
    action: BookingAction,
    reason?: string,
    after?: (em: EntityManager, row: BookingRow, now: Date) => Promise<unknown>,
  ): Promise<BookingView> {
    return this.dataSource.transaction(async (em) => {
      const party = await this.requireParty(em, auth, id, action);
      const row = (await this.store.findById(em, id, true, auth))!;
      const now = this.clock.now();
      await this.transition(em, row, action, party, actorOf(auth), now, reason);
      if (after) await after(em, row, now);
      return bookingView((await this.store.findById(em, id, false, auth))!);
    });
  }

  /**
   * The party the caller acts as (404 when it may not see the booking, 403 when it may see but not
   * act): the first party whose permission for this action the caller's role can hold.
   */
  private async requireParty(em: EntityManager, auth: AuthUser, id: string, action: BookingAction): Promise<BookingParty> {
    const denied = () => forbidden(`You cannot ${action.replace('_', '-')} this booking: only ${describeParties(action)} may.`);
    for (const [party, permissions] of ACTING_AS) {
      const permission = permissions[action];
      if (permission && this.access.holds(auth, permission)) {
        await this.access.requireAccess(auth, permission, [id], { em, denied });
        return party;
      }
    }
    await this.access.requireAccess(auth, 'booking.read', [id], { em });
    throw denied();
  }

  /**
   * The one way a booking changes state, for the API and for scheduled jobs alike: checks the
   * transition table, stamps who and when, and writes the audit entry in the caller's transaction.
   */
  async transition(em: EntityManager, row: BookingRow, action: BookingAction, party: BookingParty, actor: Actor, now: Date, reason?: string): Promise<void> {
    const plan = planTransition(action, row.state, party);
    if (!plan.ok) {
      if (plan.error === 'not_allowed_party') throw forbidden(`Only ${describeParties(action)} may ${action.replace('_', '-')} a booking.`);
      throw new DomainError(409, 'wrong_state', `A booking that is ${row.state} cannot be ${pastTense(action)} (only from: ${plan.allowedFrom.join(', ')}).`, {
        state: row.state,
        allowedFrom: plan.allowedFrom,
      });
    }
    const late = timingRefusal(action, party, { startsAt: new Date(row.starts_at), endsAt: new Date(row.ends_at) }, now, this.config.bookings);
    if (late) throw conflict(late.code, late.message, { state: row.state, ...late.details });
    const rule = TRANSITIONS[action];
    if (rule.reason === 'required' && !reason) {
      throw badRequest('validation_failed', `A reason is required to ${action} a booking.`, [{ field: 'reason', message: 'reason is required' }]);
    }
    const userId = actor.kind === 'user' ? actor.userId : null;
    const set: Record<string, unknown> = {};
    switch (action) {
      case 'approve':
      case 'reject':
        Object.assign(set, { decided_by: userId, decided_at: now, decision_reason: reason ?? null });
        break;
      case 'cancel':
        Object.assign(set, { cancelled_by: userId, cancelled_at: now, cancel_reason: reason ?? null });
        break;
      case 'check_in':
        Object.assign(set, { checked_in_by: userId, checked_in_at: now });
        break;
      case 'check_out':
        Object.assign(set, { checked_out_by: userId, checked_out_at: now });
        break;
      case 'expire':
      case 'mark_no_show':
        Object.assign(set, { ended_by_job: actor.label, ended_at: now });
        break;
    }
    await this.store.applyTransition(em, row.id, plan.to, set, now);
    const kind = NOTIFY_ON[action];
    if (kind) await this.notify(em, kind, row, now, reason);
    await this.audit.record(
      em,
      actor,
      {
        action: `booking.${pastTense(action)}`,
        entityType: 'booking',
        entityId: row.id,
        organisationId: row.organisation_id,
        data: {
          from: row.state,
          to: plan.to,
          party,
          ...(reason ? { [rule.reason === 'none' ? 'note' : 'reason']: reason } : {}),
          facilityId: row.facility_id,
          resourceId: row.resource_id,
        },
      },
      now,
    );
  }

  /** Writes the booking's notifications into the outbox, in the same transaction as the change. */
  notify(em: EntityManager, kind: NotificationKind, row: BookingRow, at: Date, reason?: string | null): Promise<number> {
    return this.notifications.notifyBooking(
      em,
      kind,
      {
        bookingId: row.id,
        organisationId: row.organisation_id,
        operatorId: row.facility_operator_id,
        resourceNameZh: row.resource_name_zh,
        resourceNameEn: row.resource_name_en,
        facilityNameZh: row.facility_name_zh,
        facilityNameEn: row.facility_name_en,
        organisationNameZh: row.organisation_name_zh,
        organisationNameEn: row.organisation_name_en,
        startsAt: new Date(row.starts_at),
        endsAt: new Date(row.ends_at),
        timeZone: row.facility_time_zone,
        reason,
      },
      at,
    );
  }

  private unitsFor(resource: { mode: string; capacity: number }, requested: number | undefined): number {
    if (resource.mode === 'exclusive') {
      if (requested !== undefined && requested !== 1) {
        throw badRequest('validation_failed', 'An exclusive resource is booked whole: units must be 1 or omitted.', [
          { field: 'units', message: 'units must be 1 for an exclusive resource' },
        ]);
      }
      return 1;
    }
    if (requested === undefined) {
      throw badRequest('validation_failed', 'units is required for a pooled resource.', [
        { field: 'units', message: 'units is required for a pooled resource' },
      ]);
    }
    if (requested > resource.capacity) {
      throw unprocessable('capacity_exceeded', `This resource has ${resource.capacity} units in all; ${requested} were asked for.`, {
        capacity: resource.capacity,
        units: requested,
      });
    }
    return requested;
  }

  /** The rules of the resource that do not depend on other bookings, each refused with 422 and its code. */
  private async checkRules(
    em: EntityManager,
    resource: Awaited<ReturnType<ResourcesService['findResourceForBooking']>> & object,
    startsAt: Date,
    endsAt: Date,
    now: Date,
  ): Promise<void> {
    if (!resource.active || !resource.facility.active) {
      throw unprocessable('inactive_resource', 'This resource is not taking bookings (it or its facility is deactivated).');
    }
    const minutes = (endsAt.getTime() - startsAt.getTime()) / MINUTE_MS;
    if (minutes < resource.minDurationMinutes) {
      throw unprocessable('too_short', `Bookings of this resource last at least ${resource.minDurationMinutes} minutes; this one is ${minutes}.`, {
        minDurationMinutes: resource.minDurationMinutes,
      });
    }
    if (minutes > resource.maxDurationMinutes) {
      throw unprocessable('too_long', `Bookings of this resource last at most ${resource.maxDurationMinutes} minutes; this one is ${minutes}.`, {
        maxDurationMinutes: resource.maxDurationMinutes,
      });
    }
    if (startsAt < now) {
      throw unprocessable('in_the_past', `The window starts in the past (now is ${iso(now)}).`, { now: iso(now) });
    }
    const earliest = new Date(now.getTime() + resource.leadTimeMinutes * MINUTE_MS);
    if (startsAt < earliest) {
      throw unprocessable(
        'lead_time',
        `This resource must be booked at least ${resource.leadTimeMinutes} minutes ahead: the earliest start is ${iso(earliest)}.`,
        {
          leadTimeMinutes: resource.leadTimeMinutes,
          earliestStart: iso(earliest),
        },
      );
    }
    const latest = new Date(now.getTime() + resource.horizonDays * DAY_MS);
    if (endsAt > latest) {
      throw unprocessable('beyond_horizon', `This resource can be booked at most ${resource.horizonDays} days ahead: the window must end by ${iso(latest)}.`, {
        horizonDays: resource.horizonDays,
        latestEnd: iso(latest),
      });
    }
    if (!(await this.store.isWithinOpeningHours(em, resource.id, startsAt, endsAt))) {
      throw unprocessable(
        'outside_opening_hours',
        `The whole window must lie within the resource's opening hours (local time, ${resource.facility.timeZone}).`,
        {
          timeZone: resource.facility.timeZone,
        },
      );
    }
    const maintenance = await this.resources.findMaintenanceOverlapping(em, resource.id, startsAt, endsAt);
    if (maintenance.length > 0) {
      throw unprocessable('in_maintenance', 'The window overlaps a maintenance window of this resource.', {
        maintenance: maintenance.map((m) => ({ startsAt: iso(new Date(m.starts_at)), endsAt: iso(new Date(m.ends_at)), reason: m.reason })),
      });
    }
  }

  private async checkFairUse(
    em: EntityManager,
    resource: { id: string; maxOpenRequests: number | null; maxUnitHoursPer30Days: number | null; approvalRequired: boolean },
    organisationId: string,
    startsAt: Date,
    endsAt: Date,
    units: number,
  ): Promise<void> {
    if (resource.maxOpenRequests !== null && resource.approvalRequired) {
      const open = await this.store.countOpenRequests(em, resource.id, organisationId);
      if (open >= resource.maxOpenRequests) {
        throw unprocessable(
          'quota_exceeded',
          `Your organisation already has ${open} undecided requests on this resource; the limit is ${resource.maxOpenRequests}.`,
          {
            limit: 'max_open_requests',
            max: resource.maxOpenRequests,
            used: open,
            remaining: 0,
          },
        );
      }
    }
    if (resource.maxUnitHoursPer30Days !== null) {
      const requested = (units * (endsAt.getTime() - startsAt.getTime())) / 3_600_000;
      const peak = await this.store.peakUnitHoursIn30Days(em, resource.id, organisationId, startsAt, endsAt, units);
      if (peak > resource.maxUnitHoursPer30Days + 1e-9) {
        const remaining = Math.max(0, Math.round((resource.maxUnitHoursPer30Days - (peak - requested)) * 100) / 100);
        throw unprocessable(
          'quota_exceeded',
          `Your organisation may hold at most ${resource.maxUnitHoursPer30Days} unit-hours of this resource in any 30 days; ${remaining} are left around this window and ${requested} were asked for.`,
          { limit: 'max_unit_hours_per_30_days', max: resource.maxUnitHoursPer30Days, requested, remaining },
        );
      }
    }
  }

  /** 409 when the window is taken: for exclusive resources, the conflicting windows (no names); for pools, the peak. */
  private async checkFree(
    em: EntityManager,
    resource: { id: string; mode: string; capacity: number; bufferBeforeMinutes: number; bufferAfterMinutes: number },
    startsAt: Date,
    endsAt: Date,
    units: number,
  ): Promise<void> {
    const blockedFrom = new Date(startsAt.getTime() - resource.bufferBeforeMinutes * MINUTE_MS);
    const blockedUntil = new Date(endsAt.getTime() + resource.bufferAfterMinutes * MINUTE_MS);
    if (resource.mode === 'exclusive') {
      const held = await this.store.findHeldOverlapping(em, resource.id, blockedFrom, blockedUntil);
      if (held.length > 0) {
        throw conflict('slot_taken', 'The window overlaps a booking that holds this resource (changeover buffers included).', {
          conflicts: held.map((h) => ({
            startsAt: iso(h.starts_at),
            endsAt: iso(h.ends_at),
            blockedFrom: iso(h.blocked_from),
            blockedUntil: iso(h.blocked_until),
          })),
        });
      }
      return;
    }
    const peak = await this.store.peakHeldUnits(em, resource.id, blockedFrom, blockedUntil);
    if (peak + units > resource.capacity) {
      const held = await this.store.findHeldOverlapping(em, resource.id, blockedFrom, blockedUntil);
      throw conflict(
        'insufficient_capacity',
        `At the busiest moment of this window ${peak} of ${resource.capacity} units are held; ${units} more do not fit.`,
        {
          capacity: resource.capacity,
          peakHeldUnits: peak,
          freeUnits: resource.capacity - peak,
          conflicts: held.map((h) => ({ startsAt: iso(h.starts_at), endsAt: iso(h.ends_at), units: h.units })),
        },
      );
    }
  }
}

/** The permission (`permissions.ts`) each party needs to take an action on a booking as that party. */
const ACTING_AS: ReadonlyArray<[BookingParty, Partial<Record<BookingAction, Permission>>]> = [
  ['owner', { cancel: 'booking.cancel_own' }],
  ['operator', { approve: 'booking.decide', reject: 'booking.decide', cancel: 'booking.decide', check_in: 'booking.check_in', check_out: 'booking.check_in' }],
];

/** Which transitions tell people about it (check-in and check-out need no message). */
const NOTIFY_ON: Partial<Record<BookingAction, NotificationKind>> = {
  approve: 'booking_approved',
  reject: 'booking_rejected',
  cancel: 'booking_cancelled',
  expire: 'booking_expired',
  mark_no_show: 'booking_no_show',
};

function describeParties(action: BookingAction): string {
  const names: Record<BookingParty, string> = { owner: 'the enterprise that booked it', operator: "the facility's operator", job: 'the scheduler' };
  return TRANSITIONS[action].by.map((p) => names[p]).join(' or ');
}

function pastTense(action: BookingAction): string {
  return (
    {
      approve: 'approved',
      reject: 'rejected',
      cancel: 'cancelled',
      check_in: 'checked_in',
      check_out: 'checked_out',
      expire: 'expired',
      mark_no_show: 'marked_no_show',
    } as const
  )[action];
}
