import { TZDate } from '@date-fns/tz';

/**
 * Pure reading of `sacct --parsable2 --format=JobID,User,Account,Partition,Start,End,ElapsedRaw,AllocTRES,State`
 * lines: which lines are allocations, which are steps, what they used. No I/O here (the import service streams).
 */

/** Columns the import needs (found by name in the header, any order; others are ignored). `User` is optional. */
export const SACCT_REQUIRED_COLUMNS = ['JobID', 'Account', 'Partition', 'Start', 'End', 'ElapsedRaw', 'AllocTRES', 'State'] as const;
export const SACCT_COLUMNS = ['JobID', 'User', ...SACCT_REQUIRED_COLUMNS.slice(1)] as const;

/** Terminal states: the job ran (possibly for 0 s) and its ElapsedRaw counts. `CANCELLED by 1234` is CANCELLED. */
export const COUNTED_STATES = ['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'DEADLINE', 'BOOT_FAIL'] as const;
const RUNNING_STATES = ['RUNNING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'COMPLETING', 'STOPPED', 'SIGNALING', 'STAGE_OUT'];
const PENDING_STATES = ['PENDING', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SPECIAL_EXIT'];
const KNOWN_STATES = new Set<string>([...COUNTED_STATES, ...RUNNING_STATES, ...PENDING_STATES]);

/** An allocation: `123`, an array task `123_4` (or `123_[1-5]` while pending), a heterogeneous component `123+0`. */
const JOB_ID = /^\d+(?:_(?:\d+|\[[0-9,\-%]+\]))?(?:\+\d+)?$/;
/** A step of an allocation: `123.batch`, `123.extern`, `123.0`, `123_4.batch`, `123+0.1`. */
const STEP_ID = /^(\d+(?:_(?:\d+|\[[0-9,\-%]+\]))?(?:\+\d+)?)\.[A-Za-z0-9_]+$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const NO_TIME = new Set(['Unknown', 'None', '']);

export type SacctLine =
  | { kind: 'step' }
  | { kind: 'pending'; jobId: string }
  | { kind: 'running'; jobId: string }
  | { kind: 'rejected'; reason: string }
  | {
      kind: 'job';
      jobId: string;
      user: string | null;
      account: string;
      partition: string;
      state: string;
      startsAt: Date;
      endsAt: Date;
      elapsedSeconds: number;
      cpus: number;
      gpus: number;
    };

/** Reads local wall-clock times of one IANA zone, caching the offset per local minute (200,000 lines cost ~ms). */
export class LocalTimeReader {
  private readonly offsets = new Map<string, number>();
  constructor(readonly timeZone: string) {}

  /** The instant of `2026-11-30T08:15:02` in the zone; null for Unknown/None; undefined if malformed. */
  read(text: string): Date | null | undefined {
    if (NO_TIME.has(text)) return null;
    const m = LOCAL_TIME.exec(text);
    if (!m) return undefined;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const naive = Date.UTC(y, mo - 1, d, h, mi, s);
    const check = new Date(naive);
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
    const key = text.slice(0, 16);
    let offset = this.offsets.get(key);
    if (offset === undefined) {
      offset = Date.UTC(y, mo - 1, d, h, mi) - new TZDate(y, mo - 1, d, h, mi, 0, this.timeZone).getTime();
      this.offsets.set(key, offset);
    }
    return new Date(naive - offset);
  }
}

/** `cpu=N` and `gres/gpu=N` of AllocTRES (`billing=8,cpu=8,gres/gpu=2,mem=64G,node=1`); typed `gres/gpu:a100=2` if untyped is absent. */
export function parseTres(tres: string): { cpus: number; gpus: number } | undefined {
  let cpus = 0;
  let gpus: number | undefined;
  let typedGpus = 0;
  if (tres === '') return { cpus: 0, gpus: 0 };
  for (const part of tres.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'cpu' || key === 'gres/gpu' || key.startsWith('gres/gpu:')) {
      if (!/^\d{1,9}$/.test(value)) return undefined;
      const n = Number(value);
      if (key === 'cpu') cpus = n;
      else if (key === 'gres/gpu') gpus = n;
      else typedGpus += n;
    }
  }
  return { cpus, gpus: gpus ?? typedGpus };
}

/** One data line (a record keyed by header names) → what it is. */
export function classifySacctLine(rec: Record<string, string | undefined>, times: LocalTimeReader): SacctLine {
  const jobId = (rec.JobID ?? '').trim();
  if (STEP_ID.test(jobId)) return { kind: 'step' };
  if (!JOB_ID.test(jobId)) return { kind: 'rejected', reason: `JobID "${jobId.slice(0, 40)}" is not a Slurm job id` };
  const state = (rec.State ?? '').trim().split(/\s+/)[0] ?? '';
  const start = times.read((rec.Start ?? '').trim());
  const end = times.read((rec.End ?? '').trim());
  if (start === undefined) return { kind: 'rejected', reason: `Start "${(rec.Start ?? '').slice(0, 40)}" is not a local time YYYY-MM-DDTHH:MM:SS` };
  if (end === undefined) return { kind: 'rejected', reason: `End "${(rec.End ?? '').slice(0, 40)}" is not a local time YYYY-MM-DDTHH:MM:SS` };
  if (!KNOWN_STATES.has(state)) return { kind: 'rejected', reason: `State "${state.slice(0, 40)}" is not a Slurm job state` };
  // Never started (PENDING, or cancelled while pending: Start Unknown/None): nothing was used.
  if (PENDING_STATES.includes(state) || start === null) return { kind: 'pending', jobId };
  // Not ended yet: reported, imported by a later file once it has ended.
  if (RUNNING_STATES.includes(state) || end === null) return { kind: 'running', jobId };
  const elapsedText = (rec.ElapsedRaw ?? '').trim();
  if (!/^\d{1,10}$/.test(elapsedText)) return { kind: 'rejected', reason: `ElapsedRaw "${elapsedText.slice(0, 40)}" is not a number of seconds` };
  const elapsedSeconds = Number(elapsedText);
  if (end < start) return { kind: 'rejected', reason: 'End is before Start' };
  const tres = parseTres((rec.AllocTRES ?? '').trim());
  if (!tres) return { kind: 'rejected', reason: `AllocTRES "${(rec.AllocTRES ?? '').slice(0, 60)}" is not a list of name=count` };
  const account = (rec.Account ?? '').trim();
  const partition = (rec.Partition ?? '').trim();
  if (!account) return { kind: 'rejected', reason: 'Account is empty' };
  if (!partition || partition.includes(',')) return { kind: 'rejected', reason: `Partition "${partition.slice(0, 40)}" is not one partition` };
  return {
    kind: 'job',
    jobId,
    user: (rec.User ?? '').trim() || null,
    account,
    partition,
    state,
    startsAt: start,
    endsAt: end,
    elapsedSeconds,
    cpus: tres.cpus,
    gpus: tres.gpus,
  };
}
