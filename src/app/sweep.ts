/**
 * Organisation sweeps from the app: when installed, every week, and on demand.
 *
 * - `installation.created` / `installation.new_permissions_accepted` / `installation_repositories.added`
 *   enqueue ONE sweep job for the installation (`sweep:<installationId>:<yyyy-mm-dd>`): the sweep reads
 *   many repositories per GraphQL query and sees the settings too, where N audit jobs would cost N times
 *   the requests. No per-repository check runs are written on install.
 * - Weekly: `sweep.schedule` of the organisation policy (app/schedule), registered on start for every
 *   installation, on install, and after each sweep (so a schedule edited in the policy takes effect).
 * - On demand: a comment `/pipeline-guard sweep` (parseCommand) on an issue labelled `pipeline-guard` in
 *   the organisation's issue repository (`sweep.issue_repo`, default `.github`), by an organisation
 *   owner (`GET /orgs/{org}/memberships/{username}`: role admin, state active; for a personal account,
 *   the account itself). Accepted: a `rocket` reaction on the comment. Refused: a short comment (the
 *   login escaped, no mention) so the person knows why nothing happens. Bots, us included, are ignored.
 *
 * The sweep job: org policy (`{org}/.github`), `sweep()` feeding a weekly accumulator (bounded memory),
 * optional per-repository hooks (autofix, enforcement: their failure is logged, the sweep goes on), then
 * the weekly issue for the ISO week of now. The sweep engine, accumulator, renderer, publisher and
 * command parser are injected (AppDeps.sweeps), so this file does not depend on their implementation.
 */
import type { Context, Probot } from 'probot';
import type { Check } from '../checks/types.js';
import { loadPolicy } from '../collect/policy.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import { sweepPolicy, type Policy } from '../policy/config.js';
import { escapeMarkdown } from '../report/markdown.js';
import { isoWeek, type GateDecision, type PreviousState, type WeeklyInput, type WeeklyIssue } from '../report/weekly.js';
import { describeError } from '../publish/check-run.js';
import type { JobQueue } from '../queue/index.js';
import type { SweepFn, SweptRepo, SweepResult } from '../sweep/types.js';
import { collectFixPrCounts, isoWeekStart } from '../collect/fix-pr-counts.js';
import { onDemandBucket, sweepJobId, utcDay, type AppJob, type SweepJob, type SweepReason } from './jobs.js';
import type { SweepScheduler } from './schedule.js';
import type { Octokit } from './index.js';

/** The weekly-report accumulator (report/weekly `WeeklyAccumulator`): keeps per-repository summaries only. */
export interface WeeklyAccumulatorLike {
  add(repo: SweptRepo): void;
  input(meta: { org: string; week: string; previous?: PreviousState; gateDecisions?: readonly GateDecision[]; drift?: readonly string[]; fixPrs?: { open: number; mergedThisWeek: number } }): WeeklyInput;
}

export interface PublishedIssue {
  number: number;
  url: string;
  action: string;
  closedPrevious?: number;
}

/** publish/weekly-issue `publishWeeklyIssue`. */
export type PublishWeeklyFn = (
  octokit: Octokit,
  opts: {
    org: string;
    issueRepo: string;
    week: string;
    render: (state: { previous?: PreviousState; gateDecisions?: readonly GateDecision[] }) => WeeklyIssue;
    /** Only issues this app wrote are ours. */
    appId?: number;
  },
) => Promise<PublishedIssue>;

/** report/commands `parseCommand`. */
export type ParseCommandFn = (body: string) => { command: 'sweep' } | undefined;

export interface SweptRepoContext {
  octokit: Octokit;
  org: string;
  policy: Policy;
  repo: SweptRepo;
  snapshot: RepoSnapshot;
  log: SweepLog;
}

/** What a hook reports back for the weekly issue (settings drift it reverted). */
export interface SweptRepoHookResult {
  drift?: readonly string[];
}

/** Per-repository hook run inside the sweep (autofix, enforcement). */
export type SweptRepoHook = (ctx: SweptRepoContext) => Promise<SweptRepoHookResult | undefined | void> | SweptRepoHookResult | undefined | void;

/** Most settings-drift lines one sweep keeps for the weekly issue (the renderer summarises beyond its space). */
const MAX_DRIFT_LINES = 1_000;

export interface SweepDeps {
  /** sweep/sweep `sweepOrganization`. Without it sweep jobs are logged and skipped. */
  sweep?: SweepFn;
  /** `() => new WeeklyAccumulator()` from report/weekly. */
  newAccumulator?: () => WeeklyAccumulatorLike;
  /** report/weekly `renderWeeklyIssue`. */
  render?: (input: WeeklyInput) => WeeklyIssue;
  publish?: PublishWeeklyFn;
  parseCommand?: ParseCommandFn;
  /** Register the weekly sweep of every installation when the app starts (`GET /app/installations`). Off by default (tests). */
  scheduleOnStart?: boolean;
}

export interface SweepLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const ISSUE_LABEL = 'pipeline-guard';

export interface SweepRunDeps {
  sweeps: SweepDeps;
  checks: readonly Check[];
  now: () => Date;
  onSweptRepo?: readonly SweptRepoHook[];
  scheduler?: SweepScheduler;
  appId?: number;
}

export interface SweepOutcome {
  result: SweepResult;
  issue?: PublishedIssue;
}

/** Runs one sweep job with an installation Octokit. Throws (and the queue retries) if the sweep or the publication fails. */
export async function runSweepJob(deps: SweepRunDeps, octokit: Octokit, log: SweepLog, job: SweepJob): Promise<SweepOutcome | undefined> {
  const { sweep, newAccumulator, render, publish } = deps.sweeps;
  if (!sweep || !newAccumulator || !render || !publish) {
    log.warn({ installation: job.installationId, org: job.org, reason: job.reason }, 'sweep skipped: the sweep engine or the weekly publisher is not configured');
    return undefined;
  }
  const loaded = await loadPolicy(octokit, { owner: job.org, repo: '.github' });
  if (loaded.error) log.warn({ org: job.org, reason: loaded.error.message }, 'sweep: the organisation policy is invalid; defaults apply');
  const policy = loaded.policy;
  const settings = sweepPolicy(policy);
  log.info({ installation: job.installationId, org: job.org, reason: job.reason }, 'sweep started');

  const acc = newAccumulator();
  const drift: string[] = [];
  const result = await sweep({
    org: job.org,
    octokit,
    policy,
    checks: deps.checks,
    now: deps.now,
    log,
    onRepo: async (repo, snapshot) => {
      acc.add(repo);
      for (const hook of deps.onSweptRepo ?? []) {
        try {
          const out = await hook({ octokit, org: job.org, policy, repo, snapshot, log });
          for (const line of out?.drift ?? []) if (drift.length < MAX_DRIFT_LINES) drift.push(line);
        } catch (err) {
          log.error({ owner: repo.owner, repo: repo.name, reason: describeError(err) }, 'sweep: a per-repository hook failed; the sweep goes on');
        }
      }
    },
  });

  const week = isoWeek(deps.now());
  const fixPrs = await collectFixPrCounts(octokit, job.org, isoWeekStart(deps.now()));
  const issue = await publish(octokit, {
    org: job.org,
    issueRepo: settings.issueRepo,
    week,
    render: ({ previous, gateDecisions }) => render(acc.input({ org: job.org, week, previous, gateDecisions, drift, ...(fixPrs ? { fixPrs } : {}) })),
    ...(deps.appId === undefined ? {} : { appId: deps.appId }),
  });
  log.info({ installation: job.installationId, org: job.org, week, issue: issue.number, action: issue.action, ...result.stats, failed: result.failures.length }, 'sweep finished; weekly issue published');

  // The policy was just read: keep the weekly schedule in step with it.
  if (deps.scheduler) {
    await deps.scheduler.schedule(job.installationId, job.org, settings.schedule).catch((err: unknown) =>
      log.warn({ org: job.org, reason: describeError(err) }, 'sweep: could not update the weekly schedule'),
    );
  }
  return { result, issue };
}

/** Reads the organisation's `sweep.schedule` and registers it. Never throws: a bad policy keeps the default. */
export async function scheduleInstallation(scheduler: SweepScheduler, octokit: Octokit, log: SweepLog, installationId: number, org: string): Promise<void> {
  let cron = sweepPolicy({ sweep: {} } as Policy).schedule;
  try {
    const loaded = await loadPolicy(octokit, { owner: org, repo: '.github' });
    cron = sweepPolicy(loaded.policy).schedule;
  } catch (err) {
    log.warn({ installation: installationId, org, reason: describeError(err) }, 'weekly sweep: could not read the organisation policy; default schedule');
  }
  try {
    await scheduler.schedule(installationId, org, cron);
    log.info({ installation: installationId, org, cron }, 'weekly sweep scheduled');
  } catch (err) {
    log.error({ installation: installationId, org, reason: describeError(err) }, 'weekly sweep: could not be scheduled');
  }
}

interface HandlerDeps {
  sweeps: SweepDeps;
  queue: JobQueue<AppJob>;
  now: () => Date;
  scheduler: SweepScheduler;
  octokitOf: (context: Context) => Octokit;
}

function accountLogin(installation: { account?: unknown } | undefined): string | undefined {
  const account = installation?.account;
  return account && typeof account === 'object' && 'login' in account && typeof account.login === 'string' ? account.login : undefined;
}

async function enqueueSweep(deps: HandlerDeps, log: SweepLog, installationId: number, org: string, reason: SweepReason, when: string): Promise<void> {
  const id = sweepJobId(installationId, when);
  await deps.queue.add({ kind: 'sweep', installationId, org, reason }, { id });
  log.info({ installation: installationId, org, reason, job: id }, 'sweep enqueued');
}

/** Registers the installation and comment handlers. */
export function registerSweeps(app: Probot, deps: HandlerDeps): void {
  app.on(['installation.created', 'installation.new_permissions_accepted', 'installation_repositories.added'], async (context) => {
    const { installation } = context.payload;
    const org = accountLogin(installation);
    if (!org) {
      context.log.warn({ installation: installation.id }, 'installation without an account login: no sweep');
      return;
    }
    const reason: SweepReason =
      context.name === 'installation_repositories' ? 'repositories-added' : context.payload.action === 'created' ? 'installed' : 'permissions-accepted';
    await enqueueSweep(deps, context.log, installation.id, org, reason, utcDay(deps.now()));
    if (reason === 'installed') await scheduleInstallation(deps.scheduler, deps.octokitOf(context), context.log, installation.id, org);
  });

  app.on(['installation.deleted', 'installation.suspend'], async (context) => {
    await deps.scheduler.unschedule(context.payload.installation.id);
  });

  app.on('installation.unsuspend', async (context) => {
    const org = accountLogin(context.payload.installation);
    if (org) await scheduleInstallation(deps.scheduler, deps.octokitOf(context), context.log, context.payload.installation.id, org);
  });

  app.on('issue_comment.created', async (context) => {
    const { comment, issue, repository, sender } = context.payload;
    const installationId = context.payload.installation?.id;
    const parse = deps.sweeps.parseCommand;
    // Cheap checks first: no API call for ordinary comments.
    if (!parse || installationId === undefined) return;
    if (comment.user?.type === 'Bot' || sender.type === 'Bot' || comment.performed_via_github_app) return;
    if (issue.pull_request || !issue.labels?.some((l) => l.name === ISSUE_LABEL)) return;
    if (parse(comment.body)?.command !== 'sweep') return;

    const org = repository.owner.login;
    const octokit = deps.octokitOf(context);
    const log = context.log;
    const loaded = await loadPolicy(octokit, { owner: org, repo: '.github' }).catch(() => undefined);
    const issueRepo = sweepPolicy(loaded?.policy ?? ({ sweep: {} } as Policy)).issueRepo;
    if (repository.name.toLowerCase() !== issueRepo.toLowerCase()) {
      log.info({ org, repo: repository.name }, 'sweep command outside the organisation issue repository: ignored');
      return;
    }
    const user = comment.user ?? sender;
    const login = user.login;
    const owner = await isOwner(octokit, repository.owner, user);
    const where = { owner: org, repo: repository.name };
    if (!owner) {
      log.info({ org, user: login }, 'sweep command refused: not an organisation owner');
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...where,
        issue_number: issue.number,
        body: `Sorry ${escapeMarkdown(login, 100)}, only an owner of this organisation can start a Pipeline Guard sweep. The weekly sweep still runs on schedule.`,
      });
      return;
    }
    await enqueueSweep(deps, log, installationId, org, 'command', onDemandBucket(deps.now()));
    await octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', { ...where, comment_id: comment.id, content: 'rocket' });
  });
}

/** An active organisation owner; for a personal account, the account itself. Any other answer (404 included): no. */
async function isOwner(octokit: Octokit, account: { login: string; id: number; type?: string }, user: { login: string; id: number }): Promise<boolean> {
  if (account.type === 'User') return account.id === user.id;
  try {
    const res = await octokit.request('GET /orgs/{org}/memberships/{username}', { org: account.login, username: user.login });
    return res.data.role === 'admin' && res.data.state === 'active';
  } catch {
    return false;
  }
}
