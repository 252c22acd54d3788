import { randomUUID } from 'node:crypto';
import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AvailabilityService } from '../../bookings/availability.service';
import { AvailabilityQueryDto, AvailabilitySearchDto, BookingQueryDto, CreateBookingDto, DecisionDto } from '../../bookings/bookings.dto';
import { BOOKING_STATES } from '../../bookings/booking-transitions';
import { BookingsService } from '../../bookings/bookings.service';
import { serviceCategoriesOffered } from '../../bookings/service-category';
import { CalendarService } from '../../calendar/calendar.service';
import { CreateFeedTokenDto } from '../../calendar/calendar.dto';
import { FeedTokensService } from '../../calendar/feed-tokens.service';
import { ICS_CONTENT_TYPE } from '../../calendar/ics';
import { CHAIN_STAGES, DIRECTIONS, FACILITY_KINDS } from '../../catalogue/catalogue.constants';
import { FacilitiesService } from '../../catalogue/facilities.service';
import { ResourceDetailDto, ResourceQueryDto } from '../../catalogue/resources.dto';
import { ResourcesService } from '../../catalogue/resources.service';
import { AdvanceProjectDto, CreateProjectDto, ProjectQueryDto, RevertProjectDto } from '../../chain/chain.dto';
import { ChainService } from '../../chain/chain.service';
import { LIAONING_CITIES } from '../../common/cities';
import { Clock } from '../../common/clock';
import { PageQueryDto } from '../../common/pagination';
import { UuidParam } from '../../common/validation/uuid-param';
import { UsageQueryDto } from '../../usage/usage.dto';
import { UsageService } from '../../usage/usage.service';
import { ReportPeriodDto } from '../../reports/reports.dto';
import { ReportsService } from '../../reports/reports.service';
import { redirectTo } from '../console-exception.filter';
import { ConsoleRequest } from '../console.guard';
import { ConsoleController, ForRoles, Html, isHtmx, Page } from '../console.decorators';
import { formNumber, formText, localInputToIso, statusOf, validateWith } from '../forms';
import type { SignedInContext } from '../page-context';
import { isoToLocalInput } from '../time-input';
import { Badge, CsrfField, Facts, Field, Pager, SelectField, Table } from '../views/components';
import { formatDate, formatDateTime, formatFen, formatNumber, formatWindow, nameOf } from '../views/format';
import { Layout } from '../views/layout';
import { addDays, instantAt, isDate, mondayOf, todayIn } from '../calendar-days';
import { BookingRow, cellText, query, SmeFormError, smeErrorsOf, str, vocabularyOptions, weekGrid } from './sme-views';

type Form = Record<string, unknown>;
type Errors = ReturnType<typeof smeErrorsOf>;
type Quote = Awaited<ReturnType<BookingsService['quote']>>;
interface WeekData {
  week: string;
  thisWeek: string;
  grid: ReturnType<typeof weekGrid>;
}
const SHANGHAI = 'Asia/Shanghai';

/** The SME's pages (role enterprise): catalogue, resource and week view, booking, search, bookings, projects, usage. */
@ConsoleController('sme')
@ForRoles('enterprise')
export class SmePagesController {
  constructor(
    private readonly facilities: FacilitiesService,
    private readonly resources: ResourcesService,
    private readonly availability: AvailabilityService,
    private readonly bookings: BookingsService,
    private readonly calendar: CalendarService,
    private readonly feedTokens: FeedTokensService,
    private readonly chain: ChainService,
    private readonly usage: UsageService,
    private readonly reports: ReportsService,
    private readonly clock: Clock,
  ) {}

  // ---- the catalogue

  @Get('catalogue')
  @Html()
  async catalogue(@Page() ctx: SignedInContext, @Query() q: Form) {
    const s = ctx.m.sme;
    const values = { kind: str(q.kind), city: str(q.city), direction: str(q.direction), stage: str(q.stage), q: str(q.q), offset: str(q.offset) };
    let errors: Errors | null = null;
    let result = { items: [] as Awaited<ReturnType<ResourcesService['search']>>['items'], total: 0, limit: 20, offset: 0 };
    try {
      const dto = await validateWith(ResourceQueryDto, { ...values, limit: '20' }, 'query');
      result = await this.resources.search(ctx.viewer, dto);
    } catch (e) {
      errors = smeErrorsOf(ctx, e);
    }
    const cities = LIAONING_CITIES.map((c) => ({ value: c.code, label: ctx.m.vocabulary.city(c.code) }));
    return (
      <Layout ctx={ctx} title={ctx.m.common.navCatalogue}>
        <p class="muted" safe>
          {s.catalogueLead}
        </p>
        <SmeFormError errors={errors} />
        <form method="get" action="/sme/catalogue" class="filters card" role="search">
          <SelectField name="kind" label={s.filterKind} options={vocabularyOptions(ctx, FACILITY_KINDS)} value={values.kind} empty={s.any} />
          <SelectField name="city" label={s.filterCity} options={cities} value={values.city} empty={s.any} />
          <SelectField name="direction" label={s.filterDirection} options={vocabularyOptions(ctx, DIRECTIONS)} value={values.direction} empty={s.any} />
          <SelectField name="stage" label={s.filterStage} options={vocabularyOptions(ctx, CHAIN_STAGES)} value={values.stage} empty={s.any} />
          <Field name="q" label={s.filterText} type="search" value={values.q} />
          <div class="actions">
            <button type="submit" safe>
              {s.filterButton}
            </button>
          </div>
        </form>
        <Table
          headers={[s.resource, s.facility, s.kind, s.city, s.mode, s.pricePerUnitHour]}
          empty={ctx.m.common.nothingFound}
          rows={result.items.map((r) => (
            <tr>
              <td>
                <a href={`/sme/resources/${r.id}`} safe>
                  {nameOf(ctx, r)}
                </a>
              </td>
              <td>
                <a href={`/sme/facilities/${r.facility.id}`} safe>
                  {nameOf(ctx, r.facility)}
                </a>
              </td>
              <td safe>{ctx.m.vocabulary.label(r.facility.kind)}</td>
              <td safe>{ctx.m.vocabulary.city(r.facility.cityCode)}</td>
              <td safe>{r.mode === 'pooled' ? s.modePooled(r.capacity) : s.modeExclusive}</td>
              <td class="num" safe>
                {`${formatFen(r.pricePerUnitHourFen, ctx.language)} / ${ctx.m.vocabulary.label(r.unit)}`}
              </td>
            </tr>
          ))}
        />
        <Pager ctx={ctx} total={result.total} limit={result.limit} offset={result.offset} query={values} />
      </Layout>
    );
  }

  @Get('facilities/:id')
  @Html()
  async facility(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    const s = ctx.m.sme;
    const f = await this.facilities.get(ctx.viewer, id);
    // The facility page lists its resources with their prices, as GET /resources?facilityId= does.
    const resources = await this.resources.search(ctx.viewer, await validateWith(ResourceQueryDto, { facilityId: id, limit: '200' }, 'query'));
    return (
      <Layout ctx={ctx} title={nameOf(ctx, f)}>
        <section class="card">
          <Facts
            items={[
              [s.kind, ctx.m.vocabulary.label(f.kind)],
              [s.city, ctx.m.vocabulary.city(f.cityCode)],
              [s.address, f.address],
              [s.operator, nameOf(ctx, f.operator)],
              [s.directions, f.directions.map((d) => ctx.m.vocabulary.label(d)).join('、')],
              [s.stages, f.stages.map((d) => ctx.m.vocabulary.label(d)).join(' → ')],
              [s.timeZone, f.timeZone],
              [s.description, f.description],
            ]}
          />
        </section>
        <h2 safe>{s.resourcesOfFacility}</h2>
        <Table
          headers={[s.resource, s.unit, s.mode, s.pricePerUnitHour]}
          empty={s.noResources}
          rows={resources.items.map((r) => (
            <tr>
              <td>
                <a href={`/sme/resources/${r.id}`} safe>
                  {nameOf(ctx, r)}
                </a>
              </td>
              <td safe>{ctx.m.vocabulary.label(r.unit)}</td>
              <td safe>{r.mode === 'pooled' ? s.modePooled(r.capacity) : s.modeExclusive}</td>
              <td class="num" safe>
                {`${formatFen(r.pricePerUnitHourFen, ctx.language)} / ${ctx.m.vocabulary.label(r.unit)}`}
              </td>
            </tr>
          ))}
        />
      </Layout>
    );
  }

  // ---- a resource, its rules and its week

  @Get('resources/:id')
  @Html()
  async resource(@Page() ctx: SignedInContext, @UuidParam() id: string, @Query('week') weekParam: unknown, @Req() req: ConsoleRequest) {
    const s = ctx.m.sme;
    const r = await this.resources.get(ctx.viewer, id);
    const data = await this.weekData(ctx, r, weekParam);
    if (isHtmx(req)) return <WeekView ctx={ctx} r={r} data={data} />;
    const v = ctx.m.vocabulary;
    const limit = (n: number | null, f: (n: number) => string) => (n === null ? s.noLimit : f(n));
    return (
      <Layout ctx={ctx} title={nameOf(ctx, r)}>
        <p>
          <a href={`/sme/facilities/${r.facility.id}`} safe>
            {`${nameOf(ctx, r.facility)} · ${v.city(r.facility.cityCode)}`}
          </a>
        </p>
        {r.description ? (
          <p class="muted" safe>
            {r.description}
          </p>
        ) : (
          ''
        )}
        <div class="actions">
          <a class="button" href={`/sme/resources/${r.id}/book`} safe>
            {s.bookResource}
          </a>
        </div>
        <div class="sme-columns">
          <section class="card">
            <h2 safe>{s.rules}</h2>
            <Facts
              items={[
                [s.unit, v.label(r.unit)],
                [s.mode, r.mode === 'pooled' ? s.modePooled(r.capacity) : s.modeExclusive],
                [s.minDuration, s.minutes(r.minDurationMinutes)],
                [s.maxDuration, s.minutes(r.maxDurationMinutes)],
                [s.leadTime, s.minutes(r.leadTimeMinutes)],
                [s.horizon, s.days(r.horizonDays)],
                [s.bufferBefore, s.minutes(r.bufferBeforeMinutes)],
                [s.bufferAfter, s.minutes(r.bufferAfterMinutes)],
                [s.approvalRequired, r.approvalRequired ? s.approvalYes : s.approvalNo],
                [s.maxUnitHours, limit(r.maxUnitHoursPer30Days, (n) => s.unitHours(formatNumber(n, ctx.language)))],
                [s.maxOpenRequests, limit(r.approvalRequired ? r.maxOpenRequests : null, String)],
                [s.serviceCategories, serviceCategoriesOffered({ kind: r.facility.kind, unit: r.unit }).map(v.label).join('、')],
              ]}
            />
          </section>
          <section class="card">
            <h2 safe>{s.price}</h2>
            <Facts
              items={[
                [s.pricePerUnitHour, `${formatFen(r.pricePerUnitHourFen, ctx.language)} / ${v.label(r.unit)}`],
                [s.smeDiscount, r.smeDiscountPercent > 0 ? s.percentOff(r.smeDiscountPercent) : '—'],
              ]}
            />
            <h2 safe>{s.openingHours}</h2>
            {r.openingHours.length === 0 ? (
              <p safe>{s.closedAllWeek}</p>
            ) : (
              <ul class="opening-hours">
                {r.openingHours.map((i) => (
                  <li safe>{`${s.weekday(i.weekday)} ${i.opens}–${i.closes}`}</li>
                ))}
              </ul>
            )}
            <p class="muted" safe>
              {s.inZone(r.facility.timeZone)}
            </p>
            {r.maintenance.length > 0 ? (
              <>
                <h2 safe>{s.maintenance}</h2>
                <ul>
                  {r.maintenance.map((m) => (
                    <li safe>{`${formatWindow(m.startsAt, m.endsAt, r.facility.timeZone, ctx.language)} ${m.reason}`}</li>
                  ))}
                </ul>
              </>
            ) : (
              ''
            )}
          </section>
        </div>
        <WeekView ctx={ctx} r={r} data={data} />
      </Layout>
    );
  }

  /** The week's grid: the availability service's free windows for the chosen week (Monday to Sunday in the facility's zone). */
  private async weekData(ctx: SignedInContext, r: ResourceDetailDto, weekParam: unknown): Promise<WeekData> {
    const tz = r.facility.timeZone;
    const now = this.clock.now();
    const week = mondayOf(isDate(weekParam) ? weekParam : todayIn(now, tz));
    const from = instantAt(week, '00:00', tz);
    const to = instantAt(addDays(week, 7), '00:00', tz);
    const q = await validateWith(AvailabilityQueryDto, { from: from.toISOString(), to: to.toISOString() }, 'query');
    const free = await this.availability.forResource(ctx.viewer, r.id, q);
    const grid = weekGrid({
      week,
      timeZone: tz,
      openingHours: r.openingHours,
      windows: free.windows,
      minDurationMinutes: r.minDurationMinutes,
      maxDurationMinutes: r.maxDurationMinutes,
      slotMinutes: r.slotMinutes,
      bookableFrom: new Date(now.getTime() + r.leadTimeMinutes * 60_000),
      bookableUntil: new Date(now.getTime() + r.horizonDays * 86_400_000),
    });
    return { week, thisWeek: mondayOf(todayIn(now, tz)), grid };
  }

  // ---- the booking form

  @Get('resources/:id/book')
  @Html()
  async bookForm(@Page() ctx: SignedInContext, @UuidParam() id: string, @Query() q: Form) {
    const r = await this.resources.get(ctx.viewer, id);
    const form: Form = { start: str(q.start), end: str(q.end), units: str(q.units), stage: str(q.stage) };
    let quote: Quote | null = null;
    if (form.start && form.end) quote = await this.tryQuote(ctx, r, form).catch(() => null);
    return this.renderBookForm(ctx, r, form, { quote });
  }

  @Post('resources/:id/book')
  @Html()
  async book(@Page() ctx: SignedInContext, @UuidParam() id: string, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    const r = await this.resources.get(ctx.viewer, id);
    if (body.intent === 'quote') {
      let quote: Quote | null = null;
      let errors: Errors | null = null;
      try {
        quote = await this.tryQuote(ctx, r, body);
      } catch (e) {
        errors = smeErrorsOf(ctx, e, r.facility.timeZone);
        if (!isHtmx(req)) res.status(statusOf(e));
      }
      if (isHtmx(req)) return <PricePreview ctx={ctx} quote={quote} errors={errors} />;
      return this.renderBookForm(ctx, r, body, { quote, priceErrors: errors, key: formText(body.idempotencyKey) });
    }
    let created: Awaited<ReturnType<BookingsService['request']>>;
    try {
      const dto = await validateWith(CreateBookingDto, this.bookingBody(r, body, true));
      const key = formText(body.idempotencyKey);
      created = await this.bookings.request(ctx.viewer, dto, key && /^[A-Za-z0-9._:-]{1,255}$/.test(key) ? key : undefined);
    } catch (e) {
      const errors = smeErrorsOf(ctx, e, r.facility.timeZone);
      res.status(statusOf(e));
      const quote = await this.tryQuote(ctx, r, body).catch(() => null);
      return this.renderBookForm(ctx, r, body, { errors, quote });
    }
    redirectTo(req, res, `/sme/bookings/${created.body.id}?notice=sme.booked`);
  }

  /** The form's strings as the API's CreateBookingDto body (datetimes read in the facility's zone). */
  private bookingBody(r: ResourceDetailDto, body: Form, full: boolean): Record<string, unknown> {
    const tz = r.facility.timeZone;
    const out: Record<string, unknown> = {
      resourceId: r.id,
      startsAt: localInputToIso(formText(body.start), tz),
      endsAt: localInputToIso(formText(body.end), tz),
      units: r.mode === 'pooled' ? formNumber(body.units) : undefined,
    };
    if (full) {
      Object.assign(out, {
        stage: formText(body.stage),
        serviceCategory: formText(body.serviceCategory),
        projectId: formText(body.projectId),
        purpose: formText(body.purpose),
      });
    }
    return out;
  }

  private async tryQuote(ctx: SignedInContext, r: ResourceDetailDto, body: Form): Promise<Quote> {
    const b = this.bookingBody(r, body, false);
    const dto = await validateWith(CreateBookingDto, { ...b, stage: 'lab_validation', purpose: 'quote' });
    return this.bookings.quote(ctx.viewer, dto);
  }

  private async renderBookForm(
    ctx: SignedInContext,
    r: ResourceDetailDto,
    form: Form,
    o: { quote?: Quote | null; errors?: Errors | null; priceErrors?: Errors | null; key?: string },
  ) {
    const s = ctx.m.sme;
    const v = ctx.m.vocabulary;
    const tz = r.facility.timeZone;
    const fields = o.errors?.fields ?? o.priceErrors?.fields ?? {};
    const projects = await this.chain.list(ctx.viewer, await validateWith(ProjectQueryDto, { limit: '200' }, 'query'));
    const categories = serviceCategoriesOffered({ kind: r.facility.kind, unit: r.unit });
    const action = `/sme/resources/${r.id}/book`;
    return (
      <Layout ctx={ctx} title={s.bookTitle(nameOf(ctx, r))}>
        <p>
          <a href={`/sme/resources/${r.id}`} safe>
            {`${nameOf(ctx, r)} · ${nameOf(ctx, r.facility)}`}
          </a>
        </p>
        <SmeFormError errors={o.errors} />
        <form method="post" action={action} class="card booking-form" id="booking-form">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="idempotencyKey" value={o.key ?? randomUUID()} />
          <div class="form-grid">
            <Field
              name="start"
              label={s.startsAt}
              type="datetime-local"
              value={str(form.start)}
              required
              hint={s.inZone(tz)}
              error={fields.startsAt}
              attrs={{ step: r.slotMinutes * 60 }}
            />
            <Field
              name="end"
              label={s.endsAt}
              type="datetime-local"
              value={str(form.end)}
              required
              hint={s.minDuration + ' ' + s.minutes(r.minDurationMinutes) + ' · ' + s.maxDuration + ' ' + s.minutes(r.maxDurationMinutes)}
              error={fields.endsAt}
              attrs={{ step: r.slotMinutes * 60 }}
            />
            {r.mode === 'pooled' ? (
              <Field
                name="units"
                label={s.units}
                type="number"
                value={str(form.units) ?? '1'}
                required
                hint={s.unitsHint(r.capacity)}
                error={fields.units}
                attrs={{ min: 1, max: r.capacity }}
              />
            ) : (
              ''
            )}
            <SelectField
              name="projectId"
              label={s.project}
              options={projects.items.map((p) => ({
                value: p.id,
                label: `${ctx.language === 'en' && p.titleEn ? p.titleEn : p.titleZh}（${v.label(p.stage)}）`,
              }))}
              value={str(form.projectId)}
              empty={s.noProject}
              error={fields.projectId}
            />
            <SelectField name="stage" label={s.stage} options={vocabularyOptions(ctx, CHAIN_STAGES)} value={str(form.stage)} empty="—" error={fields.stage} />
            <SelectField
              name="serviceCategory"
              label={s.serviceCategory}
              options={vocabularyOptions(ctx, categories)}
              value={str(form.serviceCategory) ?? (categories.length === 1 ? categories[0] : undefined)}
              empty={categories.length === 1 ? undefined : '—'}
              required={categories.length > 1}
              error={fields.serviceCategory}
            />
          </div>
          <p class="hint" safe>
            {s.stageHint}
          </p>
          <div class={['field', fields.purpose ? 'has-error' : '']}>
            <label for="f-purpose" safe>
              {s.purpose}
            </label>
            <textarea
              id="f-purpose"
              name="purpose"
              rows="3"
              maxlength="2000"
              required
              aria-invalid={fields.purpose ? 'true' : undefined}
              aria-describedby={fields.purpose ? 'f-purpose-hint f-purpose-error' : 'f-purpose-hint'}
              safe
            >
              {str(form.purpose) ?? ''}
            </textarea>
            <small id="f-purpose-hint" class="hint" safe>
              {s.purposeHint}
            </small>
            {fields.purpose ? (
              <p id="f-purpose-error" class="field-error" role="alert" safe>
                {fields.purpose}
              </p>
            ) : (
              ''
            )}
          </div>
          <PricePreview ctx={ctx} quote={o.quote ?? null} errors={o.priceErrors ?? null} />
          <div class="actions">
            <button type="submit" name="intent" value="quote" class="secondary" formnovalidate hx-post={action} hx-target="#price" hx-swap="outerHTML" safe>
              {s.showPrice}
            </button>
            <button type="submit" name="intent" value="book" safe>
              {s.sendRequest}
            </button>
          </div>
        </form>
      </Layout>
    );
  }

  // ---- the availability search

  @Get('search')
  @Html()
  async search(@Page() ctx: SignedInContext, @Query() q: Form) {
    const s = ctx.m.sme;
    const now = this.clock.now();
    const today = todayIn(now, SHANGHAI);
    const values = {
      direction: str(q.direction),
      kind: str(q.kind),
      city: str(q.city),
      stage: str(q.stage),
      minHours: str(q.minHours),
      units: str(q.units),
      from: str(q.from) ?? today,
      to: str(q.to) ?? addDays(today, 14),
    };
    const asked = Object.keys(q).length > 0;
    let errors: Errors | null = null;
    let result: Awaited<ReturnType<AvailabilityService['search']>> | null = null;
    if (asked) {
      try {
        const from = isDate(values.from) ? instantAt(values.from, '00:00', SHANGHAI) : null;
        const dto = await validateWith(
          AvailabilitySearchDto,
          {
            direction: values.direction,
            kind: values.kind,
            city: values.city,
            stage: values.stage,
            minHours: values.minHours,
            units: values.units,
            from: from && from < now ? now.toISOString() : (from?.toISOString() ?? values.from),
            to: isDate(values.to) ? instantAt(addDays(values.to, 1), '00:00', SHANGHAI).toISOString() : values.to,
          },
          'query',
        );
        result = await this.availability.search(dto);
      } catch (e) {
        errors = smeErrorsOf(ctx, e);
      }
    }
    const cities = LIAONING_CITIES.map((c) => ({ value: c.code, label: ctx.m.vocabulary.city(c.code) }));
    const fields = errors?.fields ?? {};
    const hours = result?.minHours ?? null;
    return (
      <Layout ctx={ctx} title={ctx.m.common.navSearch}>
        <p class="muted" safe>
          {s.searchLead}
        </p>
        <SmeFormError errors={errors} />
        <form method="get" action="/sme/search" class="filters card" role="search">
          <SelectField name="direction" label={s.filterDirection} options={vocabularyOptions(ctx, DIRECTIONS)} value={values.direction} empty={s.any} />
          <SelectField name="kind" label={s.filterKind} options={vocabularyOptions(ctx, FACILITY_KINDS)} value={values.kind} empty={s.any} />
          <SelectField name="city" label={s.filterCity} options={cities} value={values.city} empty={s.any} />
          <SelectField name="stage" label={s.filterStage} options={vocabularyOptions(ctx, CHAIN_STAGES)} value={values.stage} empty={s.any} />
          <Field name="minHours" label={s.durationHours} type="number" value={values.minHours} error={fields.minHours} attrs={{ min: 0.25, step: 0.25 }} />
          <Field name="units" label={s.unitsNeeded} type="number" value={values.units} error={fields.units} attrs={{ min: 1 }} />
          <Field name="from" label={s.fromDate} type="date" value={values.from} error={fields.from} />
          <Field name="to" label={s.toDate} type="date" value={values.to} error={fields.to} />
          <div class="actions">
            <button type="submit" safe>
              {s.searchButton}
            </button>
          </div>
        </form>
        {result ? (
          <section aria-labelledby="results">
            <h2 id="results" safe>
              {s.searchResults(result.items.length)}
            </h2>
            {result.items.length === 0 ? (
              <p class="empty" safe>
                {s.searchNone}
              </p>
            ) : (
              ''
            )}
            <ol class="search-results">
              {result.items.map((item) => {
                const tz = item.facility.timeZone;
                return (
                  <li class="card">
                    <h3>
                      <a href={`/sme/resources/${item.resource.id}`} safe>
                        {nameOf(ctx, item.resource)}
                      </a>
                    </h3>
                    <p class="muted" safe>
                      {`${nameOf(ctx, item.facility)} · ${ctx.m.vocabulary.city(item.facility.cityCode)} · ${ctx.m.vocabulary.label(item.facility.kind)} · ${formatFen(item.resource.pricePerUnitHourFen, ctx.language)} / ${ctx.m.vocabulary.label(item.resource.unit)}`}
                    </p>
                    <h4 safe>{s.firstWindows}</h4>
                    <ul>
                      {item.windows.map((w) => {
                        const minutes = hours !== null ? Math.round(hours * 60) : Math.min(w.longestBookingMinutes, 60);
                        const length = Math.min(w.longestBookingMinutes, Math.max(minutes, 1));
                        const end = isoToLocalInput(new Date(Date.parse(w.startsAt) + length * 60_000), tz);
                        return (
                          <li>
                            <span safe>{s.windowFree(formatWindow(w.startsAt, w.endsAt, tz, ctx.language), formatNumber(w.hours, ctx.language))}</span>{' '}
                            <a
                              class="button small"
                              href={`/sme/resources/${item.resource.id}/book${query({ start: isoToLocalInput(w.startsAt, tz), end, units: item.resource.mode === 'pooled' ? (values.units ?? '1') : undefined, stage: values.stage })}`}
                              safe
                            >
                              {s.bookWindow}
                            </a>
                          </li>
                        );
                      })}
                    </ul>
                  </li>
                );
              })}
            </ol>
          </section>
        ) : (
          ''
        )}
      </Layout>
    );
  }

  // ---- my bookings

  @Get('bookings')
  @Html()
  async myBookings(@Page() ctx: SignedInContext, @Query() q: Form) {
    const s = ctx.m.sme;
    const values = { state: str(q.state), offset: str(q.offset) };
    const dto = await validateWith(BookingQueryDto, { ...values, limit: '20' }, 'query');
    const list = await this.bookings.list(ctx.viewer, dto);
    const tokens = await this.feedTokens.list(ctx.viewer, await validateWith(PageQueryDto, { limit: '50' }, 'query'));
    return (
      <Layout ctx={ctx} title={ctx.m.common.navMyBookings}>
        <p class="muted" safe>
          {s.myBookingsLead}
        </p>
        <form method="get" action="/sme/bookings" class="filters card">
          <SelectField name="state" label={s.filterState} options={vocabularyOptions(ctx, BOOKING_STATES)} value={values.state} empty={ctx.m.common.all} />
          <div class="actions">
            <button type="submit" safe>
              {s.filterButton}
            </button>
          </div>
        </form>
        <Table
          headers={[s.state, s.resource, s.facility, s.window, s.price]}
          empty={ctx.m.common.nothingFound}
          rows={list.items.map((b) => (
            <BookingRow ctx={ctx} b={b} />
          ))}
        />
        <Pager ctx={ctx} total={list.total} limit={list.limit} offset={list.offset} query={values} />
        <CalendarSection ctx={ctx} tokens={tokens.items} />
      </Layout>
    );
  }

  @Get('bookings/:id.ics')
  async bookingIcs(@Page() ctx: SignedInContext, @UuidParam() id: string, @Res({ passthrough: true }) res: Response) {
    const doc = await this.calendar.bookingFile(ctx.viewer, id);
    res.setHeader('Content-Type', ICS_CONTENT_TYPE);
    res.setHeader('Content-Disposition', `attachment; filename="${doc.filename}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    return doc.body;
  }

  @Get('bookings/:id')
  @Html()
  async booking(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    return this.renderBooking(ctx, id);
  }

  @Post('bookings/:id/cancel')
  @Html()
  async cancel(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const dto = await validateWith(DecisionDto, { reason: formText(body.reason) });
      await this.bookings.cancel(ctx.viewer, id, dto);
    } catch (e) {
      const errors = smeErrorsOf(ctx, e);
      res.status(statusOf(e));
      return this.renderBooking(ctx, id, errors, formText(body.reason));
    }
    redirectTo(req, res, `/sme/bookings/${id}?notice=sme.cancelled`);
  }

  private async renderBooking(ctx: SignedInContext, id: string, errors?: Errors, reason?: string) {
    const s = ctx.m.sme;
    const b = await this.bookings.get(ctx.viewer, id);
    const tz = b.facility.timeZone;
    const v = ctx.m.vocabulary;
    const cancellable = ['pending', 'approved'].includes(b.state);
    const items: Array<[string, string]> = [
      [s.resource, nameOf(ctx, b.resource)],
      [s.facility, `${nameOf(ctx, b.facility)} · ${b.facility.address}`],
      [s.window, `${formatWindow(b.startsAt, b.endsAt, tz, ctx.language)} (${tz})`],
      [s.units, String(b.units)],
      [s.stage, v.label(b.stage)],
      [s.serviceCategory, v.label(b.serviceCategory)],
      [s.purpose, b.purpose],
      [s.price, `${s.priceLine(formatFen(b.price.listFen, ctx.language), b.price.discountPercent, formatFen(b.price.fen, ctx.language))}`],
      [s.requestedAt, formatDateTime(b.createdAt, tz, ctx.language)],
    ];
    if (b.decisionReason) items.push([s.decision, b.decisionReason]);
    if (b.cancelReason) items.push([s.cancelReason, b.cancelReason]);
    return (
      <Layout ctx={ctx} title={`${s.bookingTitle}：${nameOf(ctx, b.resource)}`}>
        <p class="booking-state">
          <Badge ctx={ctx} value={b.state} />
        </p>
        <section class="card">
          <Facts items={items} />
          <div class="actions">
            <a class="button secondary" href={`/sme/bookings/${b.id}.ics`} download="" safe>
              {s.icsDownload}
            </a>
            <a href={`/sme/resources/${b.resource.id}`} safe>
              {nameOf(ctx, b.resource)}
            </a>
            {b.projectId ? (
              <a href={`/sme/projects/${b.projectId}`} safe>
                {s.project}
              </a>
            ) : (
              ''
            )}
          </div>
        </section>
        {cancellable ? (
          <section class="card">
            <h2 safe>{s.cancelTitle}</h2>
            <SmeFormError errors={errors} />
            <form method="post" action={`/sme/bookings/${b.id}/cancel`} data-confirm={s.cancelConfirm}>
              <CsrfField ctx={ctx} />
              <Field name="reason" label={s.cancelReasonLabel} value={reason} error={errors?.fields.reason} />
              <button type="submit" class="danger" safe>
                {s.cancelButton}
              </button>
            </form>
          </section>
        ) : (
          <SmeFormError errors={errors} />
        )}
      </Layout>
    );
  }

  // ---- the private calendar feed

  @Post('calendar-tokens')
  @Html()
  async createToken(@Page() ctx: SignedInContext, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    const s = ctx.m.sme;
    let created: Awaited<ReturnType<FeedTokensService['create']>> | null = null;
    let errors: Errors | null = null;
    try {
      created = await this.feedTokens.create(ctx.viewer, await validateWith(CreateFeedTokenDto, { label: formText(body.label) }));
    } catch (e) {
      errors = smeErrorsOf(ctx, e);
      res.status(statusOf(e));
    }
    res.setHeader('Cache-Control', 'no-store');
    const tokens = await this.feedTokens.list(ctx.viewer, await validateWith(PageQueryDto, { limit: '50' }, 'query'));
    const url = created ? `${req.protocol}://${req.get('host') ?? 'localhost'}${created.url}` : '';
    return (
      <Layout ctx={ctx} title={s.calendarTitle}>
        <SmeFormError errors={errors} />
        {created ? (
          <div class="alert alert-ok" role="status">
            <p safe>{s.tokenCreated}</p>
            <p>
              <label for="feed-url" safe>
                {s.tokenUrl}
              </label>
              <input id="feed-url" class="feed-url" type="text" readonly value={url} />
            </p>
          </div>
        ) : (
          ''
        )}
        <CalendarSection ctx={ctx} tokens={tokens.items} />
        <p>
          <a href="/sme/bookings" safe>
            {ctx.m.common.navMyBookings}
          </a>
        </p>
      </Layout>
    );
  }

  @Post('calendar-tokens/:id/revoke')
  async revokeToken(@Page() ctx: SignedInContext, @UuidParam() id: string, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    await this.feedTokens.revoke(ctx.viewer, id);
    redirectTo(req, res, '/sme/bookings?notice=sme.tokenRevoked');
  }

  // ---- my chain projects

  @Get('projects')
  @Html()
  async projects(@Page() ctx: SignedInContext, @Query() q: Form) {
    return this.renderProjects(ctx, q);
  }

  @Post('projects')
  @Html()
  async createProject(@Page() ctx: SignedInContext, @Body() body: Form, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response) {
    let id: string;
    try {
      const dto = await validateWith(CreateProjectDto, {
        titleZh: formText(body.titleZh),
        titleEn: formText(body.titleEn),
        direction: formText(body.direction),
        description: formText(body.description),
        stage: formText(body.stage),
      });
      id = (await this.chain.create(ctx.viewer, dto)).id;
    } catch (e) {
      const errors = smeErrorsOf(ctx, e);
      res.status(statusOf(e));
      return this.renderProjects(ctx, {}, errors, body);
    }
    redirectTo(req, res, `/sme/projects/${id}?notice=sme.projectCreated`);
  }

  private async renderProjects(ctx: SignedInContext, q: Form, errors?: Errors, form: Form = {}) {
    const s = ctx.m.sme;
    const values = { offset: str(q.offset) };
    const list = await this.chain.list(ctx.viewer, await validateWith(ProjectQueryDto, { ...values, limit: '20' }, 'query'));
    const fields = errors?.fields ?? {};
    return (
      <Layout ctx={ctx} title={ctx.m.common.navMyProjects}>
        <p class="muted" safe>
          {s.projectsLead}
        </p>
        {list.items.length === 0 ? (
          <p class="empty" safe>
            {s.noProjects}
          </p>
        ) : (
          ''
        )}
        <ul class="project-list">
          {list.items.map((p) => (
            <li class="card">
              <h2>
                <a href={`/sme/projects/${p.id}`} safe>
                  {ctx.language === 'en' && p.titleEn ? p.titleEn : p.titleZh}
                </a>
              </h2>
              <p class="muted" safe>
                {`${ctx.m.vocabulary.label(p.direction)} · ${s.startedOn} ${p.startedOn}`}
              </p>
              <ChainStrip ctx={ctx} current={p.stage} />
            </li>
          ))}
        </ul>
        <Pager ctx={ctx} total={list.total} limit={list.limit} offset={list.offset} query={values} />
        <section class="card">
          <h2 safe>{s.createProject}</h2>
          <SmeFormError errors={errors} />
          <form method="post" action="/sme/projects" class="form-grid">
            <CsrfField ctx={ctx} />
            <Field name="titleZh" label={s.projectTitle} value={str(form.titleZh)} required error={fields.titleZh} />
            <Field name="titleEn" label={s.projectTitleEn} value={str(form.titleEn)} error={fields.titleEn} />
            <SelectField
              name="direction"
              label={s.direction}
              options={vocabularyOptions(ctx, DIRECTIONS)}
              value={str(form.direction)}
              required
              empty="—"
              error={fields.direction}
            />
            <SelectField name="stage" label={s.currentStage} options={vocabularyOptions(ctx, CHAIN_STAGES)} value={str(form.stage)} error={fields.stage} />
            <Field name="description" label={s.description} value={str(form.description)} error={fields.description} />
            <div class="actions">
              <button type="submit" safe>
                {s.createProjectButton}
              </button>
            </div>
          </form>
        </section>
      </Layout>
    );
  }

  @Get('projects/:id')
  @Html()
  project(@Page() ctx: SignedInContext, @UuidParam() id: string) {
    return this.renderProject(ctx, id);
  }

  /** The project reaches its next stage (on a day, with evidence): ChainService.advance, as POST /api/v1/projects/:id/advance. */
  @Post('projects/:id/advance')
  @Html()
  async advanceProject(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const dto = await validateWith(AdvanceProjectDto, { on: formText(body.on), evidence: formText(body.evidence) });
      await this.chain.advance(ctx.viewer, id, dto);
    } catch (e) {
      res.status(statusOf(e));
      return this.renderProject(ctx, id, { advance: smeErrorsOf(ctx, e) }, body);
    }
    redirectTo(req, res, `/sme/projects/${id}?notice=sme.projectAdvanced`);
  }

  /** The project goes back one stage (on a day, with a reason): ChainService.revert, as POST /api/v1/projects/:id/revert. */
  @Post('projects/:id/revert')
  @Html()
  async revertProject(
    @Page() ctx: SignedInContext,
    @UuidParam() id: string,
    @Body() body: Form,
    @Req() req: ConsoleRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const dto = await validateWith(RevertProjectDto, { on: formText(body.on), reason: formText(body.reason) });
      await this.chain.revert(ctx.viewer, id, dto);
    } catch (e) {
      res.status(statusOf(e));
      return this.renderProject(ctx, id, { revert: smeErrorsOf(ctx, e) }, body);
    }
    redirectTo(req, res, `/sme/projects/${id}?notice=sme.projectReverted`);
  }

  private async renderProject(ctx: SignedInContext, id: string, errors: { advance?: Errors; revert?: Errors } = {}, form: Form = {}) {
    const s = ctx.m.sme;
    const v = ctx.m.vocabulary;
    const [p, chainView] = await Promise.all([this.chain.get(ctx.viewer, id), this.chain.chain(ctx.viewer, id)]);
    const bookings = await this.bookings.list(ctx.viewer, await validateWith(BookingQueryDto, { projectId: id, limit: '200', sort: 'startsAt' }, 'query'));
    const fig = (f: { bookings: number; bookedUnitHours: number; usedUnitHours: number; costFen: number }) =>
      s.figures(f.bookings, formatNumber(f.bookedUnitHours, ctx.language), formatNumber(f.usedUnitHours, ctx.language), formatFen(f.costFen, ctx.language));
    const moves = { start: s.moveStart, advance: s.moveAdvance, revert: s.moveRevert };
    return (
      <Layout ctx={ctx} title={ctx.language === 'en' && p.titleEn ? p.titleEn : p.titleZh}>
        <section class="card">
          <Facts
            items={[
              [s.direction, v.label(p.direction)],
              [s.currentStage, v.label(p.stage)],
              [s.stageEntered, p.stageEnteredOn],
              [s.startedOn, p.startedOn],
              [s.description, p.description || '—'],
            ]}
          />
        </section>
        <h2 safe>{s.chainTitle}</h2>
        <ChainStrip ctx={ctx} current={p.stage} />
        <p class="muted" safe>
          {fig(chainView.totals)}
        </p>
        <h2 safe>{s.history}</h2>
        <Table
          headers={[s.stage, s.entered, s.left, s.move, s.evidence]}
          empty={ctx.m.common.nothingFound}
          rows={p.history.map((h) => (
            <tr>
              <td safe>{v.label(h.stage)}</td>
              <td safe>{h.enteredOn}</td>
              <td safe>{h.leftOn ?? '—'}</td>
              <td safe>{moves[h.move]}</td>
              <td safe>{h.evidence ?? h.reason ?? '—'}</td>
            </tr>
          ))}
        />
        <div class="grid">
          {p.stage !== 'industrialisation' ? (
            <section class="card">
              <h2 safe>{s.advanceTitle}</h2>
              <SmeFormError errors={errors.advance} />
              <form method="post" action={`/sme/projects/${p.id}/advance`}>
                <CsrfField ctx={ctx} />
                <Field
                  name="on"
                  label={s.moveOn}
                  type="date"
                  value={str(form.on) ?? todayIn(this.clock.now(), SHANGHAI)}
                  required
                  error={errors.advance?.fields.on}
                />
                <Field
                  name="evidence"
                  label={s.advanceEvidence}
                  value={str(form.evidence)}
                  required
                  hint={s.evidenceHint}
                  error={errors.advance?.fields.evidence}
                />
                <div class="actions">
                  <button type="submit" safe>
                    {s.advanceButton}
                  </button>
                </div>
              </form>
            </section>
          ) : (
            ''
          )}
          {p.stage !== 'lab_validation' ? (
            <section class="card">
              <h2 safe>{s.revertTitle}</h2>
              <SmeFormError errors={errors.revert} />
              <form method="post" action={`/sme/projects/${p.id}/revert`} data-confirm={s.revertConfirm}>
                <CsrfField ctx={ctx} />
                <Field
                  name="on"
                  label={s.moveOn}
                  type="date"
                  value={str(form.on) ?? todayIn(this.clock.now(), SHANGHAI)}
                  required
                  error={errors.revert?.fields.on}
                />
                <Field name="reason" label={s.revertReason} value={str(form.reason)} required error={errors.revert?.fields.reason} />
                <div class="actions">
                  <button type="submit" class="secondary" safe>
                    {s.revertButton}
                  </button>
                </div>
              </form>
            </section>
          ) : (
            ''
          )}
        </div>
        {chainView.stages.map((st) => {
          const of = bookings.items.filter((b) => b.stage === st.stage);
          return (
            <section class={['card', 'chain-stage', st.current ? 'current' : '']} id={`stage-${st.stage}`}>
              <h2 safe>{`${s.stageBookings(v.label(st.stage))}${st.current ? ` ${s.stageCurrent}` : ''}`}</h2>
              <p class="muted" safe>
                {`${st.periods.map((x) => `${x.enteredOn} – ${x.leftOn ?? ''}`).join('，') || '—'} · ${fig(st)}`}
              </p>
              <Table
                headers={[s.state, s.resource, s.facility, s.window, s.price]}
                empty={s.noStageBookings}
                rows={of.map((b) => (
                  <BookingRow ctx={ctx} b={b} />
                ))}
              />
            </section>
          );
        })}
      </Layout>
    );
  }

  // ---- usage and spend

  @Get('usage')
  @Html()
  async myUsage(@Page() ctx: SignedInContext, @Query() q: Form) {
    const s = ctx.m.sme;
    const today = todayIn(this.clock.now(), SHANGHAI);
    const values = { from: str(q.from) ?? `${today.slice(0, 4)}-01-01`, to: str(q.to) ?? today, offset: str(q.offset) };
    let errors: Errors | null = null;
    let records: Awaited<ReturnType<UsageService['list']>> | null = null;
    let mine: Awaited<ReturnType<ReportsService['myUsage']>> | null = null;
    try {
      const from = isDate(values.from) ? instantAt(values.from, '00:00', SHANGHAI).toISOString() : values.from;
      const to = isDate(values.to) ? instantAt(addDays(values.to, 1), '00:00', SHANGHAI).toISOString() : values.to;
      records = await this.usage.list(ctx.viewer, await validateWith(UsageQueryDto, { from, to, limit: '50', offset: values.offset }, 'query'));
      // Spend and unit-hours by resource and stage: the report the API serves at GET /api/v1/reports/my-usage (figures in SQL).
      mine = await this.reports.myUsage(ctx.viewer, await validateWith(ReportPeriodDto, { from, to }, 'query'));
    } catch (e) {
      errors = smeErrorsOf(ctx, e);
    }
    const totals: Array<[string, number]> = records ? Object.entries(records.totals.unitHours as Record<string, number>) : [];
    return (
      <Layout ctx={ctx} title={ctx.m.common.navMyUsage}>
        <p class="muted" safe>
          {s.usageLead}
        </p>
        <SmeFormError errors={errors} />
        <form method="get" action="/sme/usage" class="filters card">
          <Field name="from" label={s.fromDate} type="date" value={values.from} error={errors?.fields.from} />
          <Field name="to" label={s.toDate} type="date" value={values.to} error={errors?.fields.to} />
          <div class="actions">
            <button type="submit" safe>
              {s.showPeriod}
            </button>
          </div>
        </form>
        {records ? (
          <section class="card">
            <h2 safe>{s.usageTotals}</h2>
            <p safe>{s.usageRecordsCount(records.totals.records)}</p>
            <ul>
              {totals.map(([unit, n]) => (
                <li safe>{`${ctx.m.vocabulary.label(unit)}：${formatNumber(n, ctx.language, 2)}`}</li>
              ))}
            </ul>
          </section>
        ) : (
          ''
        )}
        {mine ? (
          <section>
            <h2 safe>{s.spendTitle}</h2>
            <p class="figure" safe>
              {formatFen(mine.total.spendFen, ctx.language)}
            </p>
            <p class="muted" safe>
              {s.spendLead}
            </p>
            <Table
              headers={[s.resource, s.stage, s.heldCol, s.usedCol, s.spendCol]}
              empty={ctx.m.common.nothingFound}
              rows={mine.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/sme/resources/${r.resourceId}`} safe>
                      {ctx.language === 'en' ? r.resourceNameEn : r.resourceNameZh}
                    </a>
                  </td>
                  <td safe>{ctx.m.vocabulary.label(r.stage)}</td>
                  <td class="num" safe>
                    {formatNumber(r.heldUnitHours, ctx.language, 2)}
                  </td>
                  <td class="num" safe>
                    {formatNumber(r.usedUnitHours, ctx.language, 2)}
                  </td>
                  <td class="num" safe>
                    {formatFen(r.spendFen, ctx.language)}
                  </td>
                </tr>
              ))}
            />
          </section>
        ) : (
          ''
        )}
        {records ? (
          <section>
            <h2 safe>{s.usageRecords}</h2>
            <Table
              headers={[s.window, s.unit, s.unitHoursCol, s.source]}
              empty={ctx.m.common.nothingFound}
              rows={records.items.map((u) => (
                <tr>
                  <td safe>{`${u.localStartsAt.slice(0, 16).replace('T', ' ')} – ${u.localEndsAt.slice(0, 16).replace('T', ' ')}`}</td>
                  <td safe>{ctx.m.vocabulary.label(u.unit)}</td>
                  <td class="num" safe>
                    {formatNumber(u.unitHours, ctx.language, 2)}
                  </td>
                  <td safe>{s.sourceLabel(u.source)}</td>
                </tr>
              ))}
            />
            <Pager ctx={ctx} total={records.total} limit={records.limit} offset={records.offset} query={values} />
          </section>
        ) : (
          ''
        )}
      </Layout>
    );
  }
}

/** The week of free and busy time (the availability service's free windows), one row per hour, in the facility's zone. */
function WeekView(props: { ctx: SignedInContext; r: ResourceDetailDto; data: WeekData }): JSX.Element {
  const { ctx, r } = props;
  const { week, thisWeek, grid } = props.data;
  const s = ctx.m.sme;
  const tz = r.facility.timeZone;
  const link = (w: string) => `/sme/resources/${r.id}?week=${w}`;
  const nav = (w: string, label: string) => (
    <a href={link(w)} hx-get={link(w)} hx-target="#week" hx-swap="outerHTML" hx-push-url="true" safe>
      {label}
    </a>
  );
  return (
    <section id="week" class="card week-view" aria-labelledby="week-title">
      <h2 id="week-title" safe>
        {s.weekTitle}
      </h2>
      <p safe>{s.weekOf(grid.days[0], grid.days[6], tz)}</p>
      <nav class="actions week-nav" aria-label={s.weekTitle}>
        {nav(addDays(week, -7), s.previousWeek)}
        {nav(thisWeek, s.thisWeek)}
        {nav(addDays(week, 7), s.nextWeek)}
      </nav>
      <ul class="legend" aria-label={s.legend}>
        <li class="l-free" safe>
          {s.legendFree}
        </li>
        <li class="l-busy" safe>
          {s.legendBusy}
        </li>
        <li class="l-closed" safe>
          {s.legendClosed}
        </li>
        <li class="l-unavailable" safe>
          {s.legendUnavailable}
        </li>
      </ul>
      <div class="table-wrap">
        <table class="week-table">
          <caption class="visually-hidden" safe>
            {s.weekOf(grid.days[0], grid.days[6], tz)}
          </caption>
          <thead>
            <tr>
              <th scope="col" safe>
                {s.time}
              </th>
              {grid.days.map((d, i) => (
                <th scope="col" safe>
                  {`${s.weekday(i + 1)} ${d.slice(5)}`}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.hours.map((h, row) => (
              <tr>
                <th scope="row" safe>
                  {`${String(h).padStart(2, '0')}:00`}
                </th>
                {grid.cells[row].map((c) =>
                  c.state === 'free' ? (
                    <td class="cell-free">
                      <a href={`/sme/resources/${r.id}/book${query({ start: c.start, end: c.end })}`}>
                        <span safe>{s.cellFree}</span>
                        <span class="visually-hidden" safe>
                          {`（${s.bookThisSlot(c.start!.replace('T', ' '))}）`}
                        </span>
                      </a>
                    </td>
                  ) : (
                    <td class={`cell-${c.state}`} safe>
                      {cellText(ctx, c.state)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The price preview (the booking service's own pricing), updated in place by the "show price" button. */
function PricePreview(props: { ctx: SignedInContext; quote: Quote | null; errors: Errors | null }): JSX.Element {
  const { ctx, quote, errors } = props;
  const s = ctx.m.sme;
  return (
    <section id="price" class="price-preview" aria-live="polite" aria-labelledby="price-title">
      <h2 id="price-title" safe>
        {s.priceTitle}
      </h2>
      {quote ? (
        <>
          <p class="price-total" safe>
            {s.priceLine(formatFen(quote.listFen, ctx.language), quote.discountPercent, formatFen(quote.fen, ctx.language))}
          </p>
          <p class="muted" safe>
            {`${s.priceUnitHours(formatNumber(quote.unitHours, ctx.language, 2))} · ${s.priceNote}`}
          </p>
        </>
      ) : (
        ''
      )}
      {errors ? <SmeFormError errors={errors} /> : ''}
      {!quote && !errors ? <p class="muted">—</p> : ''}
    </section>
  );
}

/** lab_validation → pilot_maturation → industrialisation with the current stage highlighted (in text too). */
function ChainStrip(props: { ctx: SignedInContext; current: string }): JSX.Element {
  const s = props.ctx.m.sme;
  const at = CHAIN_STAGES.indexOf(props.current as (typeof CHAIN_STAGES)[number]);
  return (
    <ol class="chain" aria-label={s.chainTitle}>
      {CHAIN_STAGES.map((st, i) => (
        <li class={i < at ? 'done' : i === at ? 'current' : ''} aria-current={i === at ? 'step' : undefined} safe>
          {`${props.ctx.m.vocabulary.label(st)} ${i < at ? s.stageDone : i === at ? s.stageCurrent : s.stageAhead}`}
        </li>
      ))}
    </ol>
  );
}

/** The private calendar feed: the user's tokens, a form to make one, and revoke buttons. */
function CalendarSection(props: {
  ctx: SignedInContext;
  tokens: Array<{ id: string; label: string | null; createdAt: string; lastUsedAt: string | null }>;
}): JSX.Element {
  const { ctx } = props;
  const s = ctx.m.sme;
  return (
    <section class="card" aria-labelledby="calendar-title">
      <h2 id="calendar-title" safe>
        {s.calendarTitle}
      </h2>
      <p class="muted" safe>
        {s.calendarLead}
      </p>
      <form method="post" action="/sme/calendar-tokens" class="filters">
        <CsrfField ctx={ctx} />
        <Field name="label" label={s.tokenLabel} />
        <div class="actions">
          <button type="submit" safe>
            {s.createToken}
          </button>
        </div>
      </form>
      <Table
        caption={s.tokens}
        headers={[s.tokenLabel, s.tokenCreatedAt, s.lastUsed, s.revoke]}
        empty={s.noTokens}
        rows={props.tokens.map((t) => (
          <tr>
            <td safe>{t.label ?? '—'}</td>
            <td safe>{formatDate(t.createdAt, SHANGHAI, ctx.language)}</td>
            <td safe>{t.lastUsedAt ? formatDateTime(t.lastUsedAt, SHANGHAI, ctx.language) : s.never}</td>
            <td>
              <form method="post" action={`/sme/calendar-tokens/${t.id}/revoke`} data-confirm={s.revokeConfirm}>
                <CsrfField ctx={ctx} />
                <button type="submit" class="secondary" safe>
                  {s.revoke}
                </button>
              </form>
            </td>
          </tr>
        ))}
      />
    </section>
  );
}
