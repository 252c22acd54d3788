import { Injectable, StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { DataSource } from 'typeorm';
import { AccessService } from '../common/access/access.service';
import type { AuthUser } from '../common/auth/auth-user';
import { cityByCode } from '../common/cities';
import { Clock } from '../common/clock';
import { badRequest, forbidden } from '../common/errors/domain-error';
import { CHAIN_STAGES } from '../catalogue/catalogue.constants';
import { ReportGroup, ReportPeriodDto, UtilisationQueryDto } from './reports.dto';
import { MyUsageReport, UtilisationFigures, UtilisationReport, UtilisationRow } from './reports.responses';
import { FigureRow, figuresSql, ratesOf, UNASSIGNED_STAGE } from './utilisation-figures';

/** At most this many days per report. */
export const REPORT_MAX_DAYS = 1100;
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** Per groupBy: the row's columns (key, labels) and its GROUP BY, over `res`, `facts` and `d`. */
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

@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /** The utilisation report (JSON), or its rows as a streamed CSV file. */
  async utilisation(auth: AuthUser, q: UtilisationQueryDto): Promise<UtilisationReport | StreamableFile> {
    const report = await this.utilisationReport(auth, q);
    if (q.format !== 'csv') return report;
    const csv = stringify({ bom: true, header: true, columns: CSV_COLUMNS.map(([key, header]) => ({ key, header })) });
    for (const row of report.rows) {
      const { usedByStage, drillDown: _drillDown, ...rest } = row;
      csv.write({
        ...rest,
        usedLabValidation: usedByStage.lab_validation,
        usedPilotMaturation: usedByStage.pilot_maturation,
        usedIndustrialisation: usedByStage.industrialisation,
        usedUnassigned: usedByStage.unassigned,
      });
    }
    csv.end();
    return new StreamableFile(csv, { type: CSV_CONTENT_TYPE, disposition: `attachment; filename="utilisation-${report.groupBy}.csv"` });
  }

  async utilisationReport(auth: AuthUser, q: UtilisationQueryDto): Promise<UtilisationReport> {
    if (!this.access.holds(auth, 'report.read'))
      throw forbidden('Utilisation reports are for operators, officials and admins; an enterprise reads GET /reports/my-usage.');
    checkPeriod(q);
    const groupBy = q.groupBy ?? 'facility';
    const params: unknown[] = [q.from, q.to, this.clock.now()];
    const scope = this.access.scope(auth, 'report.read', params.length + 1);
    params.push(...scope.params);
    const where = [scope.sql];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.facilityId) add('f.id = ?', q.facilityId);
    if (q.operatorId) add('f.operator_id = ?', q.operatorId);
    if (q.city) add('f.city_code = ?', q.city);
    if (q.kind) add('f.kind = ?', q.kind);
    if (q.direction) add('? = ANY(f.directions)', q.direction);
    const resourceWhere = where.join(' AND ');
    const group = GROUPS[groupBy];
    const em = this.dataSource.manager;
    const rows = await em.query<FigureRow[]>(
      figuresSql({
        monthly: groupBy === 'month',
        resourceWhere,
        withoutAvailability: groupBy === 'stage',
        perDirection: groupBy === 'direction',
        select: group.select,
        groupBy: group.groupBy,
      }),
      params,
    );
    const [total] = await em.query<FigureRow[]>(figuresSql({ monthly: false, resourceWhere, select: [`'total' AS key`], groupBy: [] }), params);
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      groupBy,
      rows: rows.map((r) => this.row(groupBy, q, r)),
      total: figures(total),
    };
  }

  private row(groupBy: ReportGroup, q: UtilisationQueryDto, r: FigureRow): UtilisationRow {
    const key = String(r.key);
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
    }
    // The lists' filters that reproduce the row: the report's own, the row's group, its period.
    const filters: Record<string, string> = { from: from.toISOString(), to: to.toISOString() };
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
    const query = (extra: Record<string, string>) => new URLSearchParams({ ...filters, ...extra, limit: '200' }).toString();
    const bookingStage = groupBy !== 'stage' || (CHAIN_STAGES as readonly string[]).includes(key);
    return {
      key,
      labelZh,
      labelEn,
      from: from.toISOString(),
      to: to.toISOString(),
      ...figures(r),
      drillDown: {
        bookings: bookingStage ? `/api/v1/bookings?${query({ counted: 'true', sort: 'startsAt' })}` : null,
        usage: `/api/v1/usage?${query({})}`,
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
