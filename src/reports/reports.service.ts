import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { Readable, pipeline } from 'node:stream';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource, QueryRunner } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import type { AuthUser } from '../common/auth/auth-user';
import { cityByCode } from '../common/cities';
import { Clock } from '../common/clock';
import { badRequest, forbidden } from '../common/errors/domain-error';
import { CHAIN_STAGES, VOCABULARY_LABELS } from '../catalogue/catalogue.constants';
import { loggableError } from '../common/errors/problem-details.filter';
import { ReportGroup, ReportPeriodDto, UtilisationQueryDto } from './reports.dto';
import { MyUsageReport, UtilisationFigures, UtilisationReport, UtilisationRow, UtilisationTotal } from './reports.responses';
import { reportScope } from './report-scope';
import { FigureRow, figuresSql, ratesOf, UNASSIGNED_STAGE } from './utilisation-figures';

/** At most this many days per report. */
export const REPORT_MAX_DAYS = 1100;
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/**
 * Per groupBy: the row's columns (key, labels) and its GROUP BY, over `res`, `facts` and `d`. Every row is also
 * split by the resources' unit: hours of an instrument, GPU card-hours and core-hours are never added together.
 */
const GROUPS: Record<ReportGroup, { select: string[]; groupBy: string[] }> = {
  resource: { select: ['res.resource_id::text AS key', 'min(res.name_zh) AS label_zh', 'min(res.name_en) AS label_en'], groupBy: ['res.resource_id'] },
  facility: {
    select: ['res.facility_id::text AS key', 'min(res.facility_name_zh) AS label_zh', 'min(res.facility_name_en) AS label_en'],
    groupBy: ['res.facility_id'],
  },
  operator: {
    select: [
      'res.operator_id::text AS key',
      '(SELECT o.name_zh FROM organisations o WHERE o.id = res.operator_id) AS label_zh',
      '(SELECT o.name_en FROM organisations o WHERE o.id = res.operator_id) AS label_en',
    ],
    groupBy: ['res.operator_id'],
  },
  city: { select: ['res.city_code::text AS key'], groupBy: ['res.city_code'] },
  kind: { select: ['res.kind AS key'], groupBy: ['res.kind'] },
  direction: { select: ['d.direction AS key'], groupBy: ['d.direction'] },
  stage: { select: ['facts.stage AS key'], groupBy: ['facts.stage'] },
  month: { select: ['facts.month AS key'], groupBy: ['facts.month'] },
};

/** The CSV columns: Chinese and English headers. */
const CSV_COLUMNS: Array<[string, string]> = [
  ['key', '分组 key'],
  ['labelZh', '名称 name (zh)'],
  ['labelEn', '名称 name (en)'],
  ['unit', '计量单位 unit'],
  ['from', '起 from'],
  ['to', '止 to'],
  ['availableUnitHours', '可用单位小时 available unit-hours'],
  ['heldUnitHours', '预约单位小时 held unit-hours'],
  ['usedUnitHours', '使用单位小时 used unit-hours'],
  ['utilisation', '利用率 utilisation'],
  ['bookingRate', '预约率 booking rate'],
  ['bookingsStarted', '已开始预约 bookings started'],
  ['noShows', '爽约 no-shows'],
  ['noShowRate', '爽约率 no-show rate'],
  ['decided', '已审批 decided'],
  ['approved', '已批准 approved'],
  ['approvalRate', '批准率 approval rate'],
  ['medianDecisionHours', '审批时长中位数(小时) median decision hours'],
  ['smeUsedUnitHours', '中小企业使用 SME used unit-hours'],
  ['smeShare', '中小企业占比 SME share'],
  ['usedLabValidation', '实验验证使用 used lab_validation'],
  ['usedPilotMaturation', '中试熟化使用 used pilot_maturation'],
  ['usedIndustrialisation', '产业化使用 used industrialisation'],
  ['usedUnassigned', '未关联预约使用 used unassigned'],
  ['enterprisesServed', '服务企业数 enterprises served'],
  ['incomeFen', '收入(分) income (fen)'],
];

const num = (v: string | null) => (v === null ? null : Number(v));

function figures(r: FigureRow): UtilisationFigures {
  const rates = ratesOf(r);
  return {
    availableUnitHours: num(r.available_unit_hours),
    heldUnitHours: Number(r.held_unit_hours),
    usedUnitHours: Number(r.used_unit_hours),
    utilisation: rates.utilisation,
    bookingRate: rates.bookingRate,
    bookingsStarted: r.bookings_started,
    noShows: r.no_shows,
    noShowRate: rates.noShowRate,
    decided: r.decided,
    approved: r.approved,
    approvalRate: rates.approvalRate,
    medianDecisionHours: num(r.median_decision_hours),
    smeUsedUnitHours: Number(r.sme_used_unit_hours),
    smeShare: rates.smeShare,
    usedByStage: {
      lab_validation: Number(r.used_lab_validation),
      pilot_maturation: Number(r.used_pilot_maturation),
      industrialisation: Number(r.used_industrialisation),
      unassigned: Number(r.used_unassigned),
    },
    enterprisesServed: r.enterprises_served,
    incomeFen: Number(r.income_fen),
  };
}

/** The start of a month (`YYYY-MM`) in Asia/Shanghai (UTC+8, no daylight saving). */
const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month - 1, 1) - 8 * 3_600_000);

function checkPeriod(q: ReportPeriodDto) {
  if (q.to.getTime() <= q.from.getTime()) throw badRequest('validation_failed', 'to must be after from.', [{ field: 'to', message: 'to must be after from' }]);
  if (q.to.getTime() - q.from.getTime() > REPORT_MAX_DAYS * 86_400_000)
    throw badRequest('validation_failed', `A report spans at most ${REPORT_MAX_DAYS} days.`, [
      { field: 'to', message: `to must be at most ${REPORT_MAX_DAYS} days after from` },
    ]);
}

/** A report's statements: its rows and its totals per unit, over the same resources, period and parameters. */
interface ReportPlan {
  groupBy: ReportGroup;
  rowsSql: string;
  totalsSql: string;
  params: unknown[];
}

@Injectable()
export class ReportsService {
  private readonly logger = new Logger('Reports');

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /** The utilisation report (JSON), or its rows and totals as CSV streamed from a database cursor. */
  async utilisation(auth: AuthUser, q: UtilisationQueryDto): Promise<UtilisationReport | StreamableFile> {
    const plan = this.plan(auth, q);
    if (q.format === 'csv') return this.utilisationCsv(q, plan);
    // Rows and totals from one snapshot of the database, so that they agree even while the snapshot job runs.
    const { rows, totals } = await this.dataSource.transaction('REPEATABLE READ', async (em) => ({
      rows: await em.query<FigureRow[]>(plan.rowsSql, plan.params),
      totals: await em.query<FigureRow[]>(plan.totalsSql, plan.params),
    }));
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      groupBy: plan.groupBy,
      source: q.source ?? 'snapshots',
      snapshotDays: Number(totals[0]?.snapshot_days ?? rows[0]?.snapshot_days ?? 0),
      rows: rows.map((r) => this.row(plan.groupBy, q, r, plan.params[2] as Date)),
      totals: totals.map((t) => this.total(t)),
    };
  }

  /** The checks and statements of a utilisation report. */
  private plan(auth: AuthUser, q: UtilisationQueryDto): ReportPlan {
    if (!this.access.holds(auth, 'report.read'))
      throw forbidden('Utilisation reports are for operators, officials and admins; an enterprise reads GET /reports/my-usage.');
    checkPeriod(q);
    const groupBy = q.groupBy ?? 'facility';
    const { params, resourceWhere } = reportScope(this.access, auth, q.from, q.to, this.clock.now(), q);
    const group = GROUPS[groupBy];
    const snapshots = q.source !== 'raw';
    return {
      groupBy,
      params,
      rowsSql: figuresSql({
        monthly: groupBy === 'month',
        resourceWhere,
        snapshots,
        withoutAvailability: groupBy === 'stage',
        perDirection: groupBy === 'direction',
        select: [...group.select, 'res.unit AS unit'],
        groupBy: [...group.groupBy, 'res.unit'],
      }),
      totalsSql: figuresSql({ monthly: false, resourceWhere, snapshots, select: [`'total' AS key`, 'res.unit AS unit'], groupBy: ['res.unit'] }),
    };
  }

  /**
   * The CSV: the totals are read first (a failure is still a problem+json answer), then the rows come from a
   * cursor on the same REPEATABLE READ transaction, 500 at a time, straight into the CSV writer; the connection
   * goes back to the pool when the last line is written or the client goes away.
   */
  private async utilisationCsv(q: UtilisationQueryDto, plan: ReportPlan): Promise<StreamableFile> {
    const qr = this.dataSource.createQueryRunner();
    let totals: FigureRow[];
    try {
      await qr.connect();
      await qr.startTransaction('REPEATABLE READ');
      totals = (await qr.query(plan.totalsSql, plan.params)) as FigureRow[];
    } catch (err) {
      await this.close(qr);
      throw err;
    }
    const client = (qr as QueryRunner & { databaseConnection: PoolClient }).databaseConnection;
    const cursor = client.query(new QueryStream(plan.rowsSql, plan.params, { batchSize: 500 }));
    const record = (r: UtilisationRow | UtilisationTotal) => {
      const { usedByStage, ...rest } = r;
      delete (rest as Partial<UtilisationRow>).drillDown;
      return {
        ...rest,
        usedLabValidation: usedByStage.lab_validation,
        usedPilotMaturation: usedByStage.pilot_maturation,
        usedIndustrialisation: usedByStage.industrialisation,
        usedUnassigned: usedByStage.unassigned,
      };
    };
    const close = () => this.close(qr);
    const row = (r: FigureRow) => this.row(plan.groupBy, q, r, plan.params[2] as Date);
    const total = (t: FigureRow) => ({ ...this.total(t), from: q.from.toISOString(), to: q.to.toISOString() });
    async function* records() {
      try {
        for await (const r of cursor as AsyncIterable<FigureRow>) yield record(row(r));
        for (const t of totals) yield record(total(t));
      } finally {
        cursor.destroy();
        await close();
      }
    }
    const csv = stringify({ bom: true, header: true, columns: CSV_COLUMNS.map(([key, header]) => ({ key, header })) });
    pipeline(Readable.from(records()), csv, (err) => {
      if (err && err.name !== 'AbortError' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.error({ error: loggableError(err) }, 'utilisation CSV failed while streaming');
    });
    return new StreamableFile(csv, { type: CSV_CONTENT_TYPE, disposition: `attachment; filename="utilisation-${plan.groupBy}.csv"` });
  }

  private async close(qr: QueryRunner): Promise<void> {
    try {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
    } finally {
      await qr.release();
    }
  }

  private total(t: FigureRow): UtilisationTotal {
    const unit = String(t.unit);
    return { key: 'total', labelZh: '合计', labelEn: 'Total', unit, ...figures(t) };
  }

  private row(groupBy: ReportGroup, q: UtilisationQueryDto, r: FigureRow, now: Date): UtilisationRow {
    const key = String(r.key);
    const unit = String(r.unit);
    let from = q.from;
    let to = q.to;
    if (groupBy === 'month') {
      const [y, m] = key.split('-').map(Number);
      from = new Date(Math.max(q.from.getTime(), monthStart(y, m).getTime()));
      to = new Date(Math.min(q.to.getTime(), monthStart(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1).getTime()));
    }
    let labelZh = (r.label_zh as string | undefined) ?? null;
    let labelEn = (r.label_en as string | undefined) ?? null;
    if (groupBy === 'city') {
      const city = cityByCode(key);
      labelZh = city?.nameZh ?? null;
      labelEn = city?.nameEn ?? null;
    } else if (groupBy === 'kind' || groupBy === 'direction' || groupBy === 'stage') {
      labelZh = VOCABULARY_LABELS[key]?.zh ?? null;
      labelEn = VOCABULARY_LABELS[key]?.en ?? null;
    } else if (groupBy === 'month') {
      labelZh = `${key.slice(0, 4)}年${Number(key.slice(5))}月`;
      labelEn = key;
    }
    // The lists' filters that reproduce the row: the report's own, the row's group and unit, its period.
    const filters: Record<string, string> = {};
    for (const name of ['facilityId', 'operatorId', 'city', 'kind', 'direction'] as const) if (q[name]) filters[name] = q[name];
    const groupFilter: Partial<Record<ReportGroup, string>> = {
      resource: 'resourceId',
      facility: 'facilityId',
      operator: 'operatorId',
      city: 'city',
      kind: 'kind',
      direction: 'direction',
      stage: 'stage',
    };
    const name = groupFilter[groupBy];
    if (name) filters[name] = key;
    filters.unit = unit;
    const f = from.toISOString();
    const t = to.toISOString();
    // Bookings count as started once their start is not after now: the list's startTo is exclusive.
    const startedBy = new Date(Math.min(to.getTime(), now.getTime() + 1)).toISOString();
    const link = (path: string, extra: Record<string, string>) => `/api/v1/${path}?${new URLSearchParams({ ...filters, ...extra, limit: '200' }).toString()}`;
    // Usage without a booking has no bookings behind it.
    const bookingStage = groupBy !== 'stage' || (CHAIN_STAGES as readonly string[]).includes(key);
    const bookings = (extra: Record<string, string>) => (bookingStage ? link('bookings', extra) : null);
    return {
      key,
      labelZh,
      labelEn,
      unit,
      from: f,
      to: t,
      ...figures(r),
      drillDown: {
        bookings: bookings({ from: f, to: t, counted: 'true', sort: 'startsAt' }),
        usage: link('usage', { from: f, to: t }),
        started: bookings({ startFrom: f, startTo: startedBy, counted: 'true', sort: 'startsAt' }),
        noShows: bookings({ startFrom: f, startTo: startedBy, state: 'no_show', sort: 'startsAt' }),
        decisions: bookings({ decidedFrom: f, decidedTo: t, sort: 'startsAt' }),
        income: bookings({ endFrom: f, endTo: t, state: 'completed', sort: 'startsAt' }),
      },
    };
  }

  /** An enterprise's own bookings, use and spend by resource and stage. */
  async myUsage(auth: AuthUser, q: ReportPeriodDto): Promise<MyUsageReport> {
    checkPeriod(q);
    // The route is the enterprise's (its roles say so); the figures are its organisation's only.
    if (!auth.organisationId) throw forbidden('my-usage is an enterprise’s own report.');
    const params: unknown[] = [q.from, q.to, this.clock.now(), auth.organisationId];
    const rows = await this.dataSource.manager.query<FigureRow[]>(
      figuresSql({
        monthly: false,
        resourceWhere: 'TRUE',
        organisationWhere: (column) => `${column} = $4::uuid`,
        withoutAvailability: true,
        select: [
          'res.resource_id::text AS resource_id',
          'min(res.name_zh) AS name_zh',
          'min(res.name_en) AS name_en',
          'min(res.facility_id::text) AS facility_id',
          'facts.stage AS stage',
        ],
        groupBy: ['res.resource_id', 'facts.stage'],
      }),
      params,
    );
    const out = rows
      .map((r) => ({
        resourceId: r.resource_id as string,
        resourceNameZh: r.name_zh as string,
        resourceNameEn: r.name_en as string,
        facilityId: r.facility_id as string,
        stage: r.stage as string,
        heldUnitHours: Number(r.held_unit_hours),
        usedUnitHours: Number(r.used_unit_hours),
        spendFen: Number(r.income_fen),
      }))
      .filter((r) => r.heldUnitHours > 0 || r.usedUnitHours > 0 || r.spendFen > 0);
    const sum = (k: 'heldUnitHours' | 'usedUnitHours' | 'spendFen') => Math.round(out.reduce((a, r) => a + r[k], 0) * 10_000) / 10_000;
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      rows: out,
      total: { heldUnitHours: sum('heldUnitHours'), usedUnitHours: sum('usedUnitHours'), spendFen: sum('spendFen') },
    };
  }
}

export { UNASSIGNED_STAGE };
