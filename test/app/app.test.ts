import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { useSimulatedGitHub } from '../helpers/github-repo.js';
import { responseViolations } from '../helpers/github-contract.js';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import type { Check } from '../../src/checks/types.js';
import { CHECK_RUN_NAME } from '../../src/report/check-run.js';
import type { AppDeps } from '../../src/app/index.js';
import { recordRequests, type HookableOctokit } from '../../src/collect/record.js';
import { describeError } from '../../src/publish/check-run.js';
import { addedFile, API, APP_ID, checkRunReply, draft, fakeCheck, fakeCollector, HEAD, makeProbot, OWNER, REPO, webhook, type Harness } from './helpers.js';

const R = `/repos/${OWNER}/${REPO}`;
const REPO_POLICY = `${R}/contents/.github%2Fpipeline-guard.yml`;
const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const WORKFLOW = '.github/workflows/train.yml';

interface PatchBody {
  status?: string;
  conclusion?: string;
  actions?: { identifier: string; label: string }[];
  output?: { title: string; summary: string; text?: string; annotations?: { path: string; start_line: number; annotation_level: string; title: string; start_column?: number }[] };
}

let h: Harness;
const patches: PatchBody[] = [];

useSimulatedGitHub(() => h?.violations ?? []);
beforeEach(() => {
  patches.length = 0;
});

async function setup(checks: readonly Check[], deps: Partial<AppDeps> = {}, opts: { retry?: Record<string, unknown> } = {}): Promise<Harness> {
  h = await makeProbot({ collect: fakeCollector({ [WORKFLOW]: 'on: push\n' }), checks, ...deps }, opts);
  return h;
}

/** Nock: no existing run, POST in_progress, no policies. */
function freshRun(scope: nock.Scope, id = 1): nock.Scope {
  return scope
    .get(`${R}/commits/${HEAD}/check-runs`)
    .query({ check_name: CHECK_RUN_NAME, filter: 'latest', app_id: String(APP_ID), per_page: '10' })
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${R}/check-runs`, (b: { name: string; head_sha: string; status: string }) => b.name === CHECK_RUN_NAME && b.head_sha === HEAD && b.status === 'in_progress')
    .reply(201, checkRunReply(id));
}

function noPolicies(scope: nock.Scope): nock.Scope {
  // No repository file: Probot's loader falls back to the organisation's `.github` repository itself.
  return scope.get(REPO_POLICY).reply(404, { message: 'Not Found' }).get(ORG_POLICY).reply(404, { message: 'Not Found' });
}

function capturePatches(scope: nock.Scope, id: number, times: number): nock.Scope {
  return scope
    .patch(`${R}/check-runs/${id}`, (b: PatchBody) => {
      patches.push(b);
      return true;
    })
    .times(times)
    .reply(200, checkRunReply(id));
}

function prFiles(scope: nock.Scope, files: unknown[]): nock.Scope {
  return scope.get(`${R}/pulls/7/files`).query({ per_page: '100', page: '1' }).reply(200, files);
}

describe('pull_request', () => {
  test('opened: in_progress at once, then completed with the conclusion from the new findings', async () => {
    await setup([
      fakeCheck('unpinned-action', [draft(WORKFLOW, 5, 'high', 'pin it', { fixable: true })]),
      fakeCheck('excessive-permissions', [draft(WORKFLOW, 30, 'medium', 'old problem')]),
    ]);
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    prFiles(scope, [addedFile(WORKFLOW, [5, 6])]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));

    // The first write is the in_progress run; the last the completion.
    const writes = h.sent.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.route}`)).toEqual([`POST /repos/{owner}/{repo}/check-runs`, `PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`]);
    const done = patches[0];
    expect(done.status).toBe('completed');
    expect(done.conclusion).toBe('failure');
    expect(done.output?.title).toBe('1 new high finding in this PR · repository score 87 (B)');
    expect(done.output?.summary).toContain('| high | 1 | 0 | 0 |');
    expect(done.output?.summary).toContain('| medium | 0 | 1 | 0 |');
    expect(done.output?.summary).toContain(`https://github.com/${OWNER}/${REPO}/blob/${HEAD}/.github/workflows/train.yml#L5`);
    expect(done.output?.annotations?.map((a) => [a.title, a.start_line, a.annotation_level])).toEqual([
      ['unpinned-action', 5, 'failure'],
      ['excessive-permissions', 30, 'warning'],
    ]);
    expect(done.actions).toEqual([{ label: 'Fix it', identifier: 'fix', description: 'Open or update fix-up pull requests' }]);
  });

  test('only findings on touched lines count: an old high finding leaves the PR neutral on a new medium', async () => {
    await setup([
      fakeCheck('unpinned-action', [draft(WORKFLOW, 40, 'high', 'old')]),
      fakeCheck('excessive-permissions', [draft(WORKFLOW, 2, 'medium', 'new')]),
    ]);
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    prFiles(scope, [addedFile(WORKFLOW, [2])]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.synchronize', 'pull_request.synchronize.json'));
    expect(patches[0].conclusion).toBe('neutral');
    expect(patches[0].output?.title).toMatch(/^1 new medium finding in this PR/);
    expect(patches[0].actions).toEqual([]);
  });

  test('fail_on_existing in the repository policy makes the old high finding fail the PR', async () => {
    await setup([fakeCheck('unpinned-action', [draft(WORKFLOW, 40, 'high', 'old')])]);
    const scope = nock(API);
    freshRun(scope);
    scope.get(REPO_POLICY).reply(200, 'check_run:\n  fail_on_existing: true\n', RAW).get(ORG_POLICY).reply(404, { message: 'Not Found' });
    prFiles(scope, [addedFile(WORKFLOW, [2])]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.reopened', 'pull_request.reopened.json'));
    expect(patches[0].conclusion).toBe('failure');
    expect(patches[0].output?.title).toMatch(/^No new findings in this PR/);
  });

  test('120 annotations go out in 3 PATCHes of at most 50, all sent, same title and summary each time', async () => {
    const many = Array.from({ length: 120 }, (_, i) => draft(WORKFLOW, i + 1, 'low', `finding ${i + 1}`));
    await setup([fakeCheck('unpinned-action', many)]);
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    prFiles(scope, [addedFile(WORKFLOW, [1])]);
    capturePatches(scope, 1, 3);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches.map((p) => p.output?.annotations?.length)).toEqual([50, 50, 20]);
    // Only the last one completes the run.
    expect(patches.map((p) => p.status)).toEqual([undefined, undefined, 'completed']);
    const lines = patches.flatMap((p) => p.output?.annotations ?? []).map((a) => a.start_line);
    expect(new Set(lines).size).toBe(120);
    expect(new Set(patches.map((p) => p.output?.summary)).size).toBe(1);
    expect(new Set(patches.map((p) => p.output?.title)).size).toBe(1);
  });

  test('redelivery: the existing run on the head SHA is reused (no second POST) and its annotations are not re-sent', async () => {
    const many = Array.from({ length: 60 }, (_, i) => draft(WORKFLOW, i + 1, 'low', `finding ${i + 1}`));
    await setup([fakeCheck('unpinned-action', many)]);
    const scope = nock(API)
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [checkRunReply(77, { status: 'completed', conclusion: 'success', app: { id: APP_ID }, output: { title: 't', summary: 's', text: null, annotations_count: 50, annotations_url: 'https://api.github.com/x' } })],
      });
    noPolicies(scope);
    prFiles(scope, [addedFile(WORKFLOW, [1])]);
    capturePatches(scope, 77, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json', 'same-delivery'));
    expect(h.sent.some((r) => r.method === 'POST')).toBe(false);
    expect(patches).toHaveLength(1);
    expect(patches[0].output?.annotations?.map((a) => a.start_line)).toEqual(Array.from({ length: 10 }, (_, i) => 51 + i));
  });

  test('a run of another app with the same name is not reused', async () => {
    await setup([]);
    const scope = nock(API)
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [checkRunReply(12, { app: { id: 12345 } })] })
      .post(`${R}/check-runs`)
      .reply(201, checkRunReply(2));
    noPolicies(scope);
    prFiles(scope, []);
    capturePatches(scope, 2, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches[0].conclusion).toBe('success');
  });

  test('collector failure: the run is completed neutral with the reason, never left in progress', async () => {
    await setup([], { collect: () => Promise.reject(new Error('GraphQL said: Something went wrong (token ghs_abcdefghijklmnopqrstuvwxyz0123456789)')) });
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    prFiles(scope, []);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches[0]).toMatchObject({ status: 'completed', conclusion: 'neutral', output: { title: 'Pipeline Guard could not finish the audit' } });
    expect(patches[0].output?.summary).toContain('Something went wrong');
    expect(patches[0].output?.summary).not.toContain('ghs_abc');
  });

  test('a GitHub error while reading the PR files (after retries) also ends neutral', async () => {
    await setup([]);
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    scope.get(`${R}/pulls/7/files`).query(true).reply(500, { message: 'Server Error' });
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches[0].conclusion).toBe('neutral');
    expect(patches[0].output?.summary).toContain('GitHub answered 500');
  });

  test('an invalid repository policy gives a clear failing run, and the org policy still applies', async () => {
    await setup([fakeCheck('unpinned-action', [draft(WORKFLOW, 5, 'medium', 'x')])]);
    const scope = nock(API);
    freshRun(scope);
    scope
      .get(REPO_POLICY)
      .reply(200, 'checks:\n  unpinned-acton: off\n', RAW)
      .get(ORG_POLICY)
      .reply(200, 'checks:\n  unpinned-action: critical\n', RAW);
    prFiles(scope, [addedFile(WORKFLOW, [5])]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    const out = patches[0];
    expect(out.conclusion).toBe('failure');
    expect(out.output?.title).toMatch(/^Invalid Pipeline Guard policy/);
    expect(out.output?.summary).toContain('The Pipeline Guard policy is invalid');
    expect(out.output?.summary).toContain('.github/pipeline-guard.yml: unknown check id "unpinned-acton"');
    // The org file raised the severity: it was applied despite the broken repository file.
    expect(out.output?.summary).toContain('| critical | 1 |');
  });

  test('invalid YAML in the organisation policy is reported, not a crash', async () => {
    await setup([]);
    const scope = nock(API);
    freshRun(scope);
    scope.get(REPO_POLICY).reply(404, { message: 'Not Found' }).get(ORG_POLICY).reply(200, 'checks: [unclosed\n', RAW);
    prFiles(scope, []);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches[0].conclusion).toBe('failure');
    expect(patches[0].output?.summary).toContain(`${OWNER}/.github:.github/pipeline-guard.yml: Configuration could not be parsed from the file \\(invalid YAML\\)`);
  });

  test('an org lock refusing a repository override shows in the summary, and the override is not applied', async () => {
    await setup([fakeCheck('unpinned-action', [draft(WORKFLOW, 5, 'high', 'pin it')])]);
    const scope = nock(API);
    freshRun(scope);
    scope
      .get(REPO_POLICY)
      .reply(200, 'checks:\n  unpinned-action: off\n', RAW)
      .get(ORG_POLICY)
      .reply(200, 'lock: [unpinned-action]\n', RAW);
    prFiles(scope, [addedFile(WORKFLOW, [5])]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches[0].conclusion).toBe('failure');
    expect(patches[0].output?.summary).toContain('Repository policy settings refused by the organisation lock');
    expect(patches[0].output?.summary).toContain('"unpinned-action: off" is ignored: the organisation policy locks unpinned-action');
  });

  test('untrusted file names and messages are escaped; nobody is mentioned', async () => {
    const evilPath = '.github/workflows/<img src=x onerror=alert(1)>|@admins.yml';
    await setup([fakeCheck('unpinned-action', [draft(evilPath, 3, 'high', 'uses `evil`@v1 [click](https://evil.example) <script>x</script> @security-team')])]);
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    prFiles(scope, [{ ...addedFile(evilPath, [3]) }]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    const summary = patches[0].output?.summary ?? '';
    expect(summary).not.toMatch(/<img|<script/);
    expect(summary).not.toMatch(/@(admins|security-team)/);
    expect(summary).not.toContain('[click](');
    expect(summary).toContain('&lt;script&gt;');
    expect(summary).toContain('%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%7C%40admins.yml#L3');
    // Annotations are plain text: the path is sent as is (GitHub needs it to place the annotation).
    expect(patches[0].output?.annotations?.[0].path).toBe(evilPath);
  });

  test('with the real checks: an unpinned third-party action added by the PR is annotated at its line', async () => {
    const wf = ['name: changed', 'on: pull_request', 'permissions: {}', 'jobs:', '  files:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: tj-actions/changed-files@v35', ''].join('\n');
    h = await makeProbot({ collect: fakeCollector({ '.github/workflows/changed.yml': wf }), checks: ALL_CHECKS });
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    prFiles(scope, [addedFile('.github/workflows/changed.yml', [1, 2, 3, 4, 5, 6, 7, 8])]);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    const ann = patches[0].output?.annotations ?? [];
    expect(ann.some((a) => a.path === '.github/workflows/changed.yml' && a.start_line === 8 && /unpinned-action|known-compromised-action|compromised/.test(a.title))).toBe(true);
    expect(patches[0].conclusion).toBe('failure');
  });
});

describe('push', () => {
  test('to another branch: no API call at all', async () => {
    const calls: unknown[] = [];
    await setup([], { collect: fakeCollector({}, calls) });
    await h.probot.receive(webhook('push', 'push.other-branch.json'));
    expect(h.sent).toEqual([]);
    expect(calls).toEqual([]);
  });

  test('a deleted default branch: no API call', async () => {
    await setup([]);
    await h.probot.receive(webhook('push', 'push.deleted.json'));
    expect(h.sent).toEqual([]);
  });

  test('to the default branch: audits payload.after, every finding counts', async () => {
    const calls: unknown[] = [];
    await setup([fakeCheck('unpinned-action', [draft(WORKFLOW, 40, 'high', 'old')])], { collect: fakeCollector({ [WORKFLOW]: 'x' }, calls) });
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('push', 'push.default-branch.json'));
    expect(calls).toEqual([{ owner: OWNER, repo: REPO, ref: HEAD }]);
    expect(patches[0].conclusion).toBe('failure');
    expect(patches[0].output?.title).toBe('1 high finding · repository score 90 (A)');
    expect(h.sent.some((r) => r.route.includes('/pulls/'))).toBe(false);
  });

  test('a hostile default-branch name is escaped in the summary', async () => {
    await setup([]);
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('push', 'push.hostile-default-branch.json'));
    const summary = patches[0].output?.summary ?? '';
    // Verbatim inside a code span whose fence outlasts the backtick inside: inert, mentions included.
    expect(summary).toContain('Audit of `` release/<img-src=x>@maintainers|`x` `` at `a1b2c3d4e5f6`');
    expect(summary.replace(/``.*?``/g, '')).not.toMatch(/<img|@maintainers/);
  });
});

describe('check_run', () => {
  test('rerequested: a new run (POST, no lookup) with the PR GitHub names', async () => {
    await setup([fakeCheck('unpinned-action', [draft(WORKFLOW, 5, 'high')])]);
    const scope = nock(API)
      .post(`${R}/check-runs`, (b: { head_sha: string }) => b.head_sha === HEAD)
      .reply(201, checkRunReply(3));
    noPolicies(scope);
    prFiles(scope, [addedFile(WORKFLOW, [5])]);
    capturePatches(scope, 3, 1);
    await h.probot.receive(webhook('check_run.rerequested', 'check_run.rerequested.json'));
    expect(patches[0].output?.title).toMatch(/^1 new high finding in this PR/);
    expect(h.sent.some((r) => r.route.endsWith('/check-runs') && r.method === 'GET')).toBe(false);
  });

});

describe('settings and installation events', () => {
  function defaultHead(scope: nock.Scope, repo = REPO): nock.Scope {
    return scope.get(`/repos/${OWNER}/${repo}/git/ref/heads%2Fmain`).reply(200, {
      ref: 'refs/heads/main',
      node_id: 'REF_1',
      url: `${API}/repos/${OWNER}/${repo}/git/refs/heads/main`,
      object: { type: 'commit', sha: HEAD, url: `${API}/repos/${OWNER}/${repo}/git/commits/${HEAD}` },
    });
  }

  test.each([
    ['branch_protection_rule.edited', 'branch_protection_rule.edited.json'],
    ['branch_protection_configuration.disabled', 'branch_protection_configuration.disabled.json'],
    ['repository_ruleset.edited', 'repository_ruleset.edited.json'],
    ['repository.edited', 'repository.edited.json'],
    ['repository.publicized', 'repository.publicized.json'],
    ['repository.privatized', 'repository.privatized.json'],
  ] as const)('%s re-audits the default-branch head and records a check run there', async (name, file) => {
    const calls: unknown[] = [];
    await setup([], { collect: fakeCollector({}, calls) });
    const scope = nock(API);
    defaultHead(scope);
    freshRun(scope);
    noPolicies(scope);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook(name, file));
    expect(calls).toEqual([{ owner: OWNER, repo: REPO, ref: HEAD }]);
    expect(patches[0].status).toBe('completed');
  });

  test('an organisation ruleset (no repository in the payload) is left to the sweep: no API call', async () => {
    await setup([]);
    await h.probot.receive(webhook('repository_ruleset.edited', 'repository_ruleset.edited.org.json'));
    expect(h.sent).toEqual([]);
  });

  // installation.created / new_permissions_accepted / installation_repositories.added enqueue one
  // organisation sweep instead of per-repository audits: see test/app/sweep.test.ts.

  test('an empty repository (409 on the ref) is skipped without a check run', async () => {
    await setup([]);
    nock(API).get(`${R}/git/ref/heads%2Fmain`).reply(409, { message: 'Git Repository is empty.' });
    await h.probot.receive(webhook('repository.edited', 'repository.edited.json'));
    expect(h.sent).toHaveLength(1);
  });
});

describe('retries', () => {
  test('with plugin-retry enabled, a 502 then 200 succeeds', async () => {
    await setup([], {}, { retry: { enabled: true, retryAfterBaseValue: 1 } });
    let lookups = 0;
    const scope = nock(API)
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(() => [++lookups === 1 ? 502 : 500, 'unexpected'])
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(() => [++lookups === 2 ? 200 : 500, { total_count: 0, check_runs: [] }])
      .post(`${R}/check-runs`)
      .reply(201, checkRunReply(1));
    noPolicies(scope);
    prFiles(scope, []);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('pull_request.opened', 'pull_request.opened.json'));
    expect(patches[0].conclusion).toBe('success');
    // plugin-retry re-sent the lookup underneath the contract hook: nock saw both.
    expect(lookups).toBe(2);
  });
});

describe('reply fixtures follow the REST description', () => {
  test('check run replies and PR files', () => {
    // (A completed run: the contract helper's Ajv rejects `conclusion: null` on this nullable enum.)
    expect(responseViolations('POST', '/repos/{owner}/{repo}/check-runs', 201, checkRunReply(1, { status: 'completed', conclusion: 'success' }))).toEqual([]);
    expect(responseViolations('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files', 200, [addedFile(WORKFLOW, [1, 3])])).toEqual([]);
    expect(responseViolations('POST', '/repos/{owner}/{repo}/check-runs', 201, { id: 'nope' })).not.toEqual([]);
  });
});

describe('recording and secrets', () => {
  test('PIPELINE_GUARD_RECORD: every request of the event is recorded, without tokens', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-record-')), 'requests.jsonl');
    // Octokit's hook types are generic over every plugin; the recorder declares the shape it uses.
    await setup([], { recordFile: file, record: (octokit, f) => recordRequests(octokit as unknown as HookableOctokit, f) });
    const scope = nock(API);
    freshRun(scope);
    noPolicies(scope);
    capturePatches(scope, 1, 1);
    await h.probot.receive(webhook('push', 'push.default-branch.json'));
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; route: string; status: number });
    expect(lines.map((l) => `${l.method} ${l.route} ${l.status}`)).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs 200',
      'POST /repos/{owner}/{repo}/check-runs 201',
      'GET /repos/{owner}/{repo}/contents/{path} 404',
      'GET /repos/{owner}/{repo}/contents/{path} 404',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} 200',
    ]);
  });

  test('error text shown on a check run carries no token', () => {
    const text = describeError(Object.assign(new Error('failed with ghs_abcdefghijklmnopqrstuvwxyz012345 and Bearer v1.0123456789abcdef0123456789 at https://x-access-token:secret@github.com/o/r'), { status: 502 }));
    expect(text).toMatch(/^GitHub answered 502/);
    expect(text).not.toMatch(/ghs_abc|v1\.0123|secret@/);
  });
});
