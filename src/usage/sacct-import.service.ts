import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../common/access/access.service';
import { Actor, AuthUser } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { badRequest, notFound } from '../common/errors/domain-error';
import { page } from '../common/pagination';
import { classifySacctLine, LocalTimeReader, SACCT_REQUIRED_COLUMNS } from './sacct';
import { IMPORTABLE_UNITS } from './slurm-mappings.service';
import { UsageImportQueryDto } from './usage.dto';
import { RejectedLine, SacctImportPageResponse, SacctImportResponse, UnitHoursTotals, UnmappedReport } from './usage.responses';

/** Largest accounting file the API takes (documented in the README): 256 MiB ≈ 2.5 million sacct lines. */
export const SACCT_MAX_BYTES = 256 * 1024 * 1024;
/** Rows per multi-row INSERT. */
export const SACCT_BATCH_ROWS = 1000;
const MAX_REJECTED_LISTED = 1000;
const MAX_RUNNING_LISTED = 100;

export interface SacctImportInput {
  facilityId: string;
  cluster: string;
  fileName: string;
  /** The file on disk (multer's temp file, or the CLI's argument): streamed, never read whole. */
  path: string;
}

interface PendingRow {
  resourceId: string;
  organisationId: string;
  startsAt: string;
  endsAt: string;
  unit: string;
  unitsUsed: number;
  elapsed: number;
  jobId: string;
  user: string | null;
  account: string;
  partition: string;
  state: string;
}

/** sha256 and byte count of what flows through. */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Imports `sacct --parsable2` output: streamed through csv-parse, checked line by line (a bad line is
 * reported, never fatal), inserted 1,000 rows per statement with `ON CONFLICT DO NOTHING` on
 * (facility, cluster, job id), so a re-import or an overlapping file creates no duplicates. The records,
 * the stored import and its audit entry commit together.
 */
@Injectable()
export class SacctImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /** `auth` is the operator over HTTP; the command line passes none (it has the database already). */
  async importFile(actor: Actor, auth: AuthUser | null, input: SacctImportInput, onProgress?: (lines: number) => void): Promise<SacctImportResponse> {
    if (auth) await this.access.requireAccess(auth, 'usage.record', [input.facilityId]);
    return this.dataSource.transaction(async (em) => {
      const [facility] = await em.query<Array<{ id: string; time_zone: string }>>(`SELECT id, time_zone FROM facilities WHERE id = $1`, [input.facilityId]);
      if (!facility) throw notFound('Facility');
      const accounts = new Map<string, string>();
      const partitions = new Map<string, { resourceId: string; unit: string }>();
      const mappings: Array<{ kind: string; name: string; organisation_id: string | null; resource_id: string | null; unit: string | null }> = await em.query(
        `SELECT m.kind, m.name, m.organisation_id, m.resource_id, r.unit
           FROM slurm_mappings m LEFT JOIN resources r ON r.id = m.resource_id
          WHERE m.facility_id = $1 AND m.cluster = $2`,
        [input.facilityId, input.cluster],
      );
      for (const m of mappings) {
        if (m.kind === 'account') accounts.set(m.name, m.organisation_id!);
        else partitions.set(m.name, { resourceId: m.resource_id!, unit: m.unit! });
      }

      const id = randomUUID();
      const now = this.clock.now();
      const userId = actor.kind === 'user' ? actor.userId : null;
      const times = new LocalTimeReader(facility.time_zone);
      const counts = { lines: 0, imported: 0, duplicates: 0, steps: 0, pending: 0, running: 0, zero: 0, unmapped: 0, rejected: 0 };
      const runningJobIds: string[] = [];
      const rejectedLines: Array<{ line: number; reason: string }> = [];
      const unmappedAccounts = new Map<string, number>();
      const unmappedPartitions = new Map<string, number>();
      const scaledUnitHours = new Map<string, bigint>();
      let batch: PendingRow[] = [];
      let header: string[] | null = null;
      let headerChecked = false;
      let lastInvalid = 0;

      const reject = (line: number, reason: string) => {
        counts.rejected++;
        if (rejectedLines.length < MAX_REJECTED_LISTED) rejectedLines.push({ line, reason });
      };
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        const result = await this.insertBatch(em, input, id, userId, actor.label, now, rows);
        let inserted = 0;
        for (const r of result) {
          inserted += r.n;
          scaledUnitHours.set(r.unit, (scaledUnitHours.get(r.unit) ?? 0n) + BigInt(r.scaled));
        }
        counts.imported += inserted;
        counts.duplicates += rows.length - inserted;
      };
      const checkHeader = () => {
        headerChecked = true;
        if (!header) throw badRequest('empty_file', 'The file is empty: expected the sacct header line first.');
        const missing = SACCT_REQUIRED_COLUMNS.filter((c) => !header!.includes(c));
        if (missing.length) {
          throw badRequest(
            'sacct_columns_missing',
            `The header lacks ${missing.join(', ')}. Run sacct --parsable2 --format=JobID,User,Account,Partition,Start,End,ElapsedRaw,AllocTRES,State.`,
            [{ field: 'file', message: `missing columns: ${missing.join(', ')}` }],
          );
        }
      };

      const digest = new Digest();
      const parser = parse({
        delimiter: '|',
        columns: (h: string[]) => (header = h.map((c) => c.trim())),
        relax_column_count: true,
        quote: false,
        bom: true,
        skip_empty_lines: true,
        info: true,
        encoding: 'utf8',
      });
      const source = createReadStream(input.path);
      source.on('error', (e) => parser.destroy(e));
      digest.on('error', (e) => parser.destroy(e));
      source.pipe(digest).pipe(parser);

      try {
        for await (const { record, info } of parser as AsyncIterable<{
          record: Record<string, string>;
          info: { lines: number; invalid_field_length: number };
        }>) {
          if (!headerChecked) checkHeader();
          counts.lines++;
          const line = info.lines;
          if (info.invalid_field_length !== lastInvalid) {
            lastInvalid = info.invalid_field_length;
            reject(line, `expected ${header!.length} fields separated by |`);
            continue;
          }
          const job = classifySacctLine(record, times);
          switch (job.kind) {
            case 'step':
              counts.steps++;
              break;
            case 'pending':
              counts.pending++;
              break;
            case 'running':
              counts.running++;
              if (runningJobIds.length < MAX_RUNNING_LISTED) runningJobIds.push(job.jobId);
              break;
            case 'rejected':
              reject(line, job.reason);
              break;
            case 'job': {
              const organisationId = accounts.get(job.account);
              const target = partitions.get(job.partition);
              if (!organisationId || !target) {
                counts.unmapped++;
                if (!organisationId) unmappedAccounts.set(job.account, (unmappedAccounts.get(job.account) ?? 0) + 1);
                if (!target) unmappedPartitions.set(job.partition, (unmappedPartitions.get(job.partition) ?? 0) + 1);
                break;
              }
              if (!(IMPORTABLE_UNITS as readonly string[]).includes(target.unit)) {
                reject(line, `partition ${job.partition} maps to a resource counted in ${target.unit}, not gpu_hour or core_hour`);
                break;
              }
              const unitsUsed = target.unit === 'gpu_hour' ? job.gpus : job.cpus;
              if (unitsUsed === 0 || job.elapsedSeconds === 0) {
                counts.zero++;
                break;
              }
              batch.push({
                resourceId: target.resourceId,
                organisationId,
                startsAt: job.startsAt.toISOString(),
                endsAt: job.endsAt.toISOString(),
                unit: target.unit,
                unitsUsed,
                elapsed: job.elapsedSeconds,
                jobId: job.jobId,
                user: job.user,
                account: job.account,
                partition: job.partition,
                state: job.state,
              });
              if (batch.length >= SACCT_BATCH_ROWS) await flush();
            }
          }
          if (onProgress && counts.lines % 10_000 === 0) onProgress(counts.lines);
        }
      } finally {
        source.destroy();
      }
      if (!headerChecked) checkHeader();
      await flush();
      onProgress?.(counts.lines);

      const sha256 = digest.hash.digest('hex');
      const unitHours = Object.fromEntries([...scaledUnitHours].map(([unit, scaled]) => [unit, Number(scaled) / 10_000]));
      const byCount = (m: Map<string, number>) =>
        [...m].map(([name, jobs]) => ({ name, jobs })).sort((a, b) => b.jobs - a.jobs || a.name.localeCompare(b.name));
      const unmapped = { jobs: counts.unmapped, accounts: byCount(unmappedAccounts), partitions: byCount(unmappedPartitions) };
      const fileName = input.fileName.slice(0, 255);
      await em.query(
        `INSERT INTO usage_imports (id, facility_id, cluster, file_name, sha256, bytes, lines, imported, duplicates, steps, pending, running, zero,
                                    unmapped, rejected, unit_hours, details, imported_by, imported_by_label, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
        [
          id,
          input.facilityId,
          input.cluster,
          fileName,
          sha256,
          digest.bytes,
          counts.lines,
          counts.imported,
          counts.duplicates,
          counts.steps,
          counts.pending,
          counts.running,
          counts.zero,
          counts.unmapped,
          counts.rejected,
          JSON.stringify(unitHours),
          JSON.stringify({ unmapped, rejectedLines, runningJobIds }),
          userId,
          actor.label,
          now,
        ],
      );
      await this.audit.record(
        em,
        actor,
        {
          action: 'usage.imported',
          entityType: 'usage_import',
          entityId: id,
          data: { facilityId: input.facilityId, cluster: input.cluster, fileName, sha256, bytes: digest.bytes, ...counts, unitHours },
        },
        now,
      );
      return (await this.find(em, id))!;
    });
  }

  /** Stored imports: the facility's operator its own, officials and admins all; newest first. */
  async list(auth: AuthUser, q: UsageImportQueryDto): Promise<SacctImportPageResponse> {
    const scope = this.access.scope(auth, 'usage.read_imports', 1);
    const params = [...scope.params];
    const where = [scope.sql];
    if (q.facilityId) where.push(`i.facility_id = $${params.push(q.facilityId)}`);
    const from = `FROM usage_imports i JOIN facilities f ON f.id = i.facility_id WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<ImportRow[]>(
      `SELECT i.* ${from} ORDER BY i.imported_at DESC, i.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit ?? 20, q.offset ?? 0],
    );
    return page(rows.map(importView), total, q);
  }

  private async find(em: EntityManager, id: string): Promise<SacctImportResponse | null> {
    const [row] = await em.query<ImportRow[]>(`SELECT * FROM usage_imports WHERE id = $1`, [id]);
    return row ? importView(row) : null;
  }

  /** One multi-row INSERT (arrays through unnest); unit-hours = units × ElapsedRaw ÷ 3600 in numeric, rounded to 4 decimals. */
  private insertBatch(
    em: EntityManager,
    input: SacctImportInput,
    importId: string,
    userId: string | null,
    label: string,
    now: Date,
    rows: PendingRow[],
  ): Promise<Array<{ unit: string; n: number; scaled: string }>> {
    const col = <K extends keyof PendingRow>(k: K) => rows.map((r) => r[k]);
    return em.query(
      `WITH ins AS (
         INSERT INTO usage_records (resource_id, facility_id, organisation_id, starts_at, ends_at, unit, units_used, unit_hours, source,
                                    recorded_by, recorded_by_label, recorded_at, import_id, slurm_cluster, slurm_job_id, slurm_user,
                                    slurm_account, slurm_partition, slurm_state)
         SELECT j.resource_id, $1, j.organisation_id, j.starts_at, j.ends_at, j.unit, j.units_used,
                round(j.units_used::numeric * j.elapsed / 3600, 4), 'import', $2, $3, $4, $5, $6, j.job_id, j.slurm_user,
                j.account, j.partition, j.state
           FROM unnest($7::uuid[], $8::uuid[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::int[], $13::bigint[],
                       $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
                AS j(resource_id, organisation_id, starts_at, ends_at, unit, units_used, elapsed, job_id, slurm_user, account, partition, state)
         ON CONFLICT (facility_id, slurm_cluster, slurm_job_id) WHERE slurm_job_id IS NOT NULL DO NOTHING
         RETURNING unit, unit_hours)
       SELECT unit, count(*)::int AS n, sum(unit_hours * 10000)::bigint::text AS scaled FROM ins GROUP BY unit`,
      [
        input.facilityId,
        userId,
        label,
        now,
        importId,
        input.cluster,
        col('resourceId'),
        col('organisationId'),
        col('startsAt'),
        col('endsAt'),
        col('unit'),
        col('unitsUsed'),
        col('elapsed'),
        col('jobId'),
        col('user'),
        col('account'),
        col('partition'),
        col('state'),
      ],
    );
  }
}

/** A usage_imports row as pg returns it (bigint as text, jsonb parsed). */
interface ImportRow {
  id: string;
  facility_id: string;
  cluster: string;
  file_name: string;
  sha256: string;
  bytes: string;
  lines: number;
  imported: number;
  duplicates: number;
  steps: number;
  pending: number;
  running: number;
  zero: number;
  unmapped: number;
  rejected: number;
  unit_hours: UnitHoursTotals | null;
  details: { unmapped?: UnmappedReport; rejectedLines?: RejectedLine[]; runningJobIds?: string[] } | null;
  imported_by: string | null;
  imported_by_label: string;
  imported_at: Date;
}

function importView(r: ImportRow): SacctImportResponse {
  const details = r.details ?? {};
  return {
    id: r.id,
    facilityId: r.facility_id,
    cluster: r.cluster,
    fileName: r.file_name,
    sha256: r.sha256,
    bytes: Number(r.bytes),
    lines: r.lines,
    imported: r.imported,
    duplicates: r.duplicates,
    steps: r.steps,
    pending: r.pending,
    running: r.running,
    runningJobIds: details.runningJobIds ?? [],
    zero: r.zero,
    unmapped: details.unmapped ?? { jobs: r.unmapped, accounts: [], partitions: [] },
    rejected: r.rejected,
    rejectedLines: details.rejectedLines ?? [],
    unitHours: r.unit_hours ?? {},
    importedBy: r.imported_by,
    importedByLabel: r.imported_by_label,
    importedAt: new Date(r.imported_at).toISOString(),
  };
}
