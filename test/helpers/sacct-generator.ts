import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * The one generator of large sacct files (`sacct --parsable2`), for the usage spec and the benchmark
 * (test/bench/run.ts). The file is a header and blocks of 10 lines, all alike, so that its figures
 * are known by hand. Block b (job ids from `firstJobId + 5b`, start times spread over October 2026,
 * local times of the facility; no zone with DST is assumed):
 *
 *   line  JobID          what                                             counts as
 *   1     J              GPU job, COMPLETED, gres/gpu=2, 3600 s           job: 2 GPU-h
 *   2     J.batch        step                                             step
 *   3     J.extern       step                                             step
 *   4     J+1_1          array task, TIMEOUT, gres/gpu=1, 1800 s          job: 0.5 GPU-h
 *   5     J+1_2          array task, COMPLETED, gres/gpu:a100=1, 3600 s   job: 1 GPU-h (typed GPUs)
 *   6     J+1_[3-4]      array tasks still PENDING (Start Unknown)        pending
 *   7     J+2            CPU job, FAILED, cpu=16, 1800 s                  job: 8 core-h
 *   8     J+2.0          step                                             step
 *   9     J+3            CPU job, "CANCELLED by 1234", cpu=4, 900 s       job: 1 core-h
 *   10    J+4+0          heterogeneous component, NODE_FAIL, gpu=4, 900 s job: 1 GPU-h
 *
 * Per block: 6 jobs, 3 steps, 1 pending; 4.5 GPU-hours (gpuAccount on gpuPartition) and 9 core-hours
 * (cpuAccount on cpuPartition). 200,000 lines = 20,000 blocks: 120,000 jobs, 60,000 steps, 20,000 pending,
 * 90,000 GPU-hours, 180,000 core-hours.
 */
export interface SacctGeneratorOptions {
  /** Data lines (without the header); a multiple of 10. */
  lines: number;
  firstJobId?: number;
  gpuAccount?: string;
  cpuAccount?: string;
  gpuPartition?: string;
  cpuPartition?: string;
}

/** What the import of a generated file must answer (all its jobs mapped, none in the database before). */
export interface SacctGenerated {
  lines: number;
  bytes: number;
  jobs: number;
  steps: number;
  pending: number;
  unitHours: { gpu_hour: number; core_hour: number };
}

export const SACCT_HEADER = 'JobID|User|Account|Partition|Start|End|ElapsedRaw|AllocTRES|State';
const BLOCK_LINES = 10;
const OCTOBER_2026 = Date.UTC(2026, 9, 1);
const MONTH_SECONDS = 30 * 24 * 3600;

/** A naive local time as sacct prints it (YYYY-MM-DDTHH:MM:SS). */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export function sacctBlock(b: number, o: Required<Omit<SacctGeneratorOptions, 'lines'>>): string {
  const j = o.firstJobId + 5 * b;
  const t = OCTOBER_2026 + ((b * 97) % MONTH_SECONDS) * 1000; // starts spread over the month
  const s = local(t);
  const end = (seconds: number) => local(t + seconds * 1000);
  const { gpuAccount: ga, cpuAccount: ca, gpuPartition: gp, cpuPartition: cp } = o;
  const u = `u${b % 50}`;
  return (
    `${j}|${u}|${ga}|${gp}|${s}|${end(3600)}|3600|billing=8,cpu=8,gres/gpu=2,mem=64G,node=1|COMPLETED\n` +
    `${j}.batch||${ga}||${s}|${end(3600)}|3600|cpu=8,gres/gpu=2,mem=64G,node=1|COMPLETED\n` +
    `${j}.extern||${ga}||${s}|${end(3600)}|3600|billing=8,cpu=8,gres/gpu=2,mem=64G,node=1|COMPLETED\n` +
    `${j + 1}_1|${u}|${ga}|${gp}|${s}|${end(1800)}|1800|cpu=4,gres/gpu=1,node=1|TIMEOUT\n` +
    `${j + 1}_2|${u}|${ga}|${gp}|${s}|${end(3600)}|3600|cpu=4,gres/gpu:a100=1,node=1|COMPLETED\n` +
    `${j + 1}_[3-4]|${u}|${ga}|${gp}|Unknown|Unknown|0||PENDING\n` +
    `${j + 2}|${u}|${ca}|${cp}|${s}|${end(1800)}|1800|cpu=16,mem=32G,node=1|FAILED\n` +
    `${j + 2}.0||${ca}||${s}|${end(1800)}|1800|cpu=16,mem=32G,node=1|FAILED\n` +
    `${j + 3}|${u}|${ca}|${cp}|${s}|${end(900)}|900|cpu=4,mem=8G,node=1|CANCELLED by 1234\n` +
    `${j + 4}+0|${u}|${ga}|${gp}|${s}|${end(900)}|900|cpu=16,gres/gpu=4,node=1|NODE_FAIL\n`
  );
}

/** Writes the file (streamed, with back-pressure; a write error rejects) and returns what its import must find. */
export async function writeSacctFile(path: string, options: SacctGeneratorOptions, onProgress?: (lines: number) => void): Promise<SacctGenerated> {
  if (options.lines <= 0 || options.lines % BLOCK_LINES !== 0) throw new Error(`lines must be a positive multiple of ${BLOCK_LINES}`);
  const o = {
    firstJobId: options.firstJobId ?? 5_000_000,
    gpuAccount: options.gpuAccount ?? 'sme-xincai',
    cpuAccount: options.cpuAccount ?? 'sme-qingneng',
    gpuPartition: options.gpuPartition ?? 'gpu-a100',
    cpuPartition: options.cpuPartition ?? 'cpu',
  };
  const blocks = options.lines / BLOCK_LINES;
  const out = createWriteStream(path);
  out.write(SACCT_HEADER + '\n');
  for (let b = 0; b < blocks; b++) {
    if (!out.write(sacctBlock(b, o))) await once(out, 'drain');
    if (onProgress && (b + 1) % 10_000 === 0) onProgress((b + 1) * BLOCK_LINES);
  }
  out.end();
  await once(out, 'finish');
  return {
    lines: options.lines,
    bytes: out.bytesWritten,
    jobs: 6 * blocks,
    steps: 3 * blocks,
    pending: blocks,
    unitHours: { gpu_hour: 4.5 * blocks, core_hour: 9 * blocks },
  };
}
