import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { planEnforcement } from '../../src/enforce/plan.js';
import type { EnforceIds, EnvironmentState } from '../../src/collect/enforce-ids.js';
import type { Finding } from '../../src/model/types.js';
import type { RepoSettings } from '../../src/model/settings.js';
import { emptyPolicy, type Policy } from '../../src/policy/config.js';
import { ok, secureEnvironment, secureSettings, snapshotWith } from '../helpers/settings.js';

const ALL = ['default-branch-unprotected', 'default-token-write', 'fork-pr-approval-weak', 'deploy-environment-unprotected'];

function policy(checks: string[] = ALL, reviewers: string[] = []): Policy {
  return { ...emptyPolicy(), enforce: { checks, reviewers } };
}

/** Findings as the real checks report them for these settings (and workflows). */
function scan(settings: RepoSettings, workflows: Record<string, string> = {}): Finding[] {
  return scanSnapshot(snapshotWith(settings, workflows), ALL_CHECKS).findings;
}

const TEAM = { name: 'acme/release', type: 'Team' as const, id: 4242 };
const ALICE = { name: 'alice', type: 'User' as const, id: 17 };

function ids(over: Partial<EnforceIds> = {}): EnforceIds {
  return { reviewers: [TEAM], unresolved: [], environments: new Map(), ...over };
}

const unprotectedBranch = { branchRules: ok([]), rulesets: ok([]), classicProtection: ok(null) };
const deployJob = (env: string) => `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: ${env}
    steps:
      - run: kubectl apply -f k8s/
`;

describe('planEnforcement: only enforced checks that found something', () => {
  const s = secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true }) });

  it('plans nothing without an enforce policy, or when another check is enforced', () => {
    const findings = scan(s);
    expect(findings.map((f) => f.checkId)).toContain('default-token-write');
    expect(planEnforcement(s, findings, emptyPolicy())).toEqual({ changes: [], notes: [] });
    expect(planEnforcement(s, findings, policy(['fork-pr-approval-weak']))).toEqual({ changes: [], notes: [] });
  });

  it('plans nothing when every enforced setting is already right', () => {
    const secure = secureSettings();
    expect(scan(secure)).toEqual([]);
    expect(planEnforcement(secure, [], policy(ALL, ['acme/release']), ids())).toEqual({ changes: [], notes: [] });
  });

  it('plans nothing for a setting the check did not flag, even if findings are passed in', () => {
    // A stale finding (the setting is read now, and is fine): no write.
    const stale: Finding = { checkId: 'default-token-write', severity: 'high', message: 'x', path: '.github' };
    expect(planEnforcement(secureSettings(), [stale], policy()).changes).toEqual([]);
  });

  it('plans nothing in an archived repository', () => {
    const archived = secureSettings({ repo: { archived: true }, workflowPermissions: s.workflowPermissions });
    const f: Finding = { checkId: 'default-token-write', severity: 'high', message: 'x', path: '.github' };
    expect(planEnforcement(archived, [f], policy()).changes).toEqual([]);
  });
});

describe('default-token-write', () => {
  it('sets the default token to read and forbids Actions approving pull requests, sending nothing else', () => {
    const s = secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true }) });
    const { changes } = planEnforcement(s, scan(s), policy());
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      checkId: 'default-token-write',
      target: { kind: 'workflow-token' },
      permission: 'administration: write',
      request: { method: 'PUT', route: '/repos/{owner}/{repo}/actions/permissions/workflow', params: {}, body: { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false } },
      before: { value: { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true } },
      after: { value: { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false } },
    });
    expect(Object.keys(changes[0].request.body).sort()).toEqual(['can_approve_pull_request_reviews', 'default_workflow_permissions']);
    expect(changes[0].before.summary).toContain('read/write');
    expect(changes[0].after.summary).toContain('read-only');
  });

  it('when only approval is flagged, keeps the token read (never writes "write")', () => {
    const s = secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: true }) });
    const { changes } = planEnforcement(s, scan(s), policy(['default-token-write']));
    expect(changes.map((c) => c.request.body)).toEqual([{ default_workflow_permissions: 'read', can_approve_pull_request_reviews: false }]);
  });
});

describe('fork-pr-approval-weak', () => {
  it('public repository: requires approval for all outside contributors', () => {
    const s = secureSettings({ forkPrApproval: ok({ approvalPolicy: 'first_time_contributors' }) });
    const { changes } = planEnforcement(s, scan(s), policy(['fork-pr-approval-weak']));
    expect(changes).toHaveLength(1);
    expect(changes[0].request).toEqual({
      method: 'PUT',
      route: '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval',
      params: {},
      body: { approval_policy: 'all_external_contributors' },
    });
    expect(changes[0].before.value).toEqual({ approval_policy: 'first_time_contributors' });
  });

  it('private repository: stops secrets and write tokens, requires approval, keeps fork runs allowed', () => {
    const s = secureSettings({
      repo: { visibility: 'private' },
      forkPrPrivate: ok({ runWorkflowsFromForkPullRequests: true, sendWriteTokensToWorkflows: false, sendSecretsAndVariables: true, requireApprovalForForkPrWorkflows: false }),
    });
    const { changes } = planEnforcement(s, scan(s), policy(['fork-pr-approval-weak']));
    expect(changes.map((c) => c.request)).toEqual([
      {
        method: 'PUT',
        route: '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos',
        params: {},
        body: { run_workflows_from_fork_pull_requests: true, send_write_tokens_to_workflows: false, send_secrets_and_variables: false, require_approval_for_fork_pr_workflows: true },
      },
    ]);
  });
});

describe('default-branch-unprotected', () => {
  /** The planned POST body, read as GitHub reads a repository ruleset (apply.test.ts checks it against the OpenAPI schema). */
  interface RulesetBody {
    conditions?: { ref_name?: { include?: string[] } };
    rules?: { type: string; parameters?: Record<string, unknown> }[];
  }
  function plannedRuleset(): { body: RulesetBody; pullRequest: Record<string, unknown> } {
    const s = secureSettings(unprotectedBranch);
    const body = planEnforcement(s, scan(s), policy(['default-branch-unprotected'])).changes[0].request.body as RulesetBody;
    return { body, pullRequest: body.rules?.find((r) => r.type === 'pull_request')?.parameters ?? {} };
  }

  it('creates the Pipeline Guard ruleset on ~DEFAULT_BRANCH', () => {
    const s = secureSettings(unprotectedBranch);
    const { changes, notes } = planEnforcement(s, scan(s), policy(['default-branch-unprotected']));
    expect(notes).toEqual([]);
    expect(changes).toHaveLength(1);
    expect(changes[0].request).toMatchObject({ method: 'POST', route: '/repos/{owner}/{repo}/rulesets', params: {} });
    expect(changes[0].before.summary).toContain('"main"');
    const { body, pullRequest } = plannedRuleset();
    // What makes the ruleset protect the default branch, whatever the optional fields say.
    expect(body).toMatchObject({ name: 'Pipeline Guard: default branch', target: 'branch', enforcement: 'active', bypass_actors: [] });
    expect(body.conditions?.ref_name?.include).toEqual(['~DEFAULT_BRANCH']);
    expect(body.rules?.map((r) => r.type).sort()).toEqual(['deletion', 'non_fast_forward', 'pull_request']);
    expect(pullRequest).toMatchObject({ required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_last_push_approval: true });
  });

  it('the created ruleset satisfies both branch checks, so the next plan is empty', () => {
    const after = secureSettings({
      branchRules: ok([
        { type: 'pull_request', rulesetId: 9, rulesetSourceType: 'Repository', parameters: plannedRuleset().pullRequest },
        { type: 'non_fast_forward', rulesetId: 9, rulesetSourceType: 'Repository' },
        { type: 'deletion', rulesetId: 9, rulesetSourceType: 'Repository' },
      ]),
      rulesets: ok([{ id: 9, name: 'Pipeline Guard: default branch', target: 'branch', enforcement: 'active', sourceType: 'Repository', bypassActors: [], ruleTypes: ['pull_request', 'non_fast_forward', 'deletion'] }]),
    });
    expect(scan(after)).toEqual([]);
    expect(planEnforcement(after, scan(after), policy()).changes).toEqual([]);
  });

  it('re-activates its own ruleset left in evaluate mode instead of creating a second one', () => {
    const s = secureSettings({
      ...unprotectedBranch,
      rulesets: ok([{ id: 31, name: 'Pipeline Guard: default branch', target: 'branch', enforcement: 'evaluate', sourceType: 'Repository', bypassActors: [], ruleTypes: ['pull_request', 'non_fast_forward', 'deletion'] }]),
    });
    const { changes } = planEnforcement(s, scan(s), policy(['default-branch-unprotected']));
    expect(changes.map((c) => c.request)).toEqual([
      { method: 'PUT', route: '/repos/{owner}/{repo}/rulesets/{ruleset_id}', params: { ruleset_id: 31 }, body: { enforcement: 'active' } },
    ]);
  });

  it('does not overwrite its own ruleset when someone removed its pull_request rule: a note', () => {
    const s = secureSettings({
      ...unprotectedBranch,
      rulesets: ok([{ id: 31, name: 'Pipeline Guard: default branch', target: 'branch', enforcement: 'active', sourceType: 'Repository', bypassActors: [], ruleTypes: ['deletion', 'required_status_checks'] }]),
    });
    const { changes, notes } = planEnforcement(s, scan(s), policy(['default-branch-unprotected']));
    expect(changes).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0].reason).toMatch(/not overwritten/);
  });

  it('an organisation ruleset with the same name is not ours: a repository ruleset is created', () => {
    const s = secureSettings({
      ...unprotectedBranch,
      rulesets: ok([{ id: 5, name: 'Pipeline Guard: default branch', target: 'branch', enforcement: 'evaluate', sourceType: 'Organization', bypassActors: [], ruleTypes: ['pull_request'] }]),
    });
    expect(planEnforcement(s, scan(s), policy()).changes.map((c) => c.request.method)).toEqual(['POST']);
  });
});

describe('deploy-environment-unprotected', () => {
  const bare = { reviewers: 0, preventSelfReview: false, waitTimer: 15, deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false } };

  it('adds the policy reviewers, prevents self-review and sends back the wait timer and branch policy', () => {
    const s = secureSettings({ environments: ok([secureEnvironment(bare)]) });
    const findings = scan(s);
    const { changes, notes } = planEnforcement(s, findings, policy(['deploy-environment-unprotected'], ['acme/release']), ids());
    expect(notes).toEqual([]);
    expect(changes).toHaveLength(1);
    expect(changes[0].request).toEqual({
      method: 'PUT',
      route: '/repos/{owner}/{repo}/environments/{environment_name}',
      params: { environment_name: 'production' },
      body: { prevent_self_review: true, reviewers: [{ type: 'Team', id: 4242 }], wait_timer: 15, deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } },
    });
    expect(changes[0].before.summary).toContain('no required reviewers');
    expect(changes[0].after.summary).toContain('team acme/release');
    expect(changes[0].after.summary).toContain('wait 15 min');
  });

  it('uses the freshly read environment state over the snapshot', () => {
    const s = secureSettings({ environments: ok([secureEnvironment({ ...bare, deploymentBranchPolicy: null })]) });
    const fresh: EnvironmentState = { name: 'production', waitTimer: 5, preventSelfReview: false, reviewers: [], deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } };
    const { changes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], ['alice']), ids({ reviewers: [ALICE], environments: new Map([['production', ok(fresh)]]) }));
    expect(changes[0].request.body).toEqual({
      prevent_self_review: true,
      reviewers: [{ type: 'User', id: 17 }],
      wait_timer: 5,
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
  });

  it('no reviewers in the policy: no change, a note (and a note for the branch policy it leaves alone)', () => {
    const s = secureSettings({ environments: ok([secureEnvironment({ ...bare, deploymentBranchPolicy: null })]) });
    const { changes, notes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], []), ids({ reviewers: [] }));
    expect(changes).toEqual([]);
    expect(notes.map((n) => n.reason)).toEqual([
      expect.stringContaining('branch policy is not changed'),
      expect.stringContaining('"enforce.reviewers" names none'),
    ]);
  });

  it('reviewers that cannot be resolved: a note each; none resolved: no change', () => {
    const s = secureSettings({ environments: ok([secureEnvironment(bare)]) });
    const { changes, notes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], ['ghost']), ids({ reviewers: [], unresolved: [{ name: 'ghost', reason: 'no such user' }] }));
    expect(changes).toEqual([]);
    expect(notes.map((n) => n.reason)).toEqual(['reviewer "ghost" not added: no such user', 'none of the policy reviewers could be resolved to a GitHub id']);
  });

  it('self-review allowed: keeps the existing reviewers (ids from the fresh read), adds nobody', () => {
    const s = secureSettings({ environments: ok([secureEnvironment({ reviewers: 2, preventSelfReview: false, waitTimer: 0 })]) });
    const fresh: EnvironmentState = {
      name: 'production', waitTimer: 0, preventSelfReview: false, deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
      reviewers: [{ name: 'bob', type: 'User', id: 3 }, { name: 'ops', type: 'Team', id: 8 }],
    };
    const { changes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], ['acme/release']), ids({ environments: new Map([['production', ok(fresh)]]) }));
    expect(changes[0].request.body).toEqual({
      prevent_self_review: true,
      reviewers: [{ type: 'User', id: 3 }, { type: 'Team', id: 8 }],
      wait_timer: 0,
      deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
    });
    expect(changes[0].before.summary).toContain('self-review allowed');
    expect(changes[0].after.summary).toContain('self-review prevented');
  });

  it('self-review allowed but the current reviewers are unknown: no change (a PUT would drop them)', () => {
    const s = secureSettings({ environments: ok([secureEnvironment({ reviewers: 2, preventSelfReview: false })]) });
    const { changes, notes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], ['acme/release']), ids());
    expect(changes).toEqual([]);
    expect(notes[0].reason).toMatch(/would replace them/);
  });

  it('only the branch policy is flagged: no write, a note', () => {
    const s = secureSettings({ environments: ok([secureEnvironment({ deploymentBranchPolicy: null })]) });
    const { changes, notes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], ['acme/release']), ids());
    expect(changes).toEqual([]);
    expect(notes).toHaveLength(1);
  });

  it('an environment a deploy job names that does not exist is created protected', () => {
    const s = secureSettings({ environments: ok([]) });
    const findings = scan(s, { 'd.yml': deployJob('model-registry') });
    const { changes } = planEnforcement(s, findings, policy(['deploy-environment-unprotected'], ['acme/release']), ids({ environments: new Map([['model-registry', ok(null)]]) }));
    expect(changes.map((c) => c.request)).toEqual([
      { method: 'PUT', route: '/repos/{owner}/{repo}/environments/{environment_name}', params: { environment_name: 'model-registry' }, body: { prevent_self_review: true, reviewers: [{ type: 'Team', id: 4242 }] } },
    ]);
    expect(changes[0].before.value).toEqual({ exists: false });
  });

  it('private repository without Enterprise: no environment created with reviewers GitHub would refuse', () => {
    const s = secureSettings({ repo: { visibility: 'private', plan: 'team' }, environments: ok([]), forkPrApproval: ok({ approvalPolicy: 'first_time_contributors' }) });
    const findings = scan(s, { 'd.yml': deployJob('production') });
    const { changes, notes } = planEnforcement(s, findings, policy(['deploy-environment-unprotected'], ['acme/release']), ids());
    expect(changes).toEqual([]);
    expect(notes[0].reason).toMatch(/GitHub Enterprise/);
  });

  it('caps reviewers at six', () => {
    const s = secureSettings({ environments: ok([secureEnvironment(bare)]) });
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `u${i}`, type: 'User' as const, id: 100 + i }));
    const { changes, notes } = planEnforcement(s, scan(s), policy(['deploy-environment-unprotected'], many.map((m) => m.name)), ids({ reviewers: many }));
    expect((changes[0].request.body.reviewers as unknown[]).length).toBe(6);
    expect(notes[0].reason).toMatch(/only the first 6/);
  });
});

describe('never weakens', () => {
  it('no planned body grants write, lets Actions approve, adds a bypass, or allows self-review', () => {
    const weak = secureSettings({
      ...unprotectedBranch,
      workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true }),
      forkPrApproval: ok({ approvalPolicy: 'first_time_contributors_new_to_github' }),
      environments: ok([secureEnvironment({ reviewers: 0, preventSelfReview: false })]),
    });
    const { changes } = planEnforcement(weak, scan(weak), policy(ALL, ['acme/release']), ids());
    expect(changes.map((c) => c.checkId).sort()).toEqual([...ALL].sort());
    const text = JSON.stringify(changes.map((c) => c.request.body));
    expect(text).not.toMatch(/"write"|"can_approve_pull_request_reviews":true|"prevent_self_review":false|"enforcement":"(evaluate|disabled)"/);
    for (const c of changes) {
      if (c.request.body.bypass_actors !== undefined) expect(c.request.body.bypass_actors).toEqual([]);
      expect(c.permission).toBe('administration: write');
    }
  });
});
