/**
 * The GitHub App: thin Probot handlers that map an event to "which repository, which commit, which
 * pull request", then run one audit inside a check run (publish/check-run keeps it from ever being
 * left in progress).
 *
 * - `pull_request` opened/synchronize/reopened → audit the head SHA; findings on lines the PR touched are "new".
 * - `push` to the default branch → audit `after` (other branches, tags and deletions: nothing, no API call).
 * - `check_run.rerequested` (our run) → a new run on that head SHA (with its PR, if GitHub names one).
 * - `check_run.requested_action` `fix` → acknowledged only: logged, and a note added to the run's text.
 *   Opening the fix-up pull requests is a separate feature (another issue).
 * - settings events (`branch_protection_rule`, `branch_protection_configuration`, `repository_ruleset`,
 *   `repository` edited/publicized/privatized) and `installation` created/new_permissions_accepted,
 *   `installation_repositories` added → audit the default-branch head of each repository concerned.
 * - `deployment_protection_rule.requested` → the deployment gate approves or rejects (app/gate).
 *
 * The collector is injected (`deps.collect`), so the handlers are tested without it. Nothing secret is
 * logged: only event names, repositories, SHAs and error messages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationFunction, Context, Probot, ProbotOctokit } from 'probot';
import type { Check } from '../checks/types.js';
import { ALL_CHECKS } from '../checks/registry.js';
import { scanSnapshot } from '../engine/scan.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import { checkRunPolicy } from '../policy/config.js';
import { buildCheckRunOutput, CHECK_RUN_NAME, FIX_ACTION } from '../report/check-run.js';
import { collectTouchedLines, isTouched } from '../collect/pull-request.js';
import { loadPolicy } from '../collect/policy.js';
import { describeError, withCheckRun } from '../publish/check-run.js';
import { registerGate, type GateDeps } from './gate.js';

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
}

export interface AuditJob {
  owner: string;
  repo: string;
  headSha: string;
  /** `https://github.com/owner/repo` from the webhook, for file:line links. */
  repoUrl?: string;
  branch?: string;
  pullRequest?: { number: number; baseRef: string };
  /** A new check run even if one exists (re-run requested). */
  forceNew?: boolean;
}

const ZERO_SHA = /^0+$/;

function noCollector(): Promise<RepoSnapshot> {
  return Promise.reject(new Error('no repository collector is configured'));
}

function envAppId(): number | undefined {
  const n = Number(process.env.APP_ID);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** `GET /healthz` → 200 `{"status":"ok"}` (for load balancers and orchestrators). */
export function healthHandler(req: IncomingMessage, res: ServerResponse): boolean {
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

/** What a settings-event payload says about its repository, as the default-branch audit takes it. */
function repoRef(repository: { owner: { login: string }; name: string; default_branch: string; html_url: string; archived: boolean }) {
  return {
    owner: repository.owner.login,
    name: repository.name,
    defaultBranch: repository.default_branch,
    htmlUrl: repository.html_url,
    archived: repository.archived,
  };
}

export function createApp(deps: AppDeps = {}): ApplicationFunction {
  const collect = deps.collect ?? noCollector;
  const checks = deps.checks ?? ALL_CHECKS;
  const now = deps.now ?? (() => new Date());
  const appId = deps.appId ?? envAppId();

  return (app: Probot, options) => {
    try {
      options.addHandler(healthHandler);
    } catch {
      // `probot.load()` without a server (tests, `receive()` only) has nowhere to add routes.
    }

    /** The event's octokit, with request recording when asked for. */
    const octokitOf = (context: Context): Octokit => {
      const octokit = context.octokit as Octokit;
      if (deps.recordFile && deps.record) deps.record(octokit, deps.recordFile);
      return octokit;
    };

    // `deployment_protection_rule.requested`: the deployment gate (app/gate).
    registerGate(app, { collect, checks, now, octokitOf, gate: deps.gate });

    async function audit(octokit: Octokit, log: Context['log'], job: AuditJob): Promise<void> {
      const target = { owner: job.owner, repo: job.repo, headSha: job.headSha };
      log.info({ owner: job.owner, repo: job.repo, sha: job.headSha, pr: job.pullRequest?.number }, 'audit started');
      const clock = () => now().toISOString();
      const result = await withCheckRun(octokit, target, { appId, forceNew: job.forceNew, now: clock(), clock }, async () => {
        const loaded = await loadPolicy(octokit, job);
        const touched = job.pullRequest
          ? await collectTouchedLines(octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullRequest.number })
          : undefined;
        const snapshot = await collect(octokit, { owner: job.owner, repo: job.repo, ref: job.headSha });
        const scan = scanSnapshot(snapshot, checks, loaded.policy);
        return buildCheckRunOutput({
          findings: scan.findings,
          notEvaluated: scan.notEvaluated,
          warnings: scan.warnings,
          refused: loaded.refused,
          policyError: loaded.error?.message,
          policy: checkRunPolicy(loaded.policy),
          pullRequest:
            job.pullRequest && touched
              ? { ...job.pullRequest, isNew: (f) => isTouched(touched, f), truncatedFiles: touched.truncated }
              : undefined,
          repoUrl: job.repoUrl,
          headSha: job.headSha,
          branch: job.branch,
        });
      });
      if (result.error) log.error({ owner: job.owner, repo: job.repo, sha: job.headSha, reason: describeError(result.error) }, 'audit failed; check run completed as neutral');
      else log.info({ owner: job.owner, repo: job.repo, sha: job.headSha, conclusion: result.output?.conclusion, reused: result.run.reused }, 'audit finished');
    }

    /** Audits the default-branch head of a repository (settings and installation events). */
    async function auditDefaultBranch(
      octokit: Octokit,
      log: Context['log'],
      repo: { owner: string; name: string; defaultBranch?: string; htmlUrl?: string; archived?: boolean },
    ): Promise<void> {
      let { defaultBranch, htmlUrl, archived } = repo;
      if (!defaultBranch) {
        const res = await octokit.request('GET /repos/{owner}/{repo}', { owner: repo.owner, repo: repo.name });
        defaultBranch = res.data.default_branch;
        htmlUrl = res.data.html_url;
        archived = res.data.archived;
      }
      if (archived) {
        log.info({ owner: repo.owner, repo: repo.name }, 'archived repository: no check run');
        return;
      }
      let sha: string;
      try {
        const ref = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: repo.owner, repo: repo.name, ref: `heads/${defaultBranch}` });
        sha = ref.data.object.sha;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 404 || status === 409) {
          log.info({ owner: repo.owner, repo: repo.name }, 'empty repository: nothing to audit');
          return;
        }
        throw err;
      }
      await audit(octokit, log, { owner: repo.owner, repo: repo.name, headSha: sha, repoUrl: htmlUrl, branch: defaultBranch });
    }

    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context) => {
      const { pull_request: pr, repository } = context.payload;
      await audit(octokitOf(context), context.log, {
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
      await audit(octokitOf(context), context.log, {
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
      await audit(octokitOf(context), context.log, {
        owner: repository.owner.login,
        repo: repository.name,
        headSha: run.head_sha,
        repoUrl: repository.html_url,
        pullRequest: pr ? { number: pr.number, baseRef: pr.base.ref } : undefined,
        branch: pr ? undefined : run.check_suite?.head_branch ?? undefined,
        forceNew: true,
      });
    });

    app.on('check_run.requested_action', async (context) => {
      const { check_run: run, repository, requested_action: action } = context.payload;
      if (!isOurs(run) || action?.identifier !== FIX_ACTION.identifier) return;
      const owner = repository.owner.login;
      // Acknowledged only: the fix-up pull request flow is a separate feature.
      context.log.info({ owner, repo: repository.name, checkRun: run.id }, 'fix requested: acknowledged on the check run (fix-up pull requests arrive with the fix-up PR flow)');
      const octokit = octokitOf(context);
      const current = await octokit.request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}', { owner, repo: repository.name, check_run_id: run.id });
      const out = current.data.output;
      await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner,
        repo: repository.name,
        check_run_id: run.id,
        output: {
          title: out.title ?? 'Pipeline Guard',
          summary: out.summary ?? '',
          text: 'A fix was requested. Fix-up pull requests are not available yet in this version of Pipeline Guard: the request was recorded, and nothing was changed.',
        },
      });
    });

    app.on(['branch_protection_rule', 'branch_protection_configuration', 'repository_ruleset'], async (context) => {
      const repository = context.payload.repository;
      if (!repository) {
        // An organisation ruleset: it may apply to every repository; the scheduled sweep re-audits them.
        context.log.info({ event: context.name }, 'organisation-level settings change: left to the sweep');
        return;
      }
      await auditDefaultBranch(octokitOf(context), context.log, repoRef(repository));
    });

    app.on(['repository.edited', 'repository.publicized', 'repository.privatized'], async (context) => {
      await auditDefaultBranch(octokitOf(context), context.log, repoRef(context.payload.repository));
    });

    async function auditMany(context: Context, owner: string, repos: { name: string; full_name: string }[]): Promise<void> {
      const octokit = octokitOf(context);
      for (const r of repos) {
        // One repository failing must not stop the others; each audit already records its own outcome.
        try {
          await auditDefaultBranch(octokit, context.log, { owner: r.full_name.split('/')[0] || owner, name: r.name });
        } catch (err) {
          context.log.error({ repo: r.full_name, reason: describeError(err) }, 'could not audit repository');
        }
      }
    }

    app.on(['installation.created', 'installation.new_permissions_accepted'], async (context) => {
      const { installation } = context.payload;
      const owner = installation.account && 'login' in installation.account ? installation.account.login : '';
      let repos: { name: string; full_name: string }[] | undefined = context.payload.repositories;
      if (!repos) {
        const octokit = octokitOf(context);
        repos = [];
        for (let page = 1; page <= 10; page++) {
          const res = await octokit.request('GET /installation/repositories', { per_page: 100, page });
          repos.push(...res.data.repositories.map((r) => ({ name: r.name, full_name: r.full_name })));
          if (res.data.repositories.length < 100) break;
        }
      }
      await auditMany(context, owner, repos);
    });

    app.on('installation_repositories.added', async (context) => {
      const { installation, repositories_added: added } = context.payload;
      const owner = installation.account && 'login' in installation.account ? installation.account.login : '';
      await auditMany(context, owner, added);
    });
  };
}
