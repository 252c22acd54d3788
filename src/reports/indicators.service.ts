import { Injectable, StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../common/access/access.service';
import { actorOf, type AuthUser } from '../common/auth/auth-user';
import { cityByCode } from '../common/cities';
import { Clock } from '../common/clock';
import { badRequest, forbidden, notFound, unprocessable } from '../common/errors/domain-error';
import { VOCABULARY_LABELS } from '../catalogue/catalogue.constants';
import {
  groupIndicators,
  IndicatorGroup,
  Reference,
  ResourceBase,
  resourceBaseSql,
  ResourceIndicators,
  resourceIndicators,
  SERVICE_KINDS,
  YEAR_HOURS,
} from './indicators';
import { AnnualReturnQueryDto, IndicatorsQueryDto, PutReferenceDto } from './indicators.dto';
import { AnnualReturn, GroupIndicatorRow, IndicatorReference, IndicatorsReport, ResourceIndicatorRow } from './indicators.responses';
import { reportScope } from './report-scope';
import { CSV_CONTENT_TYPE, REPORT_MAX_DAYS } from './reports.service';

/** Used when the reference table is empty (it is seeded with these by the migration). */
const DEFAULT_REFERENCE: Reference = { year: 2025, effectiveHours: 1599, externalHours: 273, fullUseHours: 1200, source: 'built-in 2025 national averages' };

/** Midnight of 1 January `year` in Asia/Shanghai (UTC+8, no daylight saving). */
const yearStart = (year: number) => new Date(Date.UTC(year, 0, 1) - 8 * 3_600_000);

interface ReferenceRow {
  year: number;
  effective_hours: string;
  external_hours: string;
  full_use_hours: string;
  source: string;
  updated_at: Date;
}
const referenceView = (r: ReferenceRow): IndicatorReference => ({
  year: r.year,
  effectiveHours: Number(r.effective_hours),
  externalHours: Number(r.external_hours),
  fullUseHours: Number(r.full_use_hours),
  source: r.source,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** The CSV columns of resource rows and group rows: Chinese and English headers. */
const FIGURE_COLUMNS: Array<[string, string]> = [
  ['effectiveHours', '有效工作机时 effective hours'],
  ['annualisedEffectiveHours', '年有效工作机时(年化) annualised effective hours'],
  ['externalHours', '对外服务机时 external service hours'],
  ['annualisedExternalHours', '对外服务机时(年化) annualised external hours'],
  ['sharingRate', '共享率 sharing rate'],
  ['firmsServed', '服务企业数 firms served'],
  ['smeFirmsServed', '其中中小企业 of which SMEs'],
  ['pilotServices', '中试服务项数 pilot services'],
  ...SERVICE_KINDS.map((c): [string, string] => [`service_${c}`, `${VOCABULARY_LABELS[c]?.zh ?? c} ${c}`]),
  ['incomeFen', '服务收入(分) service income (fen)'],
  ['coreHoursDelivered', '核时 core-hours delivered'],
  ['coreHoursAvailable', '可用核时 core-hours available'],
  ['gpuHoursDelivered', '卡时 GPU card-hours delivered'],
  ['gpuHoursAvailable', '可用卡时 GPU card-hours available'],
];
const RESOURCE_COLUMNS: Array<[string, string]> = [
  ['resourceId', '资源 resource id'],
  ['nameZh', '名称 name (zh)'],
  ['nameEn', '名称 name (en)'],
  ['facilityNameZh', '设施 facility'],
  ['operatorNameZh', '运营单位 operator'],
  ['cityNameZh', '城市 city'],
  ['kind', '类型 kind'],
  ['unit', '计量单位 unit'],
  ['capacity', '容量 capacity'],
  ...FIGURE_COLUMNS,
  ['flags', '预警 flags'],
];
const GROUP_COLUMNS: Array<[string, string]> = [
  ['key', '分组 key'],
  ['labelZh', '名称 name (zh)'],
  ['labelEn', '名称 name (en)'],
  ['resources', '资源数 resources'],
  ...FIGURE_COLUMNS,
  ['annualisedEffectiveHoursPerResource', '台均年有效工作机时 annualised effective hours per resource'],
  ['flagged_below_1200h', '低于1200机时 below 1,200 h'],
  ['flagged_below_national_effective', '低于全国平均有效机时 below national effective'],
  ['flagged_below_national_external', '低于全国平均对外机时 below national external'],
];

/** A CSV line of an indicator row: the nested figures flattened. */
function csvRecord(row: Record<string, unknown>): Record<string, unknown> {
  const { servicesByCategory, flagged, flags, ...rest } = row as Record<string, unknown> & {
    servicesByCategory: Record<string, number>;
    flagged?: Record<string, number>;
    flags?: string[];
  };
  const out: Record<string, unknown> = { ...rest };
  for (const [c, n] of Object.entries(servicesByCategory)) out[`service_${c}`] = n;
  if (flagged) for (const [f, n] of Object.entries(flagged)) out[`flagged_${f}`] = n;
  if (flags) out.flags = flags.join(';');
  return out;
}

/** Official indicators (src/reports/indicators.ts) per resource and group, the annual return, and the reference values. */
@Injectable()
export class IndicatorsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async indicators(auth: AuthUser, q: IndicatorsQueryDto): Promise<IndicatorsReport | StreamableFile> {
    const report = await this.indicatorsReport(auth, q);
    if (q.format !== 'csv') return report;
    const grouped = report.groupBy !== 'resource';
    const rows = (grouped ? report.groups : report.resources) as unknown as Array<Record<string, unknown>>;
    const total = { key: 'total', resourceId: 'total', labelZh: '合计', nameZh: '合计', labelEn: 'Total', nameEn: 'Total', ...report.total };
    return this.csv(grouped ? GROUP_COLUMNS : RESOURCE_COLUMNS, [...rows, total], `indicators-${report.groupBy}.csv`);
  }

  async indicatorsReport(auth: AuthUser, q: IndicatorsQueryDto): Promise<IndicatorsReport> {
    if (!this.access.holds(auth, 'report.read')) throw forbidden('Indicators are for operators, officials and admins.');
    const period = this.period(q);
    const groupBy = q.groupBy ?? 'resource';
    const { reference, resources, snapshotDays } = await this.compute(auth, period, q);
    const listed = q.flag ? resources.filter((r) => r.indicators.flags.includes(q.flag!)) : resources;
    return {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      year: period.year,
      yearHours: period.yearHours,
      reference: { ...reference, updatedAt: reference.updatedAt },
      groupBy,
      snapshotDays,
      resources: listed.map((r) => this.resourceRow(r)),
      groups: groupBy === 'resource' ? [] : this.groups(groupBy, listed),
      total: groupIndicators(listed),
    };
  }

  /** One operator's annual return: per resource, totals, and the flagged resources. */
  async annualReturn(auth: AuthUser, q: AnnualReturnQueryDto): Promise<AnnualReturn | StreamableFile> {
    if (!this.access.holds(auth, 'report.read')) throw forbidden('The annual return is filed by an operator and read by officials and admins.');
    let operatorId = q.operatorId;
    if (auth.role === 'operator') {
      if (operatorId && operatorId !== auth.organisationId) throw forbidden('An operator reads its own annual return only.');
      operatorId = auth.organisationId!;
    } else if (!operatorId) {
      throw badRequest('validation_failed', 'operatorId is required: the operator whose return to show.', [
        { field: 'operatorId', message: 'operatorId is required' },
      ]);
    }
    const [operator] = await this.dataSource.query<Array<{ id: string; name_zh: string; name_en: string | null }>>(
      `SELECT id, name_zh, name_en FROM organisations WHERE id = $1 AND kind = 'operator'`,
      [operatorId],
    );
    if (!operator) throw notFound('Operator');
    const period = this.period({ year: q.year });
    const { reference, resources } = await this.compute(auth, period, { operatorId });
    const rows = resources.map((r) => this.resourceRow(r));
    const report: AnnualReturn = {
      operator: { id: operator.id, nameZh: operator.name_zh, nameEn: operator.name_en },
      year: q.year,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      yearHours: period.yearHours,
      reference,
      resources: rows,
      total: groupIndicators(resources),
      flagged: rows.filter((r) => r.flags.length > 0),
    };
    if (q.format !== 'csv') return report;
    const total = { resourceId: 'total', nameZh: '合计', nameEn: 'Total', ...report.total };
    return this.csv(RESOURCE_COLUMNS, [...(rows as unknown as Array<Record<string, unknown>>), total], `annual-return-${q.year}.csv`);
  }

  async listReferences(auth: AuthUser): Promise<{ items: IndicatorReference[] }> {
    if (!this.access.holds(auth, 'report.read')) throw forbidden('Reference values are for operators, officials and admins.');
    const rows = await this.dataSource.query<ReferenceRow[]>(`SELECT * FROM indicator_references ORDER BY year DESC`);
    return { items: rows.map(referenceView) };
  }

  /** An admin sets a year's reference values (audited in the same transaction). */
  async putReference(auth: AuthUser, year: number, dto: PutReferenceDto): Promise<IndicatorReference> {
    if (auth.role !== 'admin') throw forbidden('Only admins update the reference values.');
    return this.dataSource.transaction(async (em) => {
      const [before] = await em.query<ReferenceRow[]>(`SELECT * FROM indicator_references WHERE year = $1 FOR UPDATE`, [year]);
      const [row] = await em.query<ReferenceRow[]>(
        `INSERT INTO indicator_references (year, effective_hours, external_hours, full_use_hours, source, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (year) DO UPDATE SET effective_hours = EXCLUDED.effective_hours, external_hours = EXCLUDED.external_hours,
               full_use_hours = EXCLUDED.full_use_hours, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING *`,
        [year, dto.effectiveHours, dto.externalHours, dto.fullUseHours, dto.source, this.clock.now(), auth.userId],
      );
      const view = referenceView(row);
      await this.audit.record(em, actorOf(auth), {
        action: before ? 'indicator_reference.updated' : 'indicator_reference.created',
        entityType: 'indicator_reference',
        entityId: String(year),
        data: { before: before ? referenceView(before) : null, after: view },
      });
      return view;
    });
  }

  private period(q: { year?: number; from?: Date; to?: Date }): { from: Date; to: Date; year: number | null; yearHours: number } {
    if (q.year !== undefined) {
      if (q.from || q.to) throw unprocessable('period_ambiguous', 'Give either year or from and to, not both.');
      const from = yearStart(q.year);
      const end = yearStart(q.year + 1);
      const now = this.clock.now();
      if (now.getTime() <= from.getTime()) throw unprocessable('period_not_begun', `${q.year} has not begun: there is nothing to report yet.`);
      // The current year runs to now and is annualised from there.
      const to = now.getTime() < end.getTime() ? now : end;
      return { from, to, year: q.year, yearHours: (end.getTime() - from.getTime()) / 3_600_000 };
    }
    if (!q.from || !q.to) throw unprocessable('period_missing', 'Give a year, or from and to.');
    if (q.to.getTime() <= q.from.getTime())
      throw badRequest('validation_failed', 'to must be after from.', [{ field: 'to', message: 'to must be after from' }]);
    if (q.to.getTime() - q.from.getTime() > REPORT_MAX_DAYS * 86_400_000)
      throw badRequest('validation_failed', `A period spans at most ${REPORT_MAX_DAYS} days.`, [
        { field: 'to', message: `to must be at most ${REPORT_MAX_DAYS} days after from` },
      ]);
    return { from: q.from, to: q.to, year: null, yearHours: YEAR_HOURS };
  }

  /** The reference values of a year: the latest year not after it (else the earliest there is). */
  private async reference(em: EntityManager, year: number): Promise<IndicatorReference> {
    const [row] = await em.query<ReferenceRow[]>(
      `SELECT * FROM indicator_references ORDER BY (year <= $1) DESC, CASE WHEN year <= $1 THEN -year ELSE year END LIMIT 1`,
      [year],
    );
    return row ? referenceView(row) : { ...DEFAULT_REFERENCE, updatedAt: new Date(0).toISOString() };
  }

  private async compute(
    auth: AuthUser,
    period: { from: Date; to: Date; yearHours: number },
    q: Pick<IndicatorsQueryDto, 'facilityId' | 'operatorId' | 'city' | 'kind' | 'direction'>,
  ) {
    const { params, resourceWhere } = reportScope(this.access, auth, period.from, period.to, this.clock.now(), q);
    const referenceYear = new Date(period.from.getTime() + 8 * 3_600_000).getUTCFullYear();
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const reference = await this.reference(em, referenceYear);
      const bases = await em.query<ResourceBase[]>(resourceBaseSql(resourceWhere), params);
      return {
        reference,
        snapshotDays: bases[0]?.snapshot_days ?? 0,
        resources: bases.map((base) => ({ base, indicators: resourceIndicators(base, period.yearHours, reference) })),
      };
    });
  }

  private resourceRow(r: { base: ResourceBase; indicators: ResourceIndicators }): ResourceIndicatorRow {
    const b = r.base;
    return {
      resourceId: b.resource_id,
      nameZh: b.name_zh,
      nameEn: b.name_en,
      unit: b.unit,
      capacity: b.capacity,
      kind: b.kind,
      city: b.city_code,
      cityNameZh: cityByCode(b.city_code)?.nameZh ?? b.city_code,
      facilityId: b.facility_id,
      facilityNameZh: b.facility_name_zh,
      facilityNameEn: b.facility_name_en,
      operatorId: b.operator_id,
      operatorNameZh: b.operator_name_zh,
      ...r.indicators,
    };
  }

  private groups(groupBy: Exclude<IndicatorGroup, 'resource'>, members: Array<{ base: ResourceBase; indicators: ResourceIndicators }>): GroupIndicatorRow[] {
    const keyed = new Map<string, { labelZh: string | null; labelEn: string | null; members: typeof members }>();
    for (const m of members) {
      const b = m.base;
      const keys: Array<[string, string | null, string | null]> =
        groupBy === 'facility'
          ? [[b.facility_id, b.facility_name_zh, b.facility_name_en]]
          : groupBy === 'operator'
            ? [[b.operator_id, b.operator_name_zh, b.operator_name_en]]
            : groupBy === 'city'
              ? [[b.city_code, cityByCode(b.city_code)?.nameZh ?? null, cityByCode(b.city_code)?.nameEn ?? null]]
              : (groupBy === 'kind' ? [b.kind] : b.directions).map((k): [string, string | null, string | null] => [
                  k,
                  VOCABULARY_LABELS[k]?.zh ?? null,
                  VOCABULARY_LABELS[k]?.en ?? null,
                ]);
      for (const [key, labelZh, labelEn] of keys) {
        const entry = keyed.get(key) ?? { labelZh, labelEn, members: [] };
        entry.members.push(m);
        keyed.set(key, entry);
      }
    }
    return [...keyed.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, g]) => ({ key, labelZh: g.labelZh, labelEn: g.labelEn, ...groupIndicators(g.members) }));
  }

  private csv(columns: Array<[string, string]>, rows: Array<Record<string, unknown>>, filename: string): StreamableFile {
    const csv = stringify({ bom: true, header: true, columns: columns.map(([key, header]) => ({ key, header })) });
    for (const row of rows) csv.write(csvRecord(row));
    csv.end();
    return new StreamableFile(csv, { type: CSV_CONTENT_TYPE, disposition: `attachment; filename="${filename}"` });
  }
}
