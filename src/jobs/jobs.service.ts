import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AUDIT_SEAL_LOCK, AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions.service';
import { ThrottleService } from '../auth/throttle.service';
import { BookingSweeps } from '../bookings/booking-sweeps';
import { Actor } from '../common/auth/auth-user';
import { Clock } from '../common/clock';
import { loggableError } from '../common/errors/problem-details.filter';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { REPORT_SNAPSHOT_LOCK, ReportSnapshotsService } from '../reports/report-snapshots.service';

export const JOB_NAMES = ['expiry', 'no-show', 'reminders', 'idempotency-cleanup', 'auth-cleanup', 'audit-seal', 'report-snapshots'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Advisory lock keys (namespace, job): one instance at a time does a job's work. */
const LOCK_NAMESPACE = 7316100;
/**
 * `audit-seal` uses AUDIT_SEAL_LOCK (7316100, 6), also taken by the on-demand seal; `report-snapshots`
 * REPORT_SNAPSHOT_LOCK (7316100, 7), a session lock over one transaction per day, also taken by the CLI.
 */
const JOB_LOCK: Record<JobName, number> = {
  expiry: 1,
  'no-show': 2,
  reminders: 3,
  'idempotency-cleanup': 4,
  'auth-cleanup': 5,
  'audit-seal': AUDIT_SEAL_LOCK[1],
  'report-snapshots': REPORT_SNAPSHOT_LOCK[1],
};

export interface JobRun {
  job: JobName;
  /** False when another instance held the job's lock: this run did nothing. */
  ran: boolean;
  /** Ids of the bookings changed (or the number of rows removed). */
  changed: string[] | number;
  at: string;
}

/**
 * The scheduled work. Every run is one transaction that first takes
 * `pg_try_advisory_xact_lock(namespace, job)`: with several instances on one database exactly one
 * does the work, the others skip. Runs are idempotent: they act only on rows still due.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly dataSource: DataSource,
    private readonly sweeps: BookingSweeps,
    private readonly sessions: SessionsService,
    private readonly throttle: ThrottleService,
    private readonly audit: AuditService,
    private readonly snapshots: ReportSnapshotsService,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.jobs.enabled) {
      this.logger.log('scheduled jobs are disabled in this instance (JOBS_ENABLED=false)');
      return;
    }
    for (const job of JOB_NAMES) {
      const timer = setInterval(
        () => void this.run(job).catch((err) => this.logger.error({ error: loggableError(err), job }, 'job failed')),
        this.config.jobs.intervalSeconds * 1000,
      );
      this.scheduler.addInterval(`job:${job}`, timer);
    }
    this.logger.log(`scheduled jobs every ${this.config.jobs.intervalSeconds} s: ${JOB_NAMES.join(', ')}`);
  }

  async run(job: JobName): Promise<JobRun> {
    const actor: Actor = { kind: 'job', label: `job:${job}` };
    const settings = this.config.jobs;
    const result =
      job === 'report-snapshots'
        ? await this.buildSnapshots()
        : await this.dataSource.transaction(async (em): Promise<JobRun> => {
            const now = this.clock.now();
            const [{ locked }] = await em.query<Array<{ locked: boolean }>>('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [
              LOCK_NAMESPACE,
              JOB_LOCK[job],
            ]);
            if (!locked) return { job, ran: false, changed: [], at: now.toISOString() };
            let changed: string[] | number;
            switch (job) {
              case 'expiry':
                changed = await this.sweeps.expireUndecided(em, now, settings, actor);
                break;
              case 'no-show':
                changed = await this.sweeps.markNoShows(em, now, settings, actor);
                break;
              case 'reminders':
                changed = await this.sweeps.sendReminders(em, now, settings);
                break;
              case 'idempotency-cleanup':
                changed = await this.sweeps.purgeIdempotencyKeys(em, now);
                break;
              case 'auth-cleanup': {
                // Expired refresh tokens, sessions and throttle buckets; harmless to repeat.
                const pruned = await this.sessions.prune(now);
                changed = pruned.tokens + pruned.sessions + (await this.throttle.prune(now));
                break;
              }
              case 'audit-seal':
                // Chains the entries written since the last run (the lock above is AUDIT_SEAL_LOCK).
                changed = (await this.audit.seal({ em, waitMs: 5000, lockHeld: true })).sealed;
                break;
            }
            return { job, ran: true, changed, at: now.toISOString() };
          });
    const count = Array.isArray(result.changed) ? result.changed.length : result.changed;
    if (!result.ran) this.logger.debug({ job }, 'another instance holds the job lock; skipped');
    else if (count > 0) this.logger.log({ job, changed: result.changed }, `${job}: ${count} changed`);
    else this.logger.debug({ job, changed: 0 }, `${job}: nothing to do`);
    return result;
  }

  /** Finished days whose snapshot is missing or stale, one transaction per day (ReportSnapshotsService). */
  private async buildSnapshots(): Promise<JobRun> {
    const at = this.clock.now().toISOString();
    const run = await this.snapshots.refresh();
    return { job: 'report-snapshots', ran: run.ran, changed: run.days, at };
  }
}
