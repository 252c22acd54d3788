/**
 * The demo province's past: a deterministic generator (fixed seed, no I/O) of a year of maintenance,
 * bookings in every state, check-ins and check-outs with usage records and a few corrections, monthly
 * Slurm imports on the batch compute centres, chain projects and their audit entries. The loader
 * (demo-history-loader.ts) writes what it returns with bulk SQL in one transaction.
 *
 * Every booking keeps the rules of its resource as the booking service would have checked them when it
 * was requested (`createdAt`): inside one opening interval, clear of maintenance with its buffers,
 * duration bounds, lead time and horizon, no overlap on exclusive resources, the pool's capacity, the
 * rolling 30-day fair-use limit and the open-request limit. The e2e test checks them again in SQL.
 */
import { createHash } from 'node:crypto';
import { isComputeResource, ServiceCategory } from '../../catalogue/catalogue.constants';
import type { ChainStage, DemoResource, Direction } from '../../catalogue/demo/demo-catalogue.types';
import { priceBooking } from '../../bookings/booking-pricing';
import { serviceCategoriesOffered } from '../../bookings/service-category';
import { DAY_MS, formatInZone, HOUR_MS, MINUTE_MS } from '../../common/time';
import { unitHoursOf } from '../../usage/usage.service';
import { CANCEL_REASONS, CORRECTION_NOTES, HistoryProject, MAINTENANCE_REASONS, PURPOSES, REJECT_REASONS } from './demo-history.data';

const MIN = MINUTE_MS;
const HOUR = HOUR_MS;
const DAY = DAY_MS;

export const DEMO_HISTORY_SEED = 20_240_601;

/** A resource as the generator sees it: its rules (the fields of a demo resource), its facility, operator and opening intervals. */
export interface HistoryResourceInput extends Omit<DemoResource, 'description' | 'spec' | 'openingHours'> {
  id: string;
  facilityId: string;
  facilityNameEn: string;
  facilitySlug: string;
  facilityKind: string;
  cityCode: string;
  directions: Direction[];
  stages: ChainStage[];
  timeZone: string;
  operator: { organisationId: string; userId: string; email: string };
  slotMinutes: number;
  /** Opening intervals [start, end) in ms since the epoch over [historyStart, futureEnd), merged and sorted. */
  open: Array<[number, number]>;
}

export interface HistoryOrganisationInput {
  key: string;
  organisationId: string;
  userId: string;
  email: string;
  cityCode: string;
  sme: boolean;
  directions: Direction[];
  /** Relative weight when enterprises are picked (the two original demo SMEs weigh more). */
  weight: number;
}

export interface HistoryInput {
  now: Date;
  historyStart: Date;
  futureEnd: Date;
  resources: HistoryResourceInput[];
  enterprises: HistoryOrganisationInput[];
  projects: HistoryProject[];
  decisionDeadlineHours: number;
  noShowGraceMinutes: number;
  seed?: number;
}

export type HistoryActor = { kind: 'user'; userId: string; label: string } | { kind: 'job'; label: string };

export interface HistoryAudit {
  at: Date;
  actor: HistoryActor;
  action: string;
  entityType: string;
  entityId: string;
  organisationId: string | null;
  data: Record<string, unknown>;
}

export type HistoryState = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'in_use' | 'completed' | 'no_show';

export interface HistoryBooking {
  id: string;
  resourceId: string;
  facilityId: string;
  organisationId: string;
  requestedBy: string;
  startsAt: Date;
  endsAt: Date;
  blockedFrom: Date;
  blockedUntil: Date;
  exclusive: boolean;
  units: number;
  state: HistoryState;
  stage: ChainStage;
  purpose: string;
  projectId: string | null;
  priceFen: number;
  listPriceFen: number;
  discountPercent: number;
  serviceCategory: ServiceCategory;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  cancelledBy: string | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  checkedInBy: string | null;
  checkedInAt: Date | null;
  checkedOutBy: string | null;
  checkedOutAt: Date | null;
  endedByJob: string | null;
  endedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  internal: boolean;
}

export interface HistoryUsage {
  id: string;
  resourceId: string;
  facilityId: string;
  organisationId: string;
  bookingId: string | null;
  startsAt: Date;
  endsAt: Date;
  unit: string;
  unitsUsed: number;
  unitHours: string;
  source: 'check_out' | 'manual' | 'import';
  note: string | null;
  recordedBy: string | null;
  recordedByLabel: string;
  recordedAt: Date;
  supersedes: string | null;
  supersededBy: string | null;
  supersededAt: Date | null;
  importId: string | null;
  slurm: { cluster: string; jobId: string; user: string; account: string; partition: string; state: string } | null;
}

export interface HistoryImport {
  id: string;
  facilityId: string;
  cluster: string;
  fileName: string;
  sha256: string;
  bytes: number;
  lines: number;
  imported: number;
  steps: number;
  unitHours: Record<string, number>;
  importedBy: string;
  importedByLabel: string;
  importedAt: Date;
}

export interface HistoryMapping {
  id: string;
  facilityId: string;
  cluster: string;
  kind: 'account' | 'partition';
  name: string;
  organisationId: string | null;
  resourceId: string | null;
  createdBy: string;
  createdAt: Date;
}

export interface HistoryMaintenance {
  id: string;
  resourceId: string;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
  createdAt: Date;
}

export interface HistoryProjectRow {
  id: string;
  organisationId: string;
  createdBy: string;
  titleZh: string;
  titleEn: string;
  description: string;
  direction: Direction;
  stage: ChainStage;
  startedOn: string;
  createdAt: Date;
  updatedAt: Date;
  /** Stage history, oldest first; the last row is open (leftOn null). */
  stages: Array<{ stage: ChainStage; enteredOn: string; leftOn: string | null; move: 'start' | 'advance'; evidence: string | null; enteredAt: Date }>;
}

export interface GeneratedHistory {
  maintenance: HistoryMaintenance[];
  bookings: HistoryBooking[];
  usage: HistoryUsage[];
  imports: HistoryImport[];
  mappings: HistoryMapping[];
  projects: HistoryProjectRow[];
  audit: HistoryAudit[];
}

/** mulberry32: small, fast and good enough for demo data; the same seed gives the same province. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo + 1) * this.next());
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly T[], weight: (t: T) => number): T {
    const total = items.reduce((s, t) => s + weight(t), 0);
    let x = this.next() * total;
    for (const t of items) {
      x -= weight(t);
      if (x < 0) return t;
    }
    return items[items.length - 1];
  }
  /** A version-4-shaped UUID from the generator (deterministic, unlike gen_random_uuid()). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** Share of open time booked, by activity profile: from a busy line to one nobody asks for. */
const FILL_PROFILES = [0.85, 0.6, 0.45, 0.3, 0.12];
/** Share of bookings that are the operator's own (internal) use, by city: the sharing rate differs. */
const INTERNAL_SHARE: Record<string, number> = {
  '210100': 0.12,
  '210200': 0.08,
  '210300': 0.35,
  '210400': 0.25,
  '210500': 0.4,
  '210600': 0.2,
  '210700': 0.15,
  '210800': 0.3,
  '210900': 0.45,
  '211000': 0.22,
  '211100': 0.28,
  '211200': 0.5,
  '211300': 0.1,
  '211400': 0.32,
};
const PILOT_CATEGORY_BY_KIND: Record<string, ServiceCategory[]> = {
  pilot_platform: ['process_scale_up', 'small_batch_trial_production', 'process_scale_up', 'equipment_sharing'],
  verification_centre: ['type_testing', 'performance_testing', 'application_validation', 'performance_testing'],
};
const MAX_BOOKING_MINUTES = 7 * 24 * 60;

/** Batch compute: a supercomputing centre's core-hour and GPU-hour pools are used by Slurm jobs, imported monthly. */
export function isBatchCompute(r: Pick<HistoryResourceInput, 'facilityKind' | 'unit'>): boolean {
  return r.facilityKind === 'supercomputing_centre' && (r.unit === 'core_hour' || r.unit === 'gpu_hour');
}

const iso = (t: number) => new Date(t).toISOString();
/** The local date (YYYY-MM-DD) of an instant in a zone. */
const dayOf = (t: number, timeZone: string) => formatInZone(new Date(t), timeZone).slice(0, 10);

/** Subtracts sorted, possibly overlapping `cuts` from sorted disjoint `intervals`. */
export function subtractIntervals(intervals: Array<[number, number]>, cuts: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const sorted = [...cuts].sort((a, b) => a[0] - b[0]);
  for (const [a, b] of intervals) {
    let s = a;
    for (const [c, d] of sorted) {
      if (d <= s || c >= b) continue;
      if (c > s) out.push([s, c]);
      s = Math.max(s, d);
      if (s >= b) break;
    }
    if (s < b) out.push([s, b]);
  }
  return out;
}

interface Ctx {
  input: HistoryInput;
  rng: Random;
  out: GeneratedHistory;
  now: number;
  start: number;
  end: number;
  deadlineMs: number;
  projectsByOrg: Map<string, HistoryProjectRow[]>;
}

export function generateHistory(input: HistoryInput): GeneratedHistory {
  const rng = new Random(input.seed ?? DEMO_HISTORY_SEED);
  const out: GeneratedHistory = { maintenance: [], bookings: [], usage: [], imports: [], mappings: [], projects: [], audit: [] };
  const ctx: Ctx = {
    input,
    rng,
    out,
    now: input.now.getTime(),
    start: input.historyStart.getTime(),
    end: input.futureEnd.getTime(),
    deadlineMs: input.decisionDeadlineHours * HOUR,
    projectsByOrg: new Map(),
  };
  generateProjects(ctx);
  const resources = [...input.resources].sort((a, b) => (a.facilityNameEn + '\u0000' + a.nameEn).localeCompare(b.facilityNameEn + '\u0000' + b.nameEn));
  for (const [i, r] of resources.entries()) {
    // Profiles spread over the catalogue by position, so every city gets busy and idle resources.
    const fill = FILL_PROFILES[(i * 3 + r.nameEn.length) % FILL_PROFILES.length];
    if (isBatchCompute(r)) continue;
    const maintenance = generateMaintenance(ctx, r);
    generateBookings(ctx, r, fill, maintenance);
  }
  generateBatchCompute(
    ctx,
    resources.filter((r) => isBatchCompute(r)),
  );
  out.audit.sort((a, b) => a.at.getTime() - b.at.getTime());
  return out;
}

function generateProjects(ctx: Ctx): void {
  const { input, rng, out } = ctx;
  const today = Date.UTC(input.now.getUTCFullYear(), input.now.getUTCMonth(), input.now.getUTCDate());
  const dateOf = (daysAgo: number) => new Date(today - daysAgo * DAY).toISOString().slice(0, 10);
  for (const p of input.projects) {
    const org = input.enterprises.find((e) => e.key === p.enterprise);
    if (!org) continue;
    const createdAt = new Date(today - p.startedDaysAgo * DAY + 10 * HOUR + rng.int(0, 120) * MIN);
    const stages: HistoryProjectRow['stages'] = [
      { stage: 'lab_validation', enteredOn: dateOf(p.startedDaysAgo), leftOn: null, move: 'start', evidence: null, enteredAt: createdAt },
    ];
    for (const a of p.advances) {
      const enteredAt = new Date(today - a.daysAgo * DAY + 9 * HOUR + rng.int(0, 300) * MIN);
      stages[stages.length - 1].leftOn = dateOf(a.daysAgo);
      stages.push({ stage: a.stage, enteredOn: dateOf(a.daysAgo), leftOn: null, move: 'advance', evidence: a.evidence, enteredAt });
    }
    const row: HistoryProjectRow = {
      id: rng.uuid(),
      organisationId: org.organisationId,
      createdBy: org.userId,
      titleZh: p.titleZh,
      titleEn: p.titleEn,
      description: `${p.titleZh}：从实验验证走向中试熟化的演示项目。`,
      direction: p.direction,
      stage: stages[stages.length - 1].stage,
      startedOn: stages[0].enteredOn,
      createdAt,
      updatedAt: stages[stages.length - 1].enteredAt,
      stages,
    };
    out.projects.push(row);
    const list = ctx.projectsByOrg.get(org.organisationId) ?? [];
    list.push(row);
    ctx.projectsByOrg.set(org.organisationId, list);
    const actor: HistoryActor = { kind: 'user', userId: org.userId, label: org.email };
    out.audit.push({
      at: createdAt,
      actor,
      action: 'project.created',
      entityType: 'project',
      entityId: row.id,
      organisationId: org.organisationId,
      data: {
        titleZh: row.titleZh,
        titleEn: row.titleEn,
        direction: row.direction,
        stage: 'lab_validation',
        startedOn: row.startedOn,
        stageEnteredOn: row.startedOn,
      },
    });
    for (let s = 1; s < stages.length; s++) {
      out.audit.push({
        at: stages[s].enteredAt,
        actor,
        action: 'project.advanced',
        entityType: 'project',
        entityId: row.id,
        organisationId: org.organisationId,
        data: { from: stages[s - 1].stage, to: stages[s].stage, on: stages[s].enteredOn, evidence: stages[s].evidence },
      });
    }
  }
}

/** 1–2 past windows and sometimes one ahead, each at the start of an opening interval, 8–48 h. */
function generateMaintenance(ctx: Ctx, r: HistoryResourceInput): Array<[number, number]> {
  const { rng, out } = ctx;
  const windows: Array<[number, number]> = [];
  const past = r.open.filter(([a]) => a > ctx.start + 14 * DAY && a < ctx.now - 2 * DAY);
  const future = r.open.filter(([a]) => a > ctx.now + 3 * DAY && a < ctx.end);
  const picks: Array<[number, number]> = [];
  const nPast = rng.int(1, 2);
  for (let i = 0; i < nPast && past.length > 0; i++) picks.push(rng.pick(past));
  if (future.length > 0 && rng.chance(0.4)) picks.push(rng.pick(future));
  for (const [a] of picks) {
    const length = rng.int(16, 96) * 30 * MIN;
    const s = a;
    const e = s + length;
    if (windows.some(([c, d]) => c < e + DAY && s < d + DAY)) continue;
    windows.push([s, e]);
    const op = r.operator;
    const createdAt = s - rng.int(3, 20) * DAY - rng.int(0, 16) * 30 * MIN;
    const id = rng.uuid();
    const reason = rng.pick(MAINTENANCE_REASONS);
    out.maintenance.push({ id, resourceId: r.id, startsAt: new Date(s), endsAt: new Date(e), reason, createdBy: op.userId, createdAt: new Date(createdAt) });
    out.audit.push({
      at: new Date(createdAt),
      actor: { kind: 'user', userId: op.userId, label: op.email },
      action: 'maintenance.added',
      entityType: 'maintenance_window',
      entityId: id,
      organisationId: op.organisationId,
      data: { resourceId: r.id, startsAt: iso(s), endsAt: iso(e), reason },
    });
  }
  return windows.sort((a, b) => a[0] - b[0]);
}

interface FairUseLedger {
  /** Per organisation: [start, end, unit-hours] of every booking made on this resource. */
  byOrg: Map<string, Array<[number, number, number]>>;
}

function fairUseAllows(r: HistoryResourceInput, ledger: FairUseLedger, orgId: string, s: number, e: number, unitHours: number): boolean {
  if (r.maxUnitHoursPer30Days === null) return true;
  // Conservative: every booking of the organisation that meets [s − 30 d, e + 30 d), counted whole, whatever its
  // final state — so the rolling-window rule held when each of them was requested, in any order.
  let total = unitHours;
  for (const [a, b, h] of ledger.byOrg.get(orgId) ?? []) if (a < e + 30 * DAY && b > s - 30 * DAY) total += h;
  return total <= r.maxUnitHoursPer30Days;
}

function generateBookings(ctx: Ctx, r: HistoryResourceInput, fill: number, maintenance: Array<[number, number]>): void {
  const { rng, input } = ctx;
  const exclusive = r.mode === 'exclusive';
  const lanes = exclusive ? 1 : Math.min(2, r.capacity);
  const laneUnits = exclusive ? 1 : Math.floor(r.capacity / lanes);
  const bb = r.bufferBeforeMinutes * MIN;
  const ba = r.bufferAfterMinutes * MIN;
  // Where a booking's period may lie: open, and its buffers clear of maintenance.
  const free = subtractIntervals(
    r.open,
    maintenance.map(([a, b]) => [a - ba, b + bb]),
  );
  const step = Math.min(60, Math.max(30, r.slotMinutes)) * MIN;
  const minD = r.minDurationMinutes * MIN;
  const maxD = Math.min(r.maxDurationMinutes, MAX_BOOKING_MINUTES) * MIN;
  const lead = r.leadTimeMinutes * MIN;
  const horizon = r.horizonDays * DAY;
  const ledger: FairUseLedger = { byOrg: new Map() };
  const internalShare = INTERNAL_SHARE[r.cityCode] ?? 0.2;
  const candidates = input.enterprises.filter((e) => e.organisationId !== r.operator.organisationId);
  const weight = (e: HistoryOrganisationInput) => e.weight * (e.directions.some((d) => r.directions.includes(d)) ? 3 : 1) * (e.cityCode === r.cityCode ? 2 : 1);
  const pendingByOrg = new Map<string, number>();
  for (let lane = 0; lane < lanes; lane++) {
    // The first bookings of the year were requested after the history starts.
    let cursor = ctx.start + lead + rng.int(1, 10) * DAY;
    let interval = 0;
    while (interval < free.length) {
      const [a, b] = free[interval];
      if (b <= cursor) {
        interval++;
        continue;
      }
      const s = Math.ceil(Math.max(a, cursor) / step) * step;
      const room = Math.min(b - s, maxD);
      if (room < minD || s >= ctx.end) {
        interval++;
        continue;
      }
      // Longer bookings are likelier (campaigns of a day or more rather than an hour): fewer, fuller rows.
      const steps = Math.floor((room - minD) / step);
      let d = minD + Math.floor(Math.pow(rng.float(), 0.3) * (steps + 1)) * step;
      d = Math.min(d, room);
      const e = s + d;
      // Idle time after it, from the resource's profile; and never back to back for long: a day or two
      // between bookings of a lane keeps the demo at tens of thousands of rows, not hundreds.
      const gap = Math.max(d * ((1 - fill) / fill) * rng.between(0.2, 1.8), rng.between(24, 72) * HOUR);
      cursor = e + ba + bb + gap;
      const internal = rng.chance(internalShare);
      const org = internal ? null : rng.weighted(candidates, weight);
      const orgId = internal ? r.operator.organisationId : org!.organisationId;
      const units = exclusive ? 1 : Math.max(1, laneUnits - (rng.chance(0.5) ? 0 : rng.int(0, Math.floor(laneUnits / 2))));
      const unitHours = (units * d) / HOUR;
      // The history is as of the start of the hour, but is shown during all of it: a booking starting within
      // this hour would be left 'approved' past its no-show grace before the hour is over. None starts in it.
      if (s >= ctx.now && s < ctx.now + HOUR) continue;
      // When it was requested: ahead by at least the lead time, within the horizon, after the history starts.
      const future = s > ctx.now;
      let created: number;
      if (future || e > ctx.now) {
        created = ctx.now - rng.int(60, 40 * 60) * MIN;
        if (!future) created = Math.min(created, s - lead - rng.int(1, 72) * 60 * MIN);
      } else {
        created = s - lead - rng.int(1, 7 * 24 * 2) * 30 * MIN;
      }
      if (s - created < lead) created = s - lead - 30 * MIN;
      if (e - created > horizon) created = e - horizon + 30 * MIN;
      if (s - created < lead || created < ctx.start || created > ctx.now) continue;
      if (!internal && !fairUseAllows(r, ledger, orgId, s, e, unitHours)) continue;
      const approval = r.approvalRequired && !internal;
      const state = pickState(ctx, rng, { s, e, created, approval, future });
      if (state === 'pending') {
        const open = pendingByOrg.get(orgId) ?? 0;
        if (r.maxOpenRequests !== null && open >= r.maxOpenRequests) continue;
        pendingByOrg.set(orgId, open + 1);
      }
      const list = ledger.byOrg.get(orgId) ?? [];
      list.push([s, e, unitHours]);
      ledger.byOrg.set(orgId, list);
      writeBooking(ctx, r, { s, e, created, units, state, internal, org, approval });
    }
  }
}

function pickState(ctx: Ctx, rng: Random, b: { s: number; e: number; created: number; approval: boolean; future: boolean }): HistoryState {
  if (b.future) return b.approval && rng.chance(0.45) && b.created + ctx.deadlineMs > ctx.now ? 'pending' : 'approved';
  if (b.e > ctx.now) return ctx.now >= b.s + 10 * MIN ? 'in_use' : 'approved';
  const x = rng.float();
  // Outcomes must have happened by now: an expiry or a no-show is marked a few minutes after its moment.
  const deadline = Math.min(b.created + ctx.deadlineMs, b.s);
  if (b.approval) {
    if (x < 0.06) return 'rejected';
    if (x < 0.09 && deadline + 5 * MIN < ctx.now) return 'expired';
    if (x < 0.15) return 'cancelled';
    if (x < 0.18 && b.s + (ctx.input.noShowGraceMinutes + 5) * MIN < ctx.now) return 'no_show';
    return 'completed';
  }
  if (x < 0.06) return 'cancelled';
  if (x < 0.09 && b.s + (ctx.input.noShowGraceMinutes + 5) * MIN < ctx.now) return 'no_show';
  return 'completed';
}

function writeBooking(
  ctx: Ctx,
  r: HistoryResourceInput,
  b: { s: number; e: number; created: number; units: number; state: HistoryState; internal: boolean; org: HistoryOrganisationInput | null; approval: boolean },
): void {
  const { rng, out } = ctx;
  const op = r.operator;
  const opActor: HistoryActor = { kind: 'user', userId: op.userId, label: op.email };
  const orgId = b.internal ? op.organisationId : b.org!.organisationId;
  const requester = b.internal ? { userId: op.userId, email: op.email } : { userId: b.org!.userId, email: b.org!.email };
  const ownerActor: HistoryActor = { kind: 'user', userId: requester.userId, label: requester.email };
  const id = rng.uuid();
  const project = b.internal ? null : pickProject(ctx, rng, orgId, r, b.s);
  const stage = project ? stageAt(project, b.s) : r.stages.length > 0 ? rng.pick(r.stages) : 'lab_validation';
  const category = categoryFor(rng, r);
  const price = priceBooking({
    pricePerUnitHourFen: r.pricePerUnitHourFen,
    units: b.units,
    durationMinutes: (b.e - b.s) / MIN,
    smeDiscountPercent: r.smeDiscountPercent,
    isSme: !b.internal && b.org!.sme,
    internal: b.internal,
  });
  const purposes = PURPOSES[r.directions[0] ?? 'new_materials'];
  const row: HistoryBooking = {
    id,
    resourceId: r.id,
    facilityId: r.facilityId,
    organisationId: orgId,
    requestedBy: requester.userId,
    startsAt: new Date(b.s),
    endsAt: new Date(b.e),
    blockedFrom: new Date(b.s - r.bufferBeforeMinutes * MIN),
    blockedUntil: new Date(b.e + r.bufferAfterMinutes * MIN),
    exclusive: r.mode === 'exclusive',
    units: b.units,
    state: b.state,
    stage,
    purpose: b.internal ? '平台自用：工艺验证与设备维护后试运行' : rng.pick(purposes),
    projectId: project?.id ?? null,
    priceFen: price.fen,
    listPriceFen: price.listFen,
    discountPercent: price.discountPercent,
    serviceCategory: category,
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    cancelledBy: null,
    cancelledAt: null,
    cancelReason: null,
    checkedInBy: null,
    checkedInAt: null,
    checkedOutBy: null,
    checkedOutAt: null,
    endedByJob: null,
    endedAt: null,
    version: 0,
    createdAt: new Date(b.created),
    updatedAt: new Date(b.created),
    internal: b.internal,
  };
  const initial: HistoryState = b.approval ? 'pending' : 'approved';
  if (!b.approval) {
    row.decidedAt = new Date(b.created);
  }
  out.audit.push({
    at: new Date(b.created),
    actor: ownerActor,
    action: 'booking.requested',
    entityType: 'booking',
    entityId: id,
    organisationId: orgId,
    data: {
      resourceId: r.id,
      facilityId: r.facilityId,
      startsAt: iso(b.s),
      endsAt: iso(b.e),
      units: b.units,
      state: initial,
      autoApproved: !b.approval,
      priceFen: price.fen,
      stage,
      serviceCategory: category,
      internal: b.internal,
      ...(project ? { projectId: project.id, projectStage: stageAt(project, b.created) } : {}),
    },
  });
  let state: HistoryState = initial;
  const move = (action: string, to: HistoryState, at: number, actor: HistoryActor, party: 'owner' | 'operator' | 'job', reason?: string) => {
    out.audit.push({
      at: new Date(at),
      actor,
      action: `booking.${action}`,
      entityType: 'booking',
      entityId: id,
      organisationId: orgId,
      data: { from: state, to, party, ...(reason ? { reason } : {}), facilityId: r.facilityId, resourceId: r.id },
    });
    state = to;
    row.version++;
    row.updatedAt = new Date(at);
  };
  const deadline = Math.min(b.created + ctx.deadlineMs, b.s);
  const decideAt = () => Math.min(ctx.now - MIN, b.created + Math.max(MIN, Math.floor((deadline - b.created) * rng.between(0.05, 0.7))));
  const approve = () => {
    if (!b.approval) return;
    const at = decideAt();
    row.decidedBy = op.userId;
    row.decidedAt = new Date(at);
    move('approved', 'approved', at, opActor, 'operator');
  };
  switch (b.state) {
    case 'pending':
      break;
    case 'approved':
      approve();
      break;
    case 'rejected': {
      const at = decideAt();
      const reason = rng.pick(REJECT_REASONS);
      Object.assign(row, { decidedBy: op.userId, decidedAt: new Date(at), decisionReason: reason });
      move('rejected', 'rejected', at, opActor, 'operator', reason);
      break;
    }
    case 'expired': {
      const at = deadline + rng.int(1, 5) * MIN;
      Object.assign(row, { endedByJob: 'job:expiry', endedAt: new Date(at) });
      move('expired', 'expired', at, { kind: 'job', label: 'job:expiry' }, 'job');
      break;
    }
    case 'cancelled': {
      approve();
      const after = (row.decidedAt ?? row.createdAt).getTime();
      const at = after + Math.max(MIN, Math.floor((b.s - after) * rng.between(0.1, 0.9)));
      const reason = rng.pick(CANCEL_REASONS);
      Object.assign(row, { cancelledBy: requester.userId, cancelledAt: new Date(at), cancelReason: reason });
      move('cancelled', 'cancelled', at, ownerActor, 'owner', reason);
      break;
    }
    case 'no_show': {
      approve();
      const at = b.s + (ctx.input.noShowGraceMinutes + rng.int(1, 5)) * MIN;
      Object.assign(row, { endedByJob: 'job:no-show', endedAt: new Date(at) });
      move('marked_no_show', 'no_show', at, { kind: 'job', label: 'job:no-show' }, 'job');
      break;
    }
    case 'in_use':
    case 'completed': {
      approve();
      const inAt = b.s + rng.int(0, Math.min(10, Math.floor((ctx.now - b.s) / MIN))) * MIN;
      Object.assign(row, { checkedInBy: op.userId, checkedInAt: new Date(inAt) });
      move('checked_in', 'in_use', inAt, opActor, 'operator');
      if (b.state === 'completed') {
        const outAt = Math.min(ctx.now - MIN, b.e, Math.max(inAt + 5 * MIN, b.e - rng.int(0, 45) * MIN));
        Object.assign(row, { checkedOutBy: op.userId, checkedOutAt: new Date(outAt) });
        move('checked_out', 'completed', outAt, opActor, 'operator');
        writeCheckOutUsage(ctx, r, row, inAt, outAt);
      }
      break;
    }
  }
  row.state = state;
  out.bookings.push(row);
}

function writeCheckOutUsage(ctx: Ctx, r: HistoryResourceInput, b: HistoryBooking, inAt: number, outAt: number): void {
  const { rng, out } = ctx;
  const op = r.operator;
  const unitsUsed = r.mode === 'pooled' && b.units > 1 && rng.chance(0.2) ? b.units - 1 : b.units;
  const record: HistoryUsage = {
    id: rng.uuid(),
    resourceId: r.id,
    facilityId: r.facilityId,
    organisationId: b.organisationId,
    bookingId: b.id,
    startsAt: new Date(inAt),
    endsAt: new Date(outAt),
    unit: r.unit,
    unitsUsed,
    unitHours: unitHoursOf(unitsUsed, new Date(inAt), new Date(outAt)),
    source: 'check_out',
    note: null,
    recordedBy: op.userId,
    recordedByLabel: op.email,
    recordedAt: new Date(outAt),
    supersedes: null,
    supersededBy: null,
    supersededAt: null,
    importId: null,
    slurm: null,
  };
  out.usage.push(record);
  out.audit.push(usageAudit(record, 'usage.recorded', { kind: 'user', userId: op.userId, label: op.email }));
  // A few records are corrected afterwards: the correction supersedes, the original stays.
  const correctedAt = outAt + rng.int(2, 72) * HOUR;
  const newEnd = Math.max(inAt + 5 * MIN, outAt - rng.int(1, 4) * 15 * MIN);
  if (rng.chance(0.015) && correctedAt < ctx.now && newEnd < outAt) {
    const correction: HistoryUsage = {
      ...record,
      id: rng.uuid(),
      endsAt: new Date(newEnd),
      unitHours: unitHoursOf(unitsUsed, new Date(inAt), new Date(newEnd)),
      source: 'manual',
      note: rng.pick(CORRECTION_NOTES),
      recordedAt: new Date(correctedAt),
      supersedes: record.id,
    };
    record.supersededBy = correction.id;
    record.supersededAt = new Date(correctedAt);
    out.usage.push(correction);
    out.audit.push(usageAudit(correction, 'usage.corrected', { kind: 'user', userId: op.userId, label: op.email }));
  }
}

function usageAudit(u: HistoryUsage, action: string, actor: HistoryActor): HistoryAudit {
  return {
    at: u.recordedAt,
    actor,
    action,
    entityType: 'usage_record',
    entityId: u.id,
    organisationId: u.organisationId,
    data: {
      source: u.source,
      resourceId: u.resourceId,
      facilityId: u.facilityId,
      bookingId: u.bookingId,
      startsAt: u.startsAt.toISOString(),
      endsAt: u.endsAt.toISOString(),
      unit: u.unit,
      unitsUsed: u.unitsUsed,
      unitHours: u.unitHours,
      ...(u.supersedes ? { supersedes: u.supersedes } : {}),
      ...(u.note ? { note: u.note } : {}),
    },
  };
}

function pickProject(ctx: Ctx, rng: Random, orgId: string, r: HistoryResourceInput, s: number): HistoryProjectRow | null {
  const projects = (ctx.projectsByOrg.get(orgId) ?? []).filter((p) => r.directions.includes(p.direction) && p.createdAt.getTime() < s - 2 * DAY);
  if (projects.length === 0 || !rng.chance(0.7)) return null;
  return rng.pick(projects);
}

function stageAt(p: HistoryProjectRow, t: number): ChainStage {
  let stage = p.stages[0].stage;
  for (const s of p.stages) if (s.enteredAt.getTime() <= t) stage = s.stage;
  return stage;
}

function categoryFor(rng: Random, r: HistoryResourceInput): ServiceCategory {
  const offered = serviceCategoriesOffered({ kind: r.facilityKind, unit: r.unit });
  if (isComputeResource({ kind: r.facilityKind, unit: r.unit })) return offered[0];
  const preferred = (PILOT_CATEGORY_BY_KIND[r.facilityKind] ?? []).filter((c) => offered.includes(c));
  return preferred.length > 0 && rng.chance(0.8) ? rng.pick(preferred) : rng.pick(offered);
}

const SACCT_HEADER = 'JobID|User|Account|Partition|Start|End|ElapsedRaw|AllocTRES|State';

/**
 * The supercomputing centres' pools: Slurm jobs of the enterprises (2 lanes per partition, 2–36 h each),
 * imported once a month on the 2nd at 09:00 local time by the operator, with the account and partition
 * mappings created before the first import.
 */
function generateBatchCompute(ctx: Ctx, resources: HistoryResourceInput[]): void {
  const { rng, out, input } = ctx;
  const byFacility = new Map<string, HistoryResourceInput[]>();
  for (const r of resources) byFacility.set(r.facilityId, [...(byFacility.get(r.facilityId) ?? []), r]);
  for (const [facilityId, list] of byFacility) {
    const f = list[0];
    const op = f.operator;
    const opActor: HistoryActor = { kind: 'user', userId: op.userId, label: op.email };
    const cluster = f.facilitySlug;
    const mappedAt = ctx.start + rng.int(1, 5) * HOUR;
    const enterprises = input.enterprises;
    const accountOf = new Map<string, string>();
    const addMapping = (kind: 'account' | 'partition', name: string, organisationId: string | null, resourceId: string | null, at: number) => {
      const id = rng.uuid();
      out.mappings.push({ id, facilityId, cluster, kind, name, organisationId, resourceId, createdBy: op.userId, createdAt: new Date(at) });
      out.audit.push({
        at: new Date(at),
        actor: opActor,
        action: 'slurm_mapping.created',
        entityType: 'slurm_mapping',
        entityId: id,
        organisationId: null,
        data: { facilityId, cluster, kind, name, organisationId, resourceId },
      });
    };
    for (const [i, e] of enterprises.entries()) {
      const name = `acct-${e.key}`;
      accountOf.set(e.organisationId, name);
      addMapping('account', name, e.organisationId, null, mappedAt + i * MIN);
    }
    const partitionOf = new Map<string, string>();
    for (const [i, r] of list.entries()) {
      const name = `p${i + 1}-${r.unit === 'gpu_hour' ? 'gpu' : 'cpu'}`;
      partitionOf.set(r.id, name);
      addMapping('partition', name, null, r.id, mappedAt + (enterprises.length + i) * MIN);
    }
    // Jobs, then one import per finished month.
    interface Job {
      r: HistoryResourceInput;
      org: HistoryOrganisationInput;
      s: number;
      e: number;
      units: number;
      jobId: string;
    }
    const jobs: Job[] = [];
    let jobSeq = 100_000 + rng.int(0, 50_000);
    for (const [ri, r] of list.entries()) {
      const fill = FILL_PROFILES[(ri * 2 + r.nameEn.length) % 3];
      const lanes = Math.min(2, r.capacity);
      const laneUnits = Math.floor(r.capacity / lanes);
      for (let lane = 0; lane < lanes; lane++) {
        let t = mappedAt + HOUR + rng.int(0, 48) * 30 * MIN;
        while (t < ctx.now) {
          const d = rng.int(4, 72) * 30 * MIN;
          const s = t;
          const e = s + d;
          t = e + d * ((1 - fill) / fill) * rng.between(0.2, 1.8);
          if (e >= ctx.now) break;
          const org = rng.weighted(enterprises, (x) => x.weight * (x.directions.some((dd) => f.directions.includes(dd)) ? 3 : 1));
          const units = Math.max(1, Math.floor(laneUnits * rng.between(0.4, 1)));
          jobs.push({ r, org, s, e, units, jobId: String(jobSeq++) });
        }
      }
    }
    jobs.sort((a, b) => a.e - b.e);
    // Month boundaries in the facility's zone: a job belongs to the month in which it ended.
    const months = new Map<string, Job[]>();
    for (const j of jobs) {
      const m = dayOf(j.e, f.timeZone).slice(0, 7);
      months.set(m, [...(months.get(m) ?? []), j]);
    }
    for (const [month, monthJobs] of [...months.entries()].sort()) {
      const [y, mo] = month.split('-').map(Number);
      const offsetMs = zoneOffsetMs(f.timeZone, Date.UTC(y, mo, 2, 9));
      const importedAt = Date.UTC(y, mo, 2, 9) - offsetMs + rng.int(0, 90) * MIN;
      if (importedAt >= ctx.now) continue;
      const lines = [SACCT_HEADER];
      for (const j of monthJobs) {
        const tres = j.r.unit === 'gpu_hour' ? `gres/gpu=${j.units}` : `cpu=${j.units}`;
        const elapsed = Math.round((j.e - j.s) / 1000);
        const account = accountOf.get(j.org.organisationId)!;
        lines.push(
          `${j.jobId}|${j.org.key}|${account}|${partitionOf.get(j.r.id)}|${iso(j.s).slice(0, 19)}|${iso(j.e).slice(0, 19)}|${elapsed}|${tres}|COMPLETED`,
        );
        lines.push(
          `${j.jobId}.batch|${j.org.key}|${account}|${partitionOf.get(j.r.id)}|${iso(j.s).slice(0, 19)}|${iso(j.e).slice(0, 19)}|${elapsed}|${tres}|COMPLETED`,
        );
        lines.push(
          `${j.jobId}.0|${j.org.key}|${account}|${partitionOf.get(j.r.id)}|${iso(j.s).slice(0, 19)}|${iso(j.e).slice(0, 19)}|${elapsed}|${tres}|COMPLETED`,
        );
      }
      const text = lines.join('\n') + '\n';
      const importId = rng.uuid();
      const unitHours: Record<string, number> = {};
      const fileName = `sacct-${cluster}-${month}.txt`;
      for (const j of monthJobs) {
        const u: HistoryUsage = {
          id: rng.uuid(),
          resourceId: j.r.id,
          facilityId,
          organisationId: j.org.organisationId,
          bookingId: null,
          startsAt: new Date(j.s),
          endsAt: new Date(j.e),
          unit: j.r.unit,
          unitsUsed: j.units,
          unitHours: unitHoursOf(j.units, new Date(j.s), new Date(j.e)),
          source: 'import',
          note: null,
          recordedBy: op.userId,
          recordedByLabel: op.email,
          recordedAt: new Date(importedAt),
          supersedes: null,
          supersededBy: null,
          supersededAt: null,
          importId,
          slurm: {
            cluster,
            jobId: j.jobId,
            user: j.org.key,
            account: accountOf.get(j.org.organisationId)!,
            partition: partitionOf.get(j.r.id)!,
            state: 'COMPLETED',
          },
        };
        unitHours[j.r.unit] = Math.round(((unitHours[j.r.unit] ?? 0) + Number(u.unitHours)) * 10_000) / 10_000;
        out.usage.push(u);
      }
      const sha256 = createHash('sha256').update(text).digest('hex');
      const imp: HistoryImport = {
        id: importId,
        facilityId,
        cluster,
        fileName,
        sha256,
        bytes: Buffer.byteLength(text),
        lines: lines.length - 1,
        imported: monthJobs.length,
        steps: 2 * monthJobs.length,
        unitHours,
        importedBy: op.userId,
        importedByLabel: op.email,
        importedAt: new Date(importedAt),
      };
      out.imports.push(imp);
      out.audit.push({
        at: new Date(importedAt),
        actor: opActor,
        action: 'usage.imported',
        entityType: 'usage_import',
        entityId: importId,
        organisationId: null,
        data: {
          facilityId,
          cluster,
          fileName,
          sha256,
          bytes: imp.bytes,
          lines: imp.lines,
          imported: imp.imported,
          duplicates: 0,
          steps: imp.steps,
          pending: 0,
          running: 0,
          zero: 0,
          unmapped: 0,
          rejected: 0,
          unitHours,
        },
      });
    }
  }
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich), from the local rendering's offset. */
function zoneOffsetMs(timeZone: string, t: number): number {
  const [, sign, hh, mm] = /([+-])(\d\d):(\d\d)$/.exec(formatInZone(new Date(t), timeZone))!;
  return (sign === '-' ? -1 : 1) * (Number(hh) * HOUR + Number(mm) * MIN);
}
