/**
 * The webhook handlers only enqueue plain-data jobs (no API call while the delivery is handled); the
 * workers take them from the queue with an installation Octokit. Job ids deduplicate redeliveries
 * while a PR audit, a push audit and a re-run of the same commit all happen. Failing jobs are retried
 * by the queue and logged once after the last attempt. With Redis (REDIS_URL), two app instances that
 * share one BullMQ queue audit a redelivered push once.
 */
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CHECK_RUN_NAME } from '../../src/report/check-run.js';
import type { AppJob } from '../../src/app/index.js';
import { BullMqQueue, InProcessQueue, type FailureListener, type JobHandler, type JobQueue } from '../../src/queue/index.js';
import { API, APP_ID, checkRunReply, fakeCollector, HEAD, OWNER, REPO, useAppHarnesses, webhook } from './helpers.js';

const R = `/repos/${OWNER}/${REPO}`;
const REPO_POLICY = `${R}/contents/.github%2Fpipeline-guard.yml`;
const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const INSTALLATION = 4242; // every fixture's installation.id

const app = useAppHarnesses();

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

/** An in-process queue whose worker starts only when the test says so; records every `add` and every run. */
class PausedQueue implements JobQueue<AppJob> {
  readonly engine = 'in-process' as const;
  readonly name = 'paused';
  readonly added: { id: string; job: AppJob }[] = [];
  readonly ran: string[] = [];
  private readonly inner = new InProcessQueue<AppJob>('paused', { attempts: 1, backoffMs: 0 });
  private worker: { handler: JobHandler<AppJob>; concurrency: number } | undefined;
  private started = false;
  async add(job: AppJob, opts: { id: string }): Promise<void> {
    this.added.push({ id: opts.id, job });
    await this.inner.add(job, opts);
  }
  process(handler: JobHandler<AppJob>, opts: { concurrency: number }): void {
    this.worker = { handler, concurrency: opts.concurrency };
  }
  start(): void {
    const w = this.worker;
    if (!w) throw new Error('the app registered no worker');
    this.started = true;
    this.inner.process(async (job, ctx) => { this.ran.push(ctx.id); await w.handler(job, ctx); }, { concurrency: w.concurrency });
  }
  onFailed(listener: FailureListener<AppJob>): void {
    this.inner.onFailed(listener);
  }
  whenIdle(opts?: { timeoutMs?: number }): Promise<void> {
    return this.started ? this.inner.whenIdle(opts) : Promise.resolve();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const PUSH_ID = 'acme-ml/trainer@a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

describe('handlers enqueue, workers audit', () => {
  test('no API call while handling deliveries; one job per commit and scope; redeliveries dropped; then every job runs once', async () => {
    const queue = new PausedQueue();
    const collected: unknown[] = [];
    const h = await app({ collect: fakeCollector({}, collected), checks: [], queue });
    const auth = vi.spyOn(h.probot, 'auth');

    await h.deliver(webhook('push', 'push.default-branch.json', 'd-push'));
    await h.deliver(webhook('push', 'push.default-branch.json', 'd-push')); // redelivery
    await h.deliver(webhook('pull_request.opened', 'pull_request.opened.json', 'd-pr'));
    await h.deliver(webhook('check_run.rerequested', 'check_run.rerequested.json', 'd-rerun'));
    await h.deliver(webhook('check_run.rerequested', 'check_run.rerequested.json', 'd-rerun')); // redelivery
    await h.deliver(webhook('repository.edited', 'repository.edited.json', 'd-settings'));
    await h.deliver(webhook('repository.edited', 'repository.edited.json', 'd-settings')); // redelivery

    expect(h.sent).toEqual([]); // the handlers acknowledged without calling GitHub
    expect([...new Set(queue.added.map((a) => a.id))]).toEqual([
      PUSH_ID,
      `${PUSH_ID}#pr-7`,
      `${PUSH_ID}#rerun-555`,
      'acme-ml/trainer@default-branch#settings',
    ]);
    // Plain data (it goes to Redis as JSON): the push job in full.
    const push = queue.added[0].job;
    expect(JSON.parse(JSON.stringify(push))).toEqual(push);
    expect(push).toEqual({
      kind: 'audit', installationId: INSTALLATION, owner: OWNER, repo: REPO, headSha: HEAD,
      repoUrl: 'https://github.com/acme-ml/trainer', branch: 'main',
    });
    expect(queue.added.find((a) => a.id.endsWith('#rerun-555'))?.job).toMatchObject({ forceNew: true, pullRequest: { number: 7 } });

    // Four audits: lookups for the three that may reuse a run (not the re-run), four runs created and completed.
    const scope = nock(API)
      .get(`${R}/git/ref/heads%2Fmain`)
      .reply(200, { ref: 'refs/heads/main', node_id: 'REF_1', url: `${API}${R}/git/refs/heads/main`, object: { type: 'commit', sha: HEAD, url: `${API}${R}/git/commits/${HEAD}` } })
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query({ check_name: CHECK_RUN_NAME, filter: 'latest', app_id: String(APP_ID), per_page: '10' })
      .times(3)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${R}/check-runs`).times(4).reply(201, checkRunReply(1))
      .get(REPO_POLICY).times(4).reply(404, { message: 'Not Found' })
      .get(ORG_POLICY).times(4).reply(404, { message: 'Not Found' })
      .get(`${R}/pulls/7/files`).query(true).times(2).reply(200, [])
      .patch(`${R}/check-runs/1`).times(4).reply(200, checkRunReply(1));
    queue.start();
    await queue.whenIdle({ timeoutMs: 10_000 });
    expect(queue.ran.sort()).toEqual([...new Set(queue.added.map((a) => a.id))].sort());
    expect(collected).toHaveLength(4);
    expect(scope.isDone()).toBe(true);
    // Each worker authenticated as the installation of its event.
    expect(auth.mock.calls.map((c) => c[0])).toEqual([INSTALLATION, INSTALLATION, INSTALLATION, INSTALLATION]);
  });

  test('a job that throws is retried by the queue, then logged once with repository and SHA (no token)', async () => {
    const queue = new InProcessQueue<AppJob>('retry', { attempts: 2, backoffMs: 1 });
    const h = await app({ collect: fakeCollector({}), checks: [], queue });
    const errors = vi.spyOn(h.probot.log, 'error');
    // The check-run lookup fails on both attempts: no run exists to complete, so the job throws.
    nock(API).get(`${R}/commits/${HEAD}/check-runs`).query(true).times(2).reply(500, { message: 'boom' });
    await h.probot.receive(webhook('push', 'push.default-branch.json'));

    const final = errors.mock.calls.filter((c) => c[1] === 'job failed after its last attempt');
    expect(final).toHaveLength(1);
    const logged = final[0][0] as unknown as Record<string, unknown>;
    expect(logged).toMatchObject({ id: PUSH_ID, attempts: 2, kind: 'audit', owner: OWNER, repo: REPO, sha: HEAD });
    expect(String(logged.reason)).toMatch(/500/);
    expect(JSON.stringify(logged)).not.toMatch(/token|authorization/i);
  });

  test('the deployment gate is not queued: the delivery itself answers', async () => {
    const queue = new PausedQueue();
    const h = await app({ collect: fakeCollector({}), checks: [], queue });
    nock(API).get(/\/actions\/runs\/\d+\/pending_deployments/).reply(500, { message: 'boom' }).post(/deployment_protection_rule/).reply(204);
    await h.deliver(webhook('deployment_protection_rule.requested', 'deployment_protection_rule.requested.json')).catch(() => undefined);
    expect(queue.added).toEqual([]);
    expect(h.sent.some((r) => r.method === 'POST' && r.route.includes('deployment_protection_rule'))).toBe(true);
  });
});

const REDIS_URL = process.env.REDIS_URL?.trim() ?? '';

describe.runIf(REDIS_URL !== '')('two app instances sharing one BullMQ queue', () => {
  const queues: BullMqQueue<AppJob>[] = [];
  afterEach(async () => {
    const qs = queues.splice(0);
    if (qs[0]) await qs[0].obliterate().catch(() => undefined);
    await Promise.all(qs.map((q) => q.close({ force: true }).catch(() => undefined)));
  });

  test('a push redelivered to the other instance while its audit runs is audited once', async () => {
    const name = `app-${randomUUID()}`;
    const replica = (): BullMqQueue<AppJob> => {
      const q = new BullMqQueue<AppJob>(name, { url: REDIS_URL, prefix: 'pg-test', attempts: 1, backoffMs: 10 });
      queues.push(q);
      return q;
    };
    const started = deferred();
    const release = deferred();
    const collected: { repo: string }[] = [];
    const inner = fakeCollector({}, collected);
    const collect: typeof inner = async (octokit, target) => {
      started.resolve();
      await release.promise;
      return inner(octokit, target);
    };
    const a = await app({ collect, checks: [], queue: replica() });
    const b = await app({ collect, checks: [], queue: replica() });
    nock(API)
      .get(`${R}/commits/${HEAD}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] })
      .post(`${R}/check-runs`).reply(201, checkRunReply(1))
      .get(REPO_POLICY).reply(404, { message: 'Not Found' })
      .get(ORG_POLICY).reply(404, { message: 'Not Found' })
      .patch(`${R}/check-runs/1`).reply(200, checkRunReply(1));

    await a.deliver(webhook('push', 'push.default-branch.json', 'd-1'));
    await started.promise; // one of the two workers is auditing
    await b.deliver(webhook('push', 'push.default-branch.json', 'd-1')); // GitHub redelivers to the other replica
    release.resolve();
    await a.queue.whenIdle({ timeoutMs: 15_000 });
    expect(collected).toEqual([{ owner: OWNER, repo: REPO, ref: HEAD }]);
    expect([...a.sent, ...b.sent].filter((r) => r.method === 'POST')).toHaveLength(1);
  }, 30_000);
});
