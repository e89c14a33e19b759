/**
 * The GitHub App: thin Probot handlers that map an event to "which repository, which commit, which
 * pull request", ENQUEUE a job (app/jobs) and acknowledge; workers take jobs from the queue and run the
 * audit inside a check run (app/audit) or the organisation sweep (app/sweep).
 *
 * - `pull_request` opened/synchronize/reopened → audit the head SHA; findings on lines the PR touched are "new".
 * - `push` to the default branch → audit `after` (other branches, tags and deletions: nothing, no API call);
 *   a push to the organisation's `.github` that changes the policy also re-reads `sweep.schedule`.
 * - `check_run.rerequested` (our run) → a new run on that head SHA (with its PR, if GitHub names one).
 * - `check_run.requested_action` `fix` → open/update the fix-up pull requests on the default branch (app/fix, inline).
 * - settings events (`branch_protection_rule`, `branch_protection_configuration`, `repository_ruleset`,
 *   `repository` edited/publicized/privatized) → audit the default-branch head of the repository.
 * - `installation` created/new_permissions_accepted, `installation_repositories` added, the weekly
 *   schedule and the `/pipeline-guard sweep` command → one sweep job per installation (app/sweep).
 * - `deployment_protection_rule.requested` → the deployment gate, INLINE (it has a deadline; app/gate).
 *
 * Queue (`deps.queue`): in-process by default; main.ts passes `createQueue(...)`, BullMQ when REDIS_URL
 * is set, so replicas share the work. Jobs are plain data; the worker authenticates with
 * `app.auth(installationId)`. A job that throws is retried by the queue; after the last attempt the
 * failure is logged with the repository and SHA. Nothing secret is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationFunction, Context, Probot, ProbotOctokit } from 'probot';
import type { Check } from '../checks/types.js';
import { ALL_CHECKS } from '../checks/registry.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import { DEFAULT_POLICY_PATH } from '../policy/config.js';
import { CHECK_RUN_NAME } from '../report/check-run.js';
import { describeError } from '../publish/check-run.js';
import { InProcessQueue, type JobQueue } from '../queue/index.js';
import { registerGate, type GateDeps } from './gate.js';
import { registerFix } from './fix.js';
import { enforcementActor } from './enforce.js';
import { autofixHook, enforcementHook } from './sweep-hooks.js';
import { auditCommit, auditDefaultBranch, type AuditorDeps } from './audit.js';
import { auditJobId, defaultBranchJobId, describeJob, type AppJob, type AuditJob } from './jobs.js';
import { canSchedule, inProcessScheduler, redisScheduler, type SweepScheduler } from './schedule.js';
import { registerSweeps, runSweepJob, scheduleInstallation, type SweepDeps, type SweptRepoHook } from './sweep.js';

export type { AppJob, AuditJob, DefaultBranchAuditJob, SweepJob } from './jobs.js';
export type { SweepDeps, SweptRepoHook, SweptRepoContext, WeeklyAccumulatorLike, PublishWeeklyFn, ParseCommandFn } from './sweep.js';

export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface CollectTarget {
  owner: string;
  repo: string;
  ref?: string;
}

/** `collectRepoSnapshot` from collect/github (or a fake in tests). */
export type CollectFn = (octokit: Octokit, target: CollectTarget) => Promise<RepoSnapshot>;

export interface AppDeps {
  collect?: CollectFn;
  /** Installs request recording on an octokit (collect/record `recordRequests`). */
  record?: (octokit: Octokit, file: string) => unknown;
  /** Where to record requests (PIPELINE_GUARD_RECORD); recording is off when unset. */
  recordFile?: string;
  /** This app's id: only its own check runs are reused or answered. Defaults to APP_ID. */
  appId?: number;
  checks?: readonly Check[];
  now?: () => Date;
  /** Deployment gate settings (deadline, memory of decided deployments): see app/gate. */
  gate?: GateDeps;
  /** Where jobs go. Default: an in-process queue created here. main.ts: `createQueue('pipeline-guard', process.env)`. */
  queue?: JobQueue<AppJob>;
  /** Jobs run at once in this process (default 4). */
  concurrency?: number;
  /** Sweep engine, weekly accumulator/renderer/publisher, command parser (app/sweep). */
  sweeps?: SweepDeps;
  /** Per-repository hooks inside a sweep (autofix, enforcement); a failing hook is logged and the sweep goes on. */
  /** Per-repository sweep hooks; default: settings enforcement, then fix-up pull requests (each a no-op unless the policy asks). */
  onSweptRepo?: readonly SweptRepoHook[];
  /** The app's bot login, `<slug>[bot]`, named in enforcement records and used to recognise its fix-up commits. Default from APP_SLUG. */
  actor?: string;
  /** Weekly scheduler; default: Redis job schedulers with BullMQ, in-process timers otherwise. */
  scheduler?: SweepScheduler;
}

export const DEFAULT_CONCURRENCY = 4;

const ZERO_SHA = /^0+$/;

function noCollector(): Promise<RepoSnapshot> {
  return Promise.reject(new Error('no repository collector is configured'));
}

function envAppId(): number | undefined {
  const n = Number(process.env.APP_ID);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** `GET /healthz` → 200 `{"status":"ok"}` (for load balancers and orchestrators). */
function healthHandler(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/healthz') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok' }));
  return true;
}

/** Whether a push's commits (as listed in the payload) added, changed or removed `path`. */
function touches(commits: readonly { added?: string[]; modified?: string[]; removed?: string[] }[] | undefined, path: string): boolean {
  return (commits ?? []).some((c) => [c.added, c.modified, c.removed].some((files) => files?.includes(path)));
}

/** The installation id of an event (every app webhook carries one). */
function installationOf(context: Context): number | undefined {
  const inst = (context.payload as { installation?: { id?: unknown } }).installation;
  return typeof inst?.id === 'number' ? inst.id : undefined;
}

export function createApp(deps: AppDeps = {}): ApplicationFunction {
  const collect = deps.collect ?? noCollector;
  const checks = deps.checks ?? ALL_CHECKS;
  const now = deps.now ?? (() => new Date());
  const appId = deps.appId ?? envAppId();
  const actor = deps.actor ?? enforcementActor();
  const auditor: AuditorDeps = { collect, checks, now, appId, actor };
  // Enforcement and autofix run in every sweep; each does nothing unless the policy asks for it.
  // Fix-up commits are recognised by their author only when the app's login is known for sure.
  const botLogin = deps.actor ?? (process.env.APP_SLUG ? actor : undefined);
  const onSweptRepo = deps.onSweptRepo ?? [enforcementHook({ actor, now }), autofixHook({ collect, checks, botLogin })];

  return (app: Probot, options) => {
    try {
      options.addHandler(healthHandler);
    } catch {
      // `probot.load()` without a server (tests, `receive()` only) has nowhere to add routes.
    }

    const queue: JobQueue<AppJob> = deps.queue ?? new InProcessQueue<AppJob>('pipeline-guard', { log: app.log });
    const scheduler = deps.scheduler ?? (canSchedule(queue) ? redisScheduler(queue) : inProcessScheduler(queue, { now, log: app.log }));

    /** Request recording, when asked for. */
    const recorded = (octokit: Octokit): Octokit => {
      if (deps.recordFile && deps.record) deps.record(octokit, deps.recordFile);
      return octokit;
    };
    /** The event's octokit (inline work: the gate, Fix it, command replies). */
    const octokitOf = (context: Context): Octokit => recorded(context.octokit as Octokit);

    // `deployment_protection_rule.requested`: the deployment gate (app/gate), inline because of its deadline.
    registerGate(app, { collect, checks, now, octokitOf, gate: deps.gate });

    // The workers.
    queue.process(
      async (job, ctx) => {
        const octokit = recorded((await app.auth(job.installationId)) as Octokit);
        const log = app.log.child({ job: ctx.id, attempt: ctx.attempt });
        if (job.kind === 'audit') await auditCommit(auditor, octokit, log, job);
        else if (job.kind === 'audit-default-branch') await auditDefaultBranch(auditor, octokit, log, job);
        else await runSweepJob({ sweeps: deps.sweeps ?? {}, checks, now, onSweptRepo, scheduler, appId }, octokit, log, job);
      },
      { concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY },
    );
    queue.onFailed((f) => app.log.error({ id: f.id, attempts: f.attempts, ...describeJob(f.job), reason: describeError(f.error) }, 'job failed after its last attempt'));

    const enqueueAudit = async (context: Context, job: Omit<AuditJob, 'kind' | 'installationId'>, rerunOf?: number): Promise<void> => {
      const installationId = installationOf(context);
      if (installationId === undefined) {
        context.log.warn({ owner: job.owner, repo: job.repo }, 'event without an installation: nothing enqueued');
        return;
      }
      const id = auditJobId(job, rerunOf);
      await queue.add({ kind: 'audit', installationId, ...job }, { id });
      context.log.info({ job: id }, 'audit enqueued');
    };

    /** Settings events: the default-branch head of the repository in the payload. */
    const enqueueDefaultBranch = async (
      context: Context,
      repository: { owner: { login: string }; name: string; default_branch: string; html_url: string; archived: boolean },
    ): Promise<void> => {
      const owner = repository.owner.login;
      if (repository.archived) {
        context.log.info({ owner, repo: repository.name }, 'archived repository: no check run');
        return;
      }
      const installationId = installationOf(context);
      if (installationId === undefined) return;
      const id = defaultBranchJobId(owner, repository.name);
      await queue.add({ kind: 'audit-default-branch', installationId, owner, repo: repository.name, defaultBranch: repository.default_branch, repoUrl: repository.html_url }, { id });
      context.log.info({ job: id }, 'default-branch audit enqueued');
    };

    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context) => {
      const { pull_request: pr, repository } = context.payload;
      await enqueueAudit(context, {
        owner: repository.owner.login,
        repo: repository.name,
        headSha: pr.head.sha,
        repoUrl: repository.html_url,
        pullRequest: { number: pr.number, baseRef: pr.base.ref },
      });
    });

    app.on('push', async (context) => {
      const p = context.payload;
      const defaultRef = `refs/heads/${p.repository.default_branch}`;
      if (p.deleted || p.ref !== defaultRef || ZERO_SHA.test(p.after)) {
        context.log.debug({ ref: p.ref, deleted: p.deleted }, 'push ignored: not a new commit on the default branch');
        return;
      }
      const owner = p.repository.owner?.login ?? p.repository.full_name.split('/')[0];
      // The organisation policy changed: its `sweep.schedule` takes effect now, not after the next sweep.
      const installationId = installationOf(context);
      if (p.repository.name === '.github' && installationId !== undefined && touches(p.commits, DEFAULT_POLICY_PATH)) {
        await scheduleInstallation(scheduler, octokitOf(context), context.log, installationId, owner);
      }
      await enqueueAudit(context, {
        owner,
        repo: p.repository.name,
        headSha: p.after,
        repoUrl: p.repository.html_url,
        branch: p.repository.default_branch,
      });
    });

    const isOurs = (run: { name: string; app?: { id?: number } | null }): boolean =>
      run.name === CHECK_RUN_NAME && (appId === undefined || run.app?.id === appId);

    app.on('check_run.rerequested', async (context) => {
      const { check_run: run, repository } = context.payload;
      if (!isOurs(run)) return;
      const pr = run.pull_requests?.[0];
      await enqueueAudit(
        context,
        {
          owner: repository.owner.login,
          repo: repository.name,
          headSha: run.head_sha,
          repoUrl: repository.html_url,
          pullRequest: pr ? { number: pr.number, baseRef: pr.base.ref } : undefined,
          branch: pr ? undefined : run.check_suite?.head_branch ?? undefined,
          forceNew: true,
        },
        run.id,
      );
    });

    // "Fix it": open or update the fix-up pull requests on the default branch (app/fix).
    registerFix(app, { collect, checks, appId, octokitOf });

    app.on(['branch_protection_rule', 'branch_protection_configuration', 'repository_ruleset'], async (context) => {
      const repository = context.payload.repository;
      if (!repository) {
        // An organisation ruleset: it may apply to every repository; the scheduled sweep re-audits them.
        context.log.info({ event: context.name }, 'organisation-level settings change: left to the sweep');
        return;
      }
      await enqueueDefaultBranch(context, repository);
    });

    app.on(['repository.edited', 'repository.publicized', 'repository.privatized'], async (context) => {
      await enqueueDefaultBranch(context, context.payload.repository);
    });

    // Installation events, the weekly schedule and the sweep command (app/sweep).
    registerSweeps(app, { sweeps: deps.sweeps ?? {}, queue, now, scheduler, octokitOf });

    if (deps.sweeps?.scheduleOnStart) void scheduleAll(app, scheduler, recorded);
  };
}

/** On start: every installation's weekly sweep (`GET /app/installations` with the app's JWT). Errors are logged. */
async function scheduleAll(app: Probot, scheduler: SweepScheduler, recorded: (o: Octokit) => Octokit): Promise<void> {
  try {
    const appOctokit = recorded((await app.auth()) as Octokit);
    for (let page = 1; page <= 100; page++) {
      const res = await appOctokit.request('GET /app/installations', { per_page: 100, page });
      for (const inst of res.data) {
        const org = inst.account && 'login' in inst.account ? inst.account.login : undefined;
        if (!org || inst.suspended_at) continue;
        const octokit = recorded((await app.auth(inst.id)) as Octokit);
        await scheduleInstallation(scheduler, octokit, app.log, inst.id, org);
      }
      if (res.data.length < 100) break;
    }
  } catch (err) {
    app.log.error({ reason: describeError(err) }, 'weekly sweeps: could not list the installations');
  }
}
