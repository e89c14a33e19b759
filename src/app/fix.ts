/**
 * Fix-up pull requests from the app:
 * - `check_run.requested_action` with identifier `fix` on our own check run ("Fix it") → audit the
 *   default-branch head (policy, snapshot, scan), open or update one PR per kind of fix
 *   (publish/fix-pr), then write the outcome with the PR links into the check run's text;
 * - `fixRepository(..., { trigger: 'sweep' })` is the same core for the weekly sweep, which only acts
 *   when the repository's policy says `autofix: pr`, and does not touch any check run.
 * Fixes always target the default branch: a finding that exists only on a PR branch is fixed in that PR.
 */
import type { Context, Probot } from 'probot';
import { ALL_CHECKS } from '../checks/registry.js';
import type { Check } from '../checks/types.js';
import { refsOfFindings, resolveActionRefs } from '../collect/action-refs.js';
import type { OctokitLike } from '../collect/github-rest.js';
import { readDefaultBranchHead } from '../collect/default-branch.js';
import { loadPolicy } from '../collect/policy.js';
import { scanSnapshot } from '../engine/scan.js';
import type { FixOptions } from '../fixes/types.js';
import type { Finding } from '../model/types.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import { describeError } from '../publish/check-run.js';
import { openFixPullRequests } from '../publish/fix-pr.js';
import { CHECK_RUN_NAME, FIX_ACTION } from '../report/check-run.js';
import { fixResultsText, type FixPrResult } from '../report/fix-pr.js';
import type { CollectFn, Octokit } from './index.js';

export interface FixDeps {
  collect: CollectFn;
  checks?: readonly Check[];
  /** This app's id: only its own check runs are answered. Defaults to APP_ID. */
  appId?: number;
  /** The event's octokit (with request recording when configured); defaults to `context.octokit`. */
  octokitOf?: (context: Context) => Octokit;
  /** Resolves what some fixers need beforehand; default: pins for unpinned-action (collect/action-refs). */
  fixOptions?: (octokit: Octokit, snapshot: RepoSnapshot, findings: readonly Finding[]) => Promise<FixOptions>;
}

export interface FixTarget {
  owner: string;
  repo: string;
  /** Read from the repository when not given. */
  defaultBranch?: string;
  /** `https://github.com/owner/repo`, for line links in the PR bodies. */
  repoUrl?: string;
  /** `<app-slug>[bot]`: only PRs and commits by it count as the app's. */
  botLogin?: string;
  /** Limit to these check ids. */
  kinds?: readonly string[];
}

export interface FixRepositoryResult {
  defaultBranch?: string;
  baseSha?: string;
  results: FixPrResult[];
  /** Why nothing was attempted (archived, empty repository, autofix off). */
  skipped?: string;
}

/** Resolves the tags and branches of unpinned `uses:` refs to commit SHAs (reads only; nothing when there are none). */
async function resolvePins(octokit: Octokit, _snapshot: RepoSnapshot, findings: readonly Finding[]): Promise<FixOptions> {
  const refs = refsOfFindings(findings.filter((f) => f.fixable));
  // ProbotOctokit's typed `request` and `graphql` accept the plain calls OctokitLike makes.
  return refs.length > 0 ? { pins: await resolveActionRefs(octokit as unknown as OctokitLike, refs) } : {};
}

/** Audits the default-branch head and opens/updates/closes the fix-up PRs (no check run involved). */
export async function fixRepository(
  octokit: Octokit,
  target: FixTarget,
  deps: Pick<FixDeps, 'collect' | 'checks' | 'fixOptions'>,
  opts: { trigger: 'check-run' | 'sweep' },
): Promise<FixRepositoryResult> {
  const { owner, repo } = target;
  const head = await readDefaultBranchHead(octokit, target);
  if (head.state === 'archived') return { results: [], skipped: 'the repository is archived' };
  if (head.state === 'empty') return { defaultBranch: head.defaultBranch, results: [], skipped: 'the repository is empty' };
  const { defaultBranch, repoUrl, sha: baseSha } = head;
  const loaded = await loadPolicy(octokit, { owner, repo });
  if (opts.trigger === 'sweep' && loaded.policy.autofix !== 'pr') return { defaultBranch, baseSha, results: [], skipped: 'the policy does not say autofix: pr' };
  const snapshot = await deps.collect(octokit, { owner, repo, ref: baseSha });
  const findings = scanSnapshot(snapshot, deps.checks ?? ALL_CHECKS, loaded.policy).findings;
  const fixOptions = await (deps.fixOptions ?? resolvePins)(octokit, snapshot, target.kinds ? findings.filter((f) => target.kinds?.includes(f.checkId)) : findings);
  const results = await openFixPullRequests(octokit, {
    owner,
    repo,
    defaultBranch,
    baseSha,
    snapshot,
    findings,
    policy: loaded.policy,
    kinds: target.kinds,
    repoUrl,
    botLogin: target.botLogin,
    fixOptions,
  });
  return { defaultBranch, baseSha, results };
}

/** The check-run text after a fix request (fixResultsText escapes the reason). */
function runText(out: FixRepositoryResult | undefined, error: unknown, defaultBranch: string): string {
  const why = error !== undefined ? `the fix run failed: ${describeError(error)}` : out?.skipped;
  return fixResultsText(out?.results ?? [], { defaultBranch: out?.defaultBranch ?? defaultBranch, baseSha: out?.baseSha, why });
}

/** Answers "Fix it" on our own check run (inline: the person who pressed it waits for the links). */
export function registerFix(app: Probot, deps: FixDeps): void {
  const appId = deps.appId ?? (Number.isInteger(Number(process.env.APP_ID)) && Number(process.env.APP_ID) > 0 ? Number(process.env.APP_ID) : undefined);
  app.on('check_run.requested_action', async (context) => {
    const { check_run: run, repository, requested_action: action } = context.payload;
    if (run.name !== CHECK_RUN_NAME || (appId !== undefined && run.app?.id !== appId)) return;
    if (action?.identifier !== FIX_ACTION.identifier) return;
    const owner = repository.owner.login;
    const octokit = deps.octokitOf ? deps.octokitOf(context) : (context.octokit as Octokit);
    const slug = run.app?.slug;
    context.log.info({ owner, repo: repository.name, checkRun: run.id }, 'fix requested');
    let out: FixRepositoryResult | undefined;
    let error: unknown;
    try {
      out = await fixRepository(
        octokit,
        { owner, repo: repository.name, defaultBranch: repository.default_branch, repoUrl: repository.html_url, botLogin: slug ? `${slug}[bot]` : undefined },
        deps,
        { trigger: 'check-run' },
      );
    } catch (err) {
      error = err;
      context.log.error({ owner, repo: repository.name, reason: describeError(err) }, 'fix-up pull requests failed');
    }
    if (out) context.log.info({ owner, repo: repository.name, results: out.results.map((r) => `${r.kind}:${r.action}${r.number ? `#${r.number}` : ''}`) }, 'fix-up pull requests done');
    const current = await octokit.request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}', { owner, repo: repository.name, check_run_id: run.id });
    const o = current.data.output;
    await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner,
      repo: repository.name,
      check_run_id: run.id,
      output: { title: o.title ?? CHECK_RUN_NAME, summary: o.summary ?? '', text: runText(out, error, repository.default_branch) },
    });
  });
}
