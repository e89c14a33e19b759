/**
 * `pipeline-guard sweep OWNER`: arguments, the organisation policy read through the contract-checked
 * Octokit, the scoreboard (text, worst first) and JSON, exit codes, and `--publish`. The sweep engine
 * and the weekly publisher are fakes here (they have their own tests); what is tested is the command.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseSweepArgs, runSweep, SweepUsageError, type SweepArgs, type SweepCliDeps, type WeeklyPublishing } from '../src/cli/sweep.js';
import type { Finding, Severity } from '../src/model/types.js';
import { sweepPolicy, type Policy } from '../src/policy/config.js';
import type { SweepOptions, SweepResult, SweptRepo } from '../src/sweep/types.js';
import { contractOctokit, type Contract } from './helpers/github-contract.js';
import { API, useSimulatedGitHub } from './helpers/github-repo.js';

const ORG_POLICY = '/repos/acme/.github/contents/.github%2Fpipeline-guard.yml';
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

function finding(severity: Severity, checkId = 'unpinned-action'): Finding {
  return { checkId, severity, message: 'x', path: '.github/workflows/ci.yml', region: { line: 3, column: 1, endLine: 3, endColumn: 9 } };
}

function repo(name: string, findings: Finding[], notEvaluated: string[] = []): SweptRepo {
  return { owner: 'acme', name, url: `https://github.com/acme/${name}`, defaultBranch: 'main', headSha: 'b'.repeat(40), fork: false, findings, notEvaluated };
}

const STATS: SweepResult['stats'] = {
  repositories: 4, audited: 3, skippedArchived: 1, skippedForks: 0, failed: 0,
  restRequests: 7, graphqlRequests: 1, graphqlPoints: 3, notModified: 2, pausedMs: 0, durationMs: 1500,
};

/** A sweep that reports these repositories and records the policy it was given. */
function fakeSweep(repos: SweptRepo[], seen: { policy?: Policy; org?: string }, result: Partial<SweepResult> = {}): NonNullable<SweepCliDeps['sweep']> {
  return async (o: SweepOptions) => {
    seen.policy = o.policy;
    seen.org = o.org;
    for (const r of repos) await o.onRepo(r, { source: 'github', repo: { owner: 'acme', name: r.name, defaultBranch: 'main' }, files: [], warnings: [] });
    return { stats: STATS, failures: [], ...result };
  };
}

async function run(argv: string[], deps: SweepCliDeps, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runSweep(parseSweepArgs(argv), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTty: false, env }, deps);
  return { code, stdout, stderr };
}

const REPOS = [
  repo('clean', []),
  repo('trainer', [finding('critical', 'unsafe-pickle'), finding('high'), finding('low')]),
  repo('serving', [finding('medium')], ['settings: branch protection could not be read (403)']),
];

describe('parseSweepArgs', () => {
  it('reads OWNER and the options', () => {
    expect(parseSweepArgs(['acme', '--token', 't', '-f', 'json', '--min-severity', 'HIGH', '--publish', '--issue-repo', 'security'])).toEqual({
      command: 'sweep', owner: 'acme', token: 't', format: 'json', minSeverity: 'high', publish: true, issueRepo: 'security',
    } satisfies SweepArgs);
    expect(parseSweepArgs(['acme', '--format=text'])).toMatchObject({ owner: 'acme', format: 'text', minSeverity: 'low', publish: false });
    expect(parseSweepArgs(['--help'])).toEqual({ command: 'help' });
  });

  it.each([
    [[], /exactly one OWNER/],
    [['acme', 'other'], /exactly one OWNER/],
    [['acme/ml'], /not an organisation or user login/],
    [['acme', '--format', 'sarif'], /text or json/],
    [['acme', '--min-severity', 'urgent'], /--min-severity/],
    [['acme', '--issue-repo', 'security'], /needs --publish/],
    [['acme', '--publish', '--issue-repo', '../x y'], /repository name/],
    [['acme', '--token'], /needs a value/],
    [['acme', '--publish=yes'], /takes no value/],
    [['acme', '--fix'], /unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSweepArgs(argv)).toThrow(SweepUsageError);
    expect(() => parseSweepArgs(argv)).toThrow(message);
  });
});

describe('pipeline-guard sweep', () => {
  it('text: the organisation policy is read and passed to the sweep; scoreboard worst first; exit 1 on findings', async () => {
    nock(API).get(ORG_POLICY).reply(200, 'sweep:\n  forks: true\n', RAW);
    const seen: { policy?: Policy; org?: string } = {};
    const r = await run(['acme'], { octokit: contract.octokit, sweep: fakeSweep(REPOS, seen) });
    expect(r.code).toBe(1);
    expect(seen.org).toBe('acme');
    expect(sweepPolicy(seen.policy as Policy).forks).toBe(true);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Pipeline Guard sweep of acme: 3 of 4 repositories audited (1 archived and 0 forks skipped)');
    // Scores: trainer 100 - 25 - 10 - 1 = 64 (D), serving 97 (A), clean 100 (A); mean 87 (B), as the weekly issue counts it
    // (serving has a not-evaluated reason but also a finding, so it counts).
    expect(lines[1]).toBe('Organisation score 87 (B); worst first:');
    const table = lines.filter((l) => / acme\//.test(l));
    expect(table.map((l) => l.trim().split(/\s+/))).toEqual([
      ['64', 'D', '1', '1', '0', '1', '0', 'acme/trainer'],
      ['97', 'A', '0', '0', '1', '0', '1', 'acme/serving'],
      ['100', 'A', '0', '0', '0', '0', '0', 'acme/clean'],
    ]);
    expect(r.stdout).toContain('4 findings at or above low in 2 repositories.');
    expect(r.stdout).toContain('Requests: 7 REST (2 not modified), 1 GraphQL (3 points); 1.5 s.');
    expect(r.stderr).toBe('');
  });

  it('json: per repository score, grade, counts and the stats; --min-severity decides the exit code', async () => {
    nock(API).get(ORG_POLICY).reply(404, notFound);
    const r = await run(['acme', '--format', 'json', '--min-severity', 'critical'], { octokit: contract.octokit, sweep: fakeSweep(REPOS, {}) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { owner: string; repositories: { name: string; score: number; grade: string; counts: Record<string, number>; shown: number; notEvaluated: number }[]; stats: unknown };
    expect(report.owner).toBe('acme');
    expect(report.repositories.map((x) => [x.name, x.score, x.grade, x.shown])).toEqual([['trainer', 64, 'D', 1], ['serving', 97, 'A', 0], ['clean', 100, 'A', 0]]);
    expect(report.repositories[0].counts).toEqual({ critical: 1, high: 1, medium: 0, low: 1, info: 0 });
    expect(report.repositories[1].notEvaluated).toBe(1);
    expect(report.stats).toEqual(STATS);

    nock(API).get(ORG_POLICY).reply(404, notFound);
    const clean = await run(['acme', '--format', 'json'], { octokit: contract.octokit, sweep: fakeSweep([repo('clean', [])], {}) });
    expect(clean.code).toBe(0);
  });

  it('a repository the sweep could not audit makes the run fail (exit 2) and is named on stderr', async () => {
    nock(API).get(ORG_POLICY).reply(404, notFound);
    const r = await run(['acme'], {
      octokit: contract.octokit,
      sweep: fakeSweep([repo('clean', [])], {}, { stats: { ...STATS, failed: 1 }, failures: [{ repo: 'acme/broken', reason: 'GitHub answered 502\u001b[31m' }] }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pipeline-guard: could not audit acme/broken: GitHub answered 502 [31m\n'); // control characters neutralised
  });

  it('--config FILE replaces the organisation policy (no request for it); an invalid one is a clear error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-sweep-'));
    const good = path.join(dir, 'good.yml');
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(good, 'sweep:\n  issue_repo: security\n');
    writeFileSync(bad, 'checks:\n  no-such-check: off\n');
    const seen: { policy?: Policy } = {};
    const r = await run(['acme', '--config', good], { octokit: contract.octokit, sweep: fakeSweep([], seen) });
    expect(r.code).toBe(0);
    expect(sweepPolicy(seen.policy as Policy).issueRepo).toBe('security');
    expect(contract.sent).toEqual([]);
    const e = await run(['acme', '--config', bad], { octokit: contract.octokit, sweep: fakeSweep([], {}) });
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/no-such-check/);
  });

  it('--publish: the weekly issue of the ISO week, in the policy issue repository unless --issue-repo says otherwise', async () => {
    const published: { org: string; issueRepo: string; week: string; repos: string[] }[] = [];
    const publishing: WeeklyPublishing = {
      newAccumulator: () => {
        const names: string[] = [];
        return { add: (r) => void names.push(r.name), input: (meta) => ({ org: meta.org, week: meta.week, repos: names.map((n) => ({ name: n, url: `https://github.com/acme/${n}`, findings: [] })) }) };
      },
      render: (input) => ({ title: input.week, body: input.repos.map((x) => x.name).join(','), state: { week: input.week, scores: {}, history: [] } }),
      isoWeek: () => '2026-W48',
      publish: async (_o, opts) => {
        const issue = opts.render({});
        published.push({ org: opts.org, issueRepo: opts.issueRepo, week: opts.week, repos: issue.body.split(',') });
        return { number: 3, url: `https://github.com/acme/${opts.issueRepo}/issues/3`, action: 'created', closedPrevious: 2 };
      },
    };
    nock(API).get(ORG_POLICY).times(2).reply(200, 'sweep:\n  issue_repo: security\n', RAW);
    const r = await run(['acme', '--publish'], { octokit: contract.octokit, sweep: fakeSweep(REPOS, {}), publishing });
    expect(published).toEqual([{ org: 'acme', issueRepo: 'security', week: '2026-W48', repos: ['clean', 'trainer', 'serving'] }]);
    expect(r.stdout).toContain('Weekly issue created: https://github.com/acme/security/issues/3 (closed #2)');
    await run(['acme', '--publish', '--issue-repo', 'posture'], { octokit: contract.octokit, sweep: fakeSweep(REPOS, {}), publishing });
    expect(published[1].issueRepo).toBe('posture');

    // A publication failure is an error, after the sweep.
    nock(API).get(ORG_POLICY).reply(404, notFound);
    const failing = await run(['acme', '--publish'], { octokit: contract.octokit, sweep: fakeSweep(REPOS, {}), publishing: { ...publishing, publish: () => Promise.reject(new Error('issues are disabled in acme/.github')) } });
    expect(failing.code).toBe(2);
    expect(failing.stderr).toBe('pipeline-guard: sweep of acme failed: issues are disabled in acme/.github\n');
  });

  it('without a token: exit 2 and what to do; with one, GITHUB_API_URL selects the server', async () => {
    const none = await run(['acme'], { sweep: fakeSweep([], {}) });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs a token: set GITHUB_TOKEN/);

    let auth: string | undefined;
    nock('https://ghe.example.com')
      .get('/api/v3/repos/acme/.github/contents/.github%2Fpipeline-guard.yml')
      .reply(function () {
        auth = String(this.req.headers.authorization);
        return [404, notFound];
      });
    const r = await run(['acme'], { sweep: fakeSweep([], {}) }, { GITHUB_TOKEN: 'ghp_fromTheEnvironment', GITHUB_API_URL: 'https://ghe.example.com/api/v3/' });
    expect(r.code).toBe(0);
    expect(auth).toBe('token ghp_fromTheEnvironment');
  });

  it('--help prints the usage', async () => {
    const r = await run(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pipeline-guard sweep OWNER/);
  });
});
