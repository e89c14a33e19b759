/**
 * "Fix it" end to end: a `check_run.requested_action` webhook (schema-checked fixture) through
 * `probot.receive()`, against a stateful fake GitHub (nock) whose every request is checked against
 * GitHub's REST description and every reply against its response schema.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { useSimulatedGitHub } from '../helpers/github-repo.js';
import { webhook } from '../app/helpers.js';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { applyFixes } from '../../src/fixes/engine.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { parseFixMarker } from '../../src/report/fix-pr.js';
import { fixRepository } from '../../src/app/fix.js';
import type { Octokit } from '../../src/app/index.js';
import { API, BOT, FakeGitHub } from './fake-github.js';
import { fakeRepoCollector, fixProbot, flow, type FixHarness } from './harness.js';

const OWNER = 'acme-ml';
const REPO = 'trainer';
const TRAIN_PATH = '.github/workflows/train.yml';
const EVAL_PATH = '.github/workflows/eval.yml';
const TRAIN = readFileSync(new URL('../../fixtures/fix-pr/train.yml', import.meta.url), 'utf8');
const EVAL = readFileSync(new URL('../../fixtures/fix-pr/eval.yml', import.meta.url), 'utf8');
const ZWJ = '\u200d';

let gh: FakeGitHub;
let h: FixHarness | undefined;

useSimulatedGitHub(() => h?.violations ?? []);
beforeEach(() => {
  h = undefined;
  gh = new FakeGitHub(OWNER, REPO);
});
const seenRoutes = new Set<string>();
afterEach(() => {
  for (const r of h?.sent ?? []) seenRoutes.add(`${r.method} ${r.route}`);
  expect(gh.unexpected).toEqual([]);
});

async function trigger(file = 'check_run.requested_action.json'): Promise<number> {
  h ??= await fixProbot(gh);
  const from = h.sent.length;
  await h.probot.receive(webhook('check_run.requested_action', file));
  return from;
}

/** The training repository, and the tags of the actions it uses (for the unpinned-action fix). */
function trainRepo(): string {
  gh.actionTags.set('actions/checkout', { v4: CHECKOUT, 'v4.2.2': CHECKOUT, 'v4.2.1': 'eef61447b9ff4aafe5dcd4e0bbf5d482be7e7871' });
  gh.actionTags.set('actions/setup-python', { v5: SETUP_PYTHON, 'v5.3.0': SETUP_PYTHON });
  gh.actionTags.set('actions/upload-artifact', { v4: UPLOAD, 'v4.4.3': UPLOAD });
  return gh.push('main', { [TRAIN_PATH]: TRAIN, 'requirements.txt': 'torch==2.5.1\n' }, 'initial');
}
const CHECKOUT = '11bd71901bbe5b1630ceea73d27597364c9af683';
const SETUP_PYTHON = '0b93645e9fea7318ecaed2b359559ac225c90a2b';
const UPLOAD = 'b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882';

const writes = (from: number) => flow(h!.sent, from).filter((r) => !r.startsWith('GET '));
const bodyOf = (from: number, route: string) => h!.sent.slice(from).filter((r) => `${r.method} ${r.route}` === route).map((r) => r.body as Record<string, unknown>);
const pull = (kind: string) => gh.pulls.filter((p) => p.head === `pipeline-guard/fix/${kind}`);

describe('first "Fix it": one PR per kind, one commit each, on pipeline-guard/fix/<kind>', () => {
  test('realistic ML workflow: branches, commits, tree contents, PR bodies, drafts and the check-run text', async () => {
    const base = trainRepo();
    const from = await trigger();

    // The action tags are read (GETs, up to 4 at a time) to pin unpinned-action; every other request in order,
    // one kind after the other, writes strictly sequential.
    const pinReads = h!.sent.slice(from).filter((r) => r.url.includes('/repos/actions/')).map((r) => decodeURIComponent(r.url.replace(API, '')));
    expect(pinReads.sort()).toEqual([
      '/repos/actions/checkout/git/matching-refs/tags/v4',
      '/repos/actions/checkout/git/ref/heads/v4',
      '/repos/actions/setup-python/git/matching-refs/tags/v5',
      '/repos/actions/setup-python/git/ref/heads/v5',
      '/repos/actions/upload-artifact/git/matching-refs/tags/v4',
      '/repos/actions/upload-artifact/git/ref/heads/v4',
    ]);
    const own = h!.sent.slice(from).filter((r) => !r.url.includes('/repos/actions/'));
    const kindWrites = ['POST /repos/{owner}/{repo}/git/trees', 'POST /repos/{owner}/{repo}/git/commits', 'POST /repos/{owner}/{repo}/git/refs', 'POST /repos/{owner}/{repo}/pulls'];
    expect(flow(own)).toEqual([
      'GET /repos/{owner}/{repo}/git/ref/{ref}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
      ...kindWrites,
      'GET /repos/{owner}/{repo}/pulls',
      ...kindWrites,
      'GET /repos/{owner}/{repo}/pulls',
      ...kindWrites,
      'GET /repos/{owner}/{repo}/pulls',
      ...kindWrites,
      'GET /repos/{owner}/{repo}/check-runs/{check_run_id}',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
    ]);
    expect(h!.collected).toEqual([base]);
    expect([...gh.refs.keys()].sort()).toEqual([
      'refs/heads/main',
      'refs/heads/pipeline-guard/fix/excessive-permissions',
      'refs/heads/pipeline-guard/fix/expression-injection',
      'refs/heads/pipeline-guard/fix/hardcoded-secret',
      'refs/heads/pipeline-guard/fix/unpinned-action',
    ]);
    expect(gh.head('main')).toBe(base);

    // The tree content sent is the fix engine's output, file by file.
    const snapshotFiles = [{ path: TRAIN_PATH, size: TRAIN.length, bytes: new TextEncoder().encode(TRAIN) }];
    const snapshot = { source: 'github' as const, files: snapshotFiles, warnings: [] };
    const findings = scanSnapshot(snapshot, ALL_CHECKS, emptyPolicy()).findings;
    const trees = bodyOf(from, 'POST /repos/{owner}/{repo}/git/trees') as { base_tree: string; tree: { path: string; mode: string; type: string; content: string }[] }[];
    const kinds = ['excessive-permissions', 'expression-injection', 'hardcoded-secret', 'unpinned-action'];
    const pins = new Map([
      ['actions/checkout@v4', { status: 'pinned' as const, sha: CHECKOUT, tag: 'v4.2.2', from: 'tag' as const }],
      ['actions/setup-python@v5', { status: 'pinned' as const, sha: SETUP_PYTHON, tag: 'v5.3.0', from: 'tag' as const }],
      ['actions/upload-artifact@v4', { status: 'pinned' as const, sha: UPLOAD, tag: 'v4.4.3', from: 'tag' as const }],
    ]);
    expect(trees).toHaveLength(4);
    trees.forEach((t, i) => {
      const [outcome] = applyFixes(snapshot, findings, emptyPolicy(), [kinds[i]], { pins, repository: `${OWNER}/${REPO}`, defaultBranch: 'main' });
      expect(t.base_tree).toBe(gh.commit(base).tree);
      expect(t.tree).toEqual([{ path: TRAIN_PATH, mode: '100644', type: 'blob', content: outcome.text }]);
    });

    // hardcoded-secret: line 17 replaced, every other line byte-identical; written by hand, not copied from the engine.
    const secret = gh.filesAt(gh.head('pipeline-guard/fix/hardcoded-secret')!);
    const before = TRAIN.split('\n');
    const after = secret.get(TRAIN_PATH)!.split('\n');
    expect(after).toHaveLength(before.length);
    expect(after[16]).toBe('          WANDB_API_KEY: ${{ secrets.WANDB_API_KEY }}');
    expect(after.filter((l, i) => l !== before[i])).toEqual([after[16]]);
    expect(secret.get('requirements.txt')).toBe('torch==2.5.1\n');
    // expression-injection: one env entry added, the run line rewritten, nothing else.
    const expr = gh.filesAt(gh.head('pipeline-guard/fix/expression-injection')!).get(TRAIN_PATH)!.split('\n');
    expect(expr.filter((l) => !before.includes(l))).toEqual([
      '          GITHUB_EVENT_PULL_REQUEST_TITLE: ${{ github.event.pull_request.title }}',
      '          python train.py --run-name "${GITHUB_EVENT_PULL_REQUEST_TITLE}"',
    ]);
    expect(before.filter((l) => !expr.includes(l))).toEqual(['          python train.py --run-name "${{ github.event.pull_request.title }}"']);

    // One commit per kind, parent = the audited base, by the bot (no author sent: GitHub records the app), with our trailer.
    const commits = bodyOf(from, 'POST /repos/{owner}/{repo}/git/commits');
    for (const c of commits) {
      expect(c.parents).toEqual([base]);
      expect(c).not.toHaveProperty('author');
      expect(String(c.message)).toMatch(/\n\nPipeline-Guard-Fix: [a-z-]+$/);
    }
    expect(commits[2].message).toBe('Pipeline Guard: fix hardcoded-secret (1 finding)\n\n- .github/workflows/train.yml:17\n\nPipeline-Guard-Fix: hardcoded-secret');
    expect(bodyOf(from, 'POST /repos/{owner}/{repo}/git/refs').map((r) => r.ref)).toEqual(kinds.map((k) => `refs/heads/pipeline-guard/fix/${k}`));

    // PRs: draft only where a human must act (create the secret and rotate the key).
    const prs = bodyOf(from, 'POST /repos/{owner}/{repo}/pulls') as { title: string; head: string; base: string; draft: boolean; body: string }[];
    expect(prs.map((p) => [p.head, p.base, p.draft])).toEqual([
      ['pipeline-guard/fix/excessive-permissions', 'main', false],
      ['pipeline-guard/fix/expression-injection', 'main', false],
      ['pipeline-guard/fix/hardcoded-secret', 'main', true],
      ['pipeline-guard/fix/unpinned-action', 'main', false],
    ]);
    // unpinned-action: the three uses: lines pinned to the resolved SHAs, the most specific tag as a comment.
    const pinned = gh.filesAt(gh.head('pipeline-guard/fix/unpinned-action')!).get(TRAIN_PATH)!.split('\n');
    expect(pinned.filter((l) => !before.includes(l)).map((l) => l.trim())).toEqual([
      `- uses: actions/checkout@${CHECKOUT} # v4.2.2`,
      `- uses: actions/setup-python@${SETUP_PYTHON} # v5.3.0`,
      `uses: actions/upload-artifact@${UPLOAD} # v4.4.3`,
    ]);
    const sec = prs[2];
    expect(sec.title).toBe('Pipeline Guard: fix hardcoded-secret (Literal credential in a workflow, Dockerfile, source file, notebook or env file)');
    expect(sec.body).toContain(`[.github/workflows/train.yml:17](https://github.com/${OWNER}/${REPO}/blob/${base}/.github/workflows/train.yml#L17) (high): A literal credential assigned to WANDB\\_API\\_KEY`);
    expect(sec.body).toContain('### Before merging\n\n- [ ] .github/workflows/train.yml:17: the literal now reads secrets.WANDB\\_API\\_KEY: create that secret, and rotate the leaked key \\(it stays in the git history\\).');
    expect(sec.body).toContain('**Draft: this change needs a human before it can be merged');
    expect(sec.body).not.toContain('8f3a9c2e41b7d6e5f0a1b2c3d4e5f6a7b8c9d0e1');
    const marker = parseFixMarker(sec.body);
    expect(marker).toMatchObject({ kind: 'hardcoded-secret', commit: gh.head('pipeline-guard/fix/hardcoded-secret'), base });
    expect(prs[1].body).toContain('.github/workflows/train.yml:20](');
    expect(prs[1].body).not.toContain('Before merging');

    // The check run keeps its title and summary; its text lists the PRs.
    expect(gh.checkRun.title).toBe('Pipeline Guard: 4 findings');
    expect(gh.checkRun.summary).toBe('the audit summary');
    expect(gh.checkRun.text).toContain('- `excessive-permissions` [#41](https://github.com/acme-ml/trainer/pull/41): opened (1 finding)');
    expect(gh.checkRun.text).toContain('- `hardcoded-secret` [#43](https://github.com/acme-ml/trainer/pull/43): opened (draft, 1 finding)');
    expect(gh.checkRun.text).toContain('- `unpinned-action` [#44](https://github.com/acme-ml/trainer/pull/44): opened (3 findings)');
  });

  test('a redelivered or repeated request with nothing new writes nothing but the check-run text', async () => {
    trainRepo();
    await trigger();
    const heads = [...gh.refs.entries()];
    const from = await trigger();
    expect(writes(from)).toEqual(['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    expect([...gh.refs.entries()]).toEqual(heads);
    expect(gh.pulls).toHaveLength(4);
    expect(gh.checkRun.text).toContain('[#42](https://github.com/acme-ml/trainer/pull/42): already up to date');
  });
});

describe('updates, human pushes, findings gone, human closes', () => {
  test('new findings on the default branch update the same PR: new commit on the new base, forced ref, no second PR', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const [pr] = pull('expression-injection');
    const first = gh.head('pipeline-guard/fix/expression-injection')!;
    const fp1 = parseFixMarker(pr.body)!.fp;

    const more = EVAL + '      - name: Report\n        run: echo "${{ github.event.pull_request.body }}" >> report.md\n';
    const base2 = gh.push('main', { [EVAL_PATH]: more }, 'add a report step');
    const from = await trigger();
    expect(writes(from)).toEqual([
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
    ]);
    expect(bodyOf(from, 'PATCH /repos/{owner}/{repo}/git/refs/{ref}')[0]).toMatchObject({ force: true });
    expect(gh.pulls).toHaveLength(1);
    const head2 = gh.head('pipeline-guard/fix/expression-injection')!;
    expect(head2).not.toBe(first);
    expect(gh.commit(head2).parents).toEqual([base2]);
    const m = parseFixMarker(pr.body)!;
    expect(m).toMatchObject({ commit: head2, base: base2 });
    expect(m.fp).not.toBe(fp1);
    expect(pr.body).toContain('2 findings');
    expect(pr.body).toContain('eval.yml:12](');
    const fixed = gh.filesAt(head2).get(EVAL_PATH)!;
    expect(fixed).not.toContain('${{ github.event.pull_request.body }}"');
    expect(fixed).not.toContain('"${{ github.head_ref }}"');
    expect(gh.checkRun.text).toContain('[#41](https://github.com/acme-ml/trainer/pull/41): updated (2 findings)');
  });

  test('a line shift alone keeps the fingerprint: the fix is rebuilt on the new base, same PR', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const [pr] = pull('expression-injection');
    const fp = parseFixMarker(pr.body)!.fp;
    gh.push('main', { [EVAL_PATH]: `# evaluation on every PR\n${EVAL}` }, 'comment');
    await trigger();
    expect(parseFixMarker(pr.body)!.fp).toBe(fp);
    expect(pr.body).toContain('eval.yml:11](');
    expect(gh.pulls).toHaveLength(1);
  });

  test('a human commit on our branch: one comment, the ref is never moved, and no second comment for the same head', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const human = gh.push('pipeline-guard/fix/expression-injection', { [EVAL_PATH]: `${EVAL}# tweaked by hand\n` }, 'my own fix', 'Grace Hopper');
    gh.push('main', { 'README.md': '# trainer\n', [EVAL_PATH]: `${EVAL}      - run: echo "\${{ github.event.issue.title }}"\n` }, 'new finding');
    const from = await trigger();
    expect(writes(from)).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    expect(gh.head('pipeline-guard/fix/expression-injection')).toBe(human);
    const [comment] = gh.comments.get(41)!;
    expect(comment.body).toContain('has a commit it did not create');
    expect(comment.body).toContain(human.slice(0, 12));
    expect(gh.checkRun.text).toContain('[#41](https://github.com/acme-ml/trainer/pull/41): not updated: somebody else pushed to the branch');

    const again = await trigger();
    expect(writes(again)).toEqual(['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    expect(gh.comments.get(41)).toHaveLength(1);
    expect(gh.head('pipeline-guard/fix/expression-injection')).toBe(human);
  });

  test('findings gone from the default branch: the PR is closed with a note; they come back: a new PR', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const [pr] = pull('expression-injection');
    gh.push('main', { [EVAL_PATH]: EVAL.replace('"${{ github.head_ref }}"', '"$GITHUB_HEAD_REF"') }, 'fixed by hand');
    const from = await trigger();
    expect(writes(from)).toEqual([
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
    ]);
    expect(bodyOf(from, 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}')[0]).toMatchObject({ state: 'closed' });
    expect(pr.state).toBe('closed');
    expect(gh.comments.get(41)![0].body).toMatch(/closing this pull request: `main` at `[0-9a-f]{12}` no longer has the findings/);
    expect(parseFixMarker(pr.body)?.closed).toBe('resolved');
    expect(pr.body.startsWith('**Closed by Pipeline Guard: `main` no longer has these findings.**\n\nPipeline Guard fixes 1 finding')).toBe(true);
    expect(gh.checkRun.text).toContain('[#41](https://github.com/acme-ml/trainer/pull/41): closed: the findings are gone');

    // The same finding reappears: the app closed that PR itself, so a new one is opened from the rebuilt branch.
    gh.push('main', { [EVAL_PATH]: EVAL }, 'revert');
    const back = await trigger();
    expect(writes(back)).toContain('POST /repos/{owner}/{repo}/pulls');
    expect(writes(back)).toContain('PATCH /repos/{owner}/{repo}/git/refs/{ref}');
    expect(gh.pulls.map((p) => [p.number, p.state])).toEqual([[41, 'closed'], [42, 'open']]);
  });

  test('a PR a human closed is not reopened for the same findings, but different findings get a new PR', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    gh.close(pull('expression-injection')[0]);
    const from = await trigger();
    expect(writes(from)).toEqual(['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    expect(gh.checkRun.text).toContain('[#41](https://github.com/acme-ml/trainer/pull/41): not reopened: a person closed it for the same findings');

    gh.push('main', { [EVAL_PATH]: `${EVAL}      - run: echo "\${{ github.event.pull_request.title }}"\n` }, 'another step');
    const next = await trigger();
    expect(writes(next)).toContain('POST /repos/{owner}/{repo}/pulls');
    expect(gh.pulls.map((p) => [p.number, p.state])).toEqual([[41, 'closed'], [42, 'open']]);
  });
});

describe('whose commit is the branch head', () => {
  test('our commit that the PR marker does not record yet (an interrupted update) is ours: the branch is rebuilt, same PR', async () => {
    const base = gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const branch = 'pipeline-guard/fix/expression-injection';
    const tree = gh.commit(gh.head(branch)!).tree;
    // The app wrote this commit and moved the ref, then stopped before updating the PR body.
    const orphan = gh.writeCommit({ tree, parents: [base], message: 'Pipeline Guard: fix expression-injection (1 finding)\n\nPipeline-Guard-Fix: expression-injection' });
    gh.refs.set(`refs/heads/${branch}`, orphan);
    gh.push('main', { 'README.md': '# trainer\n' }, 'docs');
    const from = await trigger();
    expect(flow(h!.sent, from)).toContain('GET /repos/{owner}/{repo}/git/commits/{commit_sha}');
    expect(writes(from)).toContain('PATCH /repos/{owner}/{repo}/pulls/{pull_number}');
    expect(gh.comments.get(41)).toBeUndefined();
    expect(gh.pulls).toHaveLength(1);
  });

  test('a human commit that copies our trailer is still a human commit (author is not the bot): comment, no update', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const branch = 'pipeline-guard/fix/expression-injection';
    const spoof = gh.push(branch, { [EVAL_PATH]: EVAL }, 'revert\n\nPipeline-Guard-Fix: expression-injection', 'Mallory');
    gh.push('main', { [EVAL_PATH]: `${EVAL}      - run: echo "\${{ github.event.comment.body }}"\n` }, 'new finding');
    const from = await trigger();
    expect(writes(from)).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    expect(gh.head(branch)).toBe(spoof);
  });

  test('a merged PR is not "closed by a human": when the finding comes back, a new PR is opened', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    await trigger();
    const [pr] = pull('expression-injection');
    const fixed = gh.filesAt(gh.head('pipeline-guard/fix/expression-injection')!).get(EVAL_PATH)!;
    gh.close(pr, true);
    gh.push('main', { [EVAL_PATH]: fixed }, 'Merge pull request #41');
    const quiet = await trigger();
    expect(writes(quiet)).toEqual(['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    gh.push('main', { [EVAL_PATH]: EVAL }, 'bad revert');
    await trigger();
    expect(gh.pulls.map((p) => [p.number, p.state, p.merged])).toEqual([[41, 'closed', true], [42, 'open', false]]);
  });
});

describe('untrusted repository text', () => {
  test('a hostile default branch, file name and job name are escaped in the PR body: no mention, no HTML, no link', async () => {
    const branch = 'ml/<img/src=x/onerror=alert(1)>@acme-ml/admins_(x)!';
    const gh2 = new FakeGitHub(OWNER, REPO, branch);
    gh = gh2;
    const path = '.github/workflows/@acme-ml admins <b>[x](javascript:alert(1))<b>.yml';
    const wf = EVAL.replace('  eval:', '  "@acme-ml/admins<img src=x>":');
    gh.push(branch, { [path]: wf }, 'initial');
    await trigger('check_run.requested_action.fix-hostile.json');
    const [p] = gh.pulls;
    expect(p.base).toBe(branch);
    expect(p.title).toBe('Pipeline Guard: fix expression-injection (Attacker-controlled ${{ }} expanded into a script)');
    // Outside code spans (where GitHub renders nothing and mentions no one), every @ is followed by a
    // zero-width joiner and no tag or Markdown link survives.
    const prose = (t: string) => t.replace(/`[^`\n]*`/g, '');
    expect(prose(p.body)).not.toMatch(new RegExp(`@(?!${ZWJ})`));
    expect(prose(p.body)).not.toMatch(/<img|<b>/);
    expect(p.body).not.toContain('](javascript:');
    expect(p.body).toContain(`Job "@${ZWJ}acme-ml/admins&lt;img src=x&gt;" step 1`);
    expect(p.body).toContain('on `ml/<img/src=x/onerror=alert(1)>@acme-ml/admins_(x)!` at');
    // The link to the line is built from trusted parts with the path percent-encoded.
    expect(p.body).toContain('/blob/');
    expect(p.body).toContain('/.github/workflows/%40acme-ml%20admins%20%3Cb%3E%5Bx%5D%28javascript%3Aalert%281%29%29%3Cb%3E.yml#L10)');
    expect(prose(gh.checkRun.text!)).not.toMatch(new RegExp(`@(?!${ZWJ})`));
    expect(prose(gh.checkRun.text!)).not.toContain('<img');
    expect(gh.checkRun.text).toContain('Requested on `ml/<img/src=x/onerror=alert(1)>@acme-ml/admins_(x)!`');
  });
});

describe('weekly sweep: fixRepository', () => {
  test('autofix off (the default): no write at all; autofix: pr: the PRs are opened, no check run touched', async () => {
    gh.push('main', { [EVAL_PATH]: EVAL }, 'initial');
    h = await fixProbot(gh);
    const octokit = (await h.probot.auth(1)) as unknown as Octokit;
    const deps = { collect: fakeRepoCollector(gh, h.collected) };
    const off = await fixRepository(octokit, { owner: OWNER, repo: REPO, botLogin: BOT }, deps, { trigger: 'sweep' });
    expect(off).toMatchObject({ results: [], skipped: 'the policy does not say autofix: pr' });
    expect(h.sent.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(h.collected).toEqual([]);

    gh.policy = 'autofix: pr\n';
    const from = h.sent.length;
    const on = await fixRepository(octokit, { owner: OWNER, repo: REPO, botLogin: BOT }, deps, { trigger: 'sweep' });
    expect(on.results).toEqual([{ kind: 'expression-injection', action: 'created', number: 41, url: 'https://github.com/acme-ml/trainer/pull/41', draft: false, findings: 1 }]);
    expect(flow(h.sent, from)).toEqual([
      'GET /repos/{owner}/{repo}',
      'GET /repos/{owner}/{repo}/git/ref/{ref}',
      // The repository's policy file, then the organisation's (for its locks).
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'POST /repos/{owner}/{repo}/git/refs',
      'POST /repos/{owner}/{repo}/pulls',
    ]);
  });
});

describe('failures and foreign branches', () => {
  test('a branch under our prefix that a person created (no PR, no commit of ours) is left alone; the other kinds go on', async () => {
    trainRepo();
    const theirs = gh.push('pipeline-guard/fix/excessive-permissions', { 'notes.txt': 'mine\n' }, 'scratch', 'Grace Hopper');
    const from = await trigger();
    expect(gh.head('pipeline-guard/fix/excessive-permissions')).toBe(theirs);
    expect(bodyOf(from, 'PATCH /repos/{owner}/{repo}/git/refs/{ref}')).toEqual([]);
    expect(gh.pulls.map((p) => p.head)).toEqual(['pipeline-guard/fix/expression-injection', 'pipeline-guard/fix/hardcoded-secret', 'pipeline-guard/fix/unpinned-action']);
    expect(gh.checkRun.text).toContain('- `excessive-permissions`: not updated: somebody else pushed to the branch: the branch has commits the app did not create');
  });

  test('GitHub refusing one write (no workflows permission) fails that kind only, and the check run says why', async () => {
    trainRepo();
    gh.refuse = (method, path) =>
      method === 'POST' && path === '/git/refs' && gh.refs.size > 1
        ? { status: 403, message: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/train.yml` without `workflows` permission' }
        : undefined;
    await trigger();
    expect(gh.pulls.map((p) => p.head)).toEqual(['pipeline-guard/fix/excessive-permissions']);
    expect(gh.checkRun.text).toContain('- `expression-injection`: failed: GitHub answered 403: refusing to allow a GitHub App to create or update workflow \\`.github/workflows/train.yml\\` without \\`workflows\\` permission');
    expect(gh.checkRun.text).toMatch(/- `hardcoded-secret`: failed: GitHub answered 403/);
    expect(gh.checkRun.text).toMatch(/- `unpinned-action`: failed: GitHub answered 403/);
  });

  test('the collector failing: nothing written but the check-run text, which says why', async () => {
    gh.push('main', { [TRAIN_PATH]: TRAIN }, 'initial');
    h = await fixProbot(gh, { collect: () => Promise.reject(new Error('GraphQL said no')) });
    const from = await trigger();
    expect(writes(from)).toEqual(['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}']);
    expect(gh.checkRun.text).toContain('Nothing was opened: the fix run failed: GraphQL said no.');
  });

  test('a check run of another app: no request at all', async () => {
    h = await fixProbot(gh, { appId: 12345 });
    await trigger();
    expect(h.sent).toEqual([]);
  });
});

/** The App permission each route of the fix flow needs (github-api.md §2: ref writes touching workflows need `workflows`). */
const ROUTE_PERMISSIONS: Record<string, [string, 'read' | 'write'][]> = {
  'GET /repos/{owner}/{repo}': [['metadata', 'read']],
  'GET /repos/{owner}/{repo}/contents/{path}': [['contents', 'read']],
  'GET /repos/{owner}/{repo}/git/ref/{ref}': [['contents', 'read']],
  'GET /repos/{owner}/{repo}/git/matching-refs/{ref}': [['contents', 'read']],
  'GET /repos/{owner}/{repo}/git/commits/{commit_sha}': [['contents', 'read']],
  'POST /repos/{owner}/{repo}/git/trees': [['contents', 'write']],
  'POST /repos/{owner}/{repo}/git/commits': [['contents', 'write']],
  'POST /repos/{owner}/{repo}/git/refs': [['contents', 'write'], ['workflows', 'write']],
  'PATCH /repos/{owner}/{repo}/git/refs/{ref}': [['contents', 'write'], ['workflows', 'write']],
  'GET /repos/{owner}/{repo}/pulls': [['pull_requests', 'read']],
  'POST /repos/{owner}/{repo}/pulls': [['pull_requests', 'write']],
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': [['pull_requests', 'write']],
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': [['pull_requests', 'read']],
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': [['pull_requests', 'write']],
  'GET /repos/{owner}/{repo}/check-runs/{check_run_id}': [['checks', 'read']],
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': [['checks', 'write']],
};

test('(runs last) every route the fix flows above called is granted by app.yml', () => {
  const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as { default_permissions: Record<string, string> };
  const rank: Record<string, number> = { read: 1, write: 2 };
  expect(seenRoutes.size).toBeGreaterThan(10);
  for (const route of seenRoutes) {
    const needs = ROUTE_PERMISSIONS[route];
    expect(needs, `${route} has no entry`).toBeDefined();
    for (const [perm, level] of needs) expect(rank[manifest.default_permissions[perm]] ?? 0, `${route} needs ${perm}: ${level}`).toBeGreaterThanOrEqual(rank[level]);
  }
});
