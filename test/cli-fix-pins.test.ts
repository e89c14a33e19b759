/**
 * `scan --fix` and the unpinned-action fix: refs resolved through GitHub when a token is given (every
 * request checked against the REST description), skipped with one note without one; the token never
 * reaches the output.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { contractOctokit, type Contract } from './helpers/github-contract.js';
import { makeRepo, runCli } from './helpers/cli.js';
import { API, replyChecked, useSimulatedGitHub } from './helpers/github-repo.js';

const WF = '.github/workflows/ci.yml';
const SHA = '8e8c483db84b4bee98b60c0593521ed34d9990e8';
const TEXT = `on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6.0.1
        with:
          persist-credentials: false
      - uses: actions/checkout@v6.0.1
      - run: echo "\${{ github.event.head_commit.message }}"
`;
const TOKEN = 'ghp_pinTestToken0123456789abcdefghijklmno';
const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/refs#get-a-reference' };

function mockCheckout(base = API, prefix = ''): void {
  const ref = {
    ref: 'refs/tags/v6.0.1',
    node_id: 'REF_1',
    url: `${API}/repos/actions/checkout/git/refs/tags/v6.0.1`,
    object: { type: 'commit', sha: SHA, url: `${API}/repos/actions/checkout/git/commits/${SHA}` },
  };
  nock(base)
    .get(`${prefix}/repos/actions/checkout/git/matching-refs/tags%2Fv6.0.1`)
    .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref}', 200, [ref]) as nock.Body)
    .get(`${prefix}/repos/actions/checkout/git/ref/heads%2Fv6.0.1`)
    .reply(404, replyChecked('GET', '/repos/{owner}/{repo}/git/ref/{ref}', 404, notFound) as nock.Body);
}

async function run(argv: string[], octokit?: Contract['octokit'], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTty: false, env }, { octokit });
  return { code, stdout, stderr };
}

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit(TOKEN);
});

describe('scan --fix with action pinning', () => {
  it('resolves each distinct ref once and pins every use of it', async () => {
    mockCheckout();
    const root = makeRepo({ [WF]: TEXT });
    const r = await run(['scan', root, '--fix=unpinned-action', '--format', 'json'], contract.octokit);
    const fixed = readFileSync(path.join(root, WF), 'utf8');
    expect(fixed).toBe(TEXT.replaceAll('actions/checkout@v6.0.1', `actions/checkout@${SHA} # v6.0.1`));
    expect(r.stderr).toContain(`fixed ${WF} (unpinned-action x2)`);
    expect(contract.sent.map((s) => s.route)).toEqual(['/repos/{owner}/{repo}/git/matching-refs/{ref}', '/repos/{owner}/{repo}/git/ref/{ref}']);
    const remaining = (JSON.parse(r.stdout) as { targets: { findings: { checkId: string }[] }[] }).targets[0].findings.map((f) => f.checkId);
    expect(remaining).not.toContain('unpinned-action');
  });

  it('uses GITHUB_TOKEN against GITHUB_API_URL, and the token appears nowhere in the output', async () => {
    mockCheckout('https://ghe.example.test', '/api/v3');
    const root = makeRepo({ [WF]: TEXT });
    const r = await run(['scan', root, '--fix', '--dry-run'], undefined, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: 'https://ghe.example.test/api/v3' });
    expect(r.stdout).toContain(`+      - uses: actions/checkout@${SHA} # v6.0.1`);
    expect(r.stdout).toContain('+      - run: echo "${GITHUB_EVENT_HEAD_COMMIT_MESSAGE}"');
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    expect(readFileSync(path.join(root, WF), 'utf8')).toBe(TEXT);
  });

  it('--token on the command line is used and never printed, even when GitHub refuses it', async () => {
    nock(API)
      .get('/repos/actions/checkout/git/matching-refs/tags%2Fv6.0.1')
      .reply(401, replyChecked('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref}', 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }) as nock.Body);
    const root = makeRepo({ [WF]: TEXT });
    const r = await runCli(['scan', root, '--fix=unpinned-action', '--token', TOKEN], { env: { GITHUB_API_URL: API } });
    expect(r.stderr).toMatch(/actions\/checkout@v6\.0\.1 not pinned: actions\/checkout@v6\.0\.1: tags of actions\/checkout: HTTP 401 Bad credentials/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    expect(readFileSync(path.join(root, WF), 'utf8')).toBe(TEXT);
  });

  it('without a token the pin fix is skipped with one note, and the other fixes still apply', async () => {
    const root = makeRepo({ [WF]: TEXT, 'other/.github/workflows/x.yml': TEXT });
    const r = await runCli(['scan', root, path.join(root, 'other'), '--fix']);
    expect(r.stderr.match(/pinning needs a GitHub token/g)).toHaveLength(1);
    expect(r.stderr).toContain('note: unpinned-action not fixed: pinning needs a GitHub token (--token or GITHUB_TOKEN)');
    const fixed = readFileSync(path.join(root, WF), 'utf8');
    expect(fixed).toContain('actions/checkout@v6.0.1\n');
    expect(fixed).toContain('run: echo "${GITHUB_EVENT_HEAD_COMMIT_MESSAGE}"');
  });

  it('--token belongs to scan --fix and audit only', async () => {
    const r = await runCli(['scan', '.', '--token', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--token is an option of audit and scan --fix/);
  });
});
