/**
 * RepoSettings for one repository of the sweep, from its part of the batched GraphQL answer, the
 * organisation settings (sweep/org-settings.ts) and as few REST reads as possible. Every Probe is
 * honest: a value the sweep did not read is `error` with the reason "not read by the organisation
 * sweep", so the check reports "not evaluated" instead of a pass or a failure.
 *
 * Compared with collectSettings (per-repository audit, 13-15 REST calls), the sweep:
 * - derives the rules in force on the default branch from the GraphQL rulesets (active, branch target,
 *   ref condition matching the default branch) instead of `GET …/rules/branches/{b}`;
 * - tells "no classic protection" from "cannot see it" with ONE `GET …/branches/{b}/protection` per
 *   sweep (installation permissions are the same for every repository), not one per repository;
 * - reads environments, repository secret names and the workflow-token default only for repositories
 *   that have workflows (the checks that use them read workflows), and only when the organisation
 *   setting does not settle them; Actions enablement only from the organisation setting (`none`);
 * - takes environment protection from GraphQL, and reads custom gates and secret names only where
 *   they can change a verdict (sweep/environments.ts);
 * - reads repository secret names only when a workflow reads a secret other than GITHUB_TOKEN, and
 *   the fork pull-request approval policy only for public repositories with a workflow a fork pull
 *   request can trigger (sweep/workflow-needs.ts);
 * - never reads self-hosted runners, and security_and_analysis only when the installation listing
 *   returned it.
 */
import type { BranchRule, ClassicProtection, Probe, RepoFacts, RepoSettings, SecretName } from '../model/settings.js';
import type { GqlRepository } from '../collect/github-query.js';
import { PERMISSION, restGet, type Failure, type OctokitLike } from '../collect/github-rest.js';
import {
  classicFromGraphql,
  forkPrPrivateProbe,
  FREE_PRIVATE,
  gqlErrorUnder,
  gqlFailure,
  refNameMatches,
  repoFacts,
  rulesetsFromGraphql,
  SECRET_SCANNING_UNAVAILABLE,
  securityAndAnalysisProbe,
  workflowPermissionsProbe,
  type ForkPrPrivateReply,
  type GqlError,
  type SecurityAndAnalysisReply,
  type SettingsContext,
  type WorkflowPermissionsReply,
} from '../collect/github-settings.js';
import type { SweepRepository } from './query.js';
import { orgSecretsFor, type OrgSettings } from './org-settings.js';
import { environmentsFromGraphql, readSweptEnvironments, type SweptEnvironments } from './environments.js';
import { notRead } from './not-read.js';
import { outsiderMayUse, type WorkflowNeeds } from './workflow-needs.js';

const ok = <T>(value: T): Probe<T> => ({ status: 'ok', value });
const PER_PAGE = 100;

type Classic = Probe<ClassicProtection | null>;

/**
 * Whether GraphQL's "no classic rule" can be trusted, decided once per sweep: the first repository
 * without a rule is read over REST. "Branch not protected" proves the installation sees protection
 * (its permissions are the same for every repository), so later repositories cost nothing; a 403/404
 * holds for every repository; a rule GraphQL did not show means GraphQL cannot be trusted, and every
 * such repository is read over REST. A transient error lets the next repository try again.
 */
export class ProtectionVisibility {
  private verdict: Promise<'visible' | 'hidden' | 'retry' | Failure> | undefined;

  async classic(octokit: OctokitLike, owner: string, repo: string, branch: string): Promise<Classic> {
    if (!this.verdict) {
      const first = readClassic(octokit, owner, repo, branch);
      this.verdict = first.then((r) => (r.status === 'ok' ? (r.value === null ? 'visible' : 'hidden') : r.status === 'error' ? 'retry' : r));
      const r = await first;
      if (r.status === 'error') this.verdict = undefined;
      return r;
    }
    const v = await this.verdict;
    if (v === 'visible') return ok(null);
    if (v === 'hidden' || v === 'retry') return readClassic(octokit, owner, repo, branch);
    return v;
  }
}

async function readClassic(octokit: OctokitLike, owner: string, repo: string, branch: string): Promise<Classic> {
  const res = await restGet<Parameters<typeof classicFromRestShape>[0]>(
    octokit, '/repos/{owner}/{repo}/branches/{branch}/protection', { owner, repo, branch }, PERMISSION.administration);
  if (res.ok) return ok(classicFromRestShape(res.data));
  if (res.httpStatus === 404 && /branch not protected/i.test(res.message)) return ok(null);
  return res.failure;
}

/** The REST branch-protection shape (only what ClassicProtection needs). */
function classicFromRestShape(p: {
  required_pull_request_reviews?: { required_approving_review_count?: number; dismiss_stale_reviews?: boolean; require_code_owner_reviews?: boolean; require_last_push_approval?: boolean; bypass_pull_request_allowances?: { users?: unknown[]; teams?: unknown[]; apps?: unknown[] } };
  enforce_admins?: { enabled: boolean };
  allow_force_pushes?: { enabled: boolean };
  allow_deletions?: { enabled: boolean };
  required_status_checks?: { contexts?: string[]; checks?: { context: string }[] };
}): ClassicProtection {
  const r = p.required_pull_request_reviews;
  const b = r?.bypass_pull_request_allowances;
  return {
    enforceAdmins: p.enforce_admins?.enabled ?? false,
    allowForcePushes: p.allow_force_pushes?.enabled ?? false,
    allowDeletions: p.allow_deletions?.enabled ?? false,
    requiredStatusChecks: p.required_status_checks?.checks?.map((c) => c.context) ?? p.required_status_checks?.contexts ?? [],
    ...(r
      ? {
          requiredPullRequestReviews: {
            requiredApprovingReviewCount: r.required_approving_review_count ?? 0,
            dismissStaleReviews: r.dismiss_stale_reviews ?? false,
            requireCodeOwnerReviews: r.require_code_owner_reviews ?? false,
            requireLastPushApproval: r.require_last_push_approval ?? false,
            bypassAllowances: (b?.users?.length ?? 0) + (b?.teams?.length ?? 0) + (b?.apps?.length ?? 0),
          },
        }
      : {}),
  };
}

/** The GraphQL answer in the shape collect/github-settings reads (fields the sweep does not select are null). */
export function asGqlRepository(r: SweepRepository): GqlRepository {
  return {
    nameWithOwner: r.nameWithOwner,
    databaseId: null,
    isArchived: r.isArchived,
    isFork: r.isFork,
    isPrivate: r.isPrivate,
    visibility: r.visibility,
    owner: r.owner,
    planFeatures: r.planFeatures,
    defaultBranchRef: r.defaultBranchRef,
    branchProtectionRules: null,
    rulesets: r.rulesets as GqlRepository['rulesets'],
    environments: r.environments,
    commit: null,
  };
}

/**
 * The rules in force on the default branch, from the rulesets GraphQL returned (includeParents: the
 * organisation's too): active, branch-targeted, whose ref condition includes the default branch.
 * Rule parameters keep GitHub's GraphQL names (camelCase; the checks read either form).
 */
export function branchRulesFromRulesets(r: SweepRepository, facts: RepoFacts, errors: GqlError[]): Probe<BranchRule[]> {
  if (facts.plan === 'free') return { status: 'unavailable', reason: `rulesets are ${FREE_PRIVATE}` };
  const err = gqlErrorUnder(errors, ['repository', 'rulesets']);
  if (err) return gqlFailure(err, PERMISSION.metadata);
  const conn = r.rulesets;
  if (!conn) return { status: 'error', reason: 'GraphQL returned no rulesets connection' };
  const nodes = (conn.nodes ?? []).filter((n) => n !== null);
  if (conn.totalCount > nodes.length) return notRead(`${conn.totalCount} rulesets apply, more than the ${nodes.length} read in the batch`);
  const out: BranchRule[] = [];
  for (const n of nodes) {
    if (n.enforcement !== 'ACTIVE' || (n.target ?? 'BRANCH') !== 'BRANCH') continue;
    const ref = n.conditions.refName;
    if (!ref || !refNameMatches(ref.include, facts.defaultBranch) || refNameMatches(ref.exclude.filter((p) => p !== '~ALL'), facts.defaultBranch)) continue;
    const rules = (n.rules?.nodes ?? []).filter((x) => x !== null);
    if ((n.rules?.totalCount ?? 0) > rules.length) return notRead(`ruleset ${JSON.stringify(n.name)} has more rules than the batch reads`);
    for (const rule of rules) {
      const b: BranchRule = { type: rule.type.toLowerCase(), rulesetSourceType: n.source.__typename };
      if (n.databaseId !== null) b.rulesetId = n.databaseId;
      if (rule.parameters && rule.parameters.__typename === 'PullRequestParameters') {
        const { __typename: _t, ...params } = rule.parameters;
        b.parameters = params;
      }
      out.push(b);
    }
  }
  return ok(out);
}

export interface RepoSettingsInput {
  octokit: OctokitLike;
  org: OrgSettings;
  protection: ProtectionVisibility;
  owner: string;
  repo: string;
  gql: SweepRepository;
  /** GraphQL errors of this repository, paths rewritten to start at `repository`. */
  gqlErrors: GqlError[];
  collectedAt: string;
  warnings: string[];
  hasWorkflows: boolean;
  /** What the workflow texts make worth reading (sweep/workflow-needs.ts). */
  needs: WorkflowNeeds;
  /** `security_and_analysis` from the installation listing, when GitHub included it. */
  securityAndAnalysis?: SecurityAndAnalysisReply | null;
}

export async function sweepSettings(input: RepoSettingsInput): Promise<RepoSettings> {
  const { octokit, owner, repo, hasWorkflows } = input;
  const gql = asGqlRepository(input.gql);
  const facts = repoFacts(gql);
  const ctx: SettingsContext = { octokit, owner, repo, gql, gqlErrors: input.gqlErrors, collectedAt: input.collectedAt, warnings: input.warnings };
  const base = { owner, repo };
  const noBranch = { status: 'unavailable', reason: 'the repository has no default branch yet' } as const;
  const hasBranch = facts.defaultBranch !== '';
  const NO_WORKFLOWS = 'the repository has no workflows';

  const classic = async (): Promise<RepoSettings['classicProtection']> => {
    if (!hasBranch) return noBranch;
    if (facts.plan === 'free') return { status: 'unavailable', reason: `branch protection is ${FREE_PRIVATE}` };
    const err = gqlErrorUnder(input.gqlErrors, ['repository', 'defaultBranchRef', 'branchProtectionRule']);
    if (err) return gqlFailure(err, PERMISSION.administration);
    const rule = input.gql.defaultBranchRef?.branchProtectionRule;
    if (rule) return ok(classicFromGraphql(rule));
    return input.protection.classic(octokit, owner, repo, facts.defaultBranch);
  };

  const branchRules: RepoSettings['branchRules'] = hasBranch ? branchRulesFromRulesets(input.gql, facts, input.gqlErrors) : noBranch;

  const envs = async (): Promise<SweptEnvironments | Failure> => {
    const noSecrets = { envSecrets: [], envSecretFailures: [], unreadSecretsOf: [] };
    if (facts.plan === 'free') return { environments: { status: 'unavailable', reason: `environments and their protection rules are ${FREE_PRIVATE}` }, ...noSecrets };
    const err = gqlErrorUnder(input.gqlErrors, ['repository', 'environments']);
    if (err) return gqlFailure(err, PERMISSION.actions);
    // GraphQL counted none: nothing to read.
    if (input.gql.environments?.totalCount === 0) return { environments: ok([]), ...noSecrets };
    if (!hasWorkflows) return notRead(NO_WORKFLOWS);
    const fromGql = environmentsFromGraphql(input.gql.environments);
    if (fromGql.status !== 'ok') return fromGql as Failure;
    const patternsUnread = fromGql.value.filter((e) => e.deploymentBranchPolicy).map((e) => JSON.stringify(e.name));
    if (patternsUnread.length > 0) {
      input.warnings.push(
        `the organisation sweep does not read deployment branch patterns (environment${patternsUnread.length === 1 ? '' : 's'} ${patternsUnread.join(', ')}): ` +
        'a branch policy that allows every branch ("*") is not detected; a per-repository audit reads them');
    }
    return readSweptEnvironments({ octokit, owner, repo, warnings: input.warnings }, fromGql.value, (name) => outsiderMayUse(input.needs, name));
  };

  const secrets = async (env: SweptEnvironments | Failure): Promise<RepoSettings['secrets']> => {
    if (!hasWorkflows) return notRead(NO_WORKFLOWS);
    if (!input.needs.secrets) return notRead('no workflow reads a secret other than GITHUB_TOKEN');
    if ('status' in env) return env;
    if (env.envSecretFailures.length > 0) return env.envSecretFailures[0];
    const repoRes = await restGet<{ total_count: number; secrets: { name: string; updated_at?: string }[] }>(
      octokit, '/repos/{owner}/{repo}/actions/secrets', { ...base, per_page: PER_PAGE }, PERMISSION.secrets);
    if (!repoRes.ok) return repoRes.failure;
    if (repoRes.data.total_count > repoRes.data.secrets.length) input.warnings.push(`${repoRes.data.total_count} repository secrets; only ${repoRes.data.secrets.length} names were read`);
    const orgSecrets = await input.org.secrets();
    if (orgSecrets.status !== 'ok') return orgSecrets;
    const names: SecretName[] = repoRes.data.secrets.map((s) => ({ name: s.name, scope: 'repository', ...(s.updated_at ? { updatedAt: s.updated_at } : {}) }));
    for (const s of orgSecretsFor(orgSecrets.value, repo, facts.visibility)) {
      names.push({ name: s.name, scope: 'organization', visibility: s.visibility, ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}) });
    }
    if (env.unreadSecretsOf.length > 0) {
      input.warnings.push(
        `the organisation sweep did not read the secret names of environment${env.unreadSecretsOf.length === 1 ? '' : 's'} ` +
        `${env.unreadSecretsOf.map((n) => JSON.stringify(n)).join(', ')} (protected, or named by no workflow outsiders can trigger); ` +
        'long-lived-secret did not check them (a per-repository audit does)');
    }
    return ok([...names, ...env.envSecrets]);
  };

  const actionsPermissions = async (): Promise<RepoSettings['actionsPermissions']> => {
    const o = await input.org.actions();
    if (o.status === 'ok' && o.value.enabledRepositories === 'none') return ok({ enabled: false });
    return notRead('per-repository Actions permissions');
  };

  const workflowPermissions = async (): Promise<RepoSettings['workflowPermissions']> => {
    const o = await input.org.workflow();
    // The organisation's restricted default binds every repository (GitHub disables the permissive option).
    if (o.status === 'ok' && o.value.defaultWorkflowPermissions === 'read' && !o.value.canApprovePullRequestReviews) return ok(o.value);
    if (!hasWorkflows) return notRead(NO_WORKFLOWS);
    return workflowPermissionsProbe(await restGet<WorkflowPermissionsReply>(
      octokit, '/repos/{owner}/{repo}/actions/permissions/workflow', base, PERMISSION.administration));
  };

  const forkPrApproval = async (): Promise<RepoSettings['forkPrApproval']> => {
    if (facts.visibility !== 'public') return { status: 'unavailable', reason: 'applies to public repositories only' };
    if (!hasWorkflows) return notRead(NO_WORKFLOWS);
    // Fork pull requests run nothing without such a trigger: the policy cannot matter today.
    if (!input.needs.forkPullRequests) return notRead('no workflow is triggered by pull_request, pull_request_target, pull_request_review(_comment) or workflow_run');
    const r = await restGet<{ approval_policy: string }>(octokit, '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', base, PERMISSION.administration);
    return r.ok ? ok({ approvalPolicy: r.data.approval_policy }) : r.failure;
  };

  const forkPrPrivate = async (): Promise<RepoSettings['forkPrPrivate']> => {
    if (facts.visibility === 'public') return { status: 'unavailable', reason: 'applies to private and internal repositories only' };
    if (!hasWorkflows) return notRead(NO_WORKFLOWS);
    const o = await input.org.forkPrPrivate();
    // A repository cannot run fork pull-request workflows the organisation does not run.
    if (o.status === 'ok' && !o.value.runWorkflowsFromForkPullRequests) return ok(o.value);
    return forkPrPrivateProbe(await restGet<ForkPrPrivateReply>(
      octokit, '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos', base, PERMISSION.administration));
  };

  const securityAndAnalysis = (): RepoSettings['securityAndAnalysis'] => {
    if (facts.plan === 'free') return SECRET_SCANNING_UNAVAILABLE;
    const sa = input.securityAndAnalysis;
    if (!sa) return notRead('security_and_analysis was not in the installation listing');
    return securityAndAnalysisProbe(sa, facts);
  };

  const [classicP, envRes, actionsP, workflowP, forkP, forkPrivP] = await Promise.all([
    classic(), envs(), actionsPermissions(), workflowPermissions(), forkPrApproval(), forkPrPrivate(),
  ]);
  return {
    collectedAt: input.collectedAt,
    repo: facts,
    classicProtection: classicP,
    branchRules,
    rulesets: hasBranch ? rulesetsFromGraphql(ctx, facts, branchRules) : noBranch,
    environments: 'status' in envRes ? envRes : envRes.environments,
    actionsPermissions: actionsP,
    workflowPermissions: workflowP,
    forkPrApproval: forkP,
    forkPrPrivate: forkPrivP,
    secrets: await secrets(envRes),
    securityAndAnalysis: securityAndAnalysis(),
    selfHostedRunners: notRead('self-hosted runners are read by the per-repository audit only'),
  };
}

