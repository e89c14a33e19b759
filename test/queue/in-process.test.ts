import { afterEach, describe, expect, it } from 'vitest';
import { createQueue, InProcessQueue, repoCommitJobId, type JobFailure } from '../../src/queue/index.js';

interface Scan { repo: string; sha: string }

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

const open: InProcessQueue<Scan>[] = [];
function queue(opts: ConstructorParameters<typeof InProcessQueue<Scan>>[1] = {}): InProcessQueue<Scan> {
  const q = new InProcessQueue<Scan>('scan', { attempts: 3, backoffMs: 1, ...opts });
  open.push(q);
  return q;
}
afterEach(async () => { await Promise.all(open.splice(0).map((q) => q.close())); });

describe('createQueue', () => {
  it('picks the in-process engine without REDIS_URL (or with an empty one) and BullMQ with it', async () => {
    expect(createQueue('a', {}).engine).toBe('in-process');
    expect(createQueue('a', { REDIS_URL: '  ' }).engine).toBe('in-process');
    // BullMQ connects lazily in the background; close it straight away.
    const q = createQueue('a', { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(q.engine).toBe('bullmq');
    await q.close().catch(() => undefined);
  });

  it('builds one dedup id per repository + commit, case-insensitive on the name', () => {
    expect(repoCommitJobId('Org', 'Repo', 'abc')).toBe(repoCommitJobId('org', 'repo', 'abc'));
    expect(repoCommitJobId('org', 'repo', 'abc')).not.toBe(repoCommitJobId('org', 'repo', 'abd'));
  });
});

describe('InProcessQueue', () => {
  it('deduplicates by id while a job is waiting or running, and accepts the id again once done', async () => {
    const q = queue();
    const seen: string[] = [];
    const gate = deferred();
    await q.add({ repo: 'o/r', sha: '1' }, { id: 'o/r@1' });
    await q.add({ repo: 'o/r', sha: '1' }, { id: 'o/r@1' }); // duplicate while waiting
    await q.add({ repo: 'o/r', sha: '2' }, { id: 'o/r@2' });
    q.process(async (job, ctx) => { seen.push(`${ctx.id}:${job.sha}`); await gate.promise; }, { concurrency: 2 });
    await q.add({ repo: 'o/r', sha: '1' }, { id: 'o/r@1' }); // duplicate while running
    gate.resolve();
    await q.whenIdle({ timeoutMs: 2000 });
    expect(seen).toEqual(['o/r@1:1', 'o/r@2:2']);

    await q.add({ repo: 'o/r', sha: '1' }, { id: 'o/r@1' }); // finished: may run again
    await q.whenIdle({ timeoutMs: 2000 });
    expect(seen).toEqual(['o/r@1:1', 'o/r@2:2', 'o/r@1:1']);
  });

  it('never runs more handlers at once than the concurrency bound, and still runs them in parallel', async () => {
    const q = queue();
    let running = 0;
    let peak = 0;
    let done = 0;
    q.process(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      done += 1;
    }, { concurrency: 3 });
    for (let i = 0; i < 20; i++) await q.add({ repo: 'o/r', sha: String(i) }, { id: `o/r@${i}` });
    await q.whenIdle({ timeoutMs: 5000 });
    expect(done).toBe(20);
    expect(peak).toBe(3);
  });

  it('retries a failed job with growing backoff and succeeds', async () => {
    const q = queue({ attempts: 3, backoffMs: 20 });
    const at: number[] = [];
    const failures: JobFailure<Scan>[] = [];
    q.onFailed((f) => failures.push(f));
    q.process(async (_job, ctx) => {
      at.push(Date.now());
      if (ctx.attempt < 3) throw new Error(`flaky ${ctx.attempt}`);
    }, { concurrency: 1 });
    await q.add({ repo: 'o/r', sha: '1' }, { id: 'o/r@1' });
    await q.whenIdle({ timeoutMs: 2000 });
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(19); // 20 ms after the first failure
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(39); // 40 ms after the second
    expect(failures).toEqual([]);
  });

  it('reports a failure once when the attempts are exhausted, with the last error', async () => {
    const q = queue({ attempts: 2 });
    const failures: JobFailure<Scan>[] = [];
    q.onFailed((f) => failures.push(f));
    let runs = 0;
    q.process(async (_job, ctx) => { runs += 1; throw new Error(`boom ${ctx.attempt}`); }, { concurrency: 1 });
    await q.add({ repo: 'o/r', sha: '9' }, { id: 'o/r@9' });
    await q.whenIdle({ timeoutMs: 2000 });
    expect(runs).toBe(2);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ id: 'o/r@9', job: { repo: 'o/r', sha: '9' }, attempts: 2 });
    expect((failures[0]!.error as Error).message).toBe('boom 2');
  });

  it('survives handlers that throw synchronously or reject with non-errors, and a throwing failure listener', async () => {
    const q = queue({ attempts: 1 });
    const crashes: unknown[] = [];
    const onCrash = (e: unknown): void => { crashes.push(e); };
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    try {
      const failed: string[] = [];
      q.onFailed(() => { throw new Error('listener bug'); });
      q.onFailed((f) => failed.push(f.id));
      const ok: string[] = [];
      // Deliberately not async: a synchronous throw must be caught too.
      const handler = (job: Scan, ctx: { id: string }): Promise<void> => {
        if (job.sha === 'sync') throw new Error('sync throw');
        if (job.sha === 'str') return Promise.reject('a string');
        ok.push(ctx.id);
        return Promise.resolve();
      };
      q.process(handler, { concurrency: 2 });
      await q.add({ repo: 'o/r', sha: 'sync' }, { id: 'sync' });
      await q.add({ repo: 'o/r', sha: 'str' }, { id: 'str' });
      await q.add({ repo: 'o/r', sha: 'good' }, { id: 'good' });
      await q.whenIdle({ timeoutMs: 2000 });
      await new Promise((r) => setTimeout(r, 20)); // let any stray rejection surface
      expect(failed.sort()).toEqual(['str', 'sync']);
      expect(ok).toEqual(['good']);
      expect(crashes).toEqual([]);
    } finally {
      process.off('unhandledRejection', onCrash);
      process.off('uncaughtException', onCrash);
    }
  });

  it('rejects bad settings and adds after close', async () => {
    expect(() => new InProcessQueue('x', { attempts: 0 })).toThrow(RangeError);
    const q = queue();
    expect(() => q.process(async () => undefined, { concurrency: 0 })).toThrow(RangeError);
    await q.close();
    await expect(q.add({ repo: 'o/r', sha: '1' }, { id: 'x' })).rejects.toThrow(/closed/);
  });

  it('whenIdle times out while a job cannot run', async () => {
    const q = queue();
    await q.add({ repo: 'o/r', sha: '1' }, { id: 'stuck' }); // no handler yet
    await expect(q.whenIdle({ timeoutMs: 30 })).rejects.toThrow(/not idle/);
  });
});
