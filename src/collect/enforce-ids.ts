/**
 * Reads what the environment remediation needs and the settings snapshot lacks (GET only):
 * - the numeric ids of the reviewers named in `enforce.reviewers` (`login` → GET /users/{username},
 *   `org/team-slug` → GET /orgs/{org}/teams/{team_slug}, which needs the organization "members: read"
 *   permission);
 * - the current state of each environment the deploy-environment-unprotected check flagged
 *   (GET /repos/{o}/{r}/environments/{name}): its reviewers with their ids, wait timer and branch
 *   policy, because PUT replaces the protection rules and must send back what exists.
 * Nothing is read unless that check is enforced and found something.
 */
import type { Finding } from '../model/types.js';
import type { Probe } from '../model/settings.js';
import { enforcePolicy, type Policy } from '../policy/config.js';
import { PERMISSION, restGet, type OctokitLike } from './github-rest.js';

export const ENVIRONMENT_CHECK = 'deploy-environment-unprotected';

export interface ResolvedReviewer {
  /** As written in the policy: `login` or `org/team-slug`. */
  name: string;
  type: 'User' | 'Team';
  id: number;
}

export interface EnvironmentState {
  name: string;
  waitTimer: number;
  preventSelfReview: boolean;
  reviewers: ResolvedReviewer[];
  deploymentBranchPolicy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
}

export interface EnforceIds {
  reviewers: ResolvedReviewer[];
  unresolved: { name: string; reason: string }[];
  /** Keyed by lower-cased environment name; `null` when the environment does not exist (404). */
  environments: Map<string, Probe<EnvironmentState | null>>;
}

interface RestEnvironment {
  name: string;
  protection_rules?: {
    type: string;
    wait_timer?: number;
    prevent_self_review?: boolean;
    reviewers?: { type?: string; reviewer?: { id?: number; login?: string; slug?: string; name?: string } | null }[];
  }[];
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

function environmentState(env: RestEnvironment): EnvironmentState {
  const rules = env.protection_rules ?? [];
  const reviewerRule = rules.find((r) => r.type === 'required_reviewers');
  const reviewers: ResolvedReviewer[] = [];
  for (const r of reviewerRule?.reviewers ?? []) {
    const id = r.reviewer?.id;
    if ((r.type === 'User' || r.type === 'Team') && typeof id === 'number') {
      reviewers.push({ type: r.type, id, name: r.reviewer?.login ?? r.reviewer?.slug ?? r.reviewer?.name ?? String(id) });
    }
  }
  const p = env.deployment_branch_policy ?? null;
  return {
    name: env.name,
    waitTimer: rules.find((r) => r.type === 'wait_timer')?.wait_timer ?? 0,
    preventSelfReview: reviewerRule?.prevent_self_review ?? false,
    reviewers,
    deploymentBranchPolicy: p ? { protectedBranches: p.protected_branches, customBranchPolicies: p.custom_branch_policies } : null,
  };
}

async function resolveReviewer(octokit: OctokitLike, name: string): Promise<ResolvedReviewer | { name: string; reason: string }> {
  const slash = name.indexOf('/');
  if (slash < 0) {
    const res = await restGet<{ id: number; type?: string }>(octokit, '/users/{username}', { username: name }, PERMISSION.metadata);
    if (!res.ok) return { name, reason: res.httpStatus === 404 ? 'no such user' : `could not look the user up (${res.message})` };
    return { name, type: 'User', id: res.data.id };
  }
  const org = name.slice(0, slash);
  const slug = name.slice(slash + 1);
  const res = await restGet<{ id: number }>(octokit, '/orgs/{org}/teams/{team_slug}', { org, team_slug: slug }, 'members');
  if (!res.ok) {
    const reason =
      res.httpStatus === 404 ? 'no such team (or the app lacks the organization "members: read" permission)' : `could not look the team up (${res.message})`;
    return { name, reason };
  }
  return { name, type: 'Team', id: res.data.id };
}

export type ReviewerIds = Pick<EnforceIds, 'reviewers' | 'unresolved'>;

/** The ids of the policy's `enforce.reviewers`, one GET each, in policy order. */
export async function resolveReviewers(octokit: OctokitLike, names: readonly string[]): Promise<ReviewerIds> {
  const out: ReviewerIds = { reviewers: [], unresolved: [] };
  // Sequential: a handful of reads, and the throttling plugin serialises them anyway.
  for (const name of names) {
    const r = await resolveReviewer(octokit, name);
    if ('id' in r) out.reviewers.push(r);
    else out.unresolved.push(r);
  }
  return out;
}

/**
 * Reviewer ids and flagged environments' current state; empty when environment enforcement is off or has
 * nothing to do. `reviewers` replaces resolveReviewers (the sweep resolves them once for all its repositories).
 */
export async function collectEnforceIds(
  octokit: OctokitLike,
  target: { owner: string; repo: string },
  policy: Policy,
  findings: readonly Finding[],
  reviewers: (names: readonly string[]) => Promise<ReviewerIds> = (names) => resolveReviewers(octokit, names),
): Promise<EnforceIds> {
  const out: EnforceIds = { reviewers: [], unresolved: [], environments: new Map() };
  const enforce = enforcePolicy(policy);
  if (!enforce.checks.includes(ENVIRONMENT_CHECK)) return out;
  const names = new Map<string, string>();
  for (const f of findings) {
    const env = f.checkId === ENVIRONMENT_CHECK ? f.data?.environment : undefined;
    if (typeof env === 'string' && env !== '') names.set(env.toLowerCase(), env);
  }
  if (names.size === 0) return out;
  const ids = await reviewers(enforce.reviewers);
  out.reviewers.push(...ids.reviewers);
  out.unresolved.push(...ids.unresolved);
  for (const [key, name] of names) {
    const res = await restGet<RestEnvironment>(
      octokit,
      '/repos/{owner}/{repo}/environments/{environment_name}',
      { owner: target.owner, repo: target.repo, environment_name: name },
      PERMISSION.actions,
    );
    if (res.ok) out.environments.set(key, { status: 'ok', value: environmentState(res.data) });
    else if (res.httpStatus === 404 && /not found/i.test(res.message)) out.environments.set(key, { status: 'ok', value: null });
    else out.environments.set(key, res.failure);
  }
  return out;
}
