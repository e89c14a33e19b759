import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { collectEnforceIds } from '../../src/collect/enforce-ids.js';
import { planEnforcement } from '../../src/enforce/plan.js';
import { applyEnforcement } from '../../src/publish/enforce.js';
import type { SettingChange } from '../../src/enforce/types.js';
import { emptyPolicy, type Policy } from '../../src/policy/config.js';
import { contractOctokit, specExample, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { ok, secureEnvironment, secureSettings, snapshotWith } from '../helpers/settings.js';

const TARGET = { owner: 'acme', repo: 'models' };
const ACTOR = 'pipeline-guard[bot]';
const NOW = '2026-11-27T10:00:00Z';
const ALL = ['default-branch-unprotected', 'default-token-write', 'fork-pr-approval-weak', 'deploy-environment-unprotected'];
const policy = (reviewers: string[] = ['acme/release']): Policy => ({ ...emptyPolicy(), enforce: { checks: ALL, reviewers } });

/** Every enforced check fails: an unprotected branch, a write token, weak fork approval, an environment without reviewers. */
const WEAK = secureSettings({
  branchRules: ok([]),
  rulesets: ok([]),
  classicProtection: ok(null),
  workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: false }),
  forkPrApproval: ok({ approvalPolicy: 'first_time_contributors' }),
  environments: ok([secureEnvironment({ reviewers: 0, preventSelfReview: false, waitTimer: 30 })]),
});
const findings = () => scanSnapshot(snapshotWith(WEAK), ALL_CHECKS).findings;

/** A reply body validated against GitHub's response schema (see useSimulatedGitHub). */
const checked = (method: string, route: string, status: number, body: unknown): nock.Body => replyChecked(method, route, status, body) as nock.Body;

const notAccessible = { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' };

function teamReply() {
  // GitHub's own example lacks two required fields of its schema (`type`, `organization.archived_at`).
  const example = specExample('team-full');
  const organization = { ...(example.organization as Record<string, unknown>), archived_at: null };
  return checked('GET', '/orgs/{org}/teams/{team_slug}', 200, { ...example, organization, type: 'organization', id: 4242, slug: 'release', name: 'release' });
}
function environmentReply(over: Record<string, unknown> = {}) {
  return checked('GET', '/repos/{owner}/{repo}/environments/{environment_name}', 200, {
    ...specExample('environment'),
    name: 'production',
    protection_rules: [{ id: 1, node_id: 'GA_1', type: 'wait_timer', wait_timer: 30 }],
    deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
    ...over,
  });
}

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

/** The plan for WEAK, with reviewer ids and the environment read through the simulated GitHub. */
async function weakPlan(): Promise<SettingChange[]> {
  nock(API)
    .get('/orgs/acme/teams/release').reply(200, teamReply())
    .get('/repos/acme/models/environments/production').reply(200, environmentReply());
  const ids = await collectEnforceIds(contract.octokit, TARGET, policy(), findings());
  const plan = planEnforcement(WEAK, findings(), policy(), ids);
  expect(plan.notes).toEqual([]);
  contract.sent.length = 0;
  return plan.changes;
}

describe('applyEnforcement', () => {
  it('sends each write once, in order, with bodies GitHub accepts, and records who changed what', async () => {
    const changes = await weakPlan();
    expect(changes.map((c) => c.checkId)).toEqual(ALL);
    // Not passed through replyChecked: the contract helper's ajv cannot compile this response schema
    // (`conditions` is `nullable` without a `type`); the body is GitHub's example with our values.
    const rulesetReply = { ...specExample('repository-ruleset'), id: 77, name: 'Pipeline Guard: default branch', source: 'acme/models', bypass_actors: [] };
    const envReply = environmentReply({
      protection_rules: [
        { id: 1, node_id: 'GA_1', type: 'wait_timer', wait_timer: 30 },
        { id: 2, node_id: 'GA_2', type: 'required_reviewers', prevent_self_review: true, reviewers: [] },
      ],
    });
    nock(API)
      .post('/repos/acme/models/rulesets', (b: Record<string, unknown>) => b.name === 'Pipeline Guard: default branch' && b.enforcement === 'active')
      .reply(201, checked('POST', '/repos/{owner}/{repo}/rulesets', 201, rulesetReply))
      .put('/repos/acme/models/actions/permissions/workflow', { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false })
      .reply(204)
      .put('/repos/acme/models/actions/permissions/fork-pr-contributor-approval', { approval_policy: 'all_external_contributors' })
      .reply(204)
      .put('/repos/acme/models/environments/production', {
        prevent_self_review: true,
        reviewers: [{ type: 'Team', id: 4242 }],
        wait_timer: 30,
        deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
      })
      .reply(200, envReply);

    const records = await applyEnforcement(contract.octokit, TARGET, changes, { actor: ACTOR, now: NOW });
    expect(contract.sent.map((r) => `${r.method} ${r.route}`)).toEqual([
      'POST /repos/{owner}/{repo}/rulesets',
      'PUT /repos/{owner}/{repo}/actions/permissions/workflow',
      'PUT /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval',
      'PUT /repos/{owner}/{repo}/environments/{environment_name}',
    ]);
    expect(records.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    for (const [i, r] of records.entries()) {
      expect(r).toMatchObject({ actor: ACTOR, at: NOW, before: changes[i].before, after: changes[i].after });
      expect(r.reason).toBeUndefined();
    }
    expect(records[1].before.value).toEqual({ default_workflow_permissions: 'write', can_approve_pull_request_reviews: false });
    expect(records[1].after.value).toEqual({ default_workflow_permissions: 'read', can_approve_pull_request_reviews: false });
  });

  it('403 "Resource not accessible by integration": would-apply, needs administration: write, and no further write is sent', async () => {
    const changes = await weakPlan();
    nock(API).post('/repos/acme/models/rulesets').reply(403, checked('POST', '/repos/{owner}/{repo}/rulesets', 403, notAccessible));
    const records = await applyEnforcement(contract.octokit, TARGET, changes, { actor: ACTOR, now: NOW });
    expect(contract.sent).toHaveLength(1);
    expect(records.map((r) => [r.status, r.reason, r.missingPermission])).toEqual(
      changes.map(() => ['would-apply', 'needs administration: write', 'administration: write']),
    );
    expect(records[3].before.summary).toContain('no required reviewers');
  });

  it('other errors: failed with GitHub\'s status and message (no stack, no token), and the next change is still tried', async () => {
    const changes = (await weakPlan()).filter((c) => c.checkId === 'default-token-write' || c.checkId === 'fork-pr-approval-weak');
    nock(API)
      .put('/repos/acme/models/actions/permissions/workflow')
      .reply(500, checked('PUT', '/repos/{owner}/{repo}/actions/permissions/workflow', 500, { message: 'Server Error ghs_abcdefabcdefabcdefabcdef0123', documentation_url: 'https://docs.github.com/rest' }))
      .put('/repos/acme/models/actions/permissions/fork-pr-contributor-approval')
      .reply(204);
    const records = await applyEnforcement(contract.octokit, TARGET, changes, { actor: ACTOR, now: NOW });
    expect(records.map((r) => r.status)).toEqual(['failed', 'applied']);
    expect(records[0].reason).toBe('GitHub answered 500: Server Error [redacted]');
  });

  it('a 403 that is not about the permission (organisation policy) is a failure, not a dry run', async () => {
    const changes = (await weakPlan()).filter((c) => c.checkId === 'default-token-write');
    nock(API)
      .put('/repos/acme/models/actions/permissions/workflow')
      .reply(409, checked('PUT', '/repos/{owner}/{repo}/actions/permissions/workflow', 409, { message: 'The organization does not allow this change', documentation_url: 'https://docs.github.com/rest' }));
    const records = await applyEnforcement(contract.octokit, TARGET, changes, { actor: ACTOR, now: NOW });
    expect(records.map((r) => [r.status, r.reason])).toEqual([['failed', 'GitHub answered 409: The organization does not allow this change']]);
  });

  it('dry run sends no write and marks every change would-apply', async () => {
    const changes = await weakPlan();
    const records = await applyEnforcement(contract.octokit, TARGET, changes, { dryRun: true, actor: ACTOR, now: NOW });
    expect(contract.sent).toEqual([]);
    expect(records.map((r) => r.status)).toEqual(['would-apply', 'would-apply', 'would-apply', 'would-apply']);
    expect(records.every((r) => r.missingPermission === undefined && /dry run/.test(r.reason ?? ''))).toBe(true);
  });
});

describe('collectEnforceIds', () => {
  it('reads nothing when environment enforcement is off or found nothing', async () => {
    const off = { ...emptyPolicy(), enforce: { checks: ['default-token-write'], reviewers: ['alice'] } };
    expect(await collectEnforceIds(contract.octokit, TARGET, off, findings())).toEqual({ reviewers: [], unresolved: [], environments: new Map() });
    expect(await collectEnforceIds(contract.octokit, TARGET, policy(['alice']), [])).toEqual({ reviewers: [], unresolved: [], environments: new Map() });
    expect(contract.sent).toEqual([]);
  });

  it('resolves users and teams to ids and reads the flagged environment with its reviewers', async () => {
    nock(API)
      .get('/users/alice').reply(200, checked('GET', '/users/{username}', 200, { ...specExample('public-user-default-response'), login: 'alice', id: 17 }))
      .get('/orgs/acme/teams/release').reply(200, teamReply())
      .get('/users/ghost').reply(404, checked('GET', '/users/{username}', 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }))
      .get('/repos/acme/models/environments/production')
      .reply(200, environmentReply({ protection_rules: specExample('environment').protection_rules }));
    const ids = await collectEnforceIds(contract.octokit, TARGET, policy(['alice', 'acme/release', 'ghost']), findings());
    expect(ids.reviewers).toEqual([
      { name: 'alice', type: 'User', id: 17 },
      { name: 'acme/release', type: 'Team', id: 4242 },
    ]);
    expect(ids.unresolved).toEqual([{ name: 'ghost', reason: 'no such user' }]);
    const env = ids.environments.get('production');
    expect(env?.status).toBe('ok');
    // GitHub's own example: wait timer 30, self-review allowed, a user and a team as reviewers.
    expect(env).toMatchObject({ value: { waitTimer: 30, preventSelfReview: false, reviewers: [{ type: 'User', id: 1, name: 'octocat' }, { type: 'Team', id: 1 }] } });
  });

  it('an environment that does not exist reads as null', async () => {
    nock(API)
      .get('/orgs/acme/teams/release').reply(200, teamReply())
      .get('/repos/acme/models/environments/production')
      .reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const ids = await collectEnforceIds(contract.octokit, TARGET, policy(), findings());
    expect(ids.environments.get('production')).toEqual({ status: 'ok', value: null });
  });
});

describe('the other request shapes are valid too', () => {
  it('private fork settings, re-activating the ruleset, creating an environment, an environment open to every branch', async () => {
    const priv = secureSettings({
      repo: { visibility: 'public' },
      branchRules: ok([]),
      classicProtection: ok(null),
      rulesets: ok([{ id: 31, name: 'Pipeline Guard: default branch', target: 'branch', enforcement: 'disabled', sourceType: 'Repository', bypassActors: [], ruleTypes: ['pull_request'] }]),
      environments: ok([secureEnvironment({ name: 'release', reviewers: 0, preventSelfReview: false, deploymentBranchPolicy: null })]),
    });
    const deploy = `on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    environment: hf-hub
    steps:
      - run: huggingface-cli upload acme/model ./out
`;
    const f = scanSnapshot(snapshotWith(priv, { 'ship.yml': deploy }), ALL_CHECKS).findings;
    const ids = { reviewers: [{ name: 'alice', type: 'User' as const, id: 17 }], unresolved: [], environments: new Map() };
    const plan = planEnforcement(priv, f, policy(['alice']), ids);
    const privateFork = planEnforcement(
      secureSettings({ repo: { visibility: 'private' }, forkPrPrivate: ok({ runWorkflowsFromForkPullRequests: true, sendWriteTokensToWorkflows: true, sendSecretsAndVariables: false, requireApprovalForForkPrWorkflows: true }) }),
      [{ checkId: 'fork-pr-approval-weak', severity: 'high', message: 'x', path: '.github' }],
      policy(),
    );
    const changes = [...plan.changes, ...privateFork.changes];
    expect(changes.map((c) => `${c.request.method} ${c.request.route}`)).toEqual([
      'PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}',
      'PUT /repos/{owner}/{repo}/environments/{environment_name}',
      'PUT /repos/{owner}/{repo}/environments/{environment_name}',
      'PUT /repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos',
    ]);
    const envReply = (name: string) => checked('PUT', '/repos/{owner}/{repo}/environments/{environment_name}', 200, { ...specExample('environment'), name });
    nock(API)
      .put('/repos/acme/models/rulesets/31', { enforcement: 'active' }).reply(200, checked('PUT', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', 200, { ...specExample('repository-ruleset'), id: 31 }))
      .put('/repos/acme/models/environments/release', { prevent_self_review: true, reviewers: [{ type: 'User', id: 17 }], wait_timer: 0, deployment_branch_policy: null }).reply(200, envReply('release'))
      .put('/repos/acme/models/environments/hf-hub', { prevent_self_review: true, reviewers: [{ type: 'User', id: 17 }] }).reply(200, envReply('hf-hub'))
      .put('/repos/acme/models/actions/permissions/fork-pr-workflows-private-repos').reply(204);
    const records = await applyEnforcement(contract.octokit, TARGET, changes, { actor: ACTOR, now: NOW });
    expect(records.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
  });
});
