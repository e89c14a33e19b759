/**
 * Deployment environments of a swept repository: their protection from the batched GraphQL answer
 * (no `GET …/environments`, no `…/deployment-branch-policies`), then only the REST reads that can
 * change a verdict:
 * - `…/deployment_protection_rules` for environments without required reviewers, because a custom
 *   app gate (e.g. Pipeline Guard's own) counts as an approval gate for deploy-environment-unprotected;
 * - `…/environments/{name}/secrets` only for environments with a protection gap (no approval gate,
 *   a self-approvable review, or no branch policy) that a workflow outsiders can trigger may name:
 *   only there do the secret names raise the severity of deploy-environment-unprotected (high →
 *   critical). Other environments' secret names are not read; the caller says so in the snapshot's
 *   warnings (`unreadSecretsOf`).
 */
import type { EnvironmentProtection, Probe, SecretName } from '../model/settings.js';
import { PERMISSION, restGet, worstFailure, type Failure, type OctokitLike } from '../collect/github-rest.js';
import type { SweepRepository } from './query.js';
import { notRead } from './not-read.js';

const PER_PAGE = 100;

/**
 * EnvironmentProtection from GraphQL's protection rules. What GraphQL does not say:
 * - whether a BRANCH_POLICY rule is "protected branches" or custom name patterns, and the patterns:
 *   recorded as custom with `branchPolicies` undefined, so deploy-environment-unprotected reports no
 *   "every branch (*)" gap it cannot see (the per-repository audit reads the patterns);
 * - `can_admins_bypass`: GitHub's default (true), the weaker setting, as the REST reader assumes
 *   when the field is missing;
 * - custom app gates (`customRules`): empty here, read over REST by `readSweptEnvironments`.
 */
export function environmentsFromGraphql(envs: SweepRepository['environments']): Probe<EnvironmentProtection[]> {
  if (!envs) return { status: 'error', reason: 'GraphQL returned no environments connection' };
  const nodes = (envs.nodes ?? []).filter((n) => n !== null);
  if (envs.totalCount > nodes.length) return notRead(`${envs.totalCount} environments, more than the ${nodes.length} read in the batch`);
  const out: EnvironmentProtection[] = [];
  for (const n of nodes) {
    const rules = (n.protectionRules.nodes ?? []).filter((r) => r !== null);
    if (n.protectionRules.totalCount > rules.length) return notRead(`environment ${JSON.stringify(n.name)} has more protection rules than the batch reads`);
    const reviewers = rules.find((r) => r.type === 'REQUIRED_REVIEWERS');
    const wait = rules.find((r) => r.type === 'WAIT_TIMER');
    const branch = rules.some((r) => r.type === 'BRANCH_POLICY');
    out.push({
      name: n.name,
      reviewers: reviewers?.reviewers.totalCount ?? 0,
      preventSelfReview: reviewers?.preventSelfReview ?? false,
      waitTimer: wait?.timeout ?? 0,
      canAdminsBypass: true,
      deploymentBranchPolicy: branch ? { protectedBranches: false, customBranchPolicies: true } : null,
      customRules: [],
    });
  }
  return { status: 'ok', value: out };
}

/** A gap deploy-environment-unprotected reports, where the environment's secrets raise its severity. */
export function hasProtectionGap(e: EnvironmentProtection): boolean {
  const approvalGate = e.reviewers > 0 || e.customRules.length > 0;
  return !approvalGate || (e.reviewers > 0 && !e.preventSelfReview) || e.deploymentBranchPolicy === null;
}

export interface SweptEnvironments {
  environments: Probe<EnvironmentProtection[]>;
  /** Secret names of the gapped environments. */
  envSecrets: SecretName[];
  envSecretFailures: Failure[];
  /** Environments whose secret names were not read (protected, or named by no outsider-triggered workflow). */
  unreadSecretsOf: string[];
}

export interface EnvReadContext {
  octokit: OctokitLike;
  owner: string;
  repo: string;
  warnings: string[];
}

/**
 * Completes the GraphQL environments with custom gates, and with the secret names of gapped
 * environments `outsiderMayUse` accepts (sweep/workflow-needs.ts).
 */
export async function readSweptEnvironments(ctx: EnvReadContext, list: EnvironmentProtection[], outsiderMayUse: (environment: string) => boolean): Promise<SweptEnvironments> {
  const failures: Failure[] = [];
  const envSecrets: SecretName[] = [];
  const envSecretFailures: Failure[] = [];
  const unread = new Set<string>();
  const out = await Promise.all(list.map(async (env): Promise<EnvironmentProtection> => {
    const e = { ...env };
    const base = { owner: ctx.owner, repo: ctx.repo, environment_name: e.name };
    if (e.reviewers === 0) {
      const g = await restGet<{ custom_deployment_protection_rules?: { enabled: boolean; app: { slug: string } }[] }>(
        ctx.octokit, '/repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules', base, PERMISSION.actions);
      if (!g.ok) {
        failures.push(g.failure);
        unread.add(e.name);
        return e;
      }
      e.customRules = (g.data.custom_deployment_protection_rules ?? []).filter((r) => r.enabled).map((r) => r.app.slug);
    }
    if (!hasProtectionGap(e) || !outsiderMayUse(e.name)) {
      unread.add(e.name);
      return e;
    }
    const s = await restGet<{ total_count: number; secrets: { name: string; updated_at?: string }[] }>(
      ctx.octokit, '/repos/{owner}/{repo}/environments/{environment_name}/secrets', { ...base, per_page: PER_PAGE }, PERMISSION.environments);
    if (!s.ok) {
      envSecretFailures.push(s.failure);
      return e;
    }
    if (s.data.total_count > s.data.secrets.length) ctx.warnings.push(`environment ${JSON.stringify(e.name)} has ${s.data.total_count} secrets; only ${s.data.secrets.length} names were read`);
    for (const x of s.data.secrets) envSecrets.push({ name: x.name, scope: 'environment', environment: e.name, ...(x.updated_at ? { updatedAt: x.updated_at } : {}) });
    e.secretNames = s.data.secrets.map((x) => x.name);
    return e;
  }));
  const worst = worstFailure(failures);
  // In GitHub's order, whichever read answered first.
  const unreadSecretsOf = list.map((e) => e.name).filter((n) => unread.has(n));
  envSecrets.sort((a, b) => list.findIndex((e) => e.name === a.environment) - list.findIndex((e) => e.name === b.environment));
  return { environments: worst ?? { status: 'ok', value: out }, envSecrets, envSecretFailures, unreadSecretsOf };
}
