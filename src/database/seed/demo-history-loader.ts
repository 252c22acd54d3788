import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Actor } from '../../common/auth/auth-user';
import { Clock } from '../../common/clock';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { NotificationsService } from '../../notifications/notifications.service';
import { Organisation } from '../../organisations/organisation.entity';
import { OrganisationsService } from '../../organisations/organisations.service';
import { User } from '../../organisations/user.entity';
import { UsersService } from '../../organisations/users.service';
import { ReportSnapshotsService } from '../../reports/report-snapshots.service';
import { DEMO_PASSWORD, demoCreditCode } from './demo-accounts';
import { generateHistory, GeneratedHistory, HistoryOrganisationInput, HistoryResourceInput } from './demo-history';
import { HISTORY_ENTERPRISES, HISTORY_PROJECTS } from './demo-history.data';

const SEED_ACTOR: Actor = { kind: 'system', label: 'demo seed' };
const DAY = 86_400_000;
/** The audit entry that marks the history as loaded: a second load finds it and changes nothing. */
export const HISTORY_MARKER = 'demo.history_loaded';

export interface HistoryLoadResult {
  loaded: boolean;
  enterprises: number;
  bookings: number;
  usageRecords: number;
  imports: number;
  auditEntries: number;
  snapshotDays: number;
  ms: number;
}

/** A Slurm cluster name from a facility's English name: "Demo Shenyang Supercomputing Centre" → "shenyang-supercomputing-centre". */
export const clusterName = (nameEn: string): string =>
  nameEn
    .replace(/^Demo\s+/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64) || 'cluster';

/**
 * Loads the demo history (demo-history.ts) onto the demo catalogue: the history's enterprises and their
 * staff through the organisation and user services, then every generated row with bulk SQL in one
 * transaction — under the same constraints and triggers as the API's writes (exclusion constraint,
 * append-only usage and imports, project stage history), with the audit entries of every change — then
 * the audit chain is sealed and the daily report snapshots of the past year are built.
 */
@Injectable()
export class DemoHistoryLoader {
  private readonly logger = new Logger('DemoHistory');

  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly snapshots: ReportSnapshotsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async alreadyLoaded(em: EntityManager = this.dataSource.manager): Promise<boolean> {
    const [row] = await em.query<Array<{ present: boolean }>>(`SELECT EXISTS (SELECT 1 FROM audit_entries WHERE action = $1) AS present`, [HISTORY_MARKER]);
    return row.present;
  }

  async load(): Promise<HistoryLoadResult> {
    const started = Date.now();
    const none: HistoryLoadResult = { loaded: false, enterprises: 0, bookings: 0, usageRecords: 0, imports: 0, auditEntries: 0, snapshotDays: 0, ms: 0 };
    if (await this.alreadyLoaded()) {
      this.logger.log('demo history: already loaded, nothing to do');
      return none;
    }
    const now = this.clock.now();
    // The history is generated as of the start of the current hour: every load within one hour gives the same rows.
    const asOf = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    const { historyStart, futureEnd } = historyWindow(asOf);
    let result = none;
    await this.dataSource.transaction(async (em) => {
      // One loader at a time (two instances starting on one fresh database): the second finds the marker.
      await em.query(`SELECT pg_advisory_xact_lock(7316100, 16)`);
      if (await this.alreadyLoaded(em)) return;
      const { enterprises, created } = await this.ensureEnterprises(em);
      this.logger.log(`demo history 1/5: ${enterprises.length} enterprises (${created} created)`);
      const resources = await this.catalogueSnapshot(em, historyStart, futureEnd);
      const history = generateHistory({
        now: asOf,
        historyStart,
        futureEnd,
        resources,
        enterprises,
        projects: HISTORY_PROJECTS,
        decisionDeadlineHours: this.config.jobs.decisionDeadlineHours,
        noShowGraceMinutes: this.config.jobs.noShowGraceMinutes,
      });
      this.logger.log(
        `demo history 2/5: generated ${history.bookings.length} bookings, ${history.usage.length} usage records, ${history.imports.length} Slurm imports, ` +
          `${history.maintenance.length} maintenance windows and ${history.projects.length} projects on ${resources.length} resources`,
      );
      await this.write(em, history, historyStart);
      await this.notifyUpcoming(em, history, resources);
      const audited = await this.audit.recordMany(em, [
        ...history.audit.map((a) => ({
          actor: a.actor,
          at: a.at,
          record: { action: a.action, entityType: a.entityType, entityId: a.entityId, organisationId: a.organisationId, data: a.data },
        })),
        {
          actor: SEED_ACTOR,
          at: now,
          record: {
            action: HISTORY_MARKER,
            entityType: 'demo',
            entityId: 'history',
            data: { from: historyStart.toISOString(), to: futureEnd.toISOString(), bookings: history.bookings.length, usageRecords: history.usage.length },
          },
        },
      ]);
      this.logger.log(`demo history 3/5: written with ${audited} audit entries`);
      result = {
        loaded: true,
        enterprises: created,
        bookings: history.bookings.length,
        usageRecords: history.usage.length,
        imports: history.imports.length,
        auditEntries: audited,
        snapshotDays: 0,
        ms: 0,
      };
    });
    if (!result.loaded) return none;
    const sealed = await this.audit.seal();
    this.logger.log(`demo history 4/5: audit chain sealed (${sealed.sealed} entries)`);
    const from = historyStart.toISOString().slice(0, 10);
    const to = new Date(now.getTime() + DAY).toISOString().slice(0, 10);
    const run = await this.snapshots.rebuild(from, to, (done, total, day) => {
      if (done % 60 === 0 || done === total) this.logger.log(`demo history 5/5: report snapshots ${done}/${total} days (${day})`);
    });
    result.snapshotDays = run.days.length;
    result.ms = Date.now() - started;
    this.logger.log(
      `demo history ready in ${result.ms} ms: ${result.bookings} bookings, ${result.usageRecords} usage records, ${result.imports} imports, ` +
        `${result.auditEntries} audit entries, ${result.snapshotDays} snapshot days`,
    );
    return result;
  }

  /** The history's enterprises with one staff account each (created when absent), plus the two original demo SMEs. */
  private async ensureEnterprises(em: EntityManager): Promise<{ enterprises: HistoryOrganisationInput[]; created: number }> {
    const enterprises: HistoryOrganisationInput[] = [];
    let created = 0;
    for (const [i, e] of HISTORY_ENTERPRISES.entries()) {
      let user = await em.findOne(User, { where: { email: e.email } });
      if (!user) {
        const creditCode = demoCreditCode(e.cityCode, 100 + i);
        const org =
          (await em.findOne(Organisation, { where: { creditCode } })) ??
          (await this.organisations.insert(em, SEED_ACTOR, {
            kind: 'enterprise',
            nameZh: e.nameZh,
            nameEn: e.nameEn,
            cityCode: e.cityCode,
            creditCode,
            sme: e.sme,
          }));
        user = await this.users.insert(em, SEED_ACTOR, {
          email: e.email,
          displayName: e.displayName,
          role: 'enterprise',
          password: DEMO_PASSWORD,
          organisationId: org.id,
        });
        created++;
      }
      enterprises.push({
        key: e.key,
        organisationId: user.organisationId!,
        userId: user.id,
        email: e.email,
        cityCode: e.cityCode,
        sme: e.sme,
        directions: e.directions,
        weight: e.sme ? 1 : 1.5,
      });
    }
    // The first demo accounts: their staff see a busy calendar of their own when they sign in.
    for (const [email, key, directions] of [
      ['sme@demo.local', 'sme', ['new_materials', 'new_energy']],
      ['sme2@demo.local', 'sme2', ['new_energy', 'green_low_carbon']],
    ] as const) {
      const [row] = await em.query<Array<{ user_id: string; organisation_id: string; city_code: string; sme: boolean }>>(
        `SELECT u.id AS user_id, o.id AS organisation_id, o.city_code, o.sme FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.email = $1`,
        [email],
      );
      if (row)
        enterprises.push({
          key,
          organisationId: row.organisation_id,
          userId: row.user_id,
          email,
          cityCode: row.city_code.trim(),
          sme: row.sme,
          directions: [...directions],
          weight: 3,
        });
    }
    return { enterprises, created };
  }

  /** The active demo catalogue with each resource's operator account and its opening intervals over the window. */
  private async catalogueSnapshot(em: EntityManager, from: Date, to: Date): Promise<HistoryResourceInput[]> {
    const rows = await em.query<Array<Record<string, unknown>>>(
      `SELECT r.id, r.facility_id, f.name_en AS facility_name_en, f.kind AS facility_kind, f.city_code, f.directions, f.stages, f.time_zone,
              f.operator_id, op.id AS operator_user_id, op.email AS operator_email, r.name_en, r.name_zh, r.mode, r.capacity, r.unit,
              r.min_duration_minutes, r.max_duration_minutes, r.lead_time_minutes, r.horizon_days, r.buffer_before_minutes, r.buffer_after_minutes,
              r.approval_required, r.price_per_unit_hour_fen::int AS price_per_unit_hour_fen, r.sme_discount_percent, r.max_unit_hours_per_30_days,
              r.max_open_requests, r.slot_minutes
         FROM resources r
         JOIN facilities f ON f.id = r.facility_id
         JOIN LATERAL (SELECT u.id, u.email FROM users u WHERE u.organisation_id = f.operator_id AND u.role = 'operator' AND u.active ORDER BY u.email LIMIT 1) op ON TRUE
        WHERE r.active AND f.active`,
    );
    const open = await em.query<Array<{ id: string; a: Date; b: Date }>>(
      `SELECT r.id, lower(x) AS a, upper(x) AS b
         FROM resources r CROSS JOIN LATERAL unnest(resource_opening(r.id, $1, $2)) AS x
        WHERE r.active ORDER BY r.id, lower(x)`,
      [from, to],
    );
    const byResource = new Map<string, Array<[number, number]>>();
    for (const o of open) byResource.set(o.id, [...(byResource.get(o.id) ?? []), [new Date(o.a).getTime(), new Date(o.b).getTime()]]);
    return rows.map((r) => ({
      id: r.id as string,
      facilityId: r.facility_id as string,
      facilityNameEn: r.facility_name_en as string,
      facilitySlug: clusterName(r.facility_name_en as string),
      facilityKind: r.facility_kind as string,
      cityCode: (r.city_code as string).trim(),
      directions: r.directions as HistoryResourceInput['directions'],
      stages: r.stages as HistoryResourceInput['stages'],
      timeZone: r.time_zone as string,
      operator: { organisationId: r.operator_id as string, userId: r.operator_user_id as string, email: r.operator_email as string },
      nameEn: r.name_en as string,
      nameZh: r.name_zh as string,
      mode: r.mode as HistoryResourceInput['mode'],
      capacity: r.capacity as number,
      unit: r.unit as HistoryResourceInput['unit'],
      minDurationMinutes: r.min_duration_minutes as number,
      maxDurationMinutes: r.max_duration_minutes as number,
      leadTimeMinutes: r.lead_time_minutes as number,
      horizonDays: r.horizon_days as number,
      bufferBeforeMinutes: r.buffer_before_minutes as number,
      bufferAfterMinutes: r.buffer_after_minutes as number,
      approvalRequired: r.approval_required as boolean,
      pricePerUnitHourFen: r.price_per_unit_hour_fen as number,
      smeDiscountPercent: r.sme_discount_percent as number,
      maxUnitHoursPer30Days: r.max_unit_hours_per_30_days as number | null,
      maxOpenRequests: r.max_open_requests as number | null,
      slotMinutes: r.slot_minutes as number,
      open: byResource.get(r.id as string) ?? [],
    }));
  }

  /** Every generated row, with bulk inserts (arrays through unnest), in the order the foreign keys need. */
  private async write(em: EntityManager, h: GeneratedHistory, historyStart: Date): Promise<void> {
    // The catalogue was there all year: its available hours start with the history.
    await em.query(`UPDATE facilities SET created_at = least(created_at, $1)`, [historyStart]);
    await em.query(`UPDATE resources SET created_at = least(created_at, $1)`, [historyStart]);
    await bulk(
      em,
      `INSERT INTO maintenance_windows (id, resource_id, period, reason, created_by, created_at)
       SELECT u.id, u.resource_id, tstzrange(u.s, u.e, '[)'), u.reason, u.created_by, u.created_at
         FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::uuid[], $7::timestamptz[])
              AS u(id, resource_id, s, e, reason, created_by, created_at)`,
      h.maintenance.map((m) => [m.id, m.resourceId, m.startsAt, m.endsAt, m.reason, m.createdBy, m.createdAt]),
    );
    await bulk(
      em,
      `INSERT INTO projects (id, organisation_id, title_zh, title_en, description, direction, stage, started_on, created_by, created_at, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::uuid[], $10::timestamptz[], $11::timestamptz[])`,
      h.projects.map((p) => [
        p.id,
        p.organisationId,
        p.titleZh,
        p.titleEn,
        p.description,
        p.direction,
        p.stage,
        p.startedOn,
        p.createdBy,
        p.createdAt,
        p.updatedAt,
      ]),
    );
    await bulk(
      em,
      `INSERT INTO project_stage_history (project_id, stage, entered_on, left_on, move, evidence, entered_by, entered_at)
       SELECT u.project_id, u.stage, u.entered_on, u.left_on, u.move, u.evidence, u.entered_by, u.entered_at
         FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[], $7::uuid[], $8::timestamptz[], $9::int[])
              AS u(project_id, stage, entered_on, left_on, move, evidence, entered_by, entered_at, n)
        ORDER BY u.n`,
      h.projects.flatMap((p, pi) =>
        p.stages.map((s, si) => [p.id, s.stage, s.enteredOn, s.leftOn, s.move, s.evidence, p.createdBy, s.enteredAt, pi * 10 + si]),
      ),
    );
    await bulk(
      em,
      `INSERT INTO bookings (id, resource_id, facility_id, organisation_id, requested_by, period, blocked, exclusive, units, state, stage, purpose, project_id,
                             price_fen, list_price_fen, discount_percent, decided_by, decided_at, decision_reason, cancelled_by, cancelled_at, cancel_reason,
                             checked_in_by, checked_in_at, checked_out_by, checked_out_at, ended_by_job, ended_at, version, created_at, updated_at, service_category)
       SELECT u.id, u.resource_id, u.facility_id, u.organisation_id, u.requested_by, tstzrange(u.s, u.e, '[)'), tstzrange(u.bs, u.be, '[)'), u.exclusive, u.units,
              u.state, u.stage, u.purpose, u.project_id, u.price_fen, u.list_price_fen, u.discount_percent, u.decided_by, u.decided_at, u.decision_reason,
              u.cancelled_by, u.cancelled_at, u.cancel_reason, u.checked_in_by, u.checked_in_at, u.checked_out_by, u.checked_out_at, u.ended_by_job, u.ended_at,
              u.version, u.created_at, u.updated_at, u.service_category
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],
                     $10::boolean[], $11::int[], $12::text[], $13::text[], $14::text[], $15::uuid[], $16::bigint[], $17::bigint[], $18::int[], $19::uuid[],
                     $20::timestamptz[], $21::text[], $22::uuid[], $23::timestamptz[], $24::text[], $25::uuid[], $26::timestamptz[], $27::uuid[],
                     $28::timestamptz[], $29::text[], $30::timestamptz[], $31::int[], $32::timestamptz[], $33::timestamptz[], $34::text[])
              AS u(id, resource_id, facility_id, organisation_id, requested_by, s, e, bs, be, exclusive, units, state, stage, purpose, project_id, price_fen,
                   list_price_fen, discount_percent, decided_by, decided_at, decision_reason, cancelled_by, cancelled_at, cancel_reason, checked_in_by,
                   checked_in_at, checked_out_by, checked_out_at, ended_by_job, ended_at, version, created_at, updated_at, service_category)`,
      h.bookings.map((b) => [
        b.id,
        b.resourceId,
        b.facilityId,
        b.organisationId,
        b.requestedBy,
        b.startsAt,
        b.endsAt,
        b.blockedFrom,
        b.blockedUntil,
        b.exclusive,
        b.units,
        b.state,
        b.stage,
        b.purpose,
        b.projectId,
        b.priceFen,
        b.listPriceFen,
        b.discountPercent,
        b.decidedBy,
        b.decidedAt,
        b.decisionReason,
        b.cancelledBy,
        b.cancelledAt,
        b.cancelReason,
        b.checkedInBy,
        b.checkedInAt,
        b.checkedOutBy,
        b.checkedOutAt,
        b.endedByJob,
        b.endedAt,
        b.version,
        b.createdAt,
        b.updatedAt,
        b.serviceCategory,
      ]),
      1000,
    );
    this.logger.log(`demo history: ${h.bookings.length} bookings written`);
    await bulk(
      em,
      `INSERT INTO usage_imports (id, facility_id, cluster, file_name, sha256, bytes, lines, imported, duplicates, steps, pending, running, zero, unmapped, rejected,
                                  unit_hours, details, imported_by, imported_by_label, imported_at)
       SELECT u.id, u.facility_id, u.cluster, u.file_name, u.sha256, u.bytes, u.lines, u.imported, 0, u.steps, 0, 0, 0, 0, 0, u.unit_hours,
              '{"unmapped":{"jobs":0,"accounts":[],"partitions":[]},"rejectedLines":[],"runningJobIds":[]}'::jsonb, u.imported_by, u.imported_by_label, u.imported_at
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[], $8::int[], $9::int[], $10::jsonb[], $11::uuid[],
                     $12::text[], $13::timestamptz[])
              AS u(id, facility_id, cluster, file_name, sha256, bytes, lines, imported, steps, unit_hours, imported_by, imported_by_label, imported_at)`,
      h.imports.map((i) => [
        i.id,
        i.facilityId,
        i.cluster,
        i.fileName,
        i.sha256,
        i.bytes,
        i.lines,
        i.imported,
        i.steps,
        JSON.stringify(i.unitHours),
        i.importedBy,
        i.importedByLabel,
        i.importedAt,
      ]),
    );
    await bulk(
      em,
      `INSERT INTO slurm_mappings (id, facility_id, cluster, kind, name, organisation_id, resource_id, created_by, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[], $9::timestamptz[])`,
      h.mappings.map((m) => [m.id, m.facilityId, m.cluster, m.kind, m.name, m.organisationId, m.resourceId, m.createdBy, m.createdAt]),
    );
    // Originals first, then the corrections that supersede them, then the originals are marked superseded
    // (the only UPDATE the append-only guard of usage_records lets through).
    const usageRow = (u: GeneratedHistory['usage'][number]) => [
      u.id,
      u.resourceId,
      u.facilityId,
      u.organisationId,
      u.bookingId,
      u.startsAt,
      u.endsAt,
      u.unit,
      u.unitsUsed,
      u.unitHours,
      u.source,
      u.note,
      u.recordedBy,
      u.recordedByLabel,
      u.recordedAt,
      u.supersedes,
      u.importId,
      u.slurm?.cluster ?? null,
      u.slurm?.jobId ?? null,
      u.slurm?.user ?? null,
      u.slurm?.account ?? null,
      u.slurm?.partition ?? null,
      u.slurm?.state ?? null,
    ];
    const usageSql = `INSERT INTO usage_records (id, resource_id, facility_id, organisation_id, booking_id, starts_at, ends_at, unit, units_used, unit_hours, source, note,
                                   recorded_by, recorded_by_label, recorded_at, supersedes, import_id, slurm_cluster, slurm_job_id, slurm_user, slurm_account,
                                   slurm_partition, slurm_state)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::int[], $10::numeric[],
                            $11::text[], $12::text[], $13::uuid[], $14::text[], $15::timestamptz[], $16::uuid[], $17::uuid[], $18::text[], $19::text[], $20::text[],
                            $21::text[], $22::text[], $23::text[])`;
    await bulk(em, usageSql, h.usage.filter((u) => !u.supersedes).map(usageRow), 2000);
    await bulk(em, usageSql, h.usage.filter((u) => u.supersedes).map(usageRow));
    const superseded = h.usage.filter((u) => u.supersededBy);
    if (superseded.length > 0)
      await em.query(
        `UPDATE usage_records r SET superseded_by = c.by, superseded_at = c.at
           FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS c(id, by, at) WHERE r.id = c.id`,
        [superseded.map((u) => u.id), superseded.map((u) => u.supersededBy), superseded.map((u) => u.supersededAt)],
      );
    this.logger.log(`demo history: ${h.usage.length} usage records written (${superseded.length} corrected)`);
  }

  /** The coming weeks' requests and approvals reach the operators' and enterprises' inboxes, as they would have. */
  private async notifyUpcoming(em: EntityManager, h: GeneratedHistory, resources: HistoryResourceInput[]): Promise<void> {
    const now = this.clock.now().getTime();
    const upcoming = h.bookings.filter((b) => !b.internal && b.startsAt.getTime() > now && (b.state === 'pending' || b.state === 'approved'));
    if (upcoming.length === 0) return;
    const byId = new Map(resources.map((r) => [r.id, r]));
    const names = new Map<string, { zh: string; en: string | null }>();
    const orgRows = await em.query<Array<{ id: string; name_zh: string; name_en: string | null }>>(
      `SELECT id, name_zh, name_en FROM organisations WHERE id = ANY($1)`,
      [[...new Set(upcoming.map((b) => b.organisationId))]],
    );
    for (const o of orgRows) names.set(o.id, { zh: o.name_zh, en: o.name_en });
    const facilityRows = await em.query<Array<{ id: string; name_zh: string; name_en: string }>>(`SELECT id, name_zh, name_en FROM facilities`);
    const facilities = new Map(facilityRows.map((f) => [f.id, f]));
    for (const b of upcoming) {
      const r = byId.get(b.resourceId)!;
      const f = facilities.get(b.facilityId)!;
      const org = names.get(b.organisationId)!;
      const notice = {
        bookingId: b.id,
        organisationId: b.organisationId,
        operatorId: r.operator.organisationId,
        resourceNameZh: r.nameZh,
        resourceNameEn: r.nameEn,
        facilityNameZh: f.name_zh,
        facilityNameEn: f.name_en,
        organisationNameZh: org.zh,
        organisationNameEn: org.en,
        startsAt: b.startsAt,
        endsAt: b.endsAt,
        timeZone: r.timeZone,
        reason: null,
      };
      await this.notifications.notifyBooking(em, 'booking_requested', notice, b.createdAt);
      if (b.state === 'approved') await this.notifications.notifyBooking(em, 'booking_approved', notice, b.decidedAt ?? b.createdAt);
    }
  }
}

/** The history covers 53 weeks back from the Monday on or before the day a year and a week ago (Asia/Shanghai), and three weeks ahead. */
export function historyWindow(now: Date): { historyStart: Date; futureEnd: Date } {
  const shanghai = new Date(now.getTime() + 8 * 3_600_000);
  const todayUtc = Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth(), shanghai.getUTCDate());
  const back = todayUtc - 371 * DAY;
  const weekday = (new Date(back).getUTCDay() + 6) % 7; // Monday = 0
  const historyStart = new Date(back - weekday * DAY - 8 * 3_600_000);
  return { historyStart, futureEnd: new Date(now.getTime() + 21 * DAY) };
}

/** Inserts rows column-wise through unnest, `chunk` rows per statement. */
async function bulk(em: EntityManager, sql: string, rows: unknown[][], chunk = 5000): Promise<void> {
  if (rows.length === 0) return;
  const width = rows[0].length;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await em.query(
      sql,
      Array.from({ length: width }, (_, c) => part.map((r) => r[c])),
    );
  }
}
