import { Injectable, Logger } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { Clock } from '../common/clock';
import { badRequest } from '../common/errors/domain-error';
import { REPORT_TIME_ZONE, snapshotDaySql } from './utilisation-figures';

/** Session-level advisory lock (namespace, key) of snapshot building: the job of every instance and the CLI. */
export const REPORT_SNAPSHOT_LOCK = [7316100, 7] as const;
/** The scheduled job builds missing days of this many days back (older ones: `rebuild-snapshots`). */
export const SNAPSHOT_WINDOW_DAYS = 400;
/** At most this many days per scheduled run, so that one run stays short; the next run goes on. */
export const SNAPSHOT_DAYS_PER_RUN = 31;
/** The CLI rebuilds at most this many days per call. */
export const REBUILD_MAX_DAYS = 3700;

export interface SnapshotRun {
  /** False when another instance (or the CLI) was building: this run did nothing. */
  ran: boolean;
  /** The days built, `YYYY-MM-DD`. */
  days: string[];
  factRows: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Daily snapshots of the utilisation figures (`report_days`, `report_day_facts`): one REPEATABLE READ
 * transaction per day reads the raw rows and the day's change marks from one snapshot, writes the day's
 * facts and deletes exactly the marks it saw, so a change committed meanwhile leaves its mark and the day
 * stays stale (computed live by reports) until the next run.
 */
@Injectable()
export class ReportSnapshotsService {
  private readonly logger = new Logger('ReportSnapshots');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The scheduled run: stale finished days first, then missing ones of the last SNAPSHOT_WINDOW_DAYS, newest first. */
  async refresh(maxDays = SNAPSHOT_DAYS_PER_RUN): Promise<SnapshotRun> {
    return this.withLock(false, async (qr) => {
      const today = await this.today(qr);
      const due = await qr.manager.query<Array<{ day: string }>>(
        `(SELECT DISTINCT c.day::text AS day, 0 AS pass FROM report_day_changes c WHERE c.day < $1::date)
         UNION ALL
         (SELECT g.d::date::text, 1 FROM generate_series($1::date - 1, greatest($1::date - $2::int,
                   coalesce(((SELECT min(created_at) FROM resources) AT TIME ZONE '${REPORT_TIME_ZONE}')::date, $1::date)), interval '-1 day') AS g(d)
           WHERE NOT EXISTS (SELECT 1 FROM report_days rd WHERE rd.day = g.d::date))
         ORDER BY pass, day DESC
         LIMIT $3`,
        [today, SNAPSHOT_WINDOW_DAYS, maxDays],
      );
      const days = [...new Set(due.map((d) => d.day))];
      let factRows = 0;
      for (const day of days) factRows += await this.buildDay(qr, day);
      return { days, factRows };
    });
  }

  /**
   * Rebuilds every finished day of `[from, to)` (dates, Asia/Shanghai), waiting for a running build of another
   * instance; `progress` is called after each day.
   */
  async rebuild(from: string, to: string, progress?: (done: number, total: number, day: string) => void): Promise<SnapshotRun> {
    for (const [field, value] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value)
        throw badRequest('validation_failed', `--${field} must be a date YYYY-MM-DD.`, [{ field, message: `${field} must be a date YYYY-MM-DD` }]);
    }
    if (to <= from)
      throw badRequest('validation_failed', '--to must be after --from (the range is [from, to)).', [{ field: 'to', message: 'to must be after from' }]);
    const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (span > REBUILD_MAX_DAYS)
      throw badRequest('validation_failed', `At most ${REBUILD_MAX_DAYS} days per call.`, [{ field: 'to', message: 'range too long' }]);
    return this.withLock(true, async (qr) => {
      const today = await this.today(qr);
      const rows = await qr.manager.query<Array<{ day: string }>>(
        `SELECT g.d::date::text AS day FROM generate_series($1::date, least($2::date, $3::date) - 1, interval '1 day') AS g(d) ORDER BY 1`,
        [from, to, today],
      );
      const days = rows.map((r) => r.day);
      let factRows = 0;
      for (const [i, day] of days.entries()) {
        factRows += await this.buildDay(qr, day);
        progress?.(i + 1, days.length, day);
      }
      return { days, factRows };
    });
  }

  /** Today's date in the report zone, by the application's clock. */
  private async today(qr: QueryRunner): Promise<string> {
    const [{ today }] = await qr.manager.query<Array<{ today: string }>>(`SELECT (($1::timestamptz) AT TIME ZONE '${REPORT_TIME_ZONE}')::date::text AS today`, [
      this.clock.now(),
    ]);
    return today;
  }

  /** One day in one REPEATABLE READ transaction; returns its number of fact rows. */
  private async buildDay(qr: QueryRunner, day: string): Promise<number> {
    const now = this.clock.now();
    const [bounds] = await qr.manager.query<Array<{ d_from: Date; d_to: Date }>>(
      `SELECT ($1::date::timestamp AT TIME ZONE '${REPORT_TIME_ZONE}') AS d_from, (($1::date + 1)::timestamp AT TIME ZONE '${REPORT_TIME_ZONE}') AS d_to`,
      [day],
    );
    await qr.startTransaction('REPEATABLE READ');
    try {
      // The first statement fixes the snapshot: the marks deleted are the ones whose changes the facts below see.
      await qr.query(`DELETE FROM report_day_changes WHERE day = $1::date`, [day]);
      await qr.query(`DELETE FROM report_days WHERE day = $1::date`, [day]);
      await qr.query(`INSERT INTO report_days (day, computed_at, fact_rows) VALUES ($1::date, $2, 0)`, [day, now]);
      const [{ fact_rows }] = await qr.manager.query<Array<{ fact_rows: number }>>(snapshotDaySql(), [bounds.d_from, bounds.d_to, now, day]);
      await qr.query(`UPDATE report_days SET fact_rows = $2 WHERE day = $1::date`, [day, fact_rows]);
      await qr.commitTransaction();
      return fact_rows;
    } catch (err) {
      await qr.rollbackTransaction();
      throw err;
    }
  }

  /** Runs `work` on one connection holding REPORT_SNAPSHOT_LOCK (waiting for it, or skipping when it is held). */
  private async withLock(wait: boolean, work: (qr: QueryRunner) => Promise<Omit<SnapshotRun, 'ran'>>): Promise<SnapshotRun> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      const [{ locked }] = await qr.manager.query<Array<{ locked: boolean }>>(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [...REPORT_SNAPSHOT_LOCK]);
      if (!locked) {
        if (!wait) return { ran: false, days: [], factRows: 0 };
        this.logger.log('another instance is building snapshots; waiting for it');
        await qr.query(`SELECT pg_advisory_lock($1, $2)`, [...REPORT_SNAPSHOT_LOCK]);
      }
      try {
        return { ran: true, ...(await work(qr)) };
      } finally {
        await qr.query(`SELECT pg_advisory_unlock($1, $2)`, [...REPORT_SNAPSHOT_LOCK]);
      }
    } finally {
      await qr.release();
    }
  }
}
