/** `pipeline-guard audit OWNER/REPO`: the GitHub collector and every check, settings included. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { audit } from '../src/cli/audit.js';
import { parseArgs, type AuditArgs } from '../src/cli/args.js';
import { contractOctokit, type Contract } from './helpers/github-contract.js';
import { API, mockScenario, readJson, repoFiles, useSimulatedGitHub, type RestFixture, type Scenario } from './helpers/github-repo.js';
import { runCli } from './helpers/cli.js';

const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };

function mockPolicies(base: string, files: { org?: string; repo?: string }): void {
  const scope = nock(base);
  const reply = (p: string, text: string | undefined) =>
    text === undefined ? scope.get(p).reply(404, notFound) : scope.get(p).reply(200, text, { 'content-type': 'text/plain; charset=utf-8' });
  reply('/repos/acme/.github/contents/.github%2Fpipeline-guard.yml', files.org);
  reply('/repos/acme/ml/contents/.github%2Fpipeline-guard.yml', files.repo);
}

async function runAudit(argv: string[], octokit?: Contract['octokit']) {
  let stdout = '';
  let stderr = '';
  const code = await audit(parseArgs(argv) as AuditArgs, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTty: false, env: {} }, { octokit });
  return { code, stdout, stderr };
}

interface JsonReport {
  targets: { target: string; findings: { checkId: string; severity: string; path: string; message: string; region?: { line: number } }[]; notEvaluated: { checkId: string }[] }[];
}

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

const scenario = (): Scenario => ({
  graphql: readJson<Scenario['graphql']>('protected-public.graphql.json'),
  rest: readJson<RestFixture[]>('protected-public.rest.json'),
  files: repoFiles(),
});

describe('pipeline-guard audit', () => {
  it('runs file and settings checks on a live repository, every request valid against the REST and GraphQL descriptions', async () => {
    mockPolicies(API, {});
    mockScenario(scenario());
    const r = await runAudit(['audit', 'acme/ml', '-f', 'json', '--min-severity', 'info'], contract.octokit);
    const report = JSON.parse(r.stdout) as JsonReport;
    const t = report.targets[0];
    expect(t.target).toBe('acme/ml');
    // The pickle blob was fetched and walked; the unpinned checkout in the workflow is reported at its line.
    expect(t.findings.find((f) => f.checkId === 'unsafe-pickle')).toMatchObject({ severity: 'critical', path: 'models/clf.pkl' });
    expect(t.findings.filter((f) => f.checkId === 'unpinned-action').map((f) => `${f.path}:${f.region?.line}`)).toEqual([
      '.github/actions/setup/action.yml:6',
      '.github/workflows/ci.yml:9',
    ]);
    // The settings checks ran on real settings: the only gap in this protected repository is the GitHub App
    // that may bypass the organisation ruleset at any time.
    const settingsChecks = ['default-branch-unprotected', 'branch-protection-weak', 'default-token-write', 'fork-pr-approval-weak', 'secret-scanning-disabled'];
    expect(t.findings.filter((f) => settingsChecks.includes(f.checkId)).map((f) => `${f.checkId} ${f.severity} ${f.message}`)).toEqual([
      'branch-protection-weak medium Ruleset "protect default" on "main" lets GitHub App 777 bypass its rules at any time.',
    ]);
    expect(t.notEvaluated.filter((n) => settingsChecks.includes(n.checkId))).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('applies the organisation policy with its locks, and reports a refused repository override', async () => {
    mockPolicies(API, { org: 'checks:\n  unsafe-pickle: high\nlock: [unsafe-pickle]\n', repo: 'checks:\n  unsafe-pickle: off\n  unpinned-action: off\n' });
    mockScenario(scenario());
    const r = await runAudit(['audit', 'acme/ml', '-f', 'json'], contract.octokit);
    const t = (JSON.parse(r.stdout) as JsonReport).targets[0];
    expect(t.findings.find((f) => f.checkId === 'unsafe-pickle')?.severity).toBe('high');
    expect(t.findings.some((f) => f.checkId === 'unpinned-action')).toBe(false);
    expect(r.stderr).toContain('"unsafe-pickle: off" is ignored: the organisation policy locks unsafe-pickle');
  });

  it('a repository that does not exist is one clear error line, exit 2', async () => {
    mockPolicies(API, {});
    nock(API).post('/graphql').reply(200, { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: ['repository'], message: "Could not resolve to a Repository with the name 'acme/ml'." }] });
    const r = await runCli(['audit', 'acme/ml'], { env: { GITHUB_TOKEN: 'ghs_test', GITHUB_API_URL: API } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot audit acme\/ml/);
  });

  it('talks to GITHUB_API_URL (Enterprise Server) and records requests without the token', async () => {
    const base = 'https://ghe.example.test/api/v3';
    const record = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rec-')), 'requests.jsonl');
    nock('https://ghe.example.test')
      .get('/api/v3/repos/acme/.github/contents/.github%2Fpipeline-guard.yml').reply(404, notFound)
      .get('/api/v3/repos/acme/ml/contents/.github%2Fpipeline-guard.yml').reply(404, notFound)
      .post('/api/graphql').reply(200, { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: ['repository'], message: 'Could not resolve to a Repository' }] });
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const r = await runCli(['audit', 'acme/ml'], { env: { GITHUB_TOKEN: token, GITHUB_API_URL: base, PIPELINE_GUARD_RECORD: record } });
    expect(r.code).toBe(2);
    const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; route: string; url: string });
    expect(lines.map((l) => `${l.method} ${l.url}`)).toEqual(
      expect.arrayContaining([
        'GET https://ghe.example.test/api/v3/repos/acme/ml/contents/.github%2Fpipeline-guard.yml',
        'POST https://ghe.example.test/api/graphql',
      ]),
    );
    expect(readFileSync(record, 'utf8')).not.toContain(token);
  });

  it('refuses to run without a token', async () => {
    const r = await runCli(['audit', 'acme/ml'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/audit needs a token: set GITHUB_TOKEN/);
  });

  it('validates OWNER/REPO', async () => {
    for (const bad of [['audit'], ['audit', 'acme'], ['audit', 'a/b/c'], ['audit', 'a/b', 'c/d']]) {
      const r = await runCli(bad, { env: { GITHUB_TOKEN: 'x' } });
      expect(r.code, bad.join(' ')).toBe(2);
    }
  });
});

describe('GitHub Enterprise Server endpoints', () => {
  it('GITHUB_GRAPHQL_URL is where GraphQL goes (a client default, never a query variable)', async () => {
    const { makeOctokit } = await import('../src/cli/audit.js');
    const octokit = await makeOctokit('ghs_enterpriseToken0000000000000000000000', {
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      GITHUB_GRAPHQL_URL: 'https://ghe.example.com/api/graphql',
    });
    let sentVariables: unknown;
    const scope = nock('https://ghe.example.com')
      .post('/api/graphql', (b: { variables?: unknown }) => (sentVariables = b.variables) !== undefined)
      .reply(200, { data: { repository: { name: 'ml' } } });
    const data = await octokit.graphql<{ repository: { name: string } }>('query($o: String!, $n: String!) { repository(owner: $o, name: $n) { name } }', { o: 'acme', n: 'ml' });
    expect(data.repository.name).toBe('ml');
    expect(sentVariables).toEqual({ o: 'acme', n: 'ml' });
    expect(scope.isDone()).toBe(true);
  });
});
