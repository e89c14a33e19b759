import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { validate } from '@octokit/graphql-schema';
import { Octokit } from '@octokit/core';
import { ProbotOctokit } from 'probot';
import { collectRepoSnapshot, GitHubCollectError, type OctokitLike } from '../../src/collect/github.js';
import { blobTextQuery, REPO_QUERY } from '../../src/collect/github-query.js';
import { refNameMatches } from '../../src/collect/github-settings.js';
import { recordRequests } from '../../src/collect/record.js';
import { collectLocal } from '../../src/collect/local.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import type { RepoSettings } from '../../src/model/settings.js';
import { checkRequest, contractOctokit, responseViolations, type Contract } from '../helpers/github-contract.js';
import {
  API, COMMIT_OID, mockScenario, now, readJson, REPO_DIR, repoFiles, useSimulatedGitHub, withOverrides,
  type RestFixture, type Scenario,
} from '../helpers/github-repo.js';


const forbidden403 = { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' };

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

const restCalls = (c: Contract) => c.sent.filter((r) => r.route !== '/graphql');
const gqlCalls = (c: Contract) => c.sent.filter((r) => r.route === '/graphql');

describe('GraphQL documents', () => {
  it('the repository query validates against the GitHub schema', () => {
    expect(validate(REPO_QUERY).map((e) => e.message)).toEqual([]);
  });
  it('the blob batch validates, and refuses anything that is not an object id', () => {
    const { query } = blobTextQuery('o', 'r', ['a'.repeat(40), 'b'.repeat(40)]);
    expect(validate(query).map((e) => e.message)).toEqual([]);
    expect(query).toContain(`b1: object(oid: "${'b'.repeat(40)}")`);
    expect(() => blobTextQuery('o', 'r', ['") { x } y: object(oid: "'])).toThrow(/not a git object id/);
  });
});

describe('contract helper', () => {
  it('flags unknown routes, unknown parameters, missing required GraphQL variables and bad reply fixtures', () => {
    expect(checkRequest({ method: 'GET', url: '/repos/{owner}/{repo}/actions/permissionz', owner: 'o', repo: 'r' }, { method: 'GET', url: `${API}/repos/o/r/actions/permissionz` }))
      .toEqual(['GET /repos/{owner}/{repo}/actions/permissionz: not an operation of the GitHub REST API']);
    expect(checkRequest({ method: 'GET', url: '/repos/{owner}/{repo}/actions/secrets', owner: 'o', repo: 'r', per_pag: 100 }, { method: 'GET', url: `${API}/repos/o/r/actions/secrets?per_pag=100` }))
      .toEqual(['GET /repos/{owner}/{repo}/actions/secrets: unknown parameter per_pag']);
    expect(checkRequest({ method: 'GET', url: '/repos/{owner}/{repo}/actions/secrets', owner: 'o', repo: 'r', per_page: 'many' }, { method: 'GET', url: `${API}/repos/o/r/actions/secrets?per_page=many` })[0])
      .toMatch(/query parameter per_page=many/);
    expect(checkRequest({ method: 'POST', url: '/graphql' }, { method: 'POST', url: `${API}/graphql`, body: { query: REPO_QUERY, variables: { owner: 'o', name: 'r' } } }))
      .toEqual(['POST /graphql: required variable $ref not provided']);
    expect(responseViolations('GET', '/repos/{owner}/{repo}/actions/permissions/workflow', 200, { default_workflow_permissions: 'read' })[0])
      .toMatch(/can_approve_pull_request_reviews/);
    expect(responseViolations('GET', '/repos/{owner}/{repo}/actions/permissions/workflow', 200, { default_workflow_permissions: 'admin', can_approve_pull_request_reviews: false })[0])
      .toMatch(/allowed values/);
  });
});

describe('collectRepoSnapshot', () => {
  const baseGraphql = () => readJson<Scenario['graphql']>('protected-public.graphql.json');
  const baseRest = () => readJson<RestFixture[]>('protected-public.rest.json');

  it('reads a fully protected public repository: every probe ok, files as the local collector sees them', async () => {
    const files = repoFiles();
    mockScenario({ graphql: baseGraphql(), rest: baseRest(), files });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now });

    expect(snap.source).toBe('github');
    expect(snap.ref).toBe(COMMIT_OID);
    expect(snap.repo).toEqual({ owner: 'acme', name: 'ml', defaultBranch: 'main', visibility: 'public', archived: false });
    expect(snap.warnings).toEqual([]);
    const local = await collectLocal(REPO_DIR);
    expect(snap.files).toEqual(local.snapshot.files);
    expect(snap.files.find((f) => f.path === 'models/weights.pt')?.lfsPointer).toBe(true);

    const s = snap.settings as RepoSettings;
    expect(s.collectedAt).toBe('2026-11-27T12:00:00.000Z');
    expect(s.repo).toEqual({ visibility: 'public', archived: false, fork: false, defaultBranch: 'main', ownerIsOrg: true });
    expect(s.classicProtection).toEqual({
      status: 'ok',
      value: {
        enforceAdmins: true, allowForcePushes: false, allowDeletions: false, requiredStatusChecks: ['ci / test'],
        requiredPullRequestReviews: { requiredApprovingReviewCount: 2, dismissStaleReviews: true, requireCodeOwnerReviews: true, requireLastPushApproval: true, bypassAllowances: 0 },
      },
    });
    expect(s.branchRules.status === 'ok' && s.branchRules.value.map((r) => `${r.type}:${r.rulesetId}:${r.rulesetSourceType}`))
      .toEqual(['pull_request:42:Organization', 'non_fast_forward:42:Organization', 'deletion:42:Organization']);
    // The tag ruleset does not target the default branch.
    expect(s.rulesets).toEqual({
      status: 'ok',
      value: [{
        id: 42, name: 'protect default', target: 'branch', enforcement: 'active', sourceType: 'Organization',
        bypassActors: [{ actorType: 'OrganizationAdmin', actorId: null, bypassMode: 'pull_request' }, { actorType: 'Integration', actorId: 777, bypassMode: 'always' }],
        ruleTypes: ['pull_request', 'non_fast_forward', 'deletion'],
      }],
    });
    expect(s.environments).toEqual({
      status: 'ok',
      value: [
        { name: 'production', reviewers: 2, preventSelfReview: true, waitTimer: 30, canAdminsBypass: false,
          deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true }, branchPolicies: ['main', 'tag:v*'], customRules: [], secretNames: ['HF_TOKEN'] },
        { name: 'staging', reviewers: 0, preventSelfReview: false, waitTimer: 0, canAdminsBypass: true, deploymentBranchPolicy: null, customRules: ['policy-gate'], secretNames: [] },
      ],
    });
    expect(s.actionsPermissions).toEqual({ status: 'ok', value: { enabled: true, allowedActions: 'selected', shaPinningRequired: true } });
    expect(s.workflowPermissions).toEqual({ status: 'ok', value: { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false } });
    expect(s.forkPrApproval).toEqual({ status: 'ok', value: { approvalPolicy: 'all_external_contributors' } });
    expect(s.forkPrPrivate.status).toBe('unavailable');
    expect(s.secrets).toEqual({
      status: 'ok',
      value: [
        { name: 'CODECOV_TOKEN', scope: 'repository', updatedAt: '2025-01-01T00:00:00Z' },
        { name: 'PYPI_TOKEN', scope: 'organization', updatedAt: '2025-02-01T00:00:00Z', visibility: 'selected' },
        { name: 'HF_TOKEN', scope: 'environment', environment: 'production', updatedAt: '2026-06-01T00:00:00Z' },
      ],
    });
    expect(s.securityAndAnalysis).toEqual({ status: 'ok', value: { secretScanning: 'enabled', pushProtection: 'enabled', advancedSecurity: 'enabled' } });
    expect(s.selfHostedRunners).toEqual({ status: 'ok', value: { count: 0, groupsAllowPublicRepos: false, ephemeralUnknown: true } });

    // Request budget for a typical repository: 1 repository query + 1 text batch; settings + tree <= 15 REST, plus blobs of binaries.
    expect(gqlCalls(contract)).toHaveLength(2);
    const rest = restCalls(contract);
    expect(rest.filter((r) => !r.route.includes('/git/blobs/')).length).toBeLessThanOrEqual(15);
    expect(rest.filter((r) => r.route.includes('/git/blobs/')).map((r) => r.url).sort()).toEqual(
      ['models/clf.pkl', 'models/weights.pt'].map((p) => `${API}/repos/acme/ml/git/blobs/${files.find((f) => f.path === p)?.sha}`).sort(),
    );
    // Only list endpoints for secrets: no request ever names a secret.
    expect(rest.filter((r) => /secrets\/[^/]+$/.test(r.route))).toEqual([]);
  });

  it('feeds the file checks end to end: the fetched pickle is found, the LFS pointer is not', async () => {
    mockScenario({ graphql: baseGraphql(), rest: baseRest(), files: repoFiles() });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now });
    const result = scanSnapshot(snap, ALL_CHECKS);
    const pickle = result.findings.filter((f) => f.checkId === 'unsafe-pickle');
    expect(pickle.map((f) => [f.path, f.severity])).toEqual([['models/clf.pkl', 'critical']]);
    expect(pickle[0].message).toContain('`posix.system`');
    // The workflow text from GraphQL was parsed: its tag-pinned action is reported at its line.
    const unpinned = result.findings.filter((f) => f.checkId === 'unpinned-action' && f.path === '.github/workflows/ci.yml');
    expect(unpinned.map((f) => f.region?.line)).toContain(9);
    expect(result.findings.some((f) => f.path === 'models/weights.pt')).toBe(false);
  });

  it('an unprotected private repository on the Free plan: plan-gated features are unavailable, not failures', async () => {
    const files = repoFiles().filter((f) => f.path.startsWith('.github/workflows/') || f.path === 'train.py');
    mockScenario({
      owner: 'dana',
      repo: 'exp',
      files,
      graphql: {
        repository: {
          nameWithOwner: 'dana/exp', databaseId: 7, isArchived: false, isFork: false, isPrivate: true, visibility: 'PRIVATE',
          owner: { __typename: 'User', login: 'dana' },
          planFeatures: { codeowners: false, draftPullRequests: false },
          defaultBranchRef: { name: 'main', target: { oid: COMMIT_OID }, branchProtectionRule: null },
          branchProtectionRules: { totalCount: 0, nodes: [] },
          rulesets: { totalCount: 0, nodes: [] },
          environments: { totalCount: 0, nodes: [] },
        },
      },
      rest: [
        { route: '/repos/{owner}/{repo}/actions/permissions', body: { enabled: true, allowed_actions: 'all' } },
        { route: '/repos/{owner}/{repo}/actions/permissions/workflow', body: { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true } },
        { route: '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos', body: {
          run_workflows_from_fork_pull_requests: false, send_write_tokens_to_workflows: false, send_secrets_and_variables: false, require_approval_for_fork_pr_workflows: true } },
        { route: '/repos/{owner}/{repo}/actions/secrets', params: { per_page: 100 }, body: { total_count: 0, secrets: [] } },
        { route: '/repos/{owner}/{repo}/actions/runners', params: { per_page: 100 }, body: { total_count: 0, runners: [] } },
      ],
    });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'dana', repo: 'exp' }, { now });
    const s = snap.settings as RepoSettings;
    expect(s.repo).toEqual({ visibility: 'private', archived: false, fork: false, defaultBranch: 'main', ownerIsOrg: false, plan: 'free' });
    for (const probe of [s.classicProtection, s.branchRules, s.rulesets, s.environments, s.securityAndAnalysis, s.forkPrApproval]) {
      expect(probe.status).toBe('unavailable');
    }
    expect(s.environments.status === 'unavailable' && s.environments.reason).toMatch(/Free plan/);
    expect(s.securityAndAnalysis.status === 'unavailable' && s.securityAndAnalysis.reason).toMatch(/secret scanning/i);
    expect(s.forkPrPrivate).toEqual({ status: 'ok', value: { runWorkflowsFromForkPullRequests: false, sendWriteTokensToWorkflows: false, sendSecretsAndVariables: false, requireApprovalForForkPrWorkflows: true } });
    expect(s.workflowPermissions).toEqual({ status: 'ok', value: { defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true } });
    expect(s.secrets).toEqual({ status: 'ok', value: [] });
    expect(s.selfHostedRunners).toEqual({ status: 'ok', value: { count: 0, groupsAllowPublicRepos: false, ephemeralUnknown: false } });
    // No request for what the plan lacks or a user account cannot have.
    const routes = restCalls(contract).map((r) => r.route);
    for (const r of ['/repos/{owner}/{repo}', '/repos/{owner}/{repo}/environments', '/repos/{owner}/{repo}/rules/branches/{branch}', '/repos/{owner}/{repo}/actions/organization-secrets', '/orgs/{org}/actions/runner-groups']) {
      expect(routes).not.toContain(r);
    }
    expect(snap.files.map((f) => f.path)).toEqual(['.github/workflows/ci.yml', 'train.py']);
  });

  it('missing permissions become forbidden with the App permission to grant', async () => {
    const graphql = baseGraphql();
    const repo = graphql.repository as Record<string, unknown>;
    repo.defaultBranchRef = { name: 'main', target: { oid: COMMIT_OID }, branchProtectionRule: null };
    repo.rulesets = null;
    const rest = withOverrides(baseRest(), [
      { route: '/repos/{owner}/{repo}/branches/{branch}/protection', params: { branch: 'main' }, status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } },
      { route: '/repos/{owner}/{repo}/actions/permissions', status: 403, body: forbidden403 },
      { route: '/repos/{owner}/{repo}/actions/permissions/workflow', status: 403, body: forbidden403 },
      { route: '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', status: 403, body: forbidden403 },
      { route: '/repos/{owner}/{repo}/environments', params: { per_page: 100 }, status: 403, body: forbidden403 },
      { route: '/repos/{owner}/{repo}/actions/secrets', params: { per_page: 100 }, status: 403, body: forbidden403 },
      { route: '/repos/{owner}/{repo}/actions/runners', params: { per_page: 100 }, status: 403, body: forbidden403 },
      { route: '/repos/{owner}/{repo}', example: 'full-repository-default-response', omit: ['parent', 'source', 'template_repository'], body: { language: 'Python', name: 'ml', full_name: 'acme/ml', private: false, default_branch: 'main', security_and_analysis: undefined } },
    ], ['/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', '/repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules', '/orgs/{org}/actions/runner-groups']);
    mockScenario({
      graphql,
      graphqlErrors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration', path: ['repository', 'rulesets'] }],
      rest,
      files: repoFiles().filter((f) => f.path.startsWith('.github/workflows/')),
    });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now });
    const s = snap.settings as RepoSettings;
    const perm = (p: { status: string; permission?: string }) => `${p.status}:${p.permission ?? ''}`;
    expect(perm(s.classicProtection)).toBe('forbidden:administration');
    expect(perm(s.rulesets)).toBe('forbidden:administration');
    expect(perm(s.actionsPermissions)).toBe('forbidden:administration');
    expect(perm(s.workflowPermissions)).toBe('forbidden:administration');
    expect(perm(s.forkPrApproval)).toBe('forbidden:administration');
    expect(perm(s.environments)).toBe('forbidden:actions');
    expect(perm(s.secrets)).toBe('forbidden:secrets');
    expect(perm(s.selfHostedRunners)).toBe('forbidden:administration');
    expect(perm(s.securityAndAnalysis)).toBe('forbidden:administration');
    expect(s.actionsPermissions.status === 'forbidden' && s.actionsPermissions.detail).toBe('403 Resource not accessible by integration');
    // Rules on the branch need only Metadata, which every installation has.
    expect(s.branchRules.status).toBe('ok');
    expect(snap.warnings).toContain('GitHub GraphQL: Resource not accessible by integration (at repository.rulesets)');
    // Environment secrets were still read, from the environment names GraphQL gave.
    expect(contract.sent.filter((r) => r.route.endsWith('/environments/{environment_name}/secrets'))).toHaveLength(2);
  });

  it('a 500 that persists is an error; "Branch not protected" is a plain null; a rate limit is an error, not forbidden', async () => {
    const graphql = baseGraphql();
    (graphql.repository as Record<string, unknown>).defaultBranchRef = { name: 'main', target: { oid: COMMIT_OID }, branchProtectionRule: null };
    const rest = withOverrides(baseRest(), [
      { route: '/repos/{owner}/{repo}/branches/{branch}/protection', params: { branch: 'main' }, status: 404, body: { message: 'Branch not protected', documentation_url: 'https://docs.github.com/rest' } },
      { route: '/repos/{owner}/{repo}/actions/permissions', status: 500, body: { message: 'Server Error' } },
      { route: '/repos/{owner}/{repo}/actions/permissions/workflow', status: 403, body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest' } },
    ]);
    mockScenario({ graphql, rest, files: [] });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now });
    const s = snap.settings as RepoSettings;
    expect(s.classicProtection).toEqual({ status: 'ok', value: null });
    expect(s.actionsPermissions).toEqual({ status: 'error', reason: '500 Server Error' });
    expect(s.workflowPermissions.status).toBe('error');
    expect(s.workflowPermissions.status === 'error' && s.workflowPermissions.reason).toMatch(/^rate limited/);
    expect(s.forkPrApproval.status).toBe('ok');
  });

  it('a plan-gated 403 is unavailable', async () => {
    const graphql = baseGraphql();
    (graphql.repository as Record<string, unknown>).defaultBranchRef = { name: 'main', target: { oid: COMMIT_OID }, branchProtectionRule: null };
    const rest = withOverrides(baseRest(), [
      { route: '/repos/{owner}/{repo}/branches/{branch}/protection', params: { branch: 'main' }, status: 403,
        body: { message: 'Upgrade to GitHub Pro or make this repository public to enable this feature.', documentation_url: 'https://docs.github.com/rest' } },
    ]);
    mockScenario({ graphql, rest, files: [] });
    const s = (await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now })).settings as RepoSettings;
    expect(s.classicProtection).toEqual({ status: 'unavailable', reason: 'Upgrade to GitHub Pro or make this repository public to enable this feature.' });
  });

  it('a truncated tree still yields the workflows (from GraphQL) and says what was missed', async () => {
    const files = repoFiles();
    mockScenario({ graphql: baseGraphql(), rest: [], files, tree: 'truncated' });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now, settings: false });
    expect(snap.settings).toBeUndefined();
    const wf = snap.files.find((f) => f.path === '.github/workflows/ci.yml');
    expect(Buffer.from(wf?.bytes ?? []).toString('utf8')).toBe(readFileSync(path.join(REPO_DIR, '.github/workflows/ci.yml'), 'utf8'));
    expect(snap.files.some((f) => f.path === '.github/actions/setup/action.yml')).toBe(false);
    expect(snap.warnings).toEqual([expect.stringMatching(/truncated the file list of acme\/ml .* not scanned/)]);
  });

  it('caps the blobs it fetches and warns about the rest', async () => {
    const files = repoFiles();
    mockScenario({ graphql: baseGraphql(), rest: [], files });
    const snap = await collectRepoSnapshot(contract.octokit, { owner: 'acme', repo: 'ml' }, { now, settings: false, maxBlobs: 3 });
    // The workflow (from the main query) counts; then the action and the Dockerfile fit, in priority order.
    expect(snap.files.filter((f) => f.bytes).map((f) => f.path)).toEqual(['.github/actions/setup/action.yml', '.github/workflows/ci.yml', 'Dockerfile']);
    expect(snap.warnings).toEqual([expect.stringMatching(/^content of 5 file\(s\) not fetched \(limit of 3 files/)]);
    expect(restCalls(contract).some((r) => r.route.includes('/git/blobs/'))).toBe(false);
  });

  it('an unknown repository is a GitHubCollectError, and Probot\'s Octokit fits the interface', async () => {
    nock(API).post('/graphql').reply(200, { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: ['repository'], message: "Could not resolve to a Repository with the name 'acme/nope'." }] });
    const Probotish = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
    const octokit: OctokitLike = new Probotish({ auth: { token: 'ghs_x' } });
    await expect(collectRepoSnapshot(octokit, { owner: 'acme', repo: 'nope' })).rejects.toThrow(GitHubCollectError);
  });
});

describe('refNameMatches', () => {
  it('follows ruleset ref patterns', () => {
    expect(refNameMatches(['~DEFAULT_BRANCH'], 'main')).toBe(true);
    expect(refNameMatches(['refs/heads/release/*'], 'release/1')).toBe(true);
    expect(refNameMatches(['refs/heads/release/*'], 'release/1/x')).toBe(false);
    expect(refNameMatches(['refs/heads/**'], 'a/b')).toBe(true);
    expect(refNameMatches(['refs/tags/v*'], 'main')).toBe(false);
  });
});

describe('recordRequests', () => {
  it('writes one JSON line per request with route, url and body, never the token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-record-'));
    const file = path.join(dir, 'requests.jsonl');
    const token = 'ghs_SuperSecretInstallationToken1234567890';
    try {
      const octokit = recordRequests(new Octokit({ auth: token }), file);
      nock(API)
        .matchHeader('authorization', `token ${token}`)
        .get('/repos/acme/ml/actions/permissions').reply(200, { enabled: true })
        .post('/graphql').reply(200, { data: { viewer: { login: 'x' } } })
        .get('/repos/acme/ml/actions/secrets').query({ per_page: '100' }).reply(403, forbidden403);
      await octokit.request('GET /repos/{owner}/{repo}/actions/permissions', { owner: 'acme', repo: 'ml' });
      await octokit.graphql('query { viewer { login } }');
      await expect(octokit.request('GET /repos/{owner}/{repo}/actions/secrets', { owner: 'acme', repo: 'ml', per_page: 100 })).rejects.toThrow();
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(token);
      expect(text.toLowerCase()).not.toContain('authorization');
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        { method: 'GET', route: '/repos/{owner}/{repo}/actions/permissions', url: `${API}/repos/acme/ml/actions/permissions`, status: 200 },
        { method: 'POST', route: '/graphql', url: `${API}/graphql`, body: { query: 'query { viewer { login } }' }, status: 200 },
        { method: 'GET', route: '/repos/{owner}/{repo}/actions/secrets', url: `${API}/repos/acme/ml/actions/secrets?per_page=100`, status: 403 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // This test uses its own client: keep the shared contract hooks quiet.
    contract.violations.length = 0;
  });
});
