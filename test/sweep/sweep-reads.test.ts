/**
 * The sweep's read rules: secret names only where a workflow reads a secret, the fork approval policy
 * only for public repositories a fork pull request can trigger, environment protection from GraphQL,
 * and environment secret names only for gapped environments an outsider-triggered workflow names.
 */
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSweep } from '../../src/sweep/sweep.js';
import { createEtagCache } from '../../src/sweep/etag-cache.js';
import type { SweptRepo } from '../../src/sweep/types.js';
import type { RepoSnapshot } from '../../src/model/snapshot.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { contractOctokit, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { envNode, listedRepo, ORG, RATE_HEADERS, repoNode } from './org-fixture.js';

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

const NOW = new Date('2026-11-27T12:00:00Z');
const notFound = { message: 'Branch not protected', documentation_url: 'https://docs.github.com/rest/branches/branch-protection#get-branch-protection', status: '404' };
const RATE = { rateLimit: { cost: 1, remaining: 4999, limit: 5000, resetAt: '2026-11-27T13:00:00Z' } };

function get(scope: nock.Scope, route: string, path: string, body: unknown, query: Record<string, string> = {}): void {
  scope.get(path).query(query).reply(200, replyChecked('GET', route, 200, body) as nock.Body, RATE_HEADERS);
}

/** Listing, batch answer, the organisation settings every sweep reads, and the one protection read. */
function mockSweep(listed: Record<string, unknown>[], nodes: Record<string, unknown>[]): nock.Scope {
  const scope = nock(API);
  get(scope, '/installation/repositories', '/installation/repositories', { total_count: listed.length, repositories: listed }, { per_page: '100', page: '1' });
  const data: Record<string, unknown> = { ...RATE };
  nodes.forEach((n, i) => (data[`r${i}`] = n));
  scope.post('/graphql').reply(200, { data });
  get(scope, '/orgs/{org}/actions/permissions', `/orgs/${ORG}/actions/permissions`, { enabled_repositories: 'all' });
  get(scope, '/orgs/{org}/actions/permissions/workflow', `/orgs/${ORG}/actions/permissions/workflow`, { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false });
  scope.get(/^\/repos\/acme\/[\w-]+\/branches\/main\/protection$/).reply(404, replyChecked('GET', '/repos/{owner}/{repo}/branches/{branch}/protection', 404, notFound) as nock.Body, RATE_HEADERS);
  return scope;
}

async function sweepAll(): Promise<Map<string, { repo: SweptRepo; snapshot: RepoSnapshot }>> {
  const seen = new Map<string, { repo: SweptRepo; snapshot: RepoSnapshot }>();
  await createSweep({ etagCache: createEtagCache() })({ org: ORG, octokit: contract.octokit, policy: emptyPolicy(), now: () => NOW, onRepo: (repo, snapshot) => void seen.set(repo.name, { repo, snapshot }) });
  return seen;
}

const routes = () => contract.sent.map((r) => `${r.method} ${r.url.replace(/^https:\/\/api\.github\.com/, '').replace(/\?.*$/, '')}`);

describe('sweep reads', () => {
  it('skips secret names when no workflow reads a secret, and the fork approval policy for private repositories and repositories without fork pull-request triggers', async () => {
    const tokenOnly = 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release list\n        env:\n          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n';
    const prCi = 'on: [push, pull_request]\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n';
    const scope = mockSweep(
      [listedRepo('svc'), listedRepo('oss'), listedRepo('priv', { visibility: 'private' })],
      [
        repoNode({ name: 'svc', workflows: { 'release.yml': tokenOnly } }),
        repoNode({ name: 'oss', workflows: { 'ci.yml': prCi } }),
        repoNode({ name: 'priv', visibility: 'PRIVATE', workflows: { 'ci.yml': prCi } }),
      ],
    );
    get(scope, '/orgs/{org}/actions/permissions/fork-pr-workflows-private-repos', `/orgs/${ORG}/actions/permissions/fork-pr-workflows-private-repos`,
      { run_workflows_from_fork_pull_requests: false, send_write_tokens_to_workflows: false, send_secrets_and_variables: false, require_approval_for_fork_pr_workflows: true });
    get(scope, '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', `/repos/${ORG}/oss/actions/permissions/fork-pr-contributor-approval`, { approval_policy: 'first_time_contributors' });

    const seen = await sweepAll();
    const svc = seen.get('svc')!;
    expect(svc.snapshot.settings?.secrets).toMatchObject({ status: 'error', reason: expect.stringMatching(/^not read by the organisation sweep \(no workflow reads a secret other than GITHUB_TOKEN\)/) });
    expect(svc.snapshot.settings?.forkPrApproval).toMatchObject({ status: 'error', reason: expect.stringMatching(/^not read by the organisation sweep \(no workflow is triggered by pull_request/) });
    // Not read means not evaluated, never a pass.
    expect(svc.repo.notEvaluated.some((n) => /^fork-pr-approval-weak: .*not read by the organisation sweep/.test(n))).toBe(true);
    expect(svc.repo.notEvaluated.some((n) => /^long-lived-secret: .*not read by the organisation sweep/.test(n))).toBe(true);

    expect(seen.get('oss')!.snapshot.settings?.forkPrApproval).toEqual({ status: 'ok', value: { approvalPolicy: 'first_time_contributors' } });
    expect(seen.get('oss')!.repo.findings.map((f) => f.checkId)).toContain('fork-pr-approval-weak');
    expect(seen.get('priv')!.snapshot.settings?.forkPrApproval.status).toBe('unavailable');

    const sent = routes();
    expect(sent.filter((r) => r.includes('/actions/secrets'))).toEqual([]);
    expect(sent.filter((r) => r.includes('fork-pr-contributor-approval'))).toEqual([`GET /repos/${ORG}/oss/actions/permissions/fork-pr-contributor-approval`]);
  });

  it('takes environment protection from GraphQL and reads secret names only for gapped environments an outsider-triggered workflow names', async () => {
    const bench = 'on: pull_request_target\npermissions: {}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    steps:\n      - run: twine upload dist/*\n        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n';
    const scope = mockSweep([listedRepo('models')], [repoNode({
      name: 'models',
      workflows: { 'bench.yml': bench },
      environments: [
        envNode('production', { reviewers: 2, preventSelfReview: true, waitTimer: 30, branchPolicy: true }, 1),
        envNode('staging', { branchPolicy: true }, 2),
        envNode('pypi', {}, 3),
        envNode('dev', {}, 4),
      ],
    })]);
    const gates = (slugs: string[]) => ({
      total_count: slugs.length,
      custom_deployment_protection_rules: slugs.map((slug, i) => ({ id: i + 1, node_id: `CDPR_${i}`, enabled: true, app: { id: 9, slug, integration_url: 'https://api.github.com/apps/pipeline-guard', node_id: 'A_9' } })),
    });
    const rulesRoute = '/repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules';
    // Environments without required reviewers: their custom gates can be the approval gate.
    get(scope, rulesRoute, `/repos/${ORG}/models/environments/staging/deployment_protection_rules`, gates(['pipeline-guard']));
    get(scope, rulesRoute, `/repos/${ORG}/models/environments/pypi/deployment_protection_rules`, gates([]));
    get(scope, rulesRoute, `/repos/${ORG}/models/environments/dev/deployment_protection_rules`, gates([]));
    get(scope, '/repos/{owner}/{repo}/environments/{environment_name}/secrets', `/repos/${ORG}/models/environments/pypi/secrets`,
      { total_count: 1, secrets: [{ name: 'PYPI_TOKEN', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z' }] }, { per_page: '100' });
    get(scope, '/repos/{owner}/{repo}/actions/secrets', `/repos/${ORG}/models/actions/secrets`, { total_count: 0, secrets: [] }, { per_page: '100' });
    get(scope, '/orgs/{org}/actions/secrets', `/orgs/${ORG}/actions/secrets`, { total_count: 0, secrets: [] }, { per_page: '100', page: '1' });
    get(scope, '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', `/repos/${ORG}/models/actions/permissions/fork-pr-contributor-approval`, { approval_policy: 'all_external_contributors' });

    const { repo, snapshot } = (await sweepAll()).get('models')!;
    const envs = snapshot.settings?.environments;
    expect(envs?.status).toBe('ok');
    const byName = new Map((envs?.status === 'ok' ? envs.value : []).map((e) => [e.name, e]));
    expect(byName.get('production')).toEqual({
      name: 'production', reviewers: 2, preventSelfReview: true, waitTimer: 30, canAdminsBypass: true,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true }, customRules: [],
    });
    expect(byName.get('staging')).toMatchObject({ reviewers: 0, customRules: ['pipeline-guard'] });
    expect(byName.get('staging')?.secretNames).toBeUndefined();
    expect(byName.get('pypi')).toMatchObject({ customRules: [], deploymentBranchPolicy: null, secretNames: ['PYPI_TOKEN'] });
    expect(byName.get('dev')?.secretNames).toBeUndefined();
    expect(snapshot.settings?.secrets).toEqual({ status: 'ok', value: [{ name: 'PYPI_TOKEN', scope: 'environment', environment: 'pypi', updatedAt: '2026-11-01T00:00:00Z' }] });
    // What was not read is said: the protected and the unreachable environments' secret names.
    expect(snapshot.warnings.find((w) => w.includes('did not read the secret names'))).toMatch(/environments "production", "staging", "dev" \(protected, or named by no workflow outsiders can trigger\); long-lived-secret did not check them/);
    expect(snapshot.warnings).toContain('the organisation sweep does not read deployment branch patterns (environments "production", "staging"): a branch policy that allows every branch ("*") is not detected; a per-repository audit reads them');
    // The gapped environment holds secrets and a pull_request_target workflow deploys to it: critical.
    const pypi = repo.findings.find((f) => f.checkId === 'deploy-environment-unprotected' && f.message.includes('"pypi"'));
    expect(pypi?.severity).toBe('critical');
    // A protected environment with a branch policy whose patterns GraphQL does not give is not reported.
    expect(repo.findings.some((f) => f.checkId === 'deploy-environment-unprotected' && f.message.includes('"production"'))).toBe(false);

    const sent = routes();
    expect(sent.filter((r) => /\/environments($|\/[^/]+\/deployment-branch-policies)/.test(r))).toEqual([]);
    expect(sent.filter((r) => r.endsWith('/secrets')).sort()).toEqual([`GET /orgs/${ORG}/actions/secrets`, `GET /repos/${ORG}/models/actions/secrets`, `GET /repos/${ORG}/models/environments/pypi/secrets`]);
  });
});
