/**
 * What the sweep does per repository besides scoring it: settings enforcement (organisation policy
 * `enforce:`) and fix-up pull requests (`autofix: pr`, repository or organisation). Each hook is
 * cheap when it has nothing to do: no request unless the policy asks and the findings call for it.
 */
import type { Check } from '../checks/types.js';
import { resolveReviewers, type ReviewerIds } from '../collect/enforce-ids.js';
import { FIXABLE_CHECK_IDS } from '../fixes/registry.js';
import { DEFAULT_POLICY_PATH, type Policy } from '../policy/config.js';
import { repositoryPolicy } from '../sweep/sweep.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import { decodeText } from '../files/text.js';
import { enforceRepository } from './enforce.js';
import { fixRepository } from './fix.js';
import type { CollectFn } from './index.js';
import type { SweptRepoHook } from './sweep.js';

/** The repository's own policy merged under the organisation's, as the sweep merged it (the file came with the batch). */
export function sweptRepoPolicy(org: Policy, snapshot: RepoSnapshot): Policy {
  const file = snapshot.files.find((f) => f.path === DEFAULT_POLICY_PATH);
  const text = decodeText(file?.bytes);
  if (!file || text === undefined) return org;
  return repositoryPolicy(org, snapshot.repo?.name ?? '', { text, byteSize: file.size, isTruncated: false }).policy;
}

/** Enforcement in the sweep: the only place settings without webhooks (environments, Actions) are enforced. */
export function enforcementHook(opts: { actor: string; now: () => Date }): SweptRepoHook {
  // The organisation's reviewer ids, looked up once per sweep rather than once per repository: a sweep
  // passes the same organisation Policy object to every repository's hooks.
  const reviewerIds = new WeakMap<Policy, Promise<ReviewerIds>>();
  return async ({ octokit, policy, repo, snapshot, log }) => {
    const reviewers = (names: readonly string[]): Promise<ReviewerIds> => {
      let ids = reviewerIds.get(policy);
      if (!ids) {
        ids = resolveReviewers(octokit, names);
        reviewerIds.set(policy, ids);
        ids.catch(() => reviewerIds.delete(policy)); // a failed lookup is retried by the next repository
      }
      return ids;
    };
    const outcome = await enforceRepository(octokit, { owner: repo.owner, repo: repo.name }, snapshot.settings, repo.findings, policy, { actor: opts.actor, now: opts.now().toISOString(), reviewers });
    if (!outcome) return undefined;
    log.info({ owner: repo.owner, repo: repo.name, enforcement: outcome.records.map((r) => `${r.change.checkId}:${r.status}`) }, 'sweep: settings enforcement');
    return { drift: outcome.drift };
  };
}

/** Fix-up pull requests in the sweep, for repositories with fixable findings whose policy says `autofix: pr`. */
export function autofixHook(opts: { collect: CollectFn; checks: readonly Check[]; botLogin?: string }): SweptRepoHook {
  return async ({ octokit, policy, repo, snapshot, log }) => {
    if (!repo.findings.some((f) => FIXABLE_CHECK_IDS.has(f.checkId))) return undefined;
    if (sweptRepoPolicy(policy, snapshot).autofix !== 'pr') return undefined;
    const result = await fixRepository(
      octokit,
      { owner: repo.owner, repo: repo.name, defaultBranch: repo.defaultBranch, repoUrl: repo.url, ...(opts.botLogin ? { botLogin: opts.botLogin } : {}) },
      { collect: opts.collect, checks: opts.checks },
      { trigger: 'sweep' },
    );
    log.info({ owner: repo.owner, repo: repo.name, fixes: result.results.map((r) => `${r.kind}:${r.action}`), skipped: result.skipped }, 'sweep: fix-up pull requests');
    return undefined;
  };
}
