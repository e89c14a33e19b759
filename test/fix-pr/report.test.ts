/** report/fix-pr (pure): the marker, branch names, commit message and body limits; publish/fix-pr planKind. */
import { describe, expect, test } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { Finding } from '../../src/model/types.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { planKind } from '../../src/publish/fix-pr.js';
import { fixBranch, fixCommitMessage, fixMarker, fixPrBody, fixResultsText, MAX_PR_BODY, parseFixMarker, type FixPrContent } from '../../src/report/fix-pr.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

function finding(line: number, message = 'bad', path = '.github/workflows/w.yml'): Finding {
  return { checkId: 'expression-injection', severity: 'high', message, path, region: { line, column: 1, endLine: line, endColumn: 5 } };
}

function content(extra: Partial<FixPrContent> = {}): FixPrContent {
  return {
    kind: 'expression-injection',
    checkTitle: 'Attacker-controlled ${{ }} expanded into a script',
    fixed: [finding(3)],
    files: [{ path: '.github/workflows/w.yml' }],
    followUps: [],
    notes: [],
    rejected: [],
    draft: false,
    fingerprint: 'f'.repeat(32),
    filesHash: 'e'.repeat(32),
    ...extra,
  };
}

describe('marker', () => {
  test('round trip, and the closed flag', () => {
    const m = { v: 1 as const, kind: 'hardcoded-secret', fp: '0123456789abcdef', files: 'abcdef0123456789', commit: SHA_A, base: SHA_B };
    expect(parseFixMarker(`text\n\n${fixMarker(m)}`)).toEqual(m);
    expect(parseFixMarker(fixMarker({ ...m, closed: 'resolved' }))?.closed).toBe('resolved');
  });

  test.each([
    ['no marker', 'just a body'],
    ['not JSON', '<!-- pipeline-guard:fix {nope} -->'],
    ['unterminated', '<!-- pipeline-guard:fix {"v":1}'],
    ['a kind that is not a check id', `<!-- pipeline-guard:fix {"v":1,"kind":"../main","fp":"0123456789abcdef","files":"0123456789abcdef","commit":"${SHA_A}","base":"${SHA_B}"} -->`],
    ['a short commit', `<!-- pipeline-guard:fix {"v":1,"kind":"x","fp":"0123456789abcdef","files":"0123456789abcdef","commit":"abc","base":"${SHA_B}"} -->`],
    ['another version', `<!-- pipeline-guard:fix {"v":2,"kind":"x","fp":"0123456789abcdef","files":"0123456789abcdef","commit":"${SHA_A}","base":"${SHA_B}"} -->`],
  ])('%s → undefined', (_name, body) => {
    expect(parseFixMarker(body)).toBeUndefined();
  });
});

test('branch names: only pipeline-guard/fix/<check id>', () => {
  expect(fixBranch('unpinned-action')).toBe('pipeline-guard/fix/unpinned-action');
  for (const bad of ['', '../main', 'a/b', 'Main', 'x y', '-x']) expect(() => fixBranch(bad)).toThrow(/not a fix kind/);
});

test('commit message: paths and lines only, no finding text, no mention or issue reference', () => {
  const msg = fixCommitMessage({ kind: 'expression-injection', fixed: [finding(3, 'fixes #12 @octocat', '.github/workflows/@team#1.yml')] });
  expect(msg).toBe('Pipeline Guard: fix expression-injection (1 finding)\n\n- .github/workflows/_team_1.yml:3\n\nPipeline-Guard-Fix: expression-injection');
});

describe('body', () => {
  test('without a repository URL there are no links; follow-ups are a checklist and make a draft note', () => {
    const body = fixPrBody(content({ followUps: ['create the secret'], draft: true }), { defaultBranch: 'main', baseSha: SHA_B, commit: SHA_A });
    expect(body).not.toContain('](');
    expect(body).toContain('- .github/workflows/w.yml:3 (high): bad');
    expect(body).toContain('### Before merging\n\n- [ ] create the secret');
    expect(body).toContain('**Draft:');
  });

  test('an enormous body is cut below GitHub limit and still ends with the marker', () => {
    const many = Array.from({ length: 3000 }, (_, i) => finding(i + 1, 'x'.repeat(400)));
    const body = fixPrBody(content({ fixed: many }), { defaultBranch: 'main', baseSha: SHA_B, commit: SHA_A, repoUrl: 'https://github.com/acme/ml' });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(MAX_PR_BODY);
    expect(body).toContain('truncated');
    expect(parseFixMarker(body)).toMatchObject({ commit: SHA_A, base: SHA_B });
  });

  test('a repository URL that is not plain https is not linked', () => {
    const body = fixPrBody(content(), { defaultBranch: 'main', baseSha: SHA_B, commit: SHA_A, repoUrl: 'javascript:alert(1)//' });
    expect(body).not.toContain('javascript:');
  });
});

test('check-run text: nothing to do says why; a URL with a parenthesis is not linked', () => {
  expect(fixResultsText([], { defaultBranch: 'main', why: 'the repository is empty' })).toContain('Nothing was opened: the repository is empty.');
  const text = fixResultsText([{ kind: 'x', action: 'created', number: 4, url: 'https://evil.example/a)b' }], { defaultBranch: 'main' });
  expect(text).toContain('- `x` #4: opened');
});

test('planKind keeps a UTF-8 byte-order mark the decoder dropped, and writes nothing for a kind without findings', () => {
  const text = 'on: pull_request\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.head_ref }}"\n';
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
  const snapshot = { source: 'github' as const, files: [{ path: '.github/workflows/a.yml', size: bytes.length, bytes }], warnings: [] };
  const findings = scanSnapshot(snapshot, ALL_CHECKS, emptyPolicy()).findings;
  const plan = planKind(snapshot, findings, emptyPolicy(), 'expression-injection');
  expect(plan.writes).toHaveLength(1);
  expect(plan.writes[0].content.startsWith('\ufeffon: pull_request\n')).toBe(true);
  expect(plan.writes[0].content).toContain('      - run: echo "${GITHUB_HEAD_REF}"\n');
  expect(planKind(snapshot, findings, emptyPolicy(), 'hardcoded-secret')).toMatchObject({ remaining: 0, writes: [] });
});
