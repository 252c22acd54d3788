import { classifySacctLine, LocalTimeReader, parseTres } from './sacct';

const line = (over: Record<string, string>) => ({
  JobID: '42',
  User: 'alice',
  Account: 'acc',
  Partition: 'gpu',
  Start: '2026-11-30T08:00:00',
  End: '2026-11-30T09:00:00',
  ElapsedRaw: '3600',
  AllocTRES: 'billing=8,cpu=8,gres/gpu=2,mem=64G,node=1',
  State: 'COMPLETED',
  ...over,
});

describe('sacct lines', () => {
  const shanghai = new LocalTimeReader('Asia/Shanghai');

  it('tells allocations from steps: arrays and heterogeneous components are jobs, .batch/.extern/.N are steps', () => {
    for (const id of ['42', '42_7', '42+1', '42_7+0']) expect(classifySacctLine(line({ JobID: id }), shanghai).kind).toBe('job');
    for (const id of ['42.batch', '42.extern', '42.0', '42_7.batch', '42+1.3', '42.interactive'])
      expect(classifySacctLine(line({ JobID: id }), shanghai)).toEqual({ kind: 'step' });
    expect(classifySacctLine(line({ JobID: '42_[1-9]', State: 'PENDING', Start: 'Unknown', End: 'Unknown' }), shanghai).kind).toBe('pending');
    expect(classifySacctLine(line({ JobID: '4x2' }), shanghai).kind).toBe('rejected');
  });

  it('sorts states: pending and never-started skipped, running reported, every terminal state counted', () => {
    expect(classifySacctLine(line({ State: 'PENDING', Start: 'Unknown', End: 'Unknown' }), shanghai).kind).toBe('pending');
    expect(classifySacctLine(line({ State: 'CANCELLED by 0', Start: 'None' }), shanghai).kind).toBe('pending');
    expect(classifySacctLine(line({ State: 'RUNNING', End: 'Unknown' }), shanghai).kind).toBe('running');
    for (const s of ['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED by 1234', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED']) {
      expect(classifySacctLine(line({ State: s }), shanghai)).toEqual(expect.objectContaining({ kind: 'job', state: s.split(' ')[0] }));
    }
    expect(classifySacctLine(line({ State: 'WEIRD' }), shanghai).kind).toBe('rejected');
  });

  it('reads AllocTRES', () => {
    expect(parseTres('billing=8,cpu=8,gres/gpu=2,mem=64G,node=1')).toEqual({ cpus: 8, gpus: 2 });
    expect(parseTres('cpu=16,gres/gpu:a100=2,gres/gpu:v100=1')).toEqual({ cpus: 16, gpus: 3 });
    expect(parseTres('cpu=16,gres/gpu=4,gres/gpu:a100=4')).toEqual({ cpus: 16, gpus: 4 }); // the untyped count wins
    expect(parseTres('')).toEqual({ cpus: 0, gpus: 0 });
    expect(parseTres('cpu=eight')).toBeUndefined();
    expect(parseTres('garbage')).toBeUndefined();
  });

  it('reads local times in the facility zone, refusing impossible ones', () => {
    expect(shanghai.read('2026-11-30T08:00:00')!.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    const berlin = new LocalTimeReader('Europe/Berlin');
    expect(berlin.read('2026-11-30T08:00:00')!.toISOString()).toBe('2026-11-30T07:00:00.000Z');
    expect(berlin.read('2026-07-01T08:00:00')!.toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(berlin.read('2026-03-29T01:59:59')!.toISOString()).toBe('2026-03-29T00:59:59.000Z'); // just before the change
    expect(berlin.read('2026-03-29T03:00:00')!.toISOString()).toBe('2026-03-29T01:00:00.000Z'); // just after
    expect(shanghai.read('Unknown')).toBeNull();
    expect(shanghai.read('None')).toBeNull();
    for (const bad of ['2026-11-31T08:00:00', '2026-11-30 08:00:00', '2026-11-30T24:00:00', '2026-11-30T08:60:00', '2026-11-30T08:00:00+08:00']) {
      expect(shanghai.read(bad)).toBeUndefined();
    }
  });
});
