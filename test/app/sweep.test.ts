/**
 * Organisation sweeps from the app: one sweep job on install (not N audits), the sweep job itself
 * (org policy, sweep engine feeding the accumulator, per-repository hooks, weekly issue for the ISO week),
 * the weekly schedule (in-process timers; Redis job schedulers when REDIS_URL is set) and the
 * `/pipeline-guard sweep` command for organisation owners (with the real command parser). The sweep
 * engine, accumulator, renderer and publisher are fakes: this tests the wiring, not them.
 */
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import { describe, expect, test, vi } from 'vitest';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { responseViolations } from '../helpers/github-contract.js';
import type { AppJob, SweepDeps, SweptRepoHook } from '../../src/app/index.js';
import { inProcessScheduler, redisScheduler, type SweepScheduler, type Timers } from '../../src/app/schedule.js';
import { sweepPolicy } from '../../src/policy/config.js';
import { parseCommand } from '../../src/report/commands.js';
import type { WeeklyInput } from '../../src/report/weekly.js';
import { BullMqQueue, InProcessQueue } from '../../src/queue/index.js';
import type { SweepOptions, SweptRepo } from '../../src/sweep/types.js';
import { API, fixtureText, OWNER, useAppHarnesses, webhook, webhookViolations } from './helpers.js';

const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const INSTALLATION = 4242;
const NOW = '2026-11-27T12:00:00Z'; // the helper's clock: a Friday in ISO week 2026-W48

const app = useAppHarnesses();

/** A queue that records what is added and never runs it. */
function recordingQueue(): InProcessQueue<AppJob> & { added: { id: string; job: AppJob }[] } {
  const q = new InProcessQueue<AppJob>('recording', { attempts: 1, backoffMs: 0 }) as InProcessQueue<AppJob> & { added: { id: string; job: AppJob }[] };
  q.added = [];
  q.process = () => undefined; // no worker: jobs stay queued, so duplicates are visibly dropped
  const add = q.add.bind(q);
  q.add = async (job, opts) => {
    q.added.push({ id: opts.id, job });
    await add(job, opts);
  };
  q.whenIdle = () => Promise.resolve();
  return q;
}

function fakeScheduler(): SweepScheduler & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    schedule: async (id, org, cron) => void calls.push(`${id} ${org} ${cron}`),
    unschedule: async (id) => void calls.push(`unschedule ${id}`),
    close: () => undefined,
  };
}

function swept(name: string): SweptRepo {
  return { owner: OWNER, name, url: `https://github.com/${OWNER}/${name}`, defaultBranch: 'main', headSha: 'a'.repeat(40), fork: false, findings: [], notEvaluated: [] };
}

interface Recorded {
  sweeps: { org: string; issueRepo: string; budgetShare: number }[];
  added: string[];
  rendered: WeeklyInput[];
  published: { org: string; issueRepo: string; week: string; title: string }[];
}

function fakeSweeps(repos: string[], opts: { fail?: Error } = {}): { deps: SweepDeps; rec: Recorded } {
  const rec: Recorded = { sweeps: [], added: [], rendered: [], published: [] };
  const deps: SweepDeps = {
    sweep: async (o: SweepOptions) => {
      const s = sweepPolicy(o.policy);
      rec.sweeps.push({ org: o.org, issueRepo: s.issueRepo, budgetShare: s.budgetShare });
      if (opts.fail) throw opts.fail;
      for (const r of repos) await o.onRepo(swept(r), { source: 'github', repo: { owner: OWNER, name: r, defaultBranch: 'main' }, files: [], warnings: [] });
      return {
        stats: { repositories: repos.length, audited: repos.length, skippedArchived: 0, skippedForks: 0, failed: 0, restRequests: 0, graphqlRequests: 1, graphqlPoints: 1, notModified: 0, pausedMs: 0, durationMs: 5 },
        failures: [],
      };
    },
    newAccumulator: () => {
      const names: string[] = [];
      return {
        add: (r) => void (names.push(r.name), rec.added.push(r.name)),
        input: (meta) => ({ org: meta.org, week: meta.week, previous: meta.previous, repos: names.map((n) => ({ name: n, url: `https://github.com/${OWNER}/${n}`, findings: [] })) }),
      };
    },
    render: (input) => {
      rec.rendered.push(input);
      return { title: `posture ${input.week}`, body: 'body', state: { week: input.week, scores: {}, history: [] } };
    },
    publish: async (_octokit, o) => {
      const issue = o.render({ previous: { week: '2026-W47', scores: { trainer: 80 }, history: [] } });
      rec.published.push({ org: o.org, issueRepo: o.issueRepo, week: o.week, title: issue.title });
      return { number: 12, url: `https://github.com/${OWNER}/${o.issueRepo}/issues/12`, action: 'updated' };
    },
    parseCommand,
  };
  return { deps, rec };
}

describe('installation events enqueue one sweep, not per-repository audits', () => {
  test('installation.created: one sweep job for the installation, and its weekly schedule from the org policy', async () => {
    const queue = recordingQueue();
    const scheduler = fakeScheduler();
    const h = await app({ queue, scheduler, sweeps: fakeSweeps([]).deps });
    nock(API).get(ORG_POLICY).times(2).reply(200, 'sweep:\n  schedule: "30 7 * * 3"\n', RAW);
    await h.deliver(webhook('installation.created', 'installation.created.json'));
    await h.deliver(webhook('installation.created', 'installation.created.json')); // redelivery: same day, same job
    expect(queue.added.map((a) => a.id)).toEqual(['sweep:4242:2026-11-27', 'sweep:4242:2026-11-27']);
    expect(queue.added[0].job).toEqual({ kind: 'sweep', installationId: INSTALLATION, org: OWNER, reason: 'installed' });
    expect(scheduler.calls).toEqual(['4242 acme-ml 30 7 * * 3', '4242 acme-ml 30 7 * * 3']);
    // No repository was touched: only the organisation policy was read (once per delivery).
    expect(h.sent.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${API}${ORG_POLICY}`, `GET ${API}${ORG_POLICY}`]);
  });

  test.each([
    ['installation.new_permissions_accepted', 'installation.new_permissions_accepted.json', 'permissions-accepted'],
    ['installation_repositories.added', 'installation_repositories.added.json', 'repositories-added'],
  ] as const)('%s: one sweep job, no API call', async (name, file, reason) => {
    const queue = recordingQueue();
    const h = await app({ queue, scheduler: fakeScheduler() });
    await h.deliver(webhook(name, file));
    expect(queue.added).toEqual([{ id: 'sweep:4242:2026-11-27', job: { kind: 'sweep', installationId: INSTALLATION, org: OWNER, reason } }]);
    expect(h.sent).toEqual([]);
  });
});

describe('the sweep job', () => {
  test('org policy → sweep feeding the accumulator and the hooks → weekly issue of the ISO week in the policy issue repository → schedule refreshed', async () => {
    const { deps, rec } = fakeSweeps(['trainer', 'datasets']);
    const scheduler = fakeScheduler();
    const hooked: string[] = [];
    const failing: SweptRepoHook = ({ repo }) => {
      if (repo.name === 'trainer') throw new Error('autofix exploded');
    };
    const recording: SweptRepoHook = async ({ repo, org, policy }) => void hooked.push(`${org}/${repo.name} ${sweepPolicy(policy).issueRepo}`);
    const h = await app({ sweeps: deps, scheduler, onSweptRepo: [failing, recording] });
    const errors = vi.spyOn(h.probot.log, 'error');
    // Read twice: by the handler (schedule) and by the job (policy of the sweep).
    nock(API).get(ORG_POLICY).times(2).reply(200, 'sweep:\n  schedule: "0 5 * * 2"\n  issue_repo: security\n  budget_share: 0.25\n', RAW);
    await h.probot.receive(webhook('installation.created', 'installation.created.json'));

    expect(rec.sweeps).toEqual([{ org: OWNER, issueRepo: 'security', budgetShare: 0.25 }]);
    expect(rec.added).toEqual(['trainer', 'datasets']);
    // The failing hook did not stop the other hook nor the sweep.
    expect(hooked).toEqual(['acme-ml/trainer security', 'acme-ml/datasets security']);
    expect(errors.mock.calls.some((c) => c[1] === 'sweep: a per-repository hook failed; the sweep goes on' && (c[0] as unknown as { repo: string }).repo === 'trainer')).toBe(true);
    expect(rec.published).toEqual([{ org: OWNER, issueRepo: 'security', week: '2026-W48', title: 'posture 2026-W48' }]);
    // The renderer got the accumulator's input with the publisher's previous state.
    expect(rec.rendered[0]).toMatchObject({ org: OWNER, week: '2026-W48', previous: { week: '2026-W47' } });
    expect(rec.rendered[0].repos.map((r) => r.name)).toEqual(['trainer', 'datasets']);
    expect(scheduler.calls).toEqual(['4242 acme-ml 0 5 * * 2', '4242 acme-ml 0 5 * * 2']);
  });

  test('without a configured sweep engine the job is skipped, with no API call', async () => {
    const h = await app({ scheduler: fakeScheduler() });
    await h.probot.receive(webhook('installation_repositories.added', 'installation_repositories.added.json'));
    expect(h.sent).toEqual([]);
  });

  test('a failing sweep is retried by the queue, then logged once with the organisation', async () => {
    const { deps, rec } = fakeSweeps([], { fail: new Error('GraphQL budget exhausted') });
    const queue = new InProcessQueue<AppJob>('retry', { attempts: 2, backoffMs: 1 });
    const h = await app({ sweeps: deps, queue, scheduler: fakeScheduler() });
    const errors = vi.spyOn(h.probot.log, 'error');
    nock(API).get(ORG_POLICY).times(2).reply(404, { message: 'Not Found' });
    await h.probot.receive(webhook('installation_repositories.added', 'installation_repositories.added.json'));
    expect(rec.sweeps).toHaveLength(2);
    const final = errors.mock.calls.filter((c) => c[1] === 'job failed after its last attempt');
    expect(final).toHaveLength(1);
    expect(final[0][0]).toMatchObject({ id: 'sweep:4242:2026-11-27', kind: 'sweep', org: OWNER, installation: INSTALLATION, attempts: 2, trigger: 'repositories-added' });
    expect((final[0][0] as unknown as { reason: string }).reason).toContain('GraphQL budget exhausted');
  });
});

/** The issue_comment fixture, changed by `edit`; the result is checked against the webhook schema too. */
function comment(edit: (p: CommentPayload) => void = () => undefined, id = 'c-1'): EmitterWebhookEvent<'issue_comment.created'> {
  const payload = JSON.parse(fixtureText('issue_comment.created.json')) as CommentPayload;
  edit(payload);
  const violations = webhookViolations('issue-comment-created', payload);
  if (violations.length > 0) throw new Error(`edited payload breaks the schema: ${violations.join('; ')}`);
  return { id, name: 'issue_comment', payload } as unknown as EmitterWebhookEvent<'issue_comment.created'>;
}

interface CommentPayload {
  comment: { body: string; user: { login: string; type: string; id: number }; performed_via_github_app: unknown };
  issue: { labels: { name: string }[]; pull_request?: unknown };
  sender: { login: string; type: string; id: number };
  repository: { name: string; owner: { type: string; login: string; id: number } };
}

const MEMBERSHIP = `/orgs/${OWNER}/memberships/alice`;
/** The login below, URL-encoded by Octokit. */
const HOSTILE_MEMBERSHIP = `/orgs/${OWNER}/memberships/%40evil_%5Bx%5D`;
function membership(role: 'admin' | 'member', state: 'active' | 'pending' = 'active'): Record<string, unknown> {
  return {
    url: `${API}${MEMBERSHIP}`,
    state,
    role,
    organization_url: `${API}/orgs/${OWNER}`,
    organization: {
      login: OWNER, id: 9919, node_id: 'MDEyOk9yZ2FuaXphdGlvbjk5MTk=', url: `${API}/orgs/${OWNER}`, repos_url: `${API}/orgs/${OWNER}/repos`,
      events_url: `${API}/orgs/${OWNER}/events`, hooks_url: `${API}/orgs/${OWNER}/hooks`, issues_url: `${API}/orgs/${OWNER}/issues`,
      members_url: `${API}/orgs/${OWNER}/members{/member}`, public_members_url: `${API}/orgs/${OWNER}/public_members{/member}`,
      avatar_url: 'https://avatars.githubusercontent.com/u/9919', description: null,
    },
    user: null,
  };
}
const REACTION = { id: 1, node_id: 'REA_1', user: null, content: 'rocket', created_at: NOW };
const ISSUE_COMMENT = {
  id: 9002, node_id: 'IC_9002', url: `${API}/repos/${OWNER}/.github/issues/comments/9002`, html_url: `https://github.com/${OWNER}/.github/issues/12#issuecomment-9002`,
  body: 'x', user: null, created_at: NOW, updated_at: NOW, issue_url: `${API}/repos/${OWNER}/.github/issues/12`, author_association: 'NONE',
};

describe('/pipeline-guard sweep on the weekly issue', () => {
  test('the reply fixtures follow the REST description', () => {
    expect(responseViolations('GET', '/orgs/{org}/memberships/{username}', 200, membership('admin'))).toEqual([]);
    expect(responseViolations('POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', 201, REACTION)).toEqual([]);
    expect(responseViolations('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 201, ISSUE_COMMENT)).toEqual([]);
  });

  test('an organisation owner: one sweep enqueued, a rocket on the comment; the same command again within 10 minutes coalesces', async () => {
    const queue = recordingQueue();
    const h = await app({ queue, scheduler: fakeScheduler(), sweeps: fakeSweeps([]).deps });
    let reactions = 0;
    nock(API)
      .get(ORG_POLICY).times(2).reply(404, { message: 'Not Found' })
      .get(MEMBERSHIP).times(2).reply(200, membership('admin'))
      .post(`/repos/${OWNER}/.github/issues/comments/9001/reactions`, (b: { content: string }) => b.content === 'rocket')
      .times(2)
      .reply(201, () => (reactions++, REACTION));
    await h.deliver(comment());
    await h.deliver(comment(undefined, 'c-2'));
    expect(queue.added.map((a) => a.id)).toEqual(['sweep:4242:2026-11-27T12:00Z', 'sweep:4242:2026-11-27T12:00Z']);
    expect(queue.added[0].job).toEqual({ kind: 'sweep', installationId: INSTALLATION, org: OWNER, reason: 'command' });
    expect(reactions).toBe(2);
  });

  test.each([
    ['a member who is not an owner', (s: nock.Scope) => s.get(HOSTILE_MEMBERSHIP).reply(200, membership('member'))],
    ['an owner whose membership is pending', (s: nock.Scope) => s.get(HOSTILE_MEMBERSHIP).reply(200, membership('admin', 'pending'))],
    ['someone outside the organisation (404)', (s: nock.Scope) => s.get(HOSTILE_MEMBERSHIP).reply(404, { message: 'Not Found' })],
  ])('%s: no sweep, a polite refusal that mentions nobody', async (_label, reply) => {
    const queue = recordingQueue();
    const h = await app({ queue, scheduler: fakeScheduler(), sweeps: fakeSweeps([]).deps });
    const bodies: string[] = [];
    const scope = nock(API).get(ORG_POLICY).reply(404, { message: 'Not Found' });
    reply(scope);
    scope.post(`/repos/${OWNER}/.github/issues/12/comments`, (b: { body: string }) => bodies.push(b.body) > 0).reply(201, ISSUE_COMMENT);
    await h.deliver(comment((p) => {
      p.comment.user.login = '@evil_[x]';
      p.sender.login = '@evil_[x]';
    }));
    expect(queue.added).toEqual([]);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(/only an owner of this organisation can start a Pipeline Guard sweep/);
    expect(bodies[0]).not.toMatch(/@evil/); // escaped: no mention, no link
    expect(bodies[0]).toContain('evil\\_\\[x\\]');
  });

  test.each([
    ['a bot (ourselves included)', (p: CommentPayload) => void ((p.comment.user.type = 'Bot'), (p.sender.type = 'Bot'))],
    ['an issue without the pipeline-guard label', (p: CommentPayload) => void (p.issue.labels = [])],
    ['a comment that is not the command', (p: CommentPayload) => void (p.comment.body = 'please /pipeline-guard sweep later')],
  ])('%s: ignored without any API call', async (_label, edit) => {
    const queue = recordingQueue();
    const h = await app({ queue, scheduler: fakeScheduler(), sweeps: fakeSweeps([]).deps });
    await h.deliver(comment(edit));
    expect(queue.added).toEqual([]);
    expect(h.sent).toEqual([]);
  });

  test('outside the organisation issue repository (sweep.issue_repo): ignored after reading the policy', async () => {
    const queue = recordingQueue();
    const h = await app({ queue, scheduler: fakeScheduler(), sweeps: fakeSweeps([]).deps });
    nock(API).get(ORG_POLICY).reply(200, 'sweep:\n  issue_repo: security\n', RAW);
    await h.deliver(comment());
    expect(queue.added).toEqual([]);
    expect(h.sent.map((r) => r.method)).toEqual(['GET']);
  });
});

describe('weekly schedule, in process', () => {
  function fakeTimers(): Timers & { pending: { fn: () => void; ms: number; cleared: boolean }[] } {
    const pending: { fn: () => void; ms: number; cleared: boolean }[] = [];
    return {
      pending,
      setTimeout: (fn, ms) => {
        const t: { fn: () => void; ms: number; cleared: boolean; unref?: () => unknown } = { fn, ms, cleared: false };
        pending.push(t);
        return t;
      },
      clearTimeout: (h) => void ((h as { cleared: boolean }).cleared = true),
    };
  }

  test('arms for the next occurrence, enqueues the sweep when it fires, and re-arms for the week after', async () => {
    let now = new Date('2026-11-27T12:00:00Z'); // Friday
    const added: { id: string; job: AppJob }[] = [];
    const timers = fakeTimers();
    const s = inProcessScheduler({ add: async (job, o) => void added.push({ id: o.id, job }) }, { now: () => now, log: { warn: () => undefined }, timers });
    await s.schedule(INSTALLATION, OWNER, '0 6 * * 1');
    expect(timers.pending.map((t) => t.ms)).toEqual([(2 * 24 + 18) * 3_600_000]); // Monday 06:00 is 2 days 18 hours away
    now = new Date('2026-11-30T06:00:00Z');
    timers.pending[0].fn();
    expect(added).toEqual([{ id: 'sweep:4242:2026-11-30', job: { kind: 'sweep', installationId: INSTALLATION, org: OWNER, reason: 'weekly' } }]);
    expect(timers.pending[1].ms).toBe(7 * 24 * 3_600_000);

    // Re-scheduling (a policy change) replaces the timer; unscheduling clears it.
    await s.schedule(INSTALLATION, OWNER, '0 6 * * 2');
    expect(timers.pending[1].cleared).toBe(true);
    expect(timers.pending[2].ms).toBe(24 * 3_600_000);
    await s.unschedule(INSTALLATION);
    expect(timers.pending[2].cleared).toBe(true);
    await expect(s.schedule(INSTALLATION, OWNER, 'weekly')).rejects.toThrow(RangeError);
  });

  test('a wait longer than setTimeout allows is done in steps, without enqueuing early', async () => {
    let now = new Date('2026-12-01T07:00:00Z');
    const added: string[] = [];
    const timers = fakeTimers();
    const s = inProcessScheduler({ add: async (_job, o) => void added.push(o.id) }, { now: () => now, log: { warn: () => undefined }, timers });
    await s.schedule(INSTALLATION, OWNER, '0 6 1 * *'); // 2027-01-01 06:00: 30 days 23 hours away
    expect(timers.pending[0].ms).toBe(2 ** 31 - 1);
    now = new Date(now.getTime() + 2 ** 31 - 1);
    timers.pending[0].fn();
    expect(added).toEqual([]);
    expect(now.getTime() + timers.pending[1].ms).toBe(Date.parse('2027-01-01T06:00:00Z'));
    now = new Date('2027-01-01T06:00:00Z');
    timers.pending[1].fn();
    expect(added).toEqual(['sweep:4242:2027-01-01']);
  });

  test('a push that changes the organisation policy re-reads sweep.schedule at once (and the commit is audited as usual)', async () => {
    const queue = recordingQueue();
    const scheduler = fakeScheduler();
    const h = await app({ queue, scheduler });
    nock(API).get(ORG_POLICY).reply(200, 'sweep:\n  schedule: "0 6 * * 3"\n', RAW);
    await h.deliver(webhook('push', 'push.org-policy.json'));
    expect(scheduler.calls).toEqual(['4242 acme-ml 0 6 * * 3']);
    expect(queue.added.map((a) => a.id)).toEqual(['acme-ml/.github@a1b2c3d4e5f60718293a4b5c6d7e8f9012345678']);
    // An ordinary push (no policy file in its commits) does not touch the schedule.
    await h.deliver(webhook('push', 'push.default-branch.json'));
    expect(scheduler.calls).toHaveLength(1);
  });

  test('on start, every installation is listed with the app JWT and scheduled from its policy', async () => {
    const scheduler = fakeScheduler();
    const installation = (JSON.parse(fixtureText('installation.created.json')) as { installation: Record<string, unknown> }).installation;
    const list = [{ ...installation, suspended_at: null, suspended_by: null }];
    // (Not checked with responseViolations: the helper's Ajv cannot compile that reply schema; the fixture is the webhook's installation.)
    let scheduled!: () => void;
    const done = new Promise<void>((r) => { scheduled = r; });
    const schedule = scheduler.schedule;
    scheduler.schedule = async (...a) => { await schedule(...a); scheduled(); };
    nock(API)
      .get('/app/installations').query({ per_page: '100', page: '1' }).reply(200, list)
      .get(ORG_POLICY).reply(200, 'sweep:\n  schedule: "15 4 * * 0"\n', RAW);
    await app({ scheduler, sweeps: { ...fakeSweeps([]).deps, scheduleOnStart: true } });
    await done;
    expect(scheduler.calls).toEqual(['4242 acme-ml 15 4 * * 0']);
  });
});

const REDIS_URL = process.env.REDIS_URL?.trim() ?? '';

describe.runIf(REDIS_URL !== '')('weekly schedule on Redis', () => {
  test('two replicas registering the same installation produce one job scheduler, in UTC', async () => {
    const name = `sched-${randomUUID()}`;
    const q1 = new BullMqQueue<AppJob>(name, { url: REDIS_URL, prefix: 'pg-test' });
    const q2 = new BullMqQueue<AppJob>(name, { url: REDIS_URL, prefix: 'pg-test' });
    try {
      await Promise.all([redisScheduler(q1).schedule(INSTALLATION, OWNER, '0 6 * * 1'), redisScheduler(q2).schedule(INSTALLATION, OWNER, '0 6 * * 1')]);
      await redisScheduler(q1).schedule(INSTALLATION, OWNER, '0 6 * * 1'); // a restart registers again
      const list = await q2.listSchedulers();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ id: 'weekly-sweep:4242', pattern: '0 6 * * 1', tz: 'UTC' });
      const next = new Date(list[0].next as number);
      expect(next.getUTCDay()).toBe(1);
      expect(next.getUTCHours()).toBe(6);
      expect(next.getUTCMinutes()).toBe(0);
      // The job it will produce: one sweep of this installation.
      const counts = await (q1 as unknown as { queue: { getDelayed(): Promise<{ data: AppJob }[]> } }).queue.getDelayed();
      expect(counts.map((j) => j.data)).toEqual([{ kind: 'sweep', installationId: INSTALLATION, org: OWNER, reason: 'weekly' }]);
    } finally {
      await q1.obliterate().catch(() => undefined);
      await Promise.all([q1.close({ force: true }), q2.close({ force: true })]);
    }
  });
});
