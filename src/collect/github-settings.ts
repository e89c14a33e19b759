/**
 * Repository settings from the GraphQL answer plus the REST routes GraphQL lacks. Every fact is a
 * Probe: a check never sees a pass that was not read, and never a failure for a feature the plan lacks.
 *
 * REST calls (all GET, one page of up to 100 items each), for a repository with E environments:
 *   repos/{o}/{r} (security_and_analysis) 1, actions/permissions 1, actions/permissions/workflow 1,
 *   fork-pr approval 1 (public or private variant), rules/branches/{default} 1, environments 1,
 *   per environment: secrets 1, deployment-branch-policies 1 only when it has custom policies,
 *   deployment_protection_rules 1 only when it has no required reviewers (only then can an app gate
 *   change the verdict), actions/secrets 1, actions/organization-secrets 1 (org owners),
 *   actions/runners 1, orgs/{org}/actions/runner-groups 1 (org owners),
 *   branches/{b}/protection 1 only when GraphQL saw no classic rule (to tell "not protected" from
 *   "not allowed to see").  Typical org repository with 2 environments: 13-15 calls.
 * Private repositories on the Free plan skip what the plan lacks (protection, rulesets, environments).
 */
import type {
  BranchRule,
  ClassicProtection,
  EnvironmentProtection,
  Probe,
  RepoFacts,
  RepoSettings,
  Ruleset,
  RulesetBypassActor,
  SecretName,
} from '../model/settings.js';
import type { GqlBranchProtectionRule, GqlRepository, GqlRuleset } from './github-query.js';
import { PERMISSION, restGet, worstFailure, type Failure, type OctokitLike, type RestResult } from './github-rest.js';

/** One GraphQL error, as @octokit/graphql reports them. */
export interface GqlError {
  type?: string;
  message: string;
  path?: (string | number)[];
}

export interface SettingsContext {
  octokit: OctokitLike;
  owner: string;
  repo: string;
  gql: GqlRepository;
  gqlErrors: GqlError[];
  collectedAt: string;
  warnings: string[];
}

const ok = <T>(value: T): Probe<T> => ({ status: 'ok', value });
const PER_PAGE = 100;
/** Environments whose branch policies, gates and secret names are read (each costs 1-3 calls). */
export const MAX_ENVIRONMENTS = 20;

function gqlErrorUnder(errors: GqlError[], prefix: (string | number)[]): GqlError | undefined {
  return errors.find((e) => e.path && prefix.every((p, i) => e.path?.[i] === p));
}

function gqlFailure(err: GqlError, permission: string): Failure {
  if (err.type === 'FORBIDDEN' || /not accessible by integration|must have (admin|push)/i.test(err.message)) {
    return { status: 'forbidden', permission, detail: `GraphQL: ${err.message}` };
  }
  return { status: 'error', reason: `GraphQL: ${err.message}` };
}

export function repoFacts(gql: GqlRepository): RepoFacts {
  const visibility = gql.visibility.toLowerCase() as RepoFacts['visibility'];
  const facts: RepoFacts = {
    visibility,
    archived: gql.isArchived,
    fork: gql.isFork,
    defaultBranch: gql.defaultBranchRef?.name ?? '',
    ownerIsOrg: gql.owner.__typename === 'Organization',
  };
  // Draft pull requests and CODEOWNERS enforcement are offered on private repositories by every paid
  // plan and by no free one: their absence on a private repository identifies the Free plan.
  if (visibility !== 'public' && gql.planFeatures && !gql.planFeatures.draftPullRequests && !gql.planFeatures.codeowners) facts.plan = 'free';
  return facts;
}

const FREE_PRIVATE = 'not offered for private repositories on the GitHub Free plan';

// ---------------------------------------------------------------------------------------------

function classicFromGraphql(rule: GqlBranchProtectionRule): ClassicProtection {
  const out: ClassicProtection = {
    enforceAdmins: rule.isAdminEnforced,
    allowForcePushes: rule.allowsForcePushes,
    allowDeletions: rule.allowsDeletions,
    requiredStatusChecks: rule.requiresStatusChecks ? (rule.requiredStatusChecks ?? []).map((c) => c.context) : [],
  };
  if (rule.requiresApprovingReviews) {
    out.requiredPullRequestReviews = {
      requiredApprovingReviewCount: rule.requiredApprovingReviewCount ?? 0,
      dismissStaleReviews: rule.dismissesStaleReviews,
      requireCodeOwnerReviews: rule.requiresCodeOwnerReviews,
      requireLastPushApproval: rule.requireLastPushApproval,
      bypassAllowances: rule.bypassPullRequestAllowances?.totalCount ?? 0,
    };
  }
  return out;
}

interface RestProtection {
  required_pull_request_reviews?: {
    required_approving_review_count?: number;
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    require_last_push_approval?: boolean;
    bypass_pull_request_allowances?: { users?: unknown[]; teams?: unknown[]; apps?: unknown[] };
  };
  enforce_admins?: { enabled: boolean };
  allow_force_pushes?: { enabled: boolean };
  allow_deletions?: { enabled: boolean };
  required_status_checks?: { contexts?: string[]; checks?: { context: string }[] };
}

function classicFromRest(p: RestProtection): ClassicProtection {
  const out: ClassicProtection = {
    enforceAdmins: p.enforce_admins?.enabled ?? false,
    allowForcePushes: p.allow_force_pushes?.enabled ?? false,
    allowDeletions: p.allow_deletions?.enabled ?? false,
    requiredStatusChecks: p.required_status_checks?.checks?.map((c) => c.context) ?? p.required_status_checks?.contexts ?? [],
  };
  const r = p.required_pull_request_reviews;
  if (r) {
    const b = r.bypass_pull_request_allowances;
    out.requiredPullRequestReviews = {
      requiredApprovingReviewCount: r.required_approving_review_count ?? 0,
      dismissStaleReviews: r.dismiss_stale_reviews ?? false,
      requireCodeOwnerReviews: r.require_code_owner_reviews ?? false,
      requireLastPushApproval: r.require_last_push_approval ?? false,
      bypassAllowances: (b?.users?.length ?? 0) + (b?.teams?.length ?? 0) + (b?.apps?.length ?? 0),
    };
  }
  return out;
}

async function classicProtection(ctx: SettingsContext, facts: RepoFacts): Promise<Probe<ClassicProtection | null>> {
  if (facts.plan === 'free') return { status: 'unavailable', reason: `branch protection is ${FREE_PRIVATE}` };
  const err = gqlErrorUnder(ctx.gqlErrors, ['repository', 'defaultBranchRef', 'branchProtectionRule']);
  if (err) return gqlFailure(err, PERMISSION.administration);
  const rule = ctx.gql.defaultBranchRef?.branchProtectionRule;
  if (rule) return ok(classicFromGraphql(rule));
  // GraphQL shows no rule: either none exists or the token may not see it. REST tells them apart.
  const res = await restGet<RestProtection>(
    ctx.octokit,
    '/repos/{owner}/{repo}/branches/{branch}/protection',
    { owner: ctx.owner, repo: ctx.repo, branch: facts.defaultBranch },
    PERMISSION.administration,
  );
  if (res.ok) return ok(classicFromRest(res.data));
  if (res.httpStatus === 404 && /branch not protected/i.test(res.message)) return ok(null);
  return res.failure;
}

// ---------------------------------------------------------------------------------------------

interface RestBranchRule {
  type: string;
  ruleset_id?: number;
  ruleset_source_type?: string;
  parameters?: Record<string, unknown>;
}

async function branchRules(ctx: SettingsContext, facts: RepoFacts): Promise<Probe<BranchRule[]>> {
  if (facts.plan === 'free') return { status: 'unavailable', reason: `rulesets are ${FREE_PRIVATE}` };
  const res = await restGet<RestBranchRule[]>(
    ctx.octokit,
    '/repos/{owner}/{repo}/rules/branches/{branch}',
    { owner: ctx.owner, repo: ctx.repo, branch: facts.defaultBranch, per_page: PER_PAGE },
    PERMISSION.metadata,
  );
  if (!res.ok) return res.failure;
  if (res.data.length >= PER_PAGE) ctx.warnings.push(`GitHub returned ${PER_PAGE} or more rules for ${facts.defaultBranch}; only the first page was read`);
  return ok(
    res.data.map((r) => {
      const rule: BranchRule = { type: r.type };
      if (r.ruleset_id !== undefined) rule.rulesetId = r.ruleset_id;
      if (r.ruleset_source_type !== undefined) rule.rulesetSourceType = r.ruleset_source_type;
      if (r.parameters !== undefined) rule.parameters = r.parameters;
      return rule;
    }),
  );
}

/** fnmatch as rulesets use it: `*` within a path segment, `**` across, `?` one character. */
function refGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function refNameMatches(patterns: readonly string[], branch: string): boolean {
  const ref = `refs/heads/${branch}`;
  return patterns.some((p) => p === '~ALL' || p === '~DEFAULT_BRANCH' || refGlob(p.startsWith('refs/') ? p : `refs/heads/${p}`).test(ref));
}

function bypassActor(a: NonNullable<NonNullable<GqlRuleset['bypassActors']>['nodes']>[number]): RulesetBypassActor | undefined {
  if (!a) return undefined;
  const bypassMode = (a.bypassMode ?? 'always').toLowerCase();
  if (a.organizationAdmin) return { actorType: 'OrganizationAdmin', actorId: null, bypassMode };
  if (a.deployKey) return { actorType: 'DeployKey', actorId: null, bypassMode };
  if (a.repositoryRoleName || a.repositoryRoleDatabaseId) return { actorType: 'RepositoryRole', actorId: a.repositoryRoleDatabaseId, bypassMode };
  if (a.actor?.__typename === 'App') return { actorType: 'Integration', actorId: a.actor.databaseId ?? null, bypassMode };
  if (a.actor?.__typename === 'Team') return { actorType: 'Team', actorId: a.actor.databaseId ?? null, bypassMode };
  return { actorType: a.actor?.__typename ?? 'Unknown', actorId: null, bypassMode };
}

function rulesets(ctx: SettingsContext, facts: RepoFacts, rules: Probe<BranchRule[]>): Probe<Ruleset[]> {
  if (facts.plan === 'free') return { status: 'unavailable', reason: `rulesets are ${FREE_PRIVATE}` };
  const err = gqlErrorUnder(ctx.gqlErrors, ['repository', 'rulesets']);
  if (err) return gqlFailure(err, PERMISSION.administration);
  const conn = ctx.gql.rulesets;
  if (!conn) return { status: 'error', reason: 'GraphQL returned no rulesets connection' };
  const nodes = (conn.nodes ?? []).filter((n): n is GqlRuleset => n !== null);
  if (conn.totalCount > nodes.length) ctx.warnings.push(`${conn.totalCount} rulesets apply to the repository; only the first ${nodes.length} were read`);
  const activeIds = new Set(rules.status === 'ok' ? rules.value.map((r) => r.rulesetId).filter((id) => id !== undefined) : []);
  const out: Ruleset[] = [];
  for (const n of nodes) {
    const target = (n.target ?? 'branch').toLowerCase();
    const ref = n.conditions.refName;
    const onDefault =
      (n.databaseId !== null && activeIds.has(n.databaseId)) ||
      (target === 'branch' && ref !== null && refNameMatches(ref.include, facts.defaultBranch) && !refNameMatches(ref.exclude.filter((p) => p !== '~ALL'), facts.defaultBranch));
    if (!onDefault) continue;
    if (n.bypassActors && n.bypassActors.totalCount > (n.bypassActors.nodes?.length ?? 0)) {
      ctx.warnings.push(`ruleset ${JSON.stringify(n.name)} has ${n.bypassActors.totalCount} bypass actors; only the first ${n.bypassActors.nodes?.length ?? 0} were read`);
    }
    if (n.rules && n.rules.totalCount > (n.rules.nodes?.length ?? 0)) {
      ctx.warnings.push(`ruleset ${JSON.stringify(n.name)} has ${n.rules.totalCount} rules; only the first ${n.rules.nodes?.length ?? 0} were read`);
    }
    out.push({
      id: n.databaseId ?? 0,
      name: n.name,
      target,
      enforcement: n.enforcement.toLowerCase(),
      sourceType: n.source.__typename,
      bypassActors: (n.bypassActors?.nodes ?? []).map(bypassActor).filter((a): a is RulesetBypassActor => a !== undefined),
      ruleTypes: (n.rules?.nodes ?? []).filter((r): r is { type: string } => r !== null).map((r) => r.type.toLowerCase()),
    });
  }
  return ok(out);
}

// ---------------------------------------------------------------------------------------------

interface RestEnvironment {
  name: string;
  can_admins_bypass?: boolean;
  protection_rules?: { type: string; wait_timer?: number; prevent_self_review?: boolean; reviewers?: unknown[] }[];
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

interface EnvironmentsResult {
  environments: Probe<EnvironmentProtection[]>;
  /** Environment secret names, or the failure that hid them. */
  envSecrets: SecretName[];
  envSecretFailures: Failure[];
}

async function envSecretNames(ctx: SettingsContext, envName: string, out: SecretName[], failures: Failure[]): Promise<string[] | undefined> {
  const res = await restGet<{ total_count: number; secrets: { name: string; updated_at?: string }[] }>(
    ctx.octokit,
    '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
    { owner: ctx.owner, repo: ctx.repo, environment_name: envName, per_page: PER_PAGE },
    PERMISSION.environments,
  );
  if (!res.ok) {
    failures.push(res.failure);
    return undefined;
  }
  if (res.data.total_count > res.data.secrets.length) ctx.warnings.push(`environment ${JSON.stringify(envName)} has ${res.data.total_count} secrets; only ${res.data.secrets.length} names were read`);
  for (const s of res.data.secrets) out.push({ name: s.name, scope: 'environment', environment: envName, ...(s.updated_at ? { updatedAt: s.updated_at } : {}) });
  return res.data.secrets.map((s) => s.name);
}

async function environments(ctx: SettingsContext, facts: RepoFacts): Promise<EnvironmentsResult> {
  const envSecrets: SecretName[] = [];
  const envSecretFailures: Failure[] = [];
  if (facts.plan === 'free') {
    return { environments: { status: 'unavailable', reason: `environments and their protection rules are ${FREE_PRIVATE}` }, envSecrets, envSecretFailures };
  }
  const res = await restGet<{ total_count?: number; environments?: RestEnvironment[] }>(
    ctx.octokit,
    '/repos/{owner}/{repo}/environments',
    { owner: ctx.owner, repo: ctx.repo, per_page: PER_PAGE },
    PERMISSION.actions,
  );
  if (!res.ok) {
    // The environment list is hidden, but GraphQL may still name them: their secret names are still worth reading.
    for (const env of (ctx.gql.environments?.nodes ?? []).slice(0, MAX_ENVIRONMENTS)) {
      if (env) await envSecretNames(ctx, env.name, envSecrets, envSecretFailures);
    }
    if ((ctx.gql.environments?.nodes ?? []).length === 0 && ctx.gql.environments === null) envSecretFailures.push(res.failure);
    return { environments: res.failure, envSecrets, envSecretFailures };
  }
  const list = res.data.environments ?? [];
  if ((res.data.total_count ?? list.length) > list.length) ctx.warnings.push(`${res.data.total_count} environments exist; only ${list.length} were read`);
  const failures: Failure[] = [];
  const out: EnvironmentProtection[] = [];
  for (const [i, env] of list.entries()) {
    const rules = env.protection_rules ?? [];
    const reviewerRule = rules.find((r) => r.type === 'required_reviewers');
    const waitRule = rules.find((r) => r.type === 'wait_timer');
    const policy = env.deployment_branch_policy ?? null;
    const e: EnvironmentProtection = {
      name: env.name,
      reviewers: reviewerRule?.reviewers?.length ?? 0,
      preventSelfReview: reviewerRule?.prevent_self_review ?? false,
      waitTimer: waitRule?.wait_timer ?? 0,
      // GitHub's default is true and older responses omit the field: assume the weaker setting.
      canAdminsBypass: env.can_admins_bypass ?? true,
      deploymentBranchPolicy: policy ? { protectedBranches: policy.protected_branches, customBranchPolicies: policy.custom_branch_policies } : null,
      customRules: [],
    };
    out.push(e);
    if (i >= MAX_ENVIRONMENTS) continue;
    const base = { owner: ctx.owner, repo: ctx.repo, environment_name: env.name };
    if (policy?.custom_branch_policies) {
      const p = await restGet<{ total_count: number; branch_policies: { name?: string; type?: string }[] }>(
        ctx.octokit,
        '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
        { ...base, per_page: PER_PAGE },
        PERMISSION.actions,
      );
      if (p.ok) e.branchPolicies = p.data.branch_policies.map((b) => (b.type === 'tag' ? `tag:${b.name ?? ''}` : (b.name ?? '')));
      else failures.push(p.failure);
    }
    if (e.reviewers === 0) {
      const g = await restGet<{ custom_deployment_protection_rules?: { enabled: boolean; app: { slug: string } }[] }>(
        ctx.octokit,
        '/repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules',
        base,
        PERMISSION.actions,
      );
      if (g.ok) e.customRules = (g.data.custom_deployment_protection_rules ?? []).filter((r) => r.enabled).map((r) => r.app.slug);
      else failures.push(g.failure);
    }
    const names = await envSecretNames(ctx, env.name, envSecrets, envSecretFailures);
    if (names) e.secretNames = names;
  }
  if (list.length > MAX_ENVIRONMENTS) ctx.warnings.push(`${list.length} environments: branch policies, gates and secrets were read for the first ${MAX_ENVIRONMENTS} only`);
  const worst = worstFailure(failures);
  return { environments: worst ?? ok(out), envSecrets, envSecretFailures };
}

// ---------------------------------------------------------------------------------------------

async function secrets(ctx: SettingsContext, facts: RepoFacts, env: EnvironmentsResult): Promise<Probe<SecretName[]>> {
  const failures: Failure[] = [...env.envSecretFailures];
  const names: SecretName[] = [];
  const repoRes = await restGet<{ total_count: number; secrets: { name: string; updated_at?: string }[] }>(
    ctx.octokit,
    '/repos/{owner}/{repo}/actions/secrets',
    { owner: ctx.owner, repo: ctx.repo, per_page: PER_PAGE },
    PERMISSION.secrets,
  );
  if (repoRes.ok) {
    if (repoRes.data.total_count > repoRes.data.secrets.length) ctx.warnings.push(`${repoRes.data.total_count} repository secrets; only ${repoRes.data.secrets.length} names were read`);
    for (const s of repoRes.data.secrets) names.push({ name: s.name, scope: 'repository', ...(s.updated_at ? { updatedAt: s.updated_at } : {}) });
  } else failures.push(repoRes.failure);
  if (facts.ownerIsOrg) {
    const orgRes = await restGet<{ total_count: number; secrets: { name: string; updated_at?: string; visibility?: string }[] }>(
      ctx.octokit,
      '/repos/{owner}/{repo}/actions/organization-secrets',
      { owner: ctx.owner, repo: ctx.repo, per_page: PER_PAGE },
      PERMISSION.secrets,
    );
    if (orgRes.ok) {
      if (orgRes.data.total_count > orgRes.data.secrets.length) ctx.warnings.push(`${orgRes.data.total_count} organization secrets visible; only ${orgRes.data.secrets.length} names were read`);
      for (const s of orgRes.data.secrets) {
        names.push({ name: s.name, scope: 'organization', ...(s.updated_at ? { updatedAt: s.updated_at } : {}), ...(s.visibility ? { visibility: s.visibility } : {}) });
      }
    } else failures.push(orgRes.failure);
  }
  // A partial list would hide secrets from the checks: any missing part makes the whole probe unknown.
  const worst = worstFailure(failures);
  if (worst) return worst;
  return ok([...names, ...env.envSecrets]);
}

// ---------------------------------------------------------------------------------------------

/** The `security_and_analysis` block of a repository (`GET /repos/{owner}/{repo}`, and the installation's repository listing). */
export interface SecurityAndAnalysisReply {
  advanced_security?: { status?: string };
  secret_scanning?: { status?: string };
  secret_scanning_push_protection?: { status?: string };
}

interface RestRepository {
  security_and_analysis?: SecurityAndAnalysisReply | null;
}

/** Secret scanning is not offered: private repositories on the Free plan, or without the block's `secret_scanning`. */
export const SECRET_SCANNING_UNAVAILABLE = { status: 'unavailable', reason: 'secret scanning on private repositories needs GitHub Secret Protection or Advanced Security' } as const;

/** The Probe of a `security_and_analysis` block that was returned (a missing block means different things to each caller). */
export function securityAndAnalysisProbe(sa: SecurityAndAnalysisReply, facts: RepoFacts): RepoSettings['securityAndAnalysis'] {
  if (!sa.secret_scanning && facts.visibility !== 'public') return SECRET_SCANNING_UNAVAILABLE;
  const value: { secretScanning?: string; pushProtection?: string; advancedSecurity?: string } = {};
  if (sa.secret_scanning?.status) value.secretScanning = sa.secret_scanning.status;
  if (sa.secret_scanning_push_protection?.status) value.pushProtection = sa.secret_scanning_push_protection.status;
  if (sa.advanced_security?.status) value.advancedSecurity = sa.advanced_security.status;
  return ok(value);
}

async function securityAndAnalysis(ctx: SettingsContext, facts: RepoFacts): Promise<RepoSettings['securityAndAnalysis']> {
  if (facts.plan === 'free') return SECRET_SCANNING_UNAVAILABLE;
  const res = await restGet<RestRepository>(ctx.octokit, '/repos/{owner}/{repo}', { owner: ctx.owner, repo: ctx.repo }, PERMISSION.metadata);
  if (!res.ok) return res.failure;
  const sa = res.data.security_and_analysis;
  // GitHub returns the block only to callers with admin rights on the repository.
  if (!sa) return { status: 'forbidden', permission: PERMISSION.administration, detail: 'security_and_analysis is only returned with Administration: read' };
  return securityAndAnalysisProbe(sa, facts);
}

async function selfHostedRunners(ctx: SettingsContext, facts: RepoFacts): Promise<RepoSettings['selfHostedRunners']> {
  const res = await restGet<{ total_count: number; runners: { ephemeral?: boolean }[] }>(
    ctx.octokit,
    '/repos/{owner}/{repo}/actions/runners',
    { owner: ctx.owner, repo: ctx.repo, per_page: PER_PAGE },
    PERMISSION.administration,
  );
  if (!res.ok) return res.failure;
  let groupsAllowPublicRepos = false;
  let ephemeralUnknown = res.data.runners.length < res.data.total_count || res.data.runners.some((r) => r.ephemeral === undefined);
  if (facts.ownerIsOrg) {
    // Organization runners reach the repository through runner groups; listing their runners would
    // cost one call per group, so their count stays unknown (ephemeralUnknown) when any group is visible.
    const groups = await restGet<{ total_count: number; runner_groups: { allows_public_repositories?: boolean }[] }>(
      ctx.octokit,
      '/orgs/{org}/actions/runner-groups',
      { org: ctx.owner, visible_to_repository: ctx.repo, per_page: PER_PAGE },
      PERMISSION.orgRunners,
    );
    if (!groups.ok) {
      if (groups.failure.status === 'forbidden') {
        return { ...groups.failure, detail: `${res.data.total_count} repository runners; organization runner groups unreadable (${groups.failure.detail ?? ''})` };
      }
      return groups.failure;
    }
    groupsAllowPublicRepos = groups.data.runner_groups.some((g) => g.allows_public_repositories === true);
    if (groups.data.runner_groups.length > 0) ephemeralUnknown = true;
  }
  return ok({ count: res.data.total_count, groupsAllowPublicRepos, ephemeralUnknown });
}

// ---- REST replies the repository and organisation routes share (`/repos/{owner}/{repo}/…` and `/orgs/{org}/…`) ----

/** The reply of `GET …/actions/permissions/workflow`. */
export interface WorkflowPermissionsReply {
  default_workflow_permissions: 'read' | 'write';
  can_approve_pull_request_reviews: boolean;
}

/** The reply of `GET …/actions/permissions/fork-pr-workflows-private-repos`. */
export interface ForkPrPrivateReply {
  run_workflows_from_fork_pull_requests: boolean;
  send_write_tokens_to_workflows: boolean;
  send_secrets_and_variables: boolean;
  require_approval_for_fork_pr_workflows: boolean;
}

/** The Probe of a workflow-permissions read (the failure as restGet classified it). */
export function workflowPermissionsProbe(r: RestResult<WorkflowPermissionsReply>): RepoSettings['workflowPermissions'] {
  if (!r.ok) return r.failure;
  return ok({ defaultWorkflowPermissions: r.data.default_workflow_permissions, canApprovePullRequestReviews: r.data.can_approve_pull_request_reviews });
}

/** The Probe of a fork-pull-request-workflows (private repositories) read. */
export function forkPrPrivateProbe(r: RestResult<ForkPrPrivateReply>): RepoSettings['forkPrPrivate'] {
  if (!r.ok) return r.failure;
  return ok({
    runWorkflowsFromForkPullRequests: r.data.run_workflows_from_fork_pull_requests,
    sendWriteTokensToWorkflows: r.data.send_write_tokens_to_workflows,
    sendSecretsAndVariables: r.data.send_secrets_and_variables,
    requireApprovalForForkPrWorkflows: r.data.require_approval_for_fork_pr_workflows,
  });
}

// ---------------------------------------------------------------------------------------------

export async function collectSettings(ctx: SettingsContext): Promise<RepoSettings> {
  const facts = repoFacts(ctx.gql);
  const { octokit, owner, repo } = ctx;
  const base = { owner, repo };
  const noBranch = { status: 'unavailable', reason: 'the repository has no default branch yet' } as const;
  const hasBranch = facts.defaultBranch !== '';

  const actionsPermissions = (async (): Promise<RepoSettings['actionsPermissions']> => {
    const r = await restGet<{ enabled: boolean; allowed_actions?: string; sha_pinning_required?: boolean }>(
      octokit, '/repos/{owner}/{repo}/actions/permissions', base, PERMISSION.administration);
    if (!r.ok) return r.failure;
    const v: { enabled: boolean; allowedActions?: string; shaPinningRequired?: boolean } = { enabled: r.data.enabled };
    if (r.data.allowed_actions !== undefined) v.allowedActions = r.data.allowed_actions;
    if (r.data.sha_pinning_required !== undefined) v.shaPinningRequired = r.data.sha_pinning_required;
    return ok(v);
  })();
  const workflowPermissions = (async (): Promise<RepoSettings['workflowPermissions']> => {
    return workflowPermissionsProbe(await restGet<WorkflowPermissionsReply>(
      octokit, '/repos/{owner}/{repo}/actions/permissions/workflow', base, PERMISSION.administration));
  })();
  const forkPrApproval = (async (): Promise<RepoSettings['forkPrApproval']> => {
    if (facts.visibility !== 'public') return { status: 'unavailable', reason: 'applies to public repositories only' };
    const r = await restGet<{ approval_policy: string }>(
      octokit, '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', base, PERMISSION.administration);
    return r.ok ? ok({ approvalPolicy: r.data.approval_policy }) : r.failure;
  })();
  const forkPrPrivate = (async (): Promise<RepoSettings['forkPrPrivate']> => {
    if (facts.visibility === 'public') return { status: 'unavailable', reason: 'applies to private and internal repositories only' };
    return forkPrPrivateProbe(await restGet<ForkPrPrivateReply>(
      octokit, '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos', base, PERMISSION.administration));
  })();
  const rulesP = hasBranch ? branchRules(ctx, facts) : Promise.resolve(noBranch);
  const classicP = hasBranch ? classicProtection(ctx, facts) : Promise.resolve(noBranch);
  const envP = environments(ctx, facts);
  const saP = securityAndAnalysis(ctx, facts);
  const runnersP = selfHostedRunners(ctx, facts);
  const env = await envP;
  const rules = await rulesP;
  return {
    collectedAt: ctx.collectedAt,
    repo: facts,
    classicProtection: await classicP,
    branchRules: rules,
    rulesets: hasBranch ? rulesets(ctx, facts, rules) : noBranch,
    environments: env.environments,
    actionsPermissions: await actionsPermissions,
    workflowPermissions: await workflowPermissions,
    forkPrApproval: await forkPrApproval,
    forkPrPrivate: await forkPrPrivate,
    secrets: await secrets(ctx, facts, env),
    securityAndAnalysis: await saP,
    selfHostedRunners: await runnersP,
  };
}

// ---- Additive exports for the organisation sweep (src/sweep), which builds the same Probes from its batched reads ----
export { classicFromGraphql, environments as readEnvironments, FREE_PRIVATE, gqlErrorUnder, gqlFailure, rulesets as rulesetsFromGraphql };
export type { EnvironmentsResult };
