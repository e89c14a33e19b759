/**
 * Fix-up pull requests against the stateful simulator: the git data API for real (blobs, trees,
 * commits, refs with genuine SHA-1 ids), then the branch, the file content and the pull request are
 * read back from the simulator's state. A second run with nothing new writes nothing; once one fix is
 * on the default branch, the next run closes its PR with a note and rebuilds the other one on the new
 * base. Every request is checked against GitHub's REST description.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { simProbotOctokit } from './sim-octokit.js';
import { fixRepository } from '../../src/app/fix.js';
import type { Octokit } from '../../src/app/index.js';
import { collectRepoSnapshot } from '../../src/collect/github.js';
import { GitHubSimulator, type SimRepo } from '../../src/sim/index.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const WORKFLOW = `name: greet
on:
  issues:
    types: [opened]

jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      # Thank the reporter by title.
      - run: echo "Thanks for \${{ github.event.issue.title }}!"
`;

let sim: GitHubSimulator;
let octokit: Octokit;
let repo: SimRepo;
const violations: string[] = [];

beforeAll(async () => {
  sim = new GitHubSimulator({ now: () => NOW.getTime() });
  await sim.start();
  repo = sim.addRepo('acme-ml', 'bot', { files: { '.github/workflows/greet.yml': WORKFLOW } });
  const Octokit = simProbotOctokit(sim.url, violations);
  octokit = new Octokit({ auth: 'ghs_fixPrSimulatorToken' }) as unknown as Octokit;
});
afterAll(async () => {
  await sim.stop();
});

const deps = { collect: (o: Octokit, t: { owner: string; repo: string; ref?: string }) => collectRepoSnapshot(o, t, { now: () => NOW }) };
const fileOn = (branch: string, path: string): string | undefined => {
  const content = sim.content(repo);
  const commitSha = content?.refs.get(`refs/heads/${branch}`);
  const commit = commitSha ? content?.git.get(commitSha) : undefined;
  if (!content || commit?.type !== 'commit') return undefined;
  const entry = content.git.lookup(commit.tree, path);
  const blob = entry ? content.git.get(entry.sha) : undefined;
  return blob?.type === 'blob' ? blob.data.toString('utf8') : undefined;
};

describe('fix-up pull requests on the simulator', () => {
  test('Fix it: one branch, one commit and one PR per kind; the fixed file keeps everything else byte for byte', async () => {
    const result = await fixRepository(octokit, { owner: 'acme-ml', repo: 'bot' }, deps, { trigger: 'check-run' });
    const created = result.results.filter((r) => r.action === 'created').map((r) => r.kind).sort();
    expect(created).toEqual(['excessive-permissions', 'expression-injection']);
    const fixed = fileOn('pipeline-guard/fix/expression-injection', '.github/workflows/greet.yml');
    expect(fixed).toBeDefined();
    expect(fixed).toContain('      - run: echo "Thanks for ${GITHUB_EVENT_ISSUE_TITLE}!"\n');
    expect(fixed).toContain('          GITHUB_EVENT_ISSUE_TITLE: ${{ github.event.issue.title }}\n');
    // Outside the fixed step, the file is unchanged, comment included.
    expect(fixed?.startsWith(WORKFLOW.slice(0, WORKFLOW.indexOf('      - run:')))).toBe(true);
    const pulls = repo.issues.filter((i) => i.pull);
    expect(pulls.map((p) => p.pull?.head).sort()).toEqual(['pipeline-guard/fix/excessive-permissions', 'pipeline-guard/fix/expression-injection']);
    expect(pulls.every((p) => p.state === 'open' && p.pull?.base === 'main')).toBe(true);
    expect(violations).toEqual([]);
    expect(sim.stats.unknownRoutes).toEqual([]);
  });

  test('a second Fix it with nothing new writes nothing and opens no second PR', async () => {
    const before = repo.issues.length;
    const writes = () => Object.entries(sim.stats.requests).filter(([k]) => !k.startsWith('GET ') && k !== 'POST /graphql').reduce((n, [, c]) => n + c, 0);
    const w = writes();
    const result = await fixRepository(octokit, { owner: 'acme-ml', repo: 'bot' }, deps, { trigger: 'check-run' });
    expect(result.results.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(repo.issues.length).toBe(before);
    expect(writes()).toBe(w);
    expect(violations).toEqual([]);
  });

  test('once the injection fix is on main, its PR is closed with a note and the other PR is rebuilt on the new base', async () => {
    const content = sim.content(repo)!;
    const fixCommit = content.refs.get('refs/heads/pipeline-guard/fix/expression-injection')!;
    content.refs.set('refs/heads/main', fixCommit); // as if the PR had been merged (fast-forward)
    const result = await fixRepository(octokit, { owner: 'acme-ml', repo: 'bot' }, deps, { trigger: 'check-run' });
    const byKind = Object.fromEntries(result.results.map((r) => [r.kind, r.action]));
    expect(byKind).toEqual({ 'expression-injection': 'closed', 'excessive-permissions': 'updated' });
    const injection = repo.issues.find((i) => i.pull?.head === 'pipeline-guard/fix/expression-injection')!;
    expect(injection.state).toBe('closed');
    expect(injection.comments.length).toBeGreaterThan(0);
    // The permissions PR now carries both fixes' text: its branch is rebuilt on the new main.
    const perms = fileOn('pipeline-guard/fix/excessive-permissions', '.github/workflows/greet.yml');
    expect(perms).toContain('${GITHUB_EVENT_ISSUE_TITLE}');
    expect(perms).toMatch(/^permissions:\n  contents: read/m);
    expect(violations).toEqual([]);
  });
});
