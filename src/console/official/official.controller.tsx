import { Get, Query } from '@nestjs/common';
import { AuditQueryDto } from '../../audit/audit.dto';
import { AuditService } from '../../audit/audit.service';
import { BookingQueryDto } from '../../bookings/bookings.dto';
import { BookingsService } from '../../bookings/bookings.service';
import { ResourceDetailDto } from '../../catalogue/resources.dto';
import { ResourcesService } from '../../catalogue/resources.service';
import { RESOURCE_UNITS } from '../../catalogue/catalogue.constants';
import { Clock } from '../../common/clock';
import { IndicatorsQueryDto } from '../../reports/indicators.dto';
import { IndicatorsService } from '../../reports/indicators.service';
import { GroupIndicatorRow, IndicatorsReport } from '../../reports/indicators.responses';
import { UtilisationQueryDto } from '../../reports/reports.dto';
import { UtilisationReport, UtilisationRow } from '../../reports/reports.responses';
import { ReportsService } from '../../reports/reports.service';
import { UsageQueryDto } from '../../usage/usage.dto';
import { UsageService } from '../../usage/usage.service';
import { ConsoleController, ForRoles, Html, Page } from '../console.decorators';
import { formText, validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { Badge, Field, Pager, Table } from '../views/components';
import { formatDateTime, formatNumber, formatPercent, formatWindow, nameOf, queryOf } from '../views/format';
import { Layout } from '../views/layout';
import { MonthPeriod, monthOf, periodOf } from './official-views';

type QueryParams = Record<string, unknown>;
const TZ = 'Asia/Shanghai';
const PAGE = 20;
/** The filters a drill-down link may carry (those of the API's report links). */
const DRILL_FILTERS = ['resourceId', 'facilityId', 'operatorId', 'city', 'kind', 'direction', 'stage', 'unit'] as const;

/** The official's pages (role official): read-only views of the reports, the indicators and the audit trail. */
@ConsoleController('official')
@ForRoles('official')
export class OfficialPagesController {
  constructor(
    private readonly reports: ReportsService,
    private readonly indicatorsService: IndicatorsService,
    private readonly bookings: BookingsService,
    private readonly usage: UsageService,
    private readonly resources: ResourcesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // ---- dashboard

  @Get()
  @Html()
  async home(@Page() ctx: SignedInContext, @Query() query: QueryParams) {
    const o = ctx.m.official;
    const p = periodOf(query, this.clock.now());
    // Figures in different units are never added together: the charts show one unit at a time (机时 by default).
    const unit = formText(query.unit) ?? 'hour';
    const utilisation = async (groupBy: string, withUnit = true) =>
      (await this.reports.utilisation(
        ctx.viewer,
        await validateWith(UtilisationQueryDto, { from: p.from.toISOString(), to: p.to.toISOString(), groupBy, unit: withUnit ? unit : undefined }, 'query'),
      )) as UtilisationReport;
    const indicators = async (groupBy: string) =>
      this.indicatorsService.indicatorsReport(
        ctx.viewer,
        await validateWith(IndicatorsQueryDto, { from: p.from.toISOString(), to: p.to.toISOString(), groupBy }, 'query'),
      );
    const [totals, byCity, byDirection, byMonth, indCity, indDirection] = await Promise.all([
      utilisation('kind', false),
      utilisation('city'),
      utilisation('direction'),
      utilisation('month'),
      indicators('city'),
      indicators('direction'),
    ]);
    const periodQuery = { from: p.fromMonth, to: p.toMonth, unit };
    const h = (n: number | null) => formatNumber(n, ctx.language, 1);
    const t = indCity.total;
    return (
      <Layout ctx={ctx} title={o.dashboardTitle} scripts={['charts']}>
        <PeriodForm ctx={ctx} p={p} action="/official" unit={unit} />
        <p class="muted" safe>
          {o.periodLine(p.fromMonth, p.toMonth)}
        </p>
        <section aria-labelledby="h-headline">
          <h2 id="h-headline" safe>
            {o.headline}
          </h2>
          <div class="grid official-figures">
            {totals.totals.map((total) => (
              <div class="card headline-figure" id={`fig-utilisation-${total.unit}`}>
                <p class="figure-label" safe>
                  {o.utilisationOf(ctx.m.vocabulary.label(total.unit))}
                </p>
                <p class="figure-value">
                  <a href={`/official/drill?${queryOf({ unit: total.unit, from: p.from.toISOString(), to: p.to.toISOString() })}`} safe>
                    {formatPercent(total.utilisation, ctx.language)}
                  </a>
                </p>
                <p class="muted" safe>
                  {o.usedOfAvailable(h(total.usedUnitHours), h(total.availableUnitHours), ctx.m.vocabulary.label(total.unit))}
                </p>
              </div>
            ))}
            <div class="card headline-figure" id="fig-effective">
              <p class="figure-label" safe>
                {o.effectiveHours}
              </p>
              <p class="figure-value">
                <a href={`/official/drill?${queryOf({ from: p.from.toISOString(), to: p.to.toISOString() })}`} safe>
                  {h(t.effectiveHours)}
                </a>
              </p>
              <p class="muted" safe>
                {o.annualisedPerResource(h(t.annualisedEffectiveHoursPerResource), t.resources)}
              </p>
            </div>
            <div class="card headline-figure" id="fig-sharing">
              <p class="figure-label" safe>
                {o.sharingRate}
              </p>
              <p class="figure-value">
                <a href={`/official/drill?${queryOf({ from: p.from.toISOString(), to: p.to.toISOString() })}`} safe>
                  {formatPercent(t.sharingRate, ctx.language)}
                </a>
              </p>
              <p class="muted" safe>
                {o.externalOfEffective(h(t.externalHours), h(t.effectiveHours))}
              </p>
            </div>
          </div>
          {totals.totals.length === 0 ? (
            <p class="muted" safe>
              {o.noFigures}
            </p>
          ) : (
            ''
          )}
        </section>

        <UtilisationSection ctx={ctx} id="city" title={o.byCity} report={byCity} label={(r) => ctx.m.vocabulary.city(r.key)} periodQuery={periodQuery} />
        <IndicatorGroupTable ctx={ctx} id="ind-city" caption={o.indicatorsByCity} report={indCity} filter="city" label={(g) => ctx.m.vocabulary.city(g.key)} />
        <p class="actions">
          <a class="button secondary" href={`/official/indicators.csv?${queryOf({ ...periodQuery, groupBy: 'city' })}`} download="" safe>
            {o.csvIndicators(o.byCity)}
          </a>
        </p>
        <UtilisationSection
          ctx={ctx}
          id="direction"
          title={o.byDirection}
          report={byDirection}
          label={(r) => ctx.m.vocabulary.label(r.key)}
          periodQuery={periodQuery}
        />
        <IndicatorGroupTable
          ctx={ctx}
          id="ind-direction"
          caption={o.indicatorsByDirection}
          report={indDirection}
          filter="direction"
          label={(g) => ctx.m.vocabulary.label(g.key)}
        />
        <p class="actions">
          <a class="button secondary" href={`/official/indicators.csv?${queryOf({ ...periodQuery, groupBy: 'direction' })}`} download="" safe>
            {o.csvIndicators(o.byDirection)}
          </a>
        </p>
        <UtilisationSection ctx={ctx} id="month" title={o.byMonth} report={byMonth} label={(r) => r.key} periodQuery={periodQuery} line />
      </Layout>
    );
  }

  /** A utilisation report as the API's CSV (the same service; served here so that the cookie session works). */
  @Get('utilisation.csv')
  async utilisationCsv(@Page() ctx: SignedInContext, @Query() query: QueryParams) {
    const p = periodOf(query, this.clock.now());
    const q = await validateWith(
      UtilisationQueryDto,
      { from: p.from.toISOString(), to: p.to.toISOString(), groupBy: formText(query.groupBy) ?? 'city', unit: formText(query.unit), format: 'csv' },
      'query',
    );
    return this.reports.utilisation(ctx.viewer, q);
  }

  /** The indicators as the API's CSV: a period of months, or a year (with `flag`, the flagged resources only). */
  @Get('indicators.csv')
  async indicatorsCsv(@Page() ctx: SignedInContext, @Query() query: QueryParams) {
    const groupBy = formText(query.groupBy);
    const flag = formText(query.flag);
    const raw: Record<string, unknown> = { groupBy, flag, format: 'csv' };
    if (formText(query.year) && flag) raw.year = formText(query.year);
    else {
      const p = periodOf(query, this.clock.now());
      raw.from = p.from.toISOString();
      raw.to = p.to.toISOString();
    }
    return this.indicatorsService.indicators(ctx.viewer, await validateWith(IndicatorsQueryDto, raw, 'query'));
  }

  // ---- drill-down

  /** The rows behind a figure: the usage records (used unit-hours) or the counted bookings (held unit-hours) of the report row's filters. */
  @Get('drill')
  @Html()
  async drill(@Page() ctx: SignedInContext, @Query() query: QueryParams) {
    const o = ctx.m.official;
    const list = query.list === 'bookings' ? 'bookings' : 'usage';
    const filters: Record<string, string | undefined> = { from: formText(query.from), to: formText(query.to) };
    for (const k of DRILL_FILTERS) filters[k] = formText(query[k]);
    const offset = formText(query.offset) ?? '0';
    const keep = { ...filters, list };
    const tabs = (
      <nav class="tabs" aria-label={o.drillLists}>
        <a href={`/official/drill?${queryOf({ ...filters, list: 'usage' })}`} aria-current={list === 'usage' ? 'page' : undefined} safe>
          {o.usageRows}
        </a>
        <a href={`/official/drill?${queryOf({ ...filters, list: 'bookings' })}`} aria-current={list === 'bookings' ? 'page' : undefined} safe>
          {o.bookingRows}
        </a>
      </nav>
    );
    const describe = [
      filters.from && filters.to ? o.periodInstants(formatDateTime(filters.from, TZ, ctx.language), formatDateTime(filters.to, TZ, ctx.language)) : '',
      filters.city ? `${o.city}：${ctx.m.vocabulary.city(filters.city)}` : '',
      filters.direction ? `${o.direction}：${ctx.m.vocabulary.label(filters.direction)}` : '',
      filters.kind ? `${o.kind}：${ctx.m.vocabulary.label(filters.kind)}` : '',
      filters.stage ? `${o.stage}：${ctx.m.vocabulary.label(filters.stage)}` : '',
      filters.unit ? `${o.unit}：${ctx.m.vocabulary.label(filters.unit)}` : '',
    ].filter(Boolean);
    const header = (
      <>
        <p class="muted drill-filters" safe>
          {describe.join(' · ')}
        </p>
        {tabs}
      </>
    );
    if (list === 'usage') {
      const stage = filters.stage;
      const q = await validateWith(UsageQueryDto, { ...filters, stage, limit: String(PAGE), offset }, 'query');
      const result = await this.usage.list(ctx.viewer, q);
      const orgNames = new Map(result.totals.byOrganisation.map((b) => [b.organisationId, nameOf(ctx, { nameZh: b.nameZh, nameEn: b.nameEn })]));
      const resources = await this.resourcesOf(
        ctx,
        result.items.map((u) => u.resourceId),
      );
      return (
        <Layout ctx={ctx} title={o.drillTitle}>
          {header}
          <p class="drill-total" safe>
            {o.usageTotals(
              Object.entries(result.totals.unitHours)
                .map(([unit, v]) => `${formatNumber(v as number, ctx.language, 2)} ${ctx.m.vocabulary.label(unit)}`)
                .join('，') || '0',
              result.totals.records,
            )}
          </p>
          <Table
            caption={o.usageRows}
            headers={[o.resource, o.enterprise, o.window, o.unitHours, o.source]}
            empty={ctx.m.common.nothingFound}
            rows={result.items.map((u) => {
              const r = resources.get(u.resourceId);
              return (
                <tr id={`u-${u.id}`}>
                  <td safe>{r ? `${nameOf(ctx, r)} · ${nameOf(ctx, r.facility)}` : u.resourceId}</td>
                  <td safe>{orgNames.get(u.organisationId) ?? u.organisationId}</td>
                  <td safe>{formatWindow(u.startsAt, u.endsAt, r?.facility.timeZone ?? TZ, ctx.language)}</td>
                  <td class="num" safe>
                    {`${formatNumber(u.unitHours, ctx.language, 2)} ${ctx.m.vocabulary.label(u.unit)}`}
                  </td>
                  <td safe>{o.sourceLabel(u.source)}</td>
                </tr>
              );
            })}
          />
          <Pager ctx={ctx} total={result.total} limit={PAGE} offset={Number(offset) || 0} query={keep} />
        </Layout>
      );
    }
    const stage = filters.stage === 'unassigned' ? undefined : filters.stage;
    const q = await validateWith(BookingQueryDto, { ...filters, stage, counted: 'true', sort: 'startsAt', limit: String(PAGE), offset }, 'query');
    const result = filters.stage === 'unassigned' ? { items: [], total: 0 } : await this.bookings.list(ctx.viewer, q);
    return (
      <Layout ctx={ctx} title={o.drillTitle}>
        {header}
        <Table
          caption={o.bookingRows}
          headers={[o.resource, o.enterprise, o.window, o.unitHours, o.state]}
          empty={ctx.m.common.nothingFound}
          rows={result.items.map((b) => (
            <tr id={`b-${b.id}`}>
              <td safe>{`${nameOf(ctx, b.resource)} · ${nameOf(ctx, b.facility)}`}</td>
              <td safe>{nameOf(ctx, { nameZh: b.organisation.nameZh, nameEn: b.organisation.nameEn })}</td>
              <td safe>{formatWindow(b.startsAt, b.endsAt, b.facility.timeZone, ctx.language)}</td>
              <td class="num" safe>
                {`${formatNumber((b.units * (new Date(b.endsAt).getTime() - new Date(b.startsAt).getTime())) / 3_600_000, ctx.language, 2)} ${ctx.m.vocabulary.label(b.resource.unit)}`}
              </td>
              <td>
                <Badge ctx={ctx} value={b.state} />
              </td>
            </tr>
          ))}
        />
        <Pager ctx={ctx} total={result.total} limit={PAGE} offset={Number(offset) || 0} query={keep} />
      </Layout>
    );
  }

  private async resourcesOf(ctx: SignedInContext, ids: string[]): Promise<Map<string, ResourceDetailDto>> {
    const unique = [...new Set(ids)];
    const found = await Promise.all(unique.map((id) => this.resources.get(ctx.viewer, id).catch(() => null)));
    return new Map(found.filter((r): r is ResourceDetailDto => r !== null).map((r) => [r.id, r]));
  }

  // ---- below the full-use line

  @Get('below-line')
  @Html()
  async belowLine(@Page() ctx: SignedInContext, @Query() query: QueryParams) {
    const o = ctx.m.official;
    const now = this.clock.now();
    const thisYear = Number(monthOf(now).slice(0, 4));
    const year = typeof query.year === 'string' && /^\d{4}$/.test(query.year) ? Number(query.year) : thisYear;
    const report: IndicatorsReport = await this.indicatorsService.indicatorsReport(
      ctx.viewer,
      await validateWith(IndicatorsQueryDto, { year: String(year), flag: 'below_1200h' }, 'query'),
    );
    const from = report.from;
    const to = report.to;
    const h = (n: number) => formatNumber(n, ctx.language, 1);
    return (
      <Layout ctx={ctx} title={o.belowLineTitle}>
        <form method="get" action="/official/below-line" class="filters">
          <div class="field">
            <label for="f-year" safe>
              {o.year}
            </label>
            <select id="f-year" name="year">
              {[0, 1, 2, 3, 4].map((i) => (
                <option value={String(thisYear - i)} selected={thisYear - i === year} safe>
                  {String(thisYear - i)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" safe>
            {o.show}
          </button>
          <a class="button secondary" href={`/official/indicators.csv?${queryOf({ year: String(year), flag: 'below_1200h' })}`} download="" safe>
            {ctx.m.common.downloadCsv}
          </a>
        </form>
        <p class="muted" safe>
          {o.belowLineLead(h(report.reference.fullUseHours), report.resources.length)}
        </p>
        <Table
          caption={o.belowLineCaption(year)}
          headers={[o.resource, o.facility, o.city, o.effectiveHours, o.annualisedEffective, o.rows]}
          empty={o.noneBelowLine}
          rows={report.resources.map((r) => (
            <tr id={`r-${r.resourceId}`}>
              <td safe>{nameOf(ctx, { nameZh: r.nameZh, nameEn: r.nameEn })}</td>
              <td safe>{nameOf(ctx, { nameZh: r.facilityNameZh, nameEn: r.facilityNameEn })}</td>
              <td safe>{ctx.m.vocabulary.city(r.city)}</td>
              <td class="num" safe>
                {h(r.effectiveHours)}
              </td>
              <td class="num" safe>
                {h(r.annualisedEffectiveHours)}
              </td>
              <td>
                <a href={`/official/drill?${queryOf({ resourceId: r.resourceId, from, to })}`} safe>
                  {o.showRows}
                </a>
              </td>
            </tr>
          ))}
        />
      </Layout>
    );
  }

  // ---- audit

  @Get('audit')
  @Html()
  async auditPage(@Page() ctx: SignedInContext, @Query() query: QueryParams) {
    const o = ctx.m.official;
    const filters = { action: formText(query.action), entityType: formText(query.entityType), entityId: formText(query.entityId) };
    const q = await validateWith(AuditQueryDto, { ...filters, limit: String(PAGE), offset: formText(query.offset) ?? '0' }, 'query');
    const [verify, entries] = await Promise.all([this.audit.verify(), this.audit.list(q, ctx.viewer)]);
    return (
      <Layout ctx={ctx} title={o.auditTitle}>
        <section aria-labelledby="h-verify" class={['card', 'audit-verify', verify.valid ? 'is-valid' : 'is-broken']}>
          <h2 id="h-verify" safe>
            {o.chainStatus}
          </h2>
          <p class="verify-result" safe>
            {verify.valid ? o.chainValid(verify.entries) : o.chainBroken(verify.firstInvalidId ?? '')}
          </p>
          <p class="muted" safe>
            {o.chainDetail(verify.unsealed, verify.lastHash ? verify.lastHash.slice(0, 16) : '—')}
          </p>
        </section>
        <h2 safe>{o.recentEntries}</h2>
        <form method="get" action="/official/audit" class="filters">
          <Field name="action" label={o.action} value={filters.action} attrs={{ placeholder: 'booking.approved' }} />
          <Field name="entityType" label={o.entityType} value={filters.entityType} attrs={{ placeholder: 'booking' }} />
          <Field name="entityId" label={o.entityId} value={filters.entityId} />
          <button type="submit" safe>
            {ctx.m.common.search}
          </button>
        </form>
        <Table
          caption={o.recentEntries}
          headers={[o.seq, o.at, o.actor, o.action, o.entity, o.sealed]}
          empty={ctx.m.common.nothingFound}
          rows={entries.items.map((e) => (
            <tr>
              <td class="num" safe>
                {e.chainIndex ?? e.seq}
              </td>
              <td safe>{formatDateTime(e.at, TZ, ctx.language)}</td>
              <td safe>{e.actorLabel}</td>
              <td safe>{e.action}</td>
              <td class="wrap" safe>{`${e.entityType} ${e.entityId}`}</td>
              <td safe>{e.hash ? `${ctx.m.common.yes} · ${e.hash.slice(0, 10)}…` : ctx.m.common.no}</td>
            </tr>
          ))}
        />
        <Pager ctx={ctx} total={entries.total} limit={PAGE} offset={q.offset ?? 0} query={filters} />
      </Layout>
    );
  }
}

function PeriodForm(props: { ctx: SignedInContext; p: MonthPeriod; action: string; unit: string }): JSX.Element {
  const o = props.ctx.m.official;
  const v = props.ctx.m.vocabulary;
  return (
    <form method="get" action={props.action} class="filters">
      <Field name="from" label={o.fromMonth} type="month" value={props.p.fromMonth} />
      <Field name="to" label={o.toMonth} type="month" value={props.p.toMonth} />
      <div class="field">
        <label for="f-unit" safe>
          {o.chartUnit}
        </label>
        <select id="f-unit" name="unit">
          {RESOURCE_UNITS.map((u) => (
            <option value={u} selected={u === props.unit} safe>
              {v.label(u)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" safe>
        {o.show}
      </button>
    </form>
  );
}

/** The drill-down of a report row: the API's own usage link (the row's filters and period), on the console's page. */
const drillOf = (row: UtilisationRow): string => {
  const q = new URLSearchParams(row.drillDown.usage.split('?')[1] ?? '');
  q.delete('limit');
  return `/official/drill?${q.toString()}`;
};

/** A chart of utilisation per group (a series per unit), and the same figures in a table with links to their rows. */
function UtilisationSection(props: {
  ctx: SignedInContext;
  id: string;
  title: string;
  report: UtilisationReport;
  label: (r: UtilisationRow) => string;
  periodQuery: Record<string, string>;
  line?: boolean;
}): JSX.Element {
  const { ctx, report } = props;
  const o = ctx.m.official;
  const keys = [...new Set(report.rows.map((r) => r.key))];
  const units = [...new Set(report.rows.map((r) => r.unit))];
  const labels = keys.map((k) => props.label(report.rows.find((r) => r.key === k)!));
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: keys.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', name: '%' },
    series: units.map((u) => ({
      name: ctx.m.vocabulary.label(u),
      type: props.line ? 'line' : 'bar',
      data: keys.map((k) => {
        const r = report.rows.find((x) => x.key === k && x.unit === u);
        return r && r.utilisation !== null ? Math.round(r.utilisation * 1000) / 10 : null;
      }),
    })),
    links: keys.map((k) => drillOf(report.rows.find((r) => r.key === k)!)),
  };
  const h = (n: number | null) => formatNumber(n, ctx.language, 1);
  return (
    <section aria-labelledby={`h-${props.id}`} id={`by-${props.id}`}>
      <h2 id={`h-${props.id}`} safe>
        {props.title}
      </h2>
      {report.rows.length > 0 ? <div class="chart" role="img" aria-label={o.chartLabel(props.title)} data-chart={JSON.stringify(option)}></div> : ''}
      <Table
        caption={o.utilisationTable(props.title)}
        headers={[o.group, o.unit, o.available, o.held, o.used, o.utilisation, o.bookingRate]}
        empty={o.noFigures}
        rows={report.rows.map((r) => (
          <tr data-key={r.key} data-unit={r.unit}>
            <td safe>{props.label(r)}</td>
            <td safe>{ctx.m.vocabulary.label(r.unit)}</td>
            <td class="num" safe>
              {h(r.availableUnitHours)}
            </td>
            <td class="num">
              <a href={`/official/drill?${queryOf({ ...Object.fromEntries(new URLSearchParams(drillOf(r).split('?')[1])), list: 'bookings' })}`} safe>
                {h(r.heldUnitHours)}
              </a>
            </td>
            <td class="num used">
              <a href={drillOf(r)} safe>
                {h(r.usedUnitHours)}
              </a>
            </td>
            <td class="num utilisation" safe>
              {formatPercent(r.utilisation, ctx.language)}
            </td>
            <td class="num" safe>
              {formatPercent(r.bookingRate, ctx.language)}
            </td>
          </tr>
        ))}
      />
      <p class="actions">
        <a class="button secondary" href={`/official/utilisation.csv?${queryOf({ ...props.periodQuery, groupBy: props.id })}`} download="" safe>
          {o.csvUtilisation(props.title)}
        </a>
      </p>
    </section>
  );
}

/** Effective hours and sharing rate per group (indicators), each linked to the usage rows behind it. */
function IndicatorGroupTable(props: {
  ctx: SignedInContext;
  id: string;
  caption: string;
  report: IndicatorsReport;
  filter: 'city' | 'direction';
  label: (g: GroupIndicatorRow) => string;
}): JSX.Element {
  const { ctx, report } = props;
  const o = ctx.m.official;
  const h = (n: number | null) => formatNumber(n, ctx.language, 1);
  return (
    <div id={props.id}>
      <Table
        caption={props.caption}
        headers={[o.group, o.resources, o.effectiveHours, o.externalHours, o.sharingRate, o.firmsServed, o.flaggedBelowLine]}
        empty={o.noFigures}
        rows={report.groups.map((g) => (
          <tr data-key={g.key}>
            <td safe>{props.label(g)}</td>
            <td class="num" safe>
              {String(g.resources)}
            </td>
            <td class="num effective">
              <a href={`/official/drill?${queryOf({ [props.filter]: g.key, from: report.from, to: report.to })}`} safe>
                {h(g.effectiveHours)}
              </a>
            </td>
            <td class="num" safe>
              {h(g.externalHours)}
            </td>
            <td class="num" safe>
              {formatPercent(g.sharingRate, ctx.language)}
            </td>
            <td class="num" safe>
              {String(g.firmsServed)}
            </td>
            <td class="num" safe>
              {String(g.flagged.below_1200h)}
            </td>
          </tr>
        ))}
      />
    </div>
  );
}
