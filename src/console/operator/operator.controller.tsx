import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuditService } from '../../audit/audit.service';
import { AuditQueryDto } from '../../audit/audit.dto';
import { BookingQueryDto, CheckOutDto, DecisionDto } from '../../bookings/bookings.dto';
import { BookingsService } from '../../bookings/bookings.service';
import type { BookingView } from '../../bookings/booking-view';
import { MaintenanceQueryDto, MaintenanceWindowDto } from '../../catalogue/resources.dto';
import { ResourceScheduleService } from '../../catalogue/resource-schedule.service';
import { ResourcesService } from '../../catalogue/resources.service';
import { Clock } from '../../common/clock';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { UuidParam } from '../../common/validation/uuid-param';
import { redirectTo } from '../console-exception.filter';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import { errorsOf, FormErrors, formNumber, formText, localInputToIso, statusOf, validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { Badge, CsrfField, Facts, Field, FormError, Table } from '../views/components';
import { formatDateTime, formatFen, formatWindow, nameOf } from '../views/format';
import { addDays, isoWeekday, mondayOf } from '../calendar-days';
import { DEFAULT_TIME_ZONE } from '../../catalogue/catalogue.constants';
import { Layout } from '../views/layout';
import { ownResources } from './operator-views';

type Form = Record<string, unknown>;
interface QueueError {
  bookingId?: string;
  errors: FormErrors;
}

/** The operator's approval queue, booking pages and calendar (role operator). */
@ConsoleController('operator')
@ForRoles('operator')
export class OperatorPagesController {
  constructor(
    private readonly bookings: BookingsService,
    private readonly resources: ResourcesService,
    private readonly schedule: ResourceScheduleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // ---- the approval queue

  @Get('queue')
  @Html()
  async queue(@Page() ctx: SignedInContext) {
    return this.renderQueue(ctx);
  }

  @Post('queue/:id/approve')
  @Html()
  async approve(@Page() ctx: SignedInContext, @UuidParam() id: string, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    try {
      await this.bookings.approve(ctx.viewer, id, {});
    } catch (e) {
      res.status(statusOf(e));
      return this.renderQueue(ctx, { bookingId: id, errors: errorsOf(ctx, e) });
    }
    redirectTo(req, res, '/operator/queue?notice=operator.approved');
  }

  @Post('queue/:id/reject')
  @Html()
  async reject(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const dto = await validateWith(DecisionDto, { reason: formText(body.reason) });
      await this.bookings.reject(ctx.viewer, id, dto);
    } catch (e) {
      res.status(statusOf(e));
      return this.renderQueue(ctx, { bookingId: id, errors: errorsOf(ctx, e) });
    }
    redirectTo(req, res, '/operator/queue?notice=operator.rejected');
  }

  private async renderQueue(ctx: SignedInContext, error?: QueueError) {
    const o = ctx.m.operator;
    const q = await validateWith(BookingQueryDto, { state: 'pending', sort: 'createdAt', limit: '200' }, 'query');
    const pending = await this.bookings.list(ctx.viewer, q);
    const now = this.clock.now().getTime();
    return (
      <Layout ctx={ctx} title={ctx.m.common.navQueue}>
        <p class="muted" safe>
          {o.queueLead(pending.total)}
        </p>
        {error && !pending.items.some((b) => b.id === error.bookingId) ? <FormError message={error.errors.message} detail={error.errors.detail} /> : ''}
        {pending.items.length === 0 ? (
          <p class="empty" safe>
            {o.queueEmpty}
          </p>
        ) : (
          ''
        )}
        <ol class="queue">
          {pending.items.map((b) => {
            const err = error?.bookingId === b.id ? error.errors : undefined;
            const left = b.expiresAt ? Date.parse(b.expiresAt) - now : null;
            return (
              <li class="card queue-item" id={`b-${b.id}`}>
                <h2>
                  <a href={`/operator/bookings/${b.id}`} safe>
                    {nameOf(ctx, b.organisation)}
                  </a>{' '}
                  <Badge ctx={ctx} value={b.state} />
                </h2>
                <Facts
                  items={[
                    [o.resource, `${nameOf(ctx, b.resource)} · ${nameOf(ctx, b.facility)}`],
                    [o.window, formatWindow(b.startsAt, b.endsAt, b.facility.timeZone, ctx.language)],
                    [o.stage, ctx.m.vocabulary.label(b.stage)],
                    [o.serviceCategory, ctx.m.vocabulary.label(b.serviceCategory)],
                    [o.units, String(b.units)],
                    [o.purpose, b.purpose],
                    [o.price, formatFen(b.price.fen, ctx.language)],
                    [o.requestedAt, formatDateTime(b.createdAt, b.facility.timeZone, ctx.language)],
                  ]}
                >
                  <dt safe>{o.timeLeft}</dt>
                  <dd>
                    <strong class="time-left" safe>
                      {left === null ? '—' : timeLeftText(ctx, left)}
                    </strong>
                  </dd>
                </Facts>
                {err ? <FormError message={err.message} detail={err.detail} /> : ''}
                <div class="decide">
                  <form method="post" action={`/operator/queue/${b.id}/approve`} class="approve-form">
                    <CsrfField ctx={ctx} />
                    <button type="submit" safe>
                      {o.approve}
                    </button>
                  </form>
                  <form method="post" action={`/operator/queue/${b.id}/reject`} class="reject-form">
                    <CsrfField ctx={ctx} />
                    <Field id={`reason-${b.id}`} name="reason" label={o.rejectReason} error={err?.fields.reason} />
                    <button type="submit" class="danger" safe>
                      {o.reject}
                    </button>
                  </form>
                </div>
              </li>
            );
          })}
        </ol>
      </Layout>
    );
  }

  // ---- one booking

  @Get('bookings/:id')
  @Html()
  async booking(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    return this.renderBooking(ctx, await this.bookings.get(ctx.viewer, id));
  }

  @Post('bookings/:id/:action')
  @Html()
  async act(@Page() ctx: SignedInContext, @UuidParam() id: string, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    const action = String(req.params.action);
    try {
      if (action === 'check-in') await this.bookings.checkIn(ctx.viewer, id, {});
      else if (action === 'check-out') {
        const dto = await validateWith(CheckOutDto, { unitsUsed: formNumber(body.unitsUsed), note: formText(body.note) });
        await this.bookings.checkOut(ctx.viewer, id, dto);
      } else if (action === 'cancel') await this.bookings.cancel(ctx.viewer, id, await validateWith(DecisionDto, { reason: formText(body.reason) }));
      else if (action === 'approve') await this.bookings.approve(ctx.viewer, id, {});
      else if (action === 'reject') await this.bookings.reject(ctx.viewer, id, await validateWith(DecisionDto, { reason: formText(body.reason) }));
      else throw notFound('Page');
    } catch (e) {
      if (e instanceof DomainError && e.status === 404) throw e;
      res.status(statusOf(e));
      return this.renderBooking(ctx, await this.bookings.get(ctx.viewer, id), { action, errors: errorsOf(ctx, e) });
    }
    const notice = { 'check-in': 'checkedIn', 'check-out': 'checkedOut', cancel: 'cancelled', approve: 'approved', reject: 'rejected' }[action];
    redirectTo(req, res, `/operator/bookings/${id}?notice=operator.${notice}`);
  }

  private async renderBooking(ctx: SignedInContext, b: BookingView, error?: { action: string; errors: FormErrors }) {
    const o = ctx.m.operator;
    const tz = b.facility.timeZone;
    const auditQuery = await validateWith(AuditQueryDto, { entityType: 'booking', entityId: b.id, limit: '50' }, 'query');
    const trail = await this.audit.list(auditQuery, ctx.viewer);
    const err = (action: string) => (error?.action === action ? error.errors : undefined);
    const ErrorOf = (p: { action: string }) => {
      const e = err(p.action);
      return e ? <FormError message={e.message} detail={e.detail} /> : '';
    };
    return (
      <Layout ctx={ctx} title={o.bookingTitle(nameOf(ctx, b.resource))}>
        <p>
          <Badge ctx={ctx} value={b.state} />
        </p>
        <Facts
          items={[
            [o.enterprise, nameOf(ctx, b.organisation)],
            [o.creditCode, b.organisation.creditCode ?? '—'],
            [o.requester, b.requester ? `${b.requester.displayName} · ${b.requester.email}${b.requester.phone ? ` · ${b.requester.phone}` : ''}` : '—'],
            [o.resource, `${nameOf(ctx, b.resource)} · ${nameOf(ctx, b.facility)}`],
            [o.window, formatWindow(b.startsAt, b.endsAt, tz, ctx.language)],
            [o.units, `${b.units} · ${ctx.m.vocabulary.label(b.resource.unit)}`],
            [o.stage, ctx.m.vocabulary.label(b.stage)],
            [o.serviceCategory, ctx.m.vocabulary.label(b.serviceCategory)],
            [o.purpose, b.purpose],
            [o.price, formatFen(b.price.fen, ctx.language)],
            [o.expiresAt, b.expiresAt ? formatDateTime(b.expiresAt, tz, ctx.language) : '—'],
            [o.decision, b.decidedAt ? `${formatDateTime(b.decidedAt, tz, ctx.language)}${b.decisionReason ? ` · ${b.decisionReason}` : ''}` : '—'],
            [o.checkedInAt, b.checkedInAt ? formatDateTime(b.checkedInAt, tz, ctx.language) : '—'],
            [o.checkedOutAt, b.checkedOutAt ? formatDateTime(b.checkedOutAt, tz, ctx.language) : '—'],
            [o.cancelledAt, b.cancelledAt ? `${formatDateTime(b.cancelledAt, tz, ctx.language)}${b.cancelReason ? ` · ${b.cancelReason}` : ''}` : '—'],
          ]}
        />
        <h2 safe>{o.actions}</h2>
        <div class="grid">
          {b.state === 'pending' ? (
            <>
              <form method="post" action={`/operator/bookings/${b.id}/approve`} class="card">
                <CsrfField ctx={ctx} />
                <ErrorOf action="approve" />
                <button type="submit" safe>
                  {o.approve}
                </button>
              </form>
              <form method="post" action={`/operator/bookings/${b.id}/reject`} class="card">
                <CsrfField ctx={ctx} />
                <ErrorOf action="reject" />
                <Field id="reject-reason" name="reason" label={o.rejectReason} error={err('reject')?.fields.reason} />
                <button type="submit" class="danger" safe>
                  {o.reject}
                </button>
              </form>
            </>
          ) : (
            ''
          )}
          {b.state === 'approved' ? (
            <form method="post" action={`/operator/bookings/${b.id}/check-in`} class="card check-in-form">
              <CsrfField ctx={ctx} />
              <ErrorOf action="check-in" />
              <p class="hint" safe>
                {o.checkInHint}
              </p>
              <button type="submit" safe>
                {o.checkIn}
              </button>
            </form>
          ) : (
            ''
          )}
          {b.state === 'in_use' ? (
            <form method="post" action={`/operator/bookings/${b.id}/check-out`} class="card check-out-form">
              <CsrfField ctx={ctx} />
              <ErrorOf action="check-out" />
              <p class="hint" safe>
                {o.checkOutHint}
              </p>
              {b.resource.mode === 'pooled' ? (
                <Field id="check-out-units" name="unitsUsed" type="number" label={o.unitsUsed(b.units)} error={err('check-out')?.fields.unitsUsed} />
              ) : (
                ''
              )}
              <Field id="check-out-note" name="note" label={o.note} error={err('check-out')?.fields.note} />
              <button type="submit" safe>
                {o.checkOut}
              </button>
            </form>
          ) : (
            ''
          )}
          {b.state === 'pending' || b.state === 'approved' ? (
            <form method="post" action={`/operator/bookings/${b.id}/cancel`} class="card" data-confirm={o.cancelConfirm}>
              <CsrfField ctx={ctx} />
              <ErrorOf action="cancel" />
              <Field id="cancel-reason" name="reason" label={o.cancelReason} error={err('cancel')?.fields.reason} />
              <button type="submit" class="danger" safe>
                {o.cancelBooking}
              </button>
            </form>
          ) : (
            ''
          )}
        </div>
        {!['pending', 'approved', 'in_use'].includes(b.state) ? (
          <p class="muted" safe>
            {o.noActions}
          </p>
        ) : (
          ''
        )}
        <h2 safe>{o.auditTitle}</h2>
        <Table
          headers={[o.auditAt, o.auditAction, o.auditActor]}
          empty={ctx.m.common.nothingFound}
          rows={trail.items.map((a) => (
            <tr>
              <td safe>{formatDateTime(a.at, tz, ctx.language)}</td>
              <td safe>{o.auditActionLabel(a.action)}</td>
              <td safe>{a.actorLabel}</td>
            </tr>
          ))}
        />
        <p>
          <a href={`/operator/calendar?resource=${b.resource.id}&date=${b.localStartsAt.slice(0, 10)}`} safe>
            {o.toCalendar}
          </a>
        </p>
      </Layout>
    );
  }

  // ---- the calendar

  @Get('calendar')
  @Html()
  async calendar(@Page() ctx: SignedInContext, @Query() query: Record<string, unknown>) {
    const o = ctx.m.operator;
    const all = await ownResources(this.resources, ctx);
    const view = query.view === 'day' ? 'day' : 'week';
    const resourceId = typeof query.resource === 'string' && all.some((r) => r.id === query.resource) ? query.resource : undefined;
    const shown = resourceId ? all.filter((r) => r.id === resourceId) : all;
    const tz = shown[0]?.facility.timeZone ?? DEFAULT_TIME_ZONE;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.clock.now());
    const date = typeof query.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(query.date) && !Number.isNaN(Date.parse(query.date)) ? query.date : today;
    const first = view === 'day' ? date : mondayOf(date);
    const days = Array.from({ length: view === 'day' ? 1 : 7 }, (_, i) => addDays(first, i));
    const from = localInputToIso(`${days[0]}T00:00`, tz)!;
    const to = localInputToIso(`${addDays(days[days.length - 1], 1)}T00:00`, tz)!;
    const booked: BookingView[] = [];
    for (let offset = 0; offset < 2000; offset += 200) {
      const bq = await validateWith(BookingQueryDto, { resourceId, from, to, sort: 'startsAt', limit: '200', offset: String(offset) }, 'query');
      const chunk = await this.bookings.list(ctx.viewer, bq);
      booked.push(...chunk.items);
      if (offset + 200 >= chunk.total) break;
    }
    const mq = await validateWith(MaintenanceQueryDto, { from, to, limit: '200' }, 'query');
    const maintenance = new Map<string, MaintenanceWindowDto[]>();
    for (const r of shown) maintenance.set(r.id, (await this.schedule.listMaintenance(ctx.viewer, r.id, mq)).items);
    const step = view === 'day' ? 1 : 7;
    const link = (d: string, v = view) => `/operator/calendar?view=${v}&date=${d}${resourceId ? `&resource=${resourceId}` : ''}`;
    const dayOf = (instant: string | Date, zone: string) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
    return (
      <Layout ctx={ctx} title={ctx.m.common.navCalendar}>
        <form method="get" action="/operator/calendar" class="filters">
          <div class="field">
            <label for="f-view" safe>
              {o.calendarView}
            </label>
            <select id="f-view" name="view">
              <option value="day" selected={view === 'day'} safe>
                {o.viewDay}
              </option>
              <option value="week" selected={view === 'week'} safe>
                {o.viewWeek}
              </option>
            </select>
          </div>
          <Field name="date" label={o.date} type="date" value={date} />
          <div class="field">
            <label for="f-resource" safe>
              {o.resource}
            </label>
            <select id="f-resource" name="resource">
              <option value="" safe>
                {ctx.m.common.all}
              </option>
              {all.map((r) => (
                <option value={r.id} selected={r.id === resourceId} safe>
                  {`${nameOf(ctx, r)} · ${nameOf(ctx, r.facility)}`}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" safe>
            {o.show}
          </button>
        </form>
        <nav class="pager" aria-label={o.calendarNav}>
          <a href={link(addDays(first, -step))} safe>
            {view === 'day' ? o.previousDay : o.previousWeek}
          </a>
          <a href={link(today)} safe>
            {o.today}
          </a>
          <a href={link(addDays(first, step))} safe>
            {view === 'day' ? o.nextDay : o.nextWeek}
          </a>
        </nav>
        <p class="muted" safe>
          {o.calendarRange(days[0], days[days.length - 1], tz)}
        </p>
        {shown.length === 0 ? (
          <p class="empty" safe>
            {o.noResources}
          </p>
        ) : (
          ''
        )}
        {shown.map((r) => (
          <section class="card calendar-resource" aria-labelledby={`cal-${r.id}`}>
            <h2 id={`cal-${r.id}`} safe>
              {`${nameOf(ctx, r)} · ${nameOf(ctx, r.facility)}`}
            </h2>
            <div class="cal-days">
              {days.map((d) => {
                const zone = r.facility.timeZone;
                const items = booked.filter(
                  (b) => b.resource.id === r.id && (dayOf(b.startsAt, zone) === d || (dayOf(b.startsAt, zone) < d && dayOf(b.endsAt, zone) >= d)),
                );
                const works = (maintenance.get(r.id) ?? []).filter(
                  (w) => dayOf(w.startsAt, zone) <= d && dayOf(new Date(new Date(w.endsAt).getTime() - 1), zone) >= d,
                );
                return (
                  <div class="cal-day">
                    <h3>
                      <a href={link(d, 'day')} safe>
                        {o.dayHeading(d, isoWeekday(d))}
                      </a>
                    </h3>
                    <ul>
                      {works.map((w) => (
                        <li class="cal-maintenance" safe>
                          {`${o.maintenance}: ${formatWindow(w.startsAt, w.endsAt, zone, ctx.language)} · ${w.reason}`}
                        </li>
                      ))}
                      {items.map((b) => (
                        <li class={`cal-booking cal-${b.state}`}>
                          <a href={`/operator/bookings/${b.id}`}>
                            <span safe>{formatWindow(b.startsAt, b.endsAt, zone, ctx.language)}</span> <Badge ctx={ctx} value={b.state} />{' '}
                            <span safe>{nameOf(ctx, b.organisation)}</span>
                          </a>
                        </li>
                      ))}
                      {items.length === 0 && works.length === 0 ? (
                        <li class="muted" safe>
                          {o.dayFree}
                        </li>
                      ) : (
                        ''
                      )}
                    </ul>
                  </div>
                );
              })}
            </div>
          </section>
        ))}
      </Layout>
    );
  }
}

export function timeLeftText(ctx: SignedInContext, ms: number): string {
  if (ms <= 0) return ctx.m.operator.expired;
  const minutes = Math.floor(ms / 60_000);
  return ctx.m.operator.timeLeftValue(Math.floor(minutes / 60), minutes % 60);
}
