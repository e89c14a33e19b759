import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMqQueue, toBullJobId, type BullMqQueueOptions } from '../../src/queue/index.js';

// Runs only against a real Redis. CI must provide one (.ci/run starts redis-server and exports REDIS_URL):
// under CI=true without REDIS_URL the guard test below fails instead of silently skipping.
const REDIS_URL = process.env.REDIS_URL?.trim() ?? '';
const IN_CI = process.env.CI === 'true';

describe('Redis queue in CI', () => {
  it.runIf(IN_CI)('CI provides REDIS_URL so the BullMQ tests run', () => {
    expect(REDIS_URL, 'CI=true but REDIS_URL is not set: .ci/run must start Redis').not.toBe('');
  });
});

it('escapes ":" in job ids (BullMQ reserves it) without merging distinct ids', () => {
  expect(toBullJobId('o/r@abc')).toBe('o/r@abc');
  expect(toBullJobId('a:b')).not.toContain(':');
  expect(toBullJobId('a:b')).not.toBe(toBullJobId('a%3Ab'));
  expect(decodeURIComponent(toBullJobId('a:%b'))).toBe('a:%b');
});

interface Scan { n: number }

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe.runIf(REDIS_URL !== '')('BullMqQueue on Redis', () => {
  const open: BullMqQueue<Scan>[] = [];
  // Each test gets its own queue name; "replicas" are separate BullMqQueue instances (own connections).
  function replica(name: string, opts: Partial<BullMqQueueOptions> = {}): BullMqQueue<Scan> {
    const q = new BullMqQueue<Scan>(name, { url: REDIS_URL, prefix: 'pg-test', attempts: 2, backoffMs: 10, ...opts });
    open.push(q);
    return q;
  }
  afterEach(async () => {
    const qs = open.splice(0);
    if (qs[0]) await qs[0].obliterate().catch(() => undefined);
    await Promise.all(qs.map((q) => q.close({ force: true }).catch(() => undefined)));
  });

  it('a job whose worker is killed mid-run is picked up and completed by another worker', async () => {
    const name = `stall-${randomUUID()}`;
    const fast = { lockDurationMs: 1000, stalledIntervalMs: 300, maxStalledCount: 1 };
    const a = replica(name, fast);
    const started = deferred();
    const ranOn: string[] = [];
    // Replica A starts the job and then hangs forever (as a crashed process would never finish).
    a.process(async (_job, ctx) => { ranOn.push(`a:${ctx.id}`); started.resolve(); await new Promise(() => undefined); }, { concurrency: 1 });
    await a.add({ n: 1 }, { id: 'o/r@1' });
    await started.promise;
    await a.close({ force: true });

    const b = replica(name, fast);
    const failures: unknown[] = [];
    b.onFailed((f) => failures.push(f));
    const completed = deferred();
    b.process(async (job, ctx) => { ranOn.push(`b:${ctx.id}:${job.n}`); completed.resolve(); }, { concurrency: 1 });
    await completed.promise;
    await b.whenIdle({ timeoutMs: 10_000 }); // not left active/waiting: completed and removed
    expect(ranOn).toEqual(['a:o/r@1', 'b:o/r@1:1']);
    expect(failures).toEqual([]);
  }, 20_000);

  it('two workers share N jobs with duplicates: every id is processed exactly once', async () => {
    const name = `share-${randomUUID()}`;
    const producer = replica(name);
    const ids = Array.from({ length: 30 }, (_, i) => `org/repo${i % 10}@sha${i}`);
    // Every id is added three times (interleaved) before any worker runs.
    for (let round = 0; round < 3; round++) for (const id of ids) await producer.add({ n: round }, { id });

    const seen: { worker: string; id: string; n: number }[] = [];
    const w1 = replica(name);
    const w2 = replica(name);
    const handler = (worker: string) => async (job: Scan, ctx: { id: string }): Promise<void> => {
      seen.push({ worker, id: ctx.id, n: job.n });
      await new Promise((r) => setTimeout(r, 30));
    };
    w1.process(handler('w1'), { concurrency: 3 });
    w2.process(handler('w2'), { concurrency: 3 });
    await producer.whenIdle({ timeoutMs: 15_000 });

    expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(seen.every((s) => s.n === 0)).toBe(true); // the first add won; duplicates were dropped
    expect(new Set(seen.map((s) => s.worker))).toEqual(new Set(['w1', 'w2'])); // both replicas did work
  }, 30_000);

  it('retries a failing job and reports it once after the attempts are exhausted', async () => {
    const name = `retry-${randomUUID()}`;
    const q = replica(name, { attempts: 3, backoffMs: 10 });
    const attempts: number[] = [];
    const failures: { id: string; attempts: number; message: string }[] = [];
    q.onFailed((f) => failures.push({ id: f.id, attempts: f.attempts, message: (f.error as Error).message }));
    q.process(async (job, ctx) => {
      attempts.push(ctx.attempt);
      if (job.n === 1) throw new Error(`boom ${ctx.attempt}`);
      if (ctx.attempt < 2) throw new Error('flaky');
    }, { concurrency: 2 });
    await q.add({ n: 1 }, { id: 'always:fails' });
    await q.add({ n: 2 }, { id: 'flaky' });
    await q.whenIdle({ timeoutMs: 10_000 });
    expect(attempts.sort()).toEqual([1, 1, 2, 2, 3]); // 3 runs of the bad job, 2 of the flaky one
    expect(failures).toEqual([{ id: 'always:fails', attempts: 3, message: 'boom 3' }]);
  }, 20_000);

  it('the weekly schedule registered by two replicas yields one scheduler', async () => {
    const name = `sched-${randomUUID()}`;
    const r1 = replica(name);
    const r2 = replica(name);
    await Promise.all([
      r1.scheduleWeekly('weekly-sweep', '0 6 * * 1', 'Europe/Paris', { n: 0 }),
      r2.scheduleWeekly('weekly-sweep', '0 6 * * 1', 'Europe/Paris', { n: 0 }),
    ]);
    await r1.scheduleWeekly('weekly-sweep', '0 6 * * 1', 'Europe/Paris', { n: 0 }); // a restart re-registers
    const schedulers = await r2.listSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ id: 'weekly-sweep', pattern: '0 6 * * 1', tz: 'Europe/Paris' });
    const next = new Date(schedulers[0]!.next!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    // Monday 06:00 in Paris is 04:00 or 05:00 UTC on a Monday.
    expect(next.getUTCDay()).toBe(1);
    expect([4, 5]).toContain(next.getUTCHours());
    await expect(r1.scheduleWeekly('bad', 'weekly', 'UTC', { n: 0 })).rejects.toThrow(RangeError);
    // An uninstalled installation's scheduler is removed once, whichever replica sees the event.
    expect(await r2.removeScheduler('weekly-sweep')).toBe(true);
    expect(await r1.listSchedulers()).toEqual([]);
  });
});
