/**
 * Repository settings as plain data, read by `collect/github` (issue: the GitHub App) and consumed
 * by the settings checks. Every fact is a `Probe`: either its value, or why it is not known, so a
 * check never reports a pass it did not verify and never fails on a feature the plan lacks.
 * Field names follow GitHub's REST responses, camel-cased.
 */

export type Probe<T> =
  | { status: 'ok'; value: T }
  /** The app lacks a permission (403/404 on a route that exists): "not evaluated", grant `permission`. */
  | { status: 'forbidden'; permission: string; detail?: string }
  /** The plan or repository kind does not offer the feature: "not available", never a failure. */
  | { status: 'unavailable'; reason: string }
  /** GitHub failed or timed out after retries. */
  | { status: 'error'; reason: string };

export interface RepoFacts {
  visibility: 'public' | 'private' | 'internal';
  archived: boolean;
  fork: boolean;
  defaultBranch: string;
  /** The owner is an organization (org-level settings and rulesets apply). */
  ownerIsOrg: boolean;
  /** GitHub plan of the owner when known (`free`, `pro`, `team`, `enterprise`). */
  plan?: string;
}

/** Classic branch protection of the default branch (`GET …/branches/{b}/protection`). */
export interface ClassicProtection {
  requiredPullRequestReviews?: {
    requiredApprovingReviewCount: number;
    dismissStaleReviews: boolean;
    requireCodeOwnerReviews: boolean;
    requireLastPushApproval: boolean;
    /** Users, teams or apps allowed to bypass the review requirement. */
    bypassAllowances: number;
  };
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
  requiredStatusChecks: string[];
}

/** One rule in force on the default branch (`GET …/rules/branches/{b}`: repo and org rulesets). */
export interface BranchRule {
  type: string;
  rulesetId?: number;
  /** Where the ruleset lives: `Repository`, `Organization` or `Enterprise`. */
  rulesetSourceType?: string;
  parameters?: Record<string, unknown>;
}

export interface RulesetBypassActor {
  actorType: 'Integration' | 'OrganizationAdmin' | 'RepositoryRole' | 'Team' | 'DeployKey' | string;
  actorId?: number | null;
  bypassMode: 'always' | 'pull_request' | string;
}

/** A ruleset that targets the default branch, with its enforcement and bypass list. */
export interface Ruleset {
  id: number;
  name: string;
  target: 'branch' | 'tag' | 'push' | string;
  enforcement: 'active' | 'evaluate' | 'disabled' | string;
  sourceType: 'Repository' | 'Organization' | 'Enterprise' | string;
  bypassActors: RulesetBypassActor[];
  ruleTypes: string[];
}

export interface EnvironmentProtection {
  name: string;
  /** Required reviewers (users or teams); empty when the rule is absent. */
  reviewers: number;
  preventSelfReview: boolean;
  waitTimer: number;
  canAdminsBypass: boolean;
  /** null when any branch may deploy. */
  deploymentBranchPolicy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
  /** Names of custom branch/tag policies, when `customBranchPolicies` (e.g. `main`, `*`). */
  branchPolicies?: string[];
  /** Apps acting as deployment protection rules (custom gates). */
  customRules: string[];
  /** Names of the environment's secrets (never values). */
  secretNames?: string[];
}

export interface SecretName {
  name: string;
  scope: 'repository' | 'environment' | 'organization';
  environment?: string;
  /** ISO timestamp of the last update. */
  updatedAt?: string;
  /** Organization secrets: `all`, `private` or `selected`. */
  visibility?: string;
}

export interface RepoSettings {
  /** ISO time the settings were read: checks measure secret age against it, never the clock. */
  collectedAt: string;
  repo: RepoFacts;
  classicProtection: Probe<ClassicProtection | null>;
  branchRules: Probe<BranchRule[]>;
  rulesets: Probe<Ruleset[]>;
  environments: Probe<EnvironmentProtection[]>;
  actionsPermissions: Probe<{ enabled: boolean; allowedActions?: string; shaPinningRequired?: boolean }>;
  workflowPermissions: Probe<{ defaultWorkflowPermissions: 'read' | 'write'; canApprovePullRequestReviews: boolean }>;
  /** Public repositories: who needs approval before fork PR workflows run. */
  forkPrApproval: Probe<{ approvalPolicy: string }>;
  /** Private repositories: what fork PR workflows receive. */
  forkPrPrivate: Probe<{
    runWorkflowsFromForkPullRequests: boolean;
    sendWriteTokensToWorkflows: boolean;
    sendSecretsAndVariables: boolean;
    requireApprovalForForkPrWorkflows: boolean;
  }>;
  secrets: Probe<SecretName[]>;
  securityAndAnalysis: Probe<{ secretScanning?: string; pushProtection?: string; advancedSecurity?: string }>;
  /** Self-hosted runners the repository can use (repo runners and org runner groups open to it). */
  selfHostedRunners: Probe<{ count: number; groupsAllowPublicRepos: boolean; ephemeralUnknown: boolean }>;
}
