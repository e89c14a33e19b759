/**
 * End to end through the real app and the real collector: a pull request, a push to the default
 * branch and a branch-protection change, each against a simulated repository (nock, replies checked
 * against GitHub's descriptions), every request the app sends checked against the REST and GraphQL
 * descriptions and recorded as JSON lines (PIPELINE_GUARD_RECORD, default e2e-requests.jsonl in a
 * temporary folder). Prints what one full repository audit costs. Run with `npm run e2e`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectRepoSnapshot } from '../../src/collect/github.js';
import { recordRequests } from '../../src/collect/record.js';
import { CHECK_RUN_NAME } from '../../src/report/check-run.js';
import { API, APP_ID, checkRunReply, HEAD, makeProbot, OWNER, REPO, webhook, type Harness } from '../app/helpers.js';
import { mockScenario, readJson, repoFiles, useSimulatedGitHub, type RestFixture, type Scenario } from '../helpers/github-repo.js';
import { graphqlCost } from '../helpers/graphql-cost.js';

const RECORD = process.env.PIPELINE_GUARD_RECORD || path.join(mkdtempSync(path.join(tmpdir(), 'pg-e2e-')), 'e2e-requests.jsonl');
const R = `/repos/${OWNER}/${REPO}`;
const NOW = new Date('2026-11-27T12:00:00Z');

interface Patch {
  status?: string;
  conclusion?: string;
  output?: { title: string; summary: string; annotations?: { path: string; start_line: number; title: string }[] };
}

beforeAll(() => writeFileSync(RECORD, '')); // a fresh record per run (the recorder appends)

let h: Harness;
let patches: Patch[];
const costs: Record<string, string | number>[] = [];

useSimulatedGitHub(() => h.violations);
beforeEach(async () => {
  patches = [];
  h = await makeProbot({
    collect: (octokit, target) => collectRepoSnapshot(octokit, target, { now: () => NOW }),
    record: (octokit, file) => recordRequests(octokit, file),
    recordFile: RECORD,
  });
});
afterAll(() => {
  console.log(`\nrequests recorded in ${RECORD}`);
  console.table(costs);
});

/** The simulated repository (fixtures/github) under the webhook fixtures' owner and name. */
function repository(): void {
  const graphql = readJson<Scenario['graphql']>('protected-public.graphql.json');
  const rest = readJson<RestFixture[]>('protected-public.rest.json').map((f) => (f.params?.org ? { ...f, params: { ...f.params, org: OWNER, visible_to_repository: REPO } } : f));
  mockScenario({ graphql, rest, files: repoFiles(), owner: OWNER, repo: REPO });
}

function checkRunLifecycle(scope: nock.Scope): void {
  scope
    .get(`${R}/commits/${HEAD}/check-runs`)
    .query({ check_name: CHECK_RUN_NAME, filter: 'latest', app_id: String(APP_ID), per_page: '10' })
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${R}/check-runs`)
    .reply(201, checkRunReply(1))
    .patch(`${R}/check-runs/1`)
    .times(5)
    .optionally()
    .reply(200, (_u, body) => {
      patches.push(body as Patch);
      return checkRunReply(1, (body as Patch).status === 'completed' ? { status: 'completed', conclusion: (body as Patch).conclusion } : {});
    });
  scope
    .get(`${R}/contents/.github%2Fpipeline-guard.yml`).reply(404, { message: 'Not Found' })
    .get(`/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`).reply(404, { message: 'Not Found' });
}

/** Requests of one audit, by kind, for the cost table. */
function tally(label: string): void {
  const rest = h.sent.filter((r) => r.route !== '/graphql');
  const graphql = h.sent.filter((r) => r.route === '/graphql');
  const isCollector = (r: { route: string }) => !/check-runs|contents\/|pulls\/\{pull_number\}\/files|git\/ref\//.test(r.route);
  // GitHub's cost formula applied to the GraphQL documents actually sent.
  const points = graphql.reduce((sum, r) => {
    const body = r.body as { query: string; variables?: Record<string, unknown> };
    return sum + graphqlCost(body.query, body.variables).points;
  }, 0);
  costs.push({
    flow: label,
    'REST (collector)': rest.filter(isCollector).length,
    'REST (check run, policy, PR)': rest.filter((r) => !isCollector(r)).length,
    'GraphQL queries': graphql.length,
    'GraphQL points': points,
    total: h.sent.length,
  });
}

function completed(): Patch {
  const done = patches.find((p) => p.status === 'completed');
  expect(done, 'the check run was completed').toBeDefined();
  return done as Patch;
}

describe('app end to end', () => {
  it('a pull request: collector, policy, touched lines, check run with the real findings', async () => {
    const scope = nock(API);
    checkRunLifecycle(scope);
    scope.get(`${R}/pulls/7/files`).query(true).reply(200, [
      { sha: 'f'.repeat(40), filename: '.github/workflows/ci.yml', status: 'modified', additions: 1, deletions: 0, changes: 1,
        blob_url: `https://github.com/${OWNER}/${REPO}/blob/x/ci.yml`, raw_url: `https://github.com/${OWNER}/${REPO}/raw/x/ci.yml`,
        contents_url: `${API}${R}/contents/ci.yml`, patch: '@@ -8,2 +8,3 @@\n     steps:\n+      - uses: actions/checkout@v4\n' },
    ]);
    repository();
    await h.probot.receive(webhook('pull_request', 'pull_request.opened.json'));
    const done = completed();
    // The critical pickle in models/ is already on main: reported, but it does not fail this PR (policy default).
    expect(done.conclusion).toBe('success');
    expect(done.output?.summary).toContain('unsafe-pickle');
    const annotations = patches.flatMap((p) => p.output?.annotations ?? []);
    expect(annotations.some((a) => a.title.includes('unsafe-pickle') && a.path === 'models/clf.pkl')).toBe(true);
    expect(annotations.some((a) => a.title.includes('unpinned-action') && a.path === '.github/workflows/ci.yml' && a.start_line === 9)).toBe(true);
    tally('pull_request.opened');
  });

  it('a push to the default branch audits the new head', async () => {
    const scope = nock(API);
    checkRunLifecycle(scope);
    repository();
    await h.probot.receive(webhook('push', 'push.default-branch.json'));
    expect(completed().output?.summary).toContain('unsafe-pickle');
    tally('push (default branch)');
  });

  it('a branch-protection change re-audits the default branch head within the same delivery', async () => {
    const scope = nock(API);
    scope.get(`${R}/git/ref/heads%2Fmain`).reply(200, {
      ref: 'refs/heads/main', node_id: 'REF_1', url: `${API}${R}/git/refs/heads/main`,
      object: { type: 'commit', sha: HEAD, url: `${API}${R}/git/commits/${HEAD}` },
    });
    checkRunLifecycle(scope);
    repository();
    await h.probot.receive(webhook('branch_protection_rule', 'branch_protection_rule.edited.json'));
    expect(completed().conclusion).toBe('failure');
    tally('branch_protection_rule.edited');
  });

  it('left a request record without any token in it', () => {
    const text = readFileSync(RECORD, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { method: string; route: string });
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.route === '/graphql')).toBe(true);
    expect(text).not.toMatch(/gh[pousr]_[A-Za-z0-9]{20,}|"authorization"/i);
  });
});
