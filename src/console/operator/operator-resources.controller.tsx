import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { FacilitiesService } from '../../catalogue/facilities.service';
import { CreateMaintenanceDto, ReplaceOpeningHoursDto, ResourceDetailDto, UpdateResourceDto } from '../../catalogue/resources.dto';
import { ResourceScheduleService } from '../../catalogue/resource-schedule.service';
import { ResourcesService } from '../../catalogue/resources.service';
import { Clock } from '../../common/clock';
import { notFound } from '../../common/errors/domain-error';
import { UuidParam } from '../../common/validation/uuid-param';
import { AnnualReturnQueryDto, IndicatorsQueryDto } from '../../reports/indicators.dto';
import { IndicatorsService } from '../../reports/indicators.service';
import { redirectTo } from '../console-exception.filter';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import { errorsOf, formBoolean, FormErrors, formNumber, formText, localInputToIso, statusOf, validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { CsrfField, Field, FormError, Table } from '../views/components';
import { formatFen, formatNumber, formatPercent, formatWindow, nameOf } from '../views/format';
import { Layout } from '../views/layout';
import { fenToYuan, ownFacilities, ownResources, yuanToFen } from './operator-views';

type Form = Record<string, unknown>;
type Section = 'rules' | 'hours' | 'maintenance';
const RULE_FIELDS = [
  'minDurationMinutes',
  'maxDurationMinutes',
  'leadTimeMinutes',
  'horizonDays',
  'bufferBeforeMinutes',
  'bufferAfterMinutes',
  'smeDiscountPercent',
  'maxUnitHoursPer30Days',
  'maxOpenRequests',
] as const;
const many = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** The operator's facilities and resources (rules, opening hours, maintenance) and its indicators (role operator). */
@ConsoleController('operator')
@ForRoles('operator')
export class OperatorResourcesPagesController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly facilities: FacilitiesService,
    private readonly schedule: ResourceScheduleService,
    private readonly indicatorsService: IndicatorsService,
    private readonly clock: Clock,
  ) {}

  @Get('resources')
  @Html()
  async list(@Page() ctx: SignedInContext) {
    const o = ctx.m.operator;
    const [facilities, resources] = await Promise.all([ownFacilities(this.facilities, ctx), ownResources(this.resources, ctx)]);
    return (
      <Layout ctx={ctx} title={ctx.m.common.navResources}>
        {facilities.map((f) => (
          <section class="card" aria-labelledby={`fac-${f.id}`}>
            <h2 id={`fac-${f.id}`} safe>
              {`${nameOf(ctx, f)}${f.active ? '' : ` · ${o.inactive}`}`}
            </h2>
            <p class="muted" safe>
              {`${ctx.m.vocabulary.label(f.kind)} · ${ctx.language === 'en' ? f.cityNameEn : f.cityNameZh} · ${f.timeZone}`}
            </p>
            <Table
              headers={[o.resource, o.mode, o.capacity, o.unitPrice, o.approvalRequired, o.activeShort]}
              empty={o.noResources}
              rows={resources
                .filter((r) => r.facilityId === f.id)
                .map((r) => (
                  <tr>
                    <td>
                      <a href={`/operator/resources/${r.id}`} safe>
                        {nameOf(ctx, r)}
                      </a>
                    </td>
                    <td safe>{ctx.m.vocabulary.label(r.mode)}</td>
                    <td class="num" safe>
                      {`${r.capacity} · ${ctx.m.vocabulary.label(r.unit)}`}
                    </td>
                    <td class="num" safe>
                      {formatFen(r.pricePerUnitHourFen, ctx.language)}
                    </td>
                    <td safe>{r.approvalRequired ? ctx.m.common.yes : ctx.m.common.no}</td>
                    <td safe>{r.active ? ctx.m.common.yes : ctx.m.common.no}</td>
                  </tr>
                ))}
            />
          </section>
        ))}
        {facilities.length === 0 ? (
          <p class="empty" safe>
            {o.noResources}
          </p>
        ) : (
          ''
        )}
      </Layout>
    );
  }

  @Get('resources/:id')
  @Html()
  async resource(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    return this.renderResource(ctx, await this.own(ctx, id));
  }

  @Post('resources/:id')
  @Html()
  async saveRules(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.own(ctx, id);
    const raw: Record<string, unknown> = {
      nameZh: formText(body.nameZh),
      nameEn: formText(body.nameEn),
      pricePerUnitHourFen: yuanToFen(formText(body.priceYuan)),
      approvalRequired: formBoolean(body.approvalRequired),
      active: formBoolean(body.active),
    };
    for (const k of RULE_FIELDS) raw[k] = formNumber(body[k]);
    // Fair use: an empty field is "no limit" (null), as the API takes it.
    if (raw.maxUnitHoursPer30Days === undefined) raw.maxUnitHoursPer30Days = null;
    if (raw.maxOpenRequests === undefined) raw.maxOpenRequests = null;
    try {
      await this.resources.update(ctx.viewer, id, await validateWith(UpdateResourceDto, raw));
    } catch (e) {
      res.status(statusOf(e));
      const errors = errorsOf(ctx, e);
      if (errors.fields.pricePerUnitHourFen) errors.fields.priceYuan = ctx.m.operator.priceInvalid;
      return this.renderResource(ctx, r, { section: 'rules', body, errors });
    }
    redirectTo(req, res, `/operator/resources/${id}?notice=operator.rulesSaved`);
  }

  @Post('resources/:id/opening-hours')
  @Html()
  async saveHours(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.own(ctx, id);
    const weekdays = many(body.weekday);
    const opens = many(body.opens);
    const closes = many(body.closes);
    const intervals = weekdays
      .map((w, i) => ({ weekday: formNumber(w), opens: formText(opens[i]), closes: formText(closes[i]) }))
      .filter((x) => x.weekday !== undefined || x.opens !== undefined || x.closes !== undefined);
    try {
      await this.schedule.replaceOpeningHours(ctx.viewer, id, await validateWith(ReplaceOpeningHoursDto, { intervals }));
    } catch (e) {
      res.status(statusOf(e));
      return this.renderResource(ctx, r, { section: 'hours', body, errors: errorsOf(ctx, e) });
    }
    redirectTo(req, res, `/operator/resources/${id}?notice=operator.hoursSaved`);
  }

  @Post('resources/:id/maintenance')
  @Html()
  async addMaintenance(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.own(ctx, id);
    const tz = r.facility.timeZone;
    try {
      const dto = await validateWith(CreateMaintenanceDto, {
        startsAt: localInputToIso(formText(body.startsAt), tz),
        endsAt: localInputToIso(formText(body.endsAt), tz),
        reason: formText(body.reason),
      });
      await this.schedule.addMaintenance(ctx.viewer, id, dto);
    } catch (e) {
      res.status(statusOf(e));
      return this.renderResource(ctx, r, { section: 'maintenance', body, errors: errorsOf(ctx, e) });
    }
    redirectTo(req, res, `/operator/resources/${id}?notice=operator.maintenanceAdded`);
  }

  @Post('resources/:id/maintenance/:maintenanceId/cancel')
  @Html()
  async removeMaintenance(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @UuidParam('maintenanceId') maintenanceId: string,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.schedule.removeMaintenance(ctx.viewer, id, maintenanceId);
    redirectTo(req, res, `/operator/resources/${id}?notice=operator.maintenanceRemoved`);
  }

  /** A resource of the viewer's own facilities (another's is 404 here: its rules are not the viewer's to edit). */
  private async own(ctx: SignedInContext, id: string): Promise<ResourceDetailDto> {
    const r = await this.resources.get(ctx.viewer, id);
    if (r.facility.operatorId !== ctx.viewer.organisationId) throw notFound('Resource');
    return r;
  }

  private renderResource(ctx: SignedInContext, r: ResourceDetailDto, state?: { section: Section; body: Form; errors: FormErrors }) {
    const o = ctx.m.operator;
    const tz = r.facility.timeZone;
    const err = (s: Section) => (state?.section === s ? state.errors : undefined);
    const rules = err('rules');
    const v = (k: string, current: string | number | null): string => {
      if (state?.section === 'rules' && typeof state.body[k] === 'string') return state.body[k];
      return current === null ? '' : String(current);
    };
    const checked = (k: string, current: boolean) => (state?.section === 'rules' ? formBoolean(state.body[k]) : current);
    const hoursError = err('hours');
    const rows = [...r.openingHours.map((h) => ({ weekday: String(h.weekday), opens: h.opens, closes: h.closes }))];
    if (state?.section === 'hours') {
      rows.length = 0;
      const w = many(state.body.weekday);
      const op = many(state.body.opens);
      const cl = many(state.body.closes);
      w.forEach((x, i) => rows.push({ weekday: x, opens: op[i] ?? '', closes: cl[i] ?? '' }));
    }
    while (rows.length < r.openingHours.length + 3) rows.push({ weekday: '', opens: '', closes: '' });
    const m = err('maintenance');
    const mv = (k: string) => (state?.section === 'maintenance' && typeof state.body[k] === 'string' ? state.body[k] : '');
    const minutes = (k: (typeof RULE_FIELDS)[number], label: string, hint?: string) => (
      <Field name={k} type="number" label={label} value={v(k, r[k])} error={rules?.fields[k]} hint={hint} />
    );
    return (
      <Layout ctx={ctx} title={o.resourceTitle(nameOf(ctx, r))}>
        <p class="muted" safe>
          {`${nameOf(ctx, r.facility)} · ${ctx.m.vocabulary.label(r.mode)} · ${r.capacity} ${ctx.m.vocabulary.label(r.unit)} · ${tz}`}
        </p>
        <section class="card" aria-labelledby="rules">
          <h2 id="rules" safe>
            {o.rulesTitle}
          </h2>
          <form method="post" action={`/operator/resources/${r.id}`} class="rules-form">
            <CsrfField ctx={ctx} />
            <FormError message={rules?.message} detail={rules?.detail} />
            <div class="grid">
              <Field name="nameZh" label={o.nameZh} value={v('nameZh', r.nameZh)} error={rules?.fields.nameZh} required />
              <Field name="nameEn" label={o.nameEn} value={v('nameEn', r.nameEn)} error={rules?.fields.nameEn} required />
              {minutes('minDurationMinutes', o.minDuration)}
              {minutes('maxDurationMinutes', o.maxDuration)}
              {minutes('leadTimeMinutes', o.leadTime)}
              {minutes('horizonDays', o.horizon)}
              {minutes('bufferBeforeMinutes', o.bufferBefore)}
              {minutes('bufferAfterMinutes', o.bufferAfter)}
              <Field
                name="priceYuan"
                label={o.priceYuan(ctx.m.vocabulary.label(r.unit))}
                value={v('priceYuan', fenToYuan(r.pricePerUnitHourFen))}
                error={rules?.fields.priceYuan}
                hint={o.priceHint}
                attrs={{ inputmode: 'decimal' }}
              />
              {minutes('smeDiscountPercent', o.smeDiscount)}
              {minutes('maxUnitHoursPer30Days', o.maxUnitHours, o.noLimitHint)}
              {minutes('maxOpenRequests', o.maxOpenRequests, o.noLimitHint)}
            </div>
            <div class="field">
              <label>
                <input type="checkbox" name="approvalRequired" checked={checked('approvalRequired', r.approvalRequired)} />{' '}
                <span safe>{o.approvalRequired}</span>
              </label>
            </div>
            <div class="field">
              <label>
                <input type="checkbox" name="active" checked={checked('active', r.active)} /> <span safe>{o.active}</span>
              </label>
            </div>
            <button type="submit" safe>
              {o.saveRules}
            </button>
          </form>
        </section>
        <section class="card" aria-labelledby="hours">
          <h2 id="hours" safe>
            {o.hoursTitle(tz)}
          </h2>
          <p class="hint" safe>
            {o.hoursHint}
          </p>
          <form method="post" action={`/operator/resources/${r.id}/opening-hours`} class="hours-form">
            <CsrfField ctx={ctx} />
            <FormError message={hoursError?.message} detail={hoursError?.detail} />
            {hoursError?.fields.intervals ? (
              <p class="field-error" role="alert" safe>
                {hoursError.fields.intervals}
              </p>
            ) : (
              ''
            )}
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col" safe>
                      {o.weekday}
                    </th>
                    <th scope="col" safe>
                      {o.opens}
                    </th>
                    <th scope="col" safe>
                      {o.closes}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((h, i) => (
                    <tr>
                      <td>
                        <select name="weekday" aria-label={o.intervalWeekday(i + 1)}>
                          <option value="">—</option>
                          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                            <option value={String(d)} selected={h.weekday === String(d)} safe>
                              {o.weekdayName(d)}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <input name="opens" value={h.opens} placeholder="08:00" aria-label={o.intervalOpens(i + 1)} />
                      </td>
                      <td>
                        <input name="closes" value={h.closes} placeholder="18:00" aria-label={o.intervalCloses(i + 1)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <button type="submit" safe>
              {o.saveHours}
            </button>
          </form>
        </section>
        <section class="card" aria-labelledby="maintenance">
          <h2 id="maintenance" safe>
            {o.maintenanceTitle}
          </h2>
          <Table
            headers={[o.window, o.reason, o.actions]}
            empty={o.noMaintenance}
            rows={r.maintenance.map((w) => (
              <tr>
                <td safe>{formatWindow(w.startsAt, w.endsAt, tz, ctx.language)}</td>
                <td safe>{w.reason}</td>
                <td>
                  <form
                    method="post"
                    action={`/operator/resources/${r.id}/maintenance/${w.id}/cancel`}
                    class="inline"
                    data-confirm={o.removeMaintenanceConfirm}
                  >
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="secondary" safe>
                      {o.removeMaintenance}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          />
          <form method="post" action={`/operator/resources/${r.id}/maintenance`} class="maintenance-form">
            <CsrfField ctx={ctx} />
            <h3 safe>{o.addMaintenance}</h3>
            <FormError message={m?.message} detail={m?.detail} />
            <div class="grid">
              <Field
                id="m-startsAt"
                name="startsAt"
                type="datetime-local"
                label={o.maintenanceStart}
                value={mv('startsAt')}
                error={m?.fields.startsAt}
                required
              />
              <Field id="m-endsAt" name="endsAt" type="datetime-local" label={o.maintenanceEnd} value={mv('endsAt')} error={m?.fields.endsAt} required />
              <Field id="m-reason" name="reason" label={o.reason} value={mv('reason')} error={m?.fields.reason} required />
            </div>
            <button type="submit" safe>
              {o.addMaintenance}
            </button>
          </form>
        </section>
        <p>
          <a href="/operator/resources" safe>
            {ctx.m.common.back}
          </a>
        </p>
      </Layout>
    );
  }

  // ---- indicators

  @Get('indicators')
  @Html()
  async indicators(@Page() ctx: SignedInContext, @Query() query: Record<string, unknown>) {
    const o = ctx.m.operator;
    const thisYear = this.clock.now().getUTCFullYear();
    const year = typeof query.year === 'string' && /^\d{4}$/.test(query.year) ? Number(query.year) : thisYear;
    const report = await this.indicatorsService.indicatorsReport(ctx.viewer, await validateWith(IndicatorsQueryDto, { year: String(year) }, 'query'));
    const t = report.total;
    const h = (n: number) => formatNumber(n, ctx.language, 1);
    return (
      <Layout ctx={ctx} title={ctx.m.common.navIndicators}>
        <form method="get" action="/operator/indicators" class="filters">
          <div class="field">
            <label for="f-year" safe>
              {o.year}
            </label>
            <select id="f-year" name="year">
              {[0, 1, 2, 3].map((i) => (
                <option value={String(thisYear - i)} selected={thisYear - i === year} safe>
                  {String(thisYear - i)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" safe>
            {o.show}
          </button>
          <a class="button secondary" href={`/operator/indicators/annual-return.csv?year=${year}`} download="" safe>
            {o.annualReturnCsv(year)}
          </a>
        </form>
        <p class="muted" safe>
          {o.referenceLine(h(report.reference.effectiveHours), h(report.reference.externalHours), h(report.reference.fullUseHours))}
        </p>
        <Table
          caption={o.totalCaption}
          headers={[o.resources, o.effectiveHours, o.externalHours, o.sharingRate, o.firmsServed, o.pilotServices, o.income]}
          empty={ctx.m.common.nothingFound}
          rows={[
            <tr>
              <td class="num" safe>
                {String(t.resources)}
              </td>
              <td class="num" safe>
                {h(t.effectiveHours)}
              </td>
              <td class="num" safe>
                {h(t.externalHours)}
              </td>
              <td class="num" safe>
                {formatPercent(t.sharingRate, ctx.language)}
              </td>
              <td class="num" safe>
                {`${t.firmsServed} (${o.sme} ${t.smeFirmsServed})`}
              </td>
              <td class="num" safe>
                {String(t.pilotServices)}
              </td>
              <td class="num" safe>
                {formatFen(t.incomeFen, ctx.language)}
              </td>
            </tr>,
          ]}
        />
        <Table
          caption={o.perResource}
          headers={[o.resource, o.annualisedEffective, o.annualisedExternal, o.sharingRate, o.firmsServed, o.income, o.flags]}
          empty={ctx.m.common.nothingFound}
          rows={report.resources.map((r) => (
            <tr>
              <td safe>{`${nameOf(ctx, r)} · ${ctx.language === 'en' ? r.facilityNameEn : r.facilityNameZh}`}</td>
              <td class="num" safe>
                {h(r.annualisedEffectiveHours)}
              </td>
              <td class="num" safe>
                {h(r.annualisedExternalHours)}
              </td>
              <td class="num" safe>
                {formatPercent(r.sharingRate, ctx.language)}
              </td>
              <td class="num" safe>
                {String(r.firmsServed)}
              </td>
              <td class="num" safe>
                {formatFen(r.incomeFen, ctx.language)}
              </td>
              <td>{r.flags.length ? r.flags.map((f) => o.flagLabel(f)).join('；') : '—'}</td>
            </tr>
          ))}
        />
      </Layout>
    );
  }

  /** The annual return as the API's CSV (the same service, served here so the cookie session works). */
  @Get('indicators/annual-return.csv')
  async annualReturn(@Page() ctx: SignedInContext, @Query() query: Record<string, unknown>) {
    const q = await validateWith(AnnualReturnQueryDto, { year: typeof query.year === 'string' ? query.year : undefined, format: 'csv' }, 'query');
    return this.indicatorsService.annualReturn(ctx.viewer, q);
  }
}
