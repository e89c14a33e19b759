/**
 * The simulator's in-memory state: installations, organisations, repositories with their settings
 * and content, and what apps write (check runs, issues, pull requests, labels).
 */
import { GitStore, type GitPerson } from './git.js';

export interface SimClassicProtection {
  requiredApprovingReviewCount: number | null; // null: no required reviews
  dismissStaleReviews: boolean;
  requireCodeOwnerReviews: boolean;
  requireLastPushApproval: boolean;
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
  requiredStatusChecks: string[];
}

export interface SimRuleset {
  id: number;
  name: string;
  target: 'branch' | 'tag' | 'push';
  enforcement: 'active' | 'disabled' | 'evaluate';
  /** 'Repository' (this repository) or 'Organization' (inherited). */
  sourceType: 'Repository' | 'Organization';
  include: string[];
  exclude: string[];
  bypassActors: { actor_id: number | null; actor_type: 'Integration' | 'OrganizationAdmin' | 'RepositoryRole' | 'Team' | 'DeployKey'; bypass_mode: 'always' | 'pull_request' }[];
  rules: { type: string; parameters?: Record<string, unknown> }[];
}

export interface SimEnvironment {
  id: number;
  name: string;
  reviewers: { type: 'User' | 'Team'; id: number; login: string }[];
  preventSelfReview: boolean;
  waitTimer: number;
  /** null: any branch may deploy. */
  branchPolicy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
  branchPolicies: { id: number; name: string; type: 'branch' | 'tag' }[];
  secrets: string[];
  customRules: string[];
}

export interface SimActionsSettings {
  enabled: boolean;
  allowedActions: 'all' | 'local_only' | 'selected';
  shaPinningRequired: boolean;
  defaultWorkflowPermissions: 'read' | 'write';
  canApprovePullRequestReviews: boolean;
  forkPrApproval: 'first_time_contributors_new_to_github' | 'first_time_contributors' | 'all_external_contributors';
  forkPrPrivate: { run: boolean; writeTokens: boolean; secrets: boolean; requireApproval: boolean };
}

export interface SimCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  started_at: string;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  actions: unknown[];
}

export interface SimComment {
  id: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

export interface SimIssue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  user: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  comments: SimComment[];
  /** Set for pull requests (GitHub numbers issues and pulls together). */
  pull?: { head: string; base: string; draft: boolean; merged: boolean; maintainer_can_modify: boolean };
}

export interface SimLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

/** A repository's git data: objects and refs. Generated lazily by the org generator. */
export interface RepoContent {
  git: GitStore;
  /** Full ref name (`refs/heads/main`) -> commit id. */
  refs: Map<string, string>;
}

export interface SimRepo {
  id: number;
  nodeId: string;
  owner: string;
  name: string;
  visibility: 'public' | 'private' | 'internal';
  archived: boolean;
  fork: boolean;
  defaultBranch: string;
  createdAt: string;
  description: string | null;
  /** Branch name -> classic protection. */
  protection: Map<string, SimClassicProtection>;
  rulesets: SimRuleset[];
  environments: SimEnvironment[];
  actions: SimActionsSettings;
  secrets: { name: string; created_at: string; updated_at: string }[];
  runners: number;
  secretScanning: 'enabled' | 'disabled';
  /** Files of the first commit, produced on demand (deterministic); absent for an empty repository. */
  generate?: () => Map<string, Buffer>;
  /** Materialised git data (see Simulator.content); kept while `pinned` or recently used. */
  content?: RepoContent;
  /** Written to through the API: its content can no longer be regenerated, so it is never dropped. */
  pinned: boolean;
  checkRuns: SimCheckRun[];
  issues: SimIssue[];
  labels: SimLabel[];
}

export interface SimOrg {
  login: string;
  id: number;
  /** login -> role */
  members: Map<string, 'admin' | 'member'>;
  actions: { enabledRepositories: 'all' | 'none' | 'selected'; allowedActions: 'all' | 'local_only' | 'selected'; shaPinningRequired: boolean; defaultWorkflowPermissions: 'read' | 'write'; canApprovePullRequestReviews: boolean };
  /** `selectedRepositories`: repository names a `selected` secret is shared with. */
  secrets: { name: string; created_at: string; updated_at: string; visibility: 'all' | 'private' | 'selected'; selectedRepositories?: string[] }[];
  forkPrApproval?: SimActionsSettings['forkPrApproval'];
  forkPrPrivate: SimActionsSettings['forkPrPrivate'];
  /** Organization rulesets, applied to every repository (includes_parents). */
  rulesets: SimRuleset[];
}

export interface SimInstallation {
  id: number;
  account: string;
  /** Repository full names (`owner/name`), in listing order. */
  repositories: string[];
  appSlug: string;
  appId: number;
}

export const DEFAULT_AUTHOR: GitPerson = { name: 'Sim Bot', email: 'sim@example.com', date: '2026-01-01T00:00:00Z' };

export function defaultActions(): SimActionsSettings {
  return {
    enabled: true,
    allowedActions: 'all',
    shaPinningRequired: false,
    defaultWorkflowPermissions: 'read',
    canApprovePullRequestReviews: false,
    forkPrApproval: 'first_time_contributors',
    forkPrPrivate: { run: false, writeTokens: false, secrets: false, requireApproval: true },
  };
}
