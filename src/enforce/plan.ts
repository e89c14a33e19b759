/**
 * Plans settings enforcement (pure): for each check the organisation policy enforces (`enforce.checks`)
 * that found something in this repository, the one REST write that repairs it. Rules:
 * - only what the check flagged is changed, always towards the safer value; a setting already right
 *   produces no change (so re-running after a successful enforcement plans nothing);
 * - what cannot be repaired safely (no reviewers in the policy, an edited Pipeline Guard ruleset, a
 *   branch policy to choose) becomes a note, never a guess.
 * Every write needs the App's `administration: write` permission (rulesets, Actions settings and
 * environments alike, per GitHub's REST permission tables).
 */
import type { Finding } from '../model/types.js';
import type { EnvironmentProtection, RepoSettings } from '../model/settings.js';
import { enforcePolicy, type Policy } from '../policy/config.js';
import type { EnforceIds, EnvironmentState, ResolvedReviewer } from '../collect/enforce-ids.js';
import {
  ENFORCE_PERMISSION,
  RULESET_NAME,
  type EnforcementNote,
  type EnforcementPlan,
  type SettingChange,
  type SettingRequest,
  type SettingState,
} from './types.js';

/** GitHub accepts at most six required reviewers per environment. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/** The branch ruleset the default-branch-unprotected remediation creates (catalogue R1). */
function defaultBranchRulesetBody(): Record<string, unknown> {
  return {
    name: RULESET_NAME,
    target: 'branch',
    enforcement: 'active',
    conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    bypass_actors: [],
    rules: [
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: false,
          // branch-protection-weak flags a ruleset without it: the ruleset we create must pass our own checks.
          require_last_push_approval: true,
          required_review_thread_resolution: false,
        },
      },
      { type: 'non_fast_forward' },
      { type: 'deletion' },
    ],
  };
}

const RULESET_AFTER: SettingState = {
  summary:
    `ruleset "${RULESET_NAME}" active on the default branch: pull request with 1 approval, stale approvals dismissed, ` +
    'last push approved by someone else; force pushes and deletion blocked; no bypass',
  value: { ruleset: RULESET_NAME, enforcement: 'active', requiredApprovals: 1, dismissStale: true, lastPushApproval: true, nonFastForward: true, deletion: true },
};

function rulesetChange(settings: RepoSettings, findings: Finding[], notes: EnforcementNote[]): SettingChange[] {
  const checkId = 'default-branch-unprotected';
  const branch = settings.repo.defaultBranch;
  const label = `default branch "${branch}"`;
  const ours = settings.rulesets.status === 'ok' ? settings.rulesets.value.find((r) => r.name === RULESET_NAME && r.sourceType === 'Repository') : undefined;
  const evaluateOnly = Number(findings[0]?.data?.evaluateOnlyRulesets ?? 0);
  const classic = settings.classicProtection.status === 'ok' && settings.classicProtection.value !== null;
  if (!ours) {
    const before: SettingState = {
      summary: `no active ruleset or branch protection requires a pull request on "${branch}"${
        classic ? ' (branch protection exists without required reviews)' : ''
      }${evaluateOnly > 0 ? ` (${evaluateOnly} ruleset(s) only in evaluate mode)` : ''}`,
      value: { branch, pullRequestRequired: false, classicProtection: classic, evaluateOnlyRulesets: evaluateOnly },
    };
    const request: SettingRequest = { method: 'POST', route: '/repos/{owner}/{repo}/rulesets', params: {}, body: defaultBranchRulesetBody() };
    return [{ checkId, target: { kind: 'ruleset', name: RULESET_NAME }, label, before, after: RULESET_AFTER, request, permission: ENFORCE_PERMISSION }];
  }
  // Our ruleset exists: turn it back on when it still requires pull requests; never overwrite rules someone edited.
  if (!ours.ruleTypes.includes('pull_request')) {
    notes.push({
      checkId,
      label,
      reason: `ruleset "${RULESET_NAME}" exists but no longer has its pull_request rule; it was edited by hand, so it is not overwritten: restore the rule or delete the ruleset`,
    });
    return [];
  }
  if (ours.enforcement === 'active') return [];
  const before: SettingState = {
    summary: `ruleset "${RULESET_NAME}" exists but its enforcement is "${ours.enforcement}", so nothing is enforced`,
    value: { ruleset: RULESET_NAME, enforcement: ours.enforcement },
  };
  const after: SettingState = { summary: `ruleset "${RULESET_NAME}" enforcement "active"`, value: { ruleset: RULESET_NAME, enforcement: 'active' } };
  const request: SettingRequest = {
    method: 'PUT',
    route: '/repos/{owner}/{repo}/rulesets/{ruleset_id}',
    params: { ruleset_id: ours.id },
    body: { enforcement: 'active' },
  };
  return [{ checkId, target: { kind: 'ruleset', name: RULESET_NAME, rulesetId: ours.id }, label, before, after, request, permission: ENFORCE_PERMISSION }];
}

function tokenChange(settings: RepoSettings): SettingChange[] {
  if (settings.workflowPermissions.status !== 'ok') return [];
  const v = settings.workflowPermissions.value;
  if (v.defaultWorkflowPermissions === 'read' && !v.canApprovePullRequestReviews) return [];
  const describe = (perm: string, approve: boolean): string =>
    `default GITHUB_TOKEN ${perm === 'write' ? 'read/write' : 'read-only'}; Actions ${approve ? 'may' : 'may not'} create and approve pull requests`;
  return [
    {
      checkId: 'default-token-write',
      target: { kind: 'workflow-token' },
      label: 'workflow token',
      before: {
        summary: describe(v.defaultWorkflowPermissions, v.canApprovePullRequestReviews),
        value: { default_workflow_permissions: v.defaultWorkflowPermissions, can_approve_pull_request_reviews: v.canApprovePullRequestReviews },
      },
      after: { summary: describe('read', false), value: { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false } },
      request: {
        method: 'PUT',
        route: '/repos/{owner}/{repo}/actions/permissions/workflow',
        params: {},
        // Both fields are the safe values; nothing else is sent.
        body: { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false },
      },
      permission: ENFORCE_PERMISSION,
    },
  ];
}

const APPROVAL_TEXT: Record<string, string> = {
  first_time_contributors_new_to_github: 'approval required only for accounts new to GitHub',
  first_time_contributors: 'approval required only for first-time contributors',
  all_external_contributors: 'approval required for all outside contributors',
};

function forkChange(settings: RepoSettings): SettingChange[] {
  const checkId = 'fork-pr-approval-weak';
  if (settings.repo.visibility === 'public') {
    if (settings.forkPrApproval.status !== 'ok') return [];
    const p = settings.forkPrApproval.value.approvalPolicy;
    if (p === 'all_external_contributors') return [];
    return [
      {
        checkId,
        target: { kind: 'fork-pr-approval' },
        label: 'fork pull-request approval',
        before: { summary: APPROVAL_TEXT[p] ?? `approval policy "${p}"`, value: { approval_policy: p } },
        after: { summary: APPROVAL_TEXT.all_external_contributors, value: { approval_policy: 'all_external_contributors' } },
        request: {
          method: 'PUT',
          route: '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval',
          params: {},
          body: { approval_policy: 'all_external_contributors' },
        },
        permission: ENFORCE_PERMISSION,
      },
    ];
  }
  if (settings.forkPrPrivate.status !== 'ok') return [];
  const v = settings.forkPrPrivate.value;
  if (!v.runWorkflowsFromForkPullRequests) return [];
  if (!v.sendSecretsAndVariables && !v.sendWriteTokensToWorkflows && v.requireApprovalForForkPrWorkflows) return [];
  const describe = (secrets: boolean, write: boolean, approval: boolean): string =>
    `fork pull-request workflows ${secrets ? 'get' : 'do not get'} secrets, ${write ? 'get' : 'do not get'} a write token, ${approval ? 'need' : 'do not need'} approval`;
  // Running fork workflows at all is kept as it is (the check does not flag it); only what they receive and approval change.
  return [
    {
      checkId,
      target: { kind: 'fork-pr-private' },
      label: 'fork pull-request workflows (private repository)',
      before: {
        summary: describe(v.sendSecretsAndVariables, v.sendWriteTokensToWorkflows, v.requireApprovalForForkPrWorkflows),
        value: {
          send_secrets_and_variables: v.sendSecretsAndVariables,
          send_write_tokens_to_workflows: v.sendWriteTokensToWorkflows,
          require_approval_for_fork_pr_workflows: v.requireApprovalForForkPrWorkflows,
        },
      },
      after: {
        summary: describe(false, false, true),
        value: { send_secrets_and_variables: false, send_write_tokens_to_workflows: false, require_approval_for_fork_pr_workflows: true },
      },
      request: {
        method: 'PUT',
        route: '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos',
        params: {},
        body: {
          run_workflows_from_fork_pull_requests: true,
          send_write_tokens_to_workflows: false,
          send_secrets_and_variables: false,
          require_approval_for_fork_pr_workflows: true,
        },
      },
      permission: ENFORCE_PERMISSION,
    },
  ];
}

function branchPolicyText(p: EnvironmentState['deploymentBranchPolicy']): string {
  if (!p) return 'any branch may deploy';
  return p.protectedBranches ? 'protected branches only' : 'named branches/tags only';
}

function reviewerNames(list: readonly ResolvedReviewer[]): string[] {
  return list.map((r) => (r.type === 'Team' ? `team ${r.name}` : r.name));
}

function envState(s: EnvironmentState | undefined, reviewers: readonly ResolvedReviewer[], preventSelfReview: boolean, exists: boolean): SettingState {
  if (!exists) return { summary: 'does not exist (GitHub would create it unprotected on first use)', value: { exists: false } };
  const names = reviewerNames(reviewers);
  const waitTimer = s?.waitTimer ?? 0;
  return {
    summary:
      `${names.length > 0 ? `reviewers ${names.join(', ')}` : 'no required reviewers'}; self-review ${preventSelfReview ? 'prevented' : 'allowed'}; ` +
      `${branchPolicyText(s?.deploymentBranchPolicy ?? null)}${waitTimer > 0 ? `; wait ${waitTimer} min` : ''}`,
    value: { exists: true, reviewers: names, preventSelfReview, branchPolicy: branchPolicyText(s?.deploymentBranchPolicy ?? null), waitTimer },
  };
}

/** The gaps the check wrote into the finding (`data.value`), which say what it flagged. */
function flagged(f: Finding): { noReviewers: boolean; selfReview: boolean; branchPolicy: boolean; absent: boolean } {
  const v = String(f.data?.value ?? '');
  return {
    absent: v === 'absent',
    noReviewers: v.includes('has no required reviewers'),
    selfReview: v.includes('approve it'),
    branchPolicy: v.includes('any branch') || v.includes('allows every branch'),
  };
}

function environmentChanges(settings: RepoSettings, findings: Finding[], policyReviewers: readonly string[], ids: EnforceIds | undefined, notes: EnforcementNote[]): SettingChange[] {
  const checkId = 'deploy-environment-unprotected';
  const changes: SettingChange[] = [];
  const known = settings.environments.status === 'ok' ? settings.environments.value : [];
  const seen = new Set<string>();
  for (const f of findings) {
    const name = typeof f.data?.environment === 'string' ? f.data.environment : undefined;
    if (!name || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const label = `environment "${name}"`;
    const gaps = flagged(f);
    if (gaps.branchPolicy) {
      notes.push({
        checkId,
        label,
        reason: 'its deployment branch policy is not changed by enforcement (restricting branches can stop releases from tags): choose protected branches or named branches yourself',
      });
    }
    if (!gaps.absent && !gaps.noReviewers && !gaps.selfReview) continue;

    const probe = ids?.environments.get(name.toLowerCase());
    if (probe && probe.status !== 'ok') {
      notes.push({ checkId, label, reason: `its current protection could not be read again, so it is not changed (${probe.status === 'forbidden' ? `needs ${probe.permission}` : probe.reason})` });
      continue;
    }
    const current: EnvironmentState | null | undefined = probe?.status === 'ok' ? probe.value : undefined;
    if (current === null && !gaps.absent) {
      notes.push({ checkId, label, reason: 'it was deleted after the scan: not recreated' });
      continue;
    }
    const fromSettings: EnvironmentProtection | undefined = known.find((e) => e.name.toLowerCase() === name.toLowerCase());
    const exists = current === undefined ? !gaps.absent : current !== null;
    if (!exists && settings.repo.visibility !== 'public' && settings.repo.plan !== 'enterprise') {
      notes.push({ checkId, label, reason: `required reviewers need GitHub Enterprise on ${settings.repo.visibility} repositories: create the environment with a protected-branch-only policy yourself` });
      continue;
    }
    let state: EnvironmentState | undefined = current ?? undefined;
    if (exists && !state && fromSettings) {
      // No fresh read: only safe when the environment has no reviewers to preserve.
      if (fromSettings.reviewers > 0) {
        notes.push({ checkId, label, reason: 'its current reviewers could not be read, and the update would replace them: not changed' });
        continue;
      }
      state = { name, waitTimer: fromSettings.waitTimer, preventSelfReview: fromSettings.preventSelfReview, reviewers: [], deploymentBranchPolicy: fromSettings.deploymentBranchPolicy };
    }
    const existing = state?.reviewers ?? [];
    let reviewers: ResolvedReviewer[] = existing;
    if (existing.length === 0) {
      // Reviewers to add: only from the policy, resolved to ids by collectEnforceIds.
      if (policyReviewers.length === 0) {
        notes.push({ checkId, label, reason: 'it has no required reviewers and "enforce.reviewers" names none: add users or org/team slugs to the organisation policy' });
        continue;
      }
      for (const u of ids?.unresolved ?? []) notes.push({ checkId, label, reason: `reviewer "${u.name}" not added: ${u.reason}` });
      const resolved = ids?.reviewers ?? [];
      if (resolved.length === 0) {
        notes.push({ checkId, label, reason: ids ? 'none of the policy reviewers could be resolved to a GitHub id' : 'reviewer ids were not looked up (collectEnforceIds was not run)' });
        continue;
      }
      if (resolved.length > MAX_ENVIRONMENT_REVIEWERS) {
        notes.push({ checkId, label, reason: `GitHub allows ${MAX_ENVIRONMENT_REVIEWERS} reviewers per environment: only the first ${MAX_ENVIRONMENT_REVIEWERS} of the policy are added` });
      }
      reviewers = resolved.slice(0, MAX_ENVIRONMENT_REVIEWERS);
    }
    if (exists && existing.length > 0 && state?.preventSelfReview) continue; // already right since the scan
    // PUT replaces the protection rules: send back the wait timer and branch policy that exist.
    const body: Record<string, unknown> = {
      prevent_self_review: true,
      reviewers: reviewers.map((r) => ({ type: r.type, id: r.id })),
    };
    if (exists && state) {
      body.wait_timer = state.waitTimer;
      body.deployment_branch_policy = state.deploymentBranchPolicy
        ? { protected_branches: state.deploymentBranchPolicy.protectedBranches, custom_branch_policies: state.deploymentBranchPolicy.customBranchPolicies }
        : null;
    }
    changes.push({
      checkId,
      target: { kind: 'environment', environment: name },
      label,
      before: envState(state, existing, state?.preventSelfReview ?? false, exists),
      after: envState(state, reviewers, true, true),
      request: {
        method: 'PUT',
        route: '/repos/{owner}/{repo}/environments/{environment_name}',
        params: { environment_name: name },
        body,
      },
      permission: ENFORCE_PERMISSION,
    });
  }
  return changes;
}

/**
 * The changes enforcement would make in one repository. `ids` comes from `collectEnforceIds` (reviewer
 * ids, environments' current state); without it, environments that need reviewers get a note instead.
 * Request params hold only the route's own parameters: `applyEnforcement` adds the target's owner and repo.
 */
export function planEnforcement(settings: RepoSettings, findings: readonly Finding[], policy: Policy, ids?: EnforceIds): EnforcementPlan {
  const enforce = enforcePolicy(policy);
  const changes: SettingChange[] = [];
  const notes: EnforcementNote[] = [];
  if (settings.repo.archived) return { changes, notes };
  const of = (id: string): Finding[] => (enforce.checks.includes(id) ? findings.filter((f) => f.checkId === id) : []);
  const r1 = of('default-branch-unprotected');
  if (r1.length > 0) changes.push(...rulesetChange(settings, r1, notes));
  if (of('default-token-write').length > 0) changes.push(...tokenChange(settings));
  if (of('fork-pr-approval-weak').length > 0) changes.push(...forkChange(settings));
  const r5 = of('deploy-environment-unprotected');
  if (r5.length > 0) changes.push(...environmentChanges(settings, r5, enforce.reviewers, ids, notes));
  return { changes, notes };
}
