/**
 * Settings enforcement and the sweep hooks, wired into the app: a default-branch audit under an
 * organisation policy that enforces `default-token-write` sets the token to read and says so in the
 * check run; a pull request never changes settings; the sweep hooks report drift for the weekly issue,
 * and stay silent (no request) when the policy asks for nothing.
 */
import nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { useSimulatedGitHub, replyChecked } from '../helpers/github-repo.js';
import { contractOctokit, specExample, type Contract } from '../helpers/github-contract.js';
import { ok, secureEnvironment, secureSettings, snapshotWith } from '../helpers/settings.js';
import { checkById } from '../../src/checks/registry.js';
import type { Check } from '../../src/checks/types.js';
import { CHECK_RUN_NAME } from '../../src/report/check-run.js';
import { autofixHook, enforcementHook, sweptRepoPolicy } from '../../src/app/sweep-hooks.js';
import type { SweptRepoContext } from '../../src/app/sweep.js';
import type { Octokit } from '../../src/app/index.js';
import { emptyPolicy, parsePolicy } from '../../src/policy/config.js';
import { CHECK_IDS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { RepoSnapshot } from '../../src/model/snapshot.js';
import type { SweptRepo } from '../../src/sweep/types.js';
import { collectFixPrCounts, isoWeekStart } from '../../src/collect/fix-pr-counts.js';
import { API, APP_ID, checkRunReply, HEAD, makeProbot, OWNER, REPO, webhook, type Harness } from './helpers.js';

const R = `/repos/${OWNER}/${REPO}`;
const REPO_POLICY = `${R}/contents/.github%2Fpipeline-guard.yml`;
const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const ENFORCING = 'enforce:\n  checks: [default-token-write]\n';
const TOKEN_CHECK = checkById('default-token-write') as Check;
const writeToken = secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true }) });

let h: Harness | undefined;
let contract: Contract | undefined;
useSimulatedGitHub(() => [...(h?.violations ?? []), ...(contract?.violations ?? [])]);
beforeEach(() => {
  h = undefined;
  contract = undefined;
});

interface PatchBody {
  conclusion?: string;
  output?: { title: string; summary: string; text?: string };
}

async function appWithWriteToken(): Promise<Harness> {
  h = await makeProbot({
    checks: [TOKEN_CHECK],
    collect: async (_o, t) => ({ ...snapshotWith(writeToken), repo: { owner: t.owner, name: t.repo, defaultBranch: 'main' }, ref: t.ref }),
  });
  return h;
}

function run(scope: nock.Scope, patches: PatchBody[]): void {
  scope
    .get(`${R}/commits/${HEAD}/check-runs`)
    .query({ check_name: CHECK_RUN_NAME, filter: 'latest', app_id: String(APP_ID), per_page: '10' })
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${R}/check-runs`)
    .reply(201, checkRunReply(1))
    .patch(`${R}/check-runs/1`, (b: PatchBody) => patches.push(b) > 0)
    .reply(200, checkRunReply(1));
}

describe('settings enforcement in the audit', () => {
  test('a default-branch push under an enforcing organisation policy sets the token to read, and the check run says so', async () => {
    await appWithWriteToken();
    const patches: PatchBody[] = [];
    const scope = nock(API);
    run(scope, patches);
    let sent: unknown;
    scope
      .get(REPO_POLICY).reply(404, { message: 'Not Found' })
      .get(ORG_POLICY).reply(200, ENFORCING, RAW)
      .put(`${R}/actions/permissions/workflow`, (b: unknown) => (sent = b) !== undefined)
      .reply(204);
    await h!.probot.receive(webhook('push', 'push.default-branch.json'));
    expect(sent).toEqual({ default_workflow_permissions: 'read', can_approve_pull_request_reviews: false });
    expect(patches).toHaveLength(1);
    expect(patches[0].output?.text).toMatch(/Settings enforcement/);
    expect(patches[0].output?.text).toMatch(/write.*→.*read|read-only/i);
  });

  test('without administration: write the change is reported as what would have been done', async () => {
    await appWithWriteToken();
    const patches: PatchBody[] = [];
    const scope = nock(API);
    run(scope, patches);
    scope
      .get(REPO_POLICY).reply(404, { message: 'Not Found' })
      .get(ORG_POLICY).reply(200, ENFORCING, RAW)
      .put(`${R}/actions/permissions/workflow`)
      .reply(403, replyChecked('PUT', '/repos/{owner}/{repo}/actions/permissions/workflow', 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' }) as nock.Body);
    await h!.probot.receive(webhook('push', 'push.default-branch.json'));
    expect(patches[0].output?.text).toMatch(/administration: write/);
  });

  test('a repository policy cannot turn enforcement on, and a pull request never changes settings', async () => {
    await appWithWriteToken();
    const patches: PatchBody[] = [];
    const scope = nock(API);
    run(scope, patches);
    scope.get(REPO_POLICY).reply(200, ENFORCING, RAW).get(ORG_POLICY).reply(404, { message: 'Not Found' });
    await h!.probot.receive(webhook('push', 'push.default-branch.json'));
    expect(h!.sent.some((r) => r.method === 'PUT')).toBe(false);
    expect(patches[0].output?.text ?? '').not.toMatch(/Settings enforcement/);
  });
});

function sweptCtx(snapshot: RepoSnapshot, policyText: string, octokit: Octokit): SweptRepoContext {
  const policy = policyText ? parsePolicy(policyText, 'org', CHECK_IDS) : emptyPolicy();
  const findings = scanSnapshot(snapshot, [TOKEN_CHECK], policy).findings;
  const repo: SweptRepo = { owner: 'acme', name: 'models', url: 'https://github.com/acme/models', defaultBranch: 'main', headSha: 'a'.repeat(40), fork: false, findings, notEvaluated: [] };
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  return { octokit, org: 'acme', policy, repo, snapshot, log };
}

describe('sweep hooks', () => {
  const now = () => new Date('2026-11-27T12:00:00Z');

  test('enforcement returns one drift line per change for the weekly issue', async () => {
    contract = contractOctokit();
    nock(API).put('/repos/acme/models/actions/permissions/workflow').reply(204);
    const out = await enforcementHook({ actor: 'pipeline-guard[bot]', now })(sweptCtx(snapshotWith(writeToken), ENFORCING, contract.octokit as unknown as Octokit));
    expect(out?.drift).toHaveLength(1);
    expect(out?.drift?.[0]).toMatch(/acme\/models/);
    expect(out?.drift?.[0]).toMatch(/token/i);
  });

  test('enforcement and autofix make no request when the policy asks for nothing or nothing is fixable', async () => {
    contract = contractOctokit();
    const octokit = contract.octokit as unknown as Octokit;
    const ctx = sweptCtx(snapshotWith(writeToken), '', octokit);
    expect(await enforcementHook({ actor: 'pipeline-guard[bot]', now })(ctx)).toBeUndefined();
    // default-token-write has no file fix: nothing for autofix even under `autofix: pr`.
    const withAutofix = sweptCtx(snapshotWith(writeToken), 'autofix: pr\n', octokit);
    const collect = () => Promise.reject(new Error('must not collect'));
    expect(await autofixHook({ collect, checks: [TOKEN_CHECK] })(withAutofix)).toBeUndefined();
    expect(contract.sent).toEqual([]);
  });

  test('autofix off: a repository with fixable findings costs no request in the sweep', async () => {
    contract = contractOctokit();
    const octokit = contract.octokit as unknown as Octokit;
    const injected = snapshotWith(undefined, { 'greet.yml': 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n' });
    const ctx = sweptCtx(injected, '', octokit);
    const injection = checkById('expression-injection') as Check;
    ctx.repo.findings = scanSnapshot(injected, [injection], ctx.policy).findings;
    expect(ctx.repo.findings.length).toBeGreaterThan(0); // fixable findings exist
    const collect = () => Promise.reject(new Error('must not collect'));
    expect(await autofixHook({ collect, checks: [injection] })(ctx)).toBeUndefined();
    expect(contract.sent).toEqual([]);
  });

  test('enforcement looks the policy reviewers up once per sweep, not once per repository', async () => {
    contract = contractOctokit();
    const octokit = contract.octokit as unknown as Octokit;
    const envCheck = checkById('deploy-environment-unprotected') as Check;
    const policy = parsePolicy('enforce:\n  checks: [deploy-environment-unprotected]\n  reviewers: [alice]\n', 'org', CHECK_IDS);
    const unprotected = secureSettings({ environments: ok([secureEnvironment({ reviewers: 0, preventSelfReview: false })]) });
    const snapshot = snapshotWith(unprotected, { '.github/workflows/deploy.yml': 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: ./deploy.sh\n' });
    const findings = scanSnapshot(snapshot, [envCheck], policy).findings;
    expect(findings.map((f) => f.checkId)).toContain('deploy-environment-unprotected');
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
    nock(API)
      .get('/users/alice').reply(200, replyChecked('GET', '/users/{username}', 200, { ...specExample('public-user-default-response'), login: 'alice', id: 17 }) as nock.Body)
      .get('/repos/acme/models/environments/production').reply(404, notFound)
      .get('/repos/acme/data/environments/production').reply(404, notFound);
    const hook = enforcementHook({ actor: 'pipeline-guard[bot]', now });
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    for (const name of ['models', 'data']) {
      const repo: SweptRepo = { owner: 'acme', name, url: `https://github.com/acme/${name}`, defaultBranch: 'main', headSha: 'a'.repeat(40), fork: false, findings, notEvaluated: [] };
      await hook({ octokit, org: 'acme', policy, repo, snapshot, log });
    }
    expect(contract.sent.filter((r) => r.route === '/users/{username}')).toHaveLength(1);
    expect(contract.sent.filter((r) => r.route === '/repos/{owner}/{repo}/environments/{environment_name}')).toHaveLength(2);
  });

  test('a repository file may ask for autofix; an invalid one leaves the organisation policy in force', () => {
    const org = parsePolicy('autofix: off\n', 'org', CHECK_IDS);
    const file = (text: string): RepoSnapshot => ({ source: 'github', files: [{ path: '.github/pipeline-guard.yml', size: text.length, bytes: new TextEncoder().encode(text) }], warnings: [] });
    expect(sweptRepoPolicy(org, file('autofix: pr\n')).autofix).toBe('pr');
    expect(sweptRepoPolicy(org, file('autofix: [broken\n')).autofix).toBe('off');
    expect(sweptRepoPolicy(org, { source: 'github', files: [], warnings: [] }).autofix).toBe('off');
  });
});

describe('fix-up pull request counts for the weekly issue', () => {
  test('two searches: open fix-up PRs and those merged since Monday', async () => {
    contract = contractOctokit();
    const queries: string[] = [];
    const reply = (n: number) => replyChecked('GET', '/search/issues', 200, { total_count: n, incomplete_results: false, items: [], search_type: 'lexical' }) as nock.Body;
    nock(API)
      .get('/search/issues').query((q) => queries.push(String(q.q)) > 0 && String(q.q).includes('is:open')).reply(200, reply(3))
      .get('/search/issues').query((q) => queries.push(String(q.q)) > 0 && String(q.q).includes('is:merged')).reply(200, reply(2));
    const counts = await collectFixPrCounts(contract.octokit, 'acme', isoWeekStart(new Date('2026-11-27T12:00:00Z')));
    expect(contract.violations).toEqual([]);
    expect(counts).toEqual({ open: 3, mergedThisWeek: 2 });
    expect(queries.some((q) => q === 'org:acme is:pr head:pipeline-guard/fix/ is:merged merged:>=2026-11-23')).toBe(true);
  });

  test('a search failure leaves the counts out instead of failing the sweep', async () => {
    contract = contractOctokit();
    nock(API).get('/search/issues').query(true).reply(422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' });
    expect(await collectFixPrCounts(contract.octokit, 'acme', new Date('2026-11-23T00:00:00Z'))).toBeUndefined();
  });
});
