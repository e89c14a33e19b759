import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSweep, repositoryPolicy } from '../../src/sweep/sweep.js';
import { createEtagCache } from '../../src/sweep/etag-cache.js';
import type { SweptRepo } from '../../src/sweep/types.js';
import type { RepoSnapshot } from '../../src/model/snapshot.js';
import { emptyPolicy, parsePolicy } from '../../src/policy/config.js';
import { CHECK_IDS } from '../../src/checks/registry.js';
import { contractOctokit, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { listedRepo, ORG, PR_TARGET_WORKFLOW, prRuleset, RATE_HEADERS, repoNode, SECRET_PUSH_WORKFLOW, envNode } from './org-fixture.js';

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

const NOW = new Date('2026-11-27T12:00:00Z');
const notFound = { message: 'Branch not protected', documentation_url: 'https://docs.github.com/rest/branches/branch-protection#get-branch-protection', status: '404' };

function get(scope: nock.Scope, route: string, path: string, body: unknown, query: Record<string, string> = {}, status = 200): void {
  scope.get(path).query(query).reply(status, replyChecked('GET', route, status, body) as nock.Body, RATE_HEADERS);
}

/** Seven repositories: archived, fork, an exposed trainer, a policy-quietened one, a ruleset-protected one, a plain one, one GraphQL cannot read. */
function mockOrg(): nock.Scope {
  const scope = nock(API);
  const listed = [
    listedRepo('archived-repo', { archived: true }),
    listedRepo('forked-repo', { fork: true }),
    listedRepo('trainer'),
    listedRepo('quiet', { visibility: 'private' }),
    listedRepo('model-zoo'),
    listedRepo('docs'),
    listedRepo('broken'),
  ];
  get(scope, '/installation/repositories', '/installation/repositories', { total_count: listed.length, repositories: listed }, { per_page: '100', page: '1' });
  const data = {
    rateLimit: { cost: 1, remaining: 4999, limit: 5000, resetAt: '2026-11-27T13:00:00Z' },
    r0: repoNode({ name: 'trainer', workflows: { 'pr.yml': PR_TARGET_WORKFLOW, 'upload.yml': SECRET_PUSH_WORKFLOW } }),
    r1: repoNode({ name: 'quiet', visibility: 'PRIVATE', policy: 'checks:\n  default-branch-unprotected: off\n' }),
    r2: repoNode({ name: 'model-zoo', rulesets: [prRuleset()], files: { 'models/resnet.pkl': 90_000_000, 'a/b/c/deep.bin': 10 } }),
    r3: repoNode({ name: 'docs' }),
    r4: null,
  };
  scope
    .post('/graphql', (b: { query?: string; variables?: Record<string, string> }) =>
      String(b.query).includes('PipelineGuardSweep') && b.variables?.n0 === 'trainer' && b.variables?.n4 === 'broken' && b.variables?.n5 === undefined)
    .reply(200, { data, errors: [{ type: 'NOT_FOUND', path: ['r4'], message: "Could not resolve to a Repository with the name 'acme/broken'." }] });
  get(scope, '/orgs/{org}/actions/permissions', `/orgs/${ORG}/actions/permissions`, { enabled_repositories: 'all', allowed_actions: 'all' });
  get(scope, '/orgs/{org}/actions/permissions/workflow', `/orgs/${ORG}/actions/permissions/workflow`, { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false });
  const secret = (name: string, visibility: string) => ({ name, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', visibility });
  get(scope, '/orgs/{org}/actions/secrets', `/orgs/${ORG}/actions/secrets`,
    { total_count: 3, secrets: [secret('AWS_SECRET_ACCESS_KEY', 'all'), secret('HF_TOKEN', 'selected'), secret('PRIVATE_ONLY', 'private')] }, { per_page: '100', page: '1' });
  const minimal = { ...(listedRepo('trainer') as Record<string, unknown>) };
  get(scope, '/orgs/{org}/actions/secrets/{secret_name}/repositories', `/orgs/${ORG}/actions/secrets/HF_TOKEN/repositories`,
    { total_count: 1, repositories: [minimal] }, { per_page: '100', page: '1' });
  // Only the trainer has workflows (one reads a secret, one runs on fork pull requests): its secret
  // names and fork approval policy are read per repository.
  get(scope, '/repos/{owner}/{repo}/actions/secrets', `/repos/${ORG}/trainer/actions/secrets`, { total_count: 0, secrets: [] }, { per_page: '100' });
  get(scope, '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', `/repos/${ORG}/trainer/actions/permissions/fork-pr-contributor-approval`,
    { approval_policy: 'first_time_contributors' });
  // One read settles "no classic protection" for the whole installation (whichever repository asks first).
  scope.get(/^\/repos\/acme\/[\w-]+\/branches\/main\/protection$/).reply(404, replyChecked('GET', '/repos/{owner}/{repo}/branches/{branch}/protection', 404, notFound) as nock.Body, RATE_HEADERS);
  return scope;
}

describe('sweepOrganization', () => {
  it('audits the right repositories with the right findings, records failures, and reads ≤ 1.5 requests per repository', async () => {
    mockOrg();
    const seen: { repo: SweptRepo; snapshot: RepoSnapshot }[] = [];
    const sweep = createSweep({ etagCache: createEtagCache() });
    const result = await sweep({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), now: () => NOW, onRepo: (repo, snapshot) => void seen.push({ repo, snapshot }) });

    expect(seen.map((s) => s.repo.name).sort()).toEqual(['docs', 'model-zoo', 'quiet', 'trainer']);
    const byName = new Map(seen.map((s) => [s.repo.name, s]));
    const ids = (name: string) => new Set(byName.get(name)?.repo.findings.map((f) => f.checkId));

    const trainer = byName.get('trainer')!;
    expect(ids('trainer')).toContain('default-branch-unprotected');
    expect(ids('trainer')).toContain('untrusted-checkout');
    expect(ids('trainer')).toContain('fork-pr-approval-weak');
    expect(trainer.repo).toMatchObject({ owner: ORG, url: 'https://github.com/acme/trainer', defaultBranch: 'main', fork: false });
    expect(trainer.snapshot.source).toBe('github');
    expect(trainer.snapshot.settings?.workflowPermissions).toEqual({ status: 'ok', value: { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false } });
    const secrets = trainer.snapshot.settings?.secrets;
    expect(secrets?.status === 'ok' && secrets.value.map((s) => s.name).sort()).toEqual(['AWS_SECRET_ACCESS_KEY', 'HF_TOKEN']);
    // docs has no workflows: its secret names were not read, and say so.
    expect(byName.get('docs')!.snapshot.settings?.secrets).toMatchObject({ status: 'error', reason: expect.stringMatching(/^not read by the organisation sweep \(the repository has no workflows\)/) });
    // What the sweep does not read is reported, never passed.
    expect(trainer.repo.notEvaluated.some((n) => /^self-hosted-runner-exposure: .*not read by the organisation sweep/.test(n))).toBe(true);

    // The repository policy switched the check off; the same settings fire it on the trainer.
    expect(ids('quiet')).not.toContain('default-branch-unprotected');
    expect(byName.get('quiet')!.snapshot.settings?.classicProtection).toEqual({ status: 'ok', value: null });
    // A ruleset requiring pull requests protects model-zoo; its committed weights are seen from the tree.
    expect(ids('model-zoo')).not.toContain('default-branch-unprotected');
    expect(byName.get('model-zoo')!.snapshot.files.map((f) => f.path)).toContain('models/resnet.pkl');
    expect(byName.get('model-zoo')!.snapshot.warnings.some((w) => w.includes('a/b/c'))).toBe(true);
    expect(ids('docs')).toContain('default-branch-unprotected');

    expect(result.failures).toEqual([{ repo: 'acme/broken', reason: "Could not resolve to a Repository with the name 'acme/broken'." }]);
    expect(result.stats).toMatchObject({
      repositories: 7, audited: 4, skippedArchived: 1, skippedForks: 1, failed: 1,
      graphqlRequests: 1, graphqlPoints: 1, notModified: 0, pausedMs: 0,
    });
    expect(result.stats.restRequests).toBe(contract.sent.filter((r) => r.route !== '/graphql').length);
    const perRepo = (result.stats.restRequests + result.stats.graphqlRequests) / result.stats.repositories;
    expect(perRepo).toBeLessThanOrEqual(1.5);
    expect(result.stats.restRequests + result.stats.graphqlRequests).toBe(9);
  });

  it('reads environment protection from GraphQL and the token default of a private repository with workflows, and reports a forbidden field as not evaluated', async () => {
    const scope = nock(API);
    get(scope, '/installation/repositories', '/installation/repositories', { total_count: 1, repositories: [listedRepo('infra', { visibility: 'private' })] }, { per_page: '100', page: '1' });
    const deploy = 'on: push\npermissions: {}\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: ./deploy.sh\n';
    scope.post('/graphql').reply(200, {
      data: { rateLimit: { cost: 1, remaining: 4999, limit: 5000, resetAt: '2026-11-27T13:00:00Z' }, r0: { ...repoNode({ name: 'infra', visibility: 'PRIVATE', workflows: { 'deploy.yml': deploy }, environments: [envNode('production')] }), rulesets: null } },
      errors: [{ type: 'FORBIDDEN', path: ['r0', 'rulesets'], message: 'Resource not accessible by integration' }],
    });
    get(scope, '/orgs/{org}/actions/permissions', `/orgs/${ORG}/actions/permissions`, { enabled_repositories: 'all' });
    get(scope, '/orgs/{org}/actions/permissions/workflow', `/orgs/${ORG}/actions/permissions/workflow`, { default_workflow_permissions: 'write', can_approve_pull_request_reviews: false });
    get(scope, '/orgs/{org}/actions/permissions/fork-pr-workflows-private-repos', `/orgs/${ORG}/actions/permissions/fork-pr-workflows-private-repos`,
      { run_workflows_from_fork_pull_requests: false, send_write_tokens_to_workflows: false, send_secrets_and_variables: false, require_approval_for_fork_pr_workflows: true });
    get(scope, '/repos/{owner}/{repo}/actions/permissions/workflow', `/repos/${ORG}/infra/actions/permissions/workflow`, { default_workflow_permissions: 'write', can_approve_pull_request_reviews: false });
    // No `GET …/environments`: the protection comes from GraphQL. The environment has no reviewers, so
    // its custom gates are read; no workflow reads a secret and no outsider triggers the deploy, so no
    // secret names are read (repository, organisation or environment).
    get(scope, '/repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules', `/repos/${ORG}/infra/environments/production/deployment_protection_rules`, { total_count: 0, custom_deployment_protection_rules: [] });
    scope.get(`/repos/${ORG}/infra/branches/main/protection`).reply(404, notFound, RATE_HEADERS);

    let swept: SweptRepo | undefined;
    let snap: RepoSnapshot | undefined;
    await createSweep({ etagCache: createEtagCache() })({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), now: () => NOW, onRepo: (r, s) => {
      swept = r;
      snap = s;
    } });
    const ids = new Set(swept?.findings.map((f) => f.checkId));
    expect(ids).toContain('default-token-write');
    expect(swept?.findings.find((f) => f.checkId === 'deploy-environment-unprotected')).toMatchObject({ severity: 'high' });
    expect(ids).not.toContain('default-branch-unprotected');
    expect(swept?.notEvaluated.some((n) => /^default-branch-unprotected: .*"metadata" permission/.test(n))).toBe(true);
    expect(snap?.settings?.forkPrPrivate).toMatchObject({ status: 'ok', value: { runWorkflowsFromForkPullRequests: false } });
    expect(snap?.settings?.secrets).toMatchObject({ status: 'error', reason: expect.stringMatching(/no workflow reads a secret other than GITHUB_TOKEN/) });
    expect(snap?.warnings.some((w) => /GitHub GraphQL: Resource not accessible by integration \(at repository\.rulesets\)/.test(w))).toBe(true);
  });

  it('sweeps forks when the organisation policy asks for them', async () => {
    const scope = nock(API);
    get(scope, '/installation/repositories', '/installation/repositories', { total_count: 1, repositories: [listedRepo('forked-repo', { fork: true })] }, { per_page: '100', page: '1' });
    scope.post('/graphql').reply(200, { data: { rateLimit: { cost: 1, remaining: 4999, limit: 5000, resetAt: '2026-11-27T13:00:00Z' }, r0: { ...repoNode({ name: 'forked-repo', rulesets: [prRuleset()] }), isFork: true } } });
    get(scope, '/orgs/{org}/actions/permissions', `/orgs/${ORG}/actions/permissions`, { enabled_repositories: 'none' });
    get(scope, '/orgs/{org}/actions/permissions/workflow', `/orgs/${ORG}/actions/permissions/workflow`, { default_workflow_permissions: 'write', can_approve_pull_request_reviews: false });
    scope.get(`/repos/${ORG}/forked-repo/branches/main/protection`).reply(404, notFound);
    const policy = parsePolicy('sweep:\n  forks: true\n', '.github/pipeline-guard.yml', CHECK_IDS);
    const seen: SweptRepo[] = [];
    const result = await createSweep({ etagCache: createEtagCache() })({ org: ORG, octokit: contract.octokit, policy, now: () => NOW, onRepo: (r, s) => {
      seen.push(r);
      // Actions is off for the whole organisation: settled without a per-repository read.
      expect(s.settings?.actionsPermissions).toEqual({ status: 'ok', value: { enabled: false } });
      // The organisation allows write, and the repository has no workflows: not read, so not ok.
      expect(s.settings?.workflowPermissions.status).toBe('error');
    } });
    expect(seen.map((r) => [r.name, r.fork])).toEqual([['forked-repo', true]]);
    expect(result.stats).toMatchObject({ repositories: 1, audited: 1, skippedForks: 0 });
  });

  it('a second sweep with the same cache lists conditionally: a 304 is served from the cache and counted', async () => {
    const body = { total_count: 1, repositories: [listedRepo('old', { archived: true })] };
    let ifNoneMatch: unknown;
    nock(API)
      .get('/installation/repositories').query({ per_page: '100', page: '1' }).reply(200, replyChecked('GET', '/installation/repositories', 200, body) as nock.Body, { ...RATE_HEADERS, etag: 'W/"listing-1"' })
      .get('/installation/repositories').query({ per_page: '100', page: '1' }).reply(function () {
        ifNoneMatch = this.req.headers['if-none-match'];
        return [304, ''];
      });
    const sweep = createSweep({ etagCache: createEtagCache() });
    const first = await sweep({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), onRepo: () => undefined });
    const second = await sweep({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), onRepo: () => undefined });
    expect(ifNoneMatch).toBe('W/"listing-1"');
    expect(first.stats).toMatchObject({ repositories: 1, skippedArchived: 1, notModified: 0 });
    expect(second.stats).toMatchObject({ repositories: 1, skippedArchived: 1, notModified: 1, restRequests: 1 });
  });

  it('rejects with a clear error when the repositories cannot be listed', async () => {
    nock(API).get('/installation/repositories').query(true).reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    await expect(createSweep({ etagCache: createEtagCache() })({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), onRepo: () => undefined }))
      .rejects.toThrow(/cannot list the repositories of acme \(page 1\): 401 Bad credentials/);
  });

  it('with a personal token (403 on the installation listing) lists the organisation\'s repositories, then the user\'s', async () => {
    const forbidden = { message: 'You must authenticate with an installation access token in order to list repositories for an installation.', documentation_url: 'https://docs.github.com/rest' };
    const orgRepo = { ...listedRepo('old-org', { archived: true }) };
    const userRepo = { ...listedRepo('old-user', { archived: true }) };
    nock(API)
      .get('/installation/repositories').query({ per_page: '100', page: '1' }).times(2).reply(403, replyChecked('GET', '/installation/repositories', 403, forbidden) as nock.Body)
      .get(`/orgs/${ORG}/repos`).query({ type: 'all', per_page: '100', page: '1' }).reply(200, replyChecked('GET', '/orgs/{org}/repos', 200, [orgRepo]) as nock.Body)
      .get(`/orgs/${ORG}/repos`).query({ type: 'all', per_page: '100', page: '1' }).reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
      .get(`/users/${ORG}/repos`).query({ type: 'owner', per_page: '100', page: '1' }).reply(200, replyChecked('GET', '/users/{username}/repos', 200, [userRepo]) as nock.Body);
    const sweep = createSweep({ etagCache: createEtagCache() });
    const asOrg = await sweep({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), onRepo: () => undefined });
    expect(asOrg.stats).toMatchObject({ repositories: 1, skippedArchived: 1 });
    const asUser = await sweep({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), onRepo: () => undefined });
    expect(asUser.stats).toMatchObject({ repositories: 1, skippedArchived: 1 });
  });

  it('fails every repository of a batch whose GraphQL request fails, and keeps going', async () => {
    const scope = nock(API);
    get(scope, '/installation/repositories', '/installation/repositories', { total_count: 2, repositories: [listedRepo('a'), listedRepo('b')] }, { per_page: '100', page: '1' });
    scope.post('/graphql').reply(502, { message: 'Server Error' });
    const result = await createSweep({ etagCache: createEtagCache() })({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), onRepo: () => undefined });
    expect(result.failures.map((f) => f.repo)).toEqual(['acme/a', 'acme/b']);
    expect(result.failures[0].reason).toMatch(/^GraphQL batch failed: 502/);
    expect(result.stats).toMatchObject({ repositories: 2, audited: 0, failed: 2 });
  });
});

describe('repositoryPolicy', () => {
  const org = parsePolicy('checks:\n  untrusted-checkout: critical\nlock: [untrusted-checkout]\n', 'acme/.github:.github/pipeline-guard.yml', CHECK_IDS);
  it('merges a valid repository file under the organisation lock', () => {
    const r = repositoryPolicy(org, 'svc', { text: 'checks:\n  untrusted-checkout: off\n  remote-script-exec: off\n', byteSize: 60, isTruncated: false });
    expect(r.policy.checks.get('remote-script-exec')).toBe('off');
    expect(r.policy.checks.get('untrusted-checkout')).toBe('critical');
    expect(r.notes.join('\n')).toMatch(/locks untrusted-checkout/);
  });
  it('falls back to the organisation policy with a note when the file is invalid', () => {
    const r = repositoryPolicy(org, 'svc', { text: 'chekcs: {}\n', byteSize: 11, isTruncated: false });
    expect(r.policy).toBe(org);
    expect(r.notes[0]).toMatch(/^policy: invalid repository policy .*unknown key "chekcs"/);
  });
});
