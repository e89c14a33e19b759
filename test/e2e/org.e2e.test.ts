/**
 * The whole app against the stateful GitHub simulator (src/sim), through its normal base URL, as an
 * organisation sees it: install → sweep → weekly posture issue → `/pipeline-guard sweep` by an owner →
 * a settings change → a check run, with settings enforcement on. Real collector, sweep, checks, renderer and publisher; every request
 * the app sends is checked against GitHub's REST description (and GraphQL against its schema by the
 * simulator, which refuses invalid documents). Prints the requests by route. Run with `npm run e2e`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Probot } from 'probot';
import { simProbotOctokit } from './sim-octokit.js';
import { createApp, type AppJob } from '../../src/app/index.js';
import type { SweepScheduler } from '../../src/app/schedule.js';
import { collectRepoSnapshot } from '../../src/collect/github.js';
import { publishWeeklyIssue } from '../../src/publish/weekly-issue.js';
import { InProcessQueue } from '../../src/queue/index.js';
import { parseCommand } from '../../src/report/commands.js';
import { CHECK_RUN_NAME } from '../../src/report/check-run.js';
import { parseWeeklyState, renderWeeklyIssue, WeeklyAccumulator } from '../../src/report/weekly.js';
import { sweepOrganization } from '../../src/sweep/sweep.js';
import { GitHubSimulator, generateOrg, installationCreatedEvent, issueCommentCreatedEvent, rulesetEditedEvent, type SimRepo, type WebhookEvent } from '../../src/sim/index.js';

const NOW = new Date('2026-11-27T12:00:00Z'); // ISO week 2026-W48
const ORG_POLICY = 'sweep:\n  issue_repo: .github\ncheck_run:\n  fail_on: critical\nenforce:\n  checks: [default-token-write]\n';

let sim: GitHubSimulator;
let probot: Probot;
let queue: InProcessQueue<AppJob>;
const violations: string[] = [];
const scheduled: string[] = [];
let generated: ReturnType<typeof generateOrg>;

async function receive(event: WebhookEvent): Promise<void> {
  await probot.receive({ id: event.id, name: event.name, payload: event.payload } as unknown as Parameters<Probot['receive']>[0]);
  await queue.whenIdle({ timeoutMs: 60_000 });
}

function postureIssues() {
  return (sim.repo(generated.org.login, '.github')?.issues ?? []).filter((i) => !i.pull && i.labels.includes('pipeline-guard'));
}

beforeAll(async () => {
  sim = new GitHubSimulator({ seed: 5, now: () => NOW.getTime() });
  await sim.start();
  generated = generateOrg(sim, { repos: 12, seed: 11, maxWorkflows: 4 });
  sim.addRepo(generated.org.login, '.github', { files: { '.github/pipeline-guard.yml': ORG_POLICY, 'profile/README.md': '# acme-ml\n' } });

  const Octokit = simProbotOctokit(sim.url, violations);
  probot = new Probot({ githubToken: 'ghs_e2eSimulatorToken', logLevel: 'fatal', Octokit });
  queue = new InProcessQueue<AppJob>('e2e-org', { attempts: 1, backoffMs: 0 });
  const scheduler: SweepScheduler = {
    schedule: async (id, org, cron) => void scheduled.push(`${id} ${org} ${cron}`),
    unschedule: async () => undefined,
    close: () => undefined,
  };
  await probot.load(
    createApp({
      appId: generated.installation.appId,
      now: () => NOW,
      collect: (octokit, target) => collectRepoSnapshot(octokit, target, { now: () => NOW }),
      queue,
      scheduler,
      sweeps: { sweep: sweepOrganization, newAccumulator: () => new WeeklyAccumulator(), render: renderWeeklyIssue, publish: publishWeeklyIssue, parseCommand },
    }),
  );
});

afterAll(async () => {
  const byRoute = Object.entries(sim.stats.requests).sort((a, b) => b[1] - a[1]);
  console.log('\nrequests to the simulator, by route');
  console.table(Object.fromEntries(byRoute.slice(0, 25)));
  await queue.close();
  await sim.stop();
});

describe('an organisation, end to end on the simulator', () => {
  test('install → one sweep of every repository → the weekly posture issue in the organisation\'s .github repository', async () => {
    // default-token-write flags a write default token, or Actions allowed to approve pull requests.
    const writeBefore = generated.repos.filter((r) => !r.archived && !r.fork && (r.actions.defaultWorkflowPermissions === 'write' || r.actions.canApprovePullRequestReviews)).map((r) => r.name);
    await receive(installationCreatedEvent(sim, generated.installation));
    const issues = postureIssues();
    expect(issues).toHaveLength(1);
    const issue = issues[0];
    expect(issue.state).toBe('open');
    expect(issue.title).toContain('2026-W48');
    const state = parseWeeklyState(issue.body);
    const audited = generated.repos.filter((r) => !r.archived && !r.fork);
    expect(Object.keys(state?.scores ?? {}).sort()).toEqual([...audited.map((r) => r.name), '.github'].sort());
    // Enforcement: every audited repository whose default token was write is now read, and the issue says so.
    const wasWrite = audited.filter((r) => r.actions.defaultWorkflowPermissions === 'read' && !r.actions.canApprovePullRequestReviews && writeBefore.includes(r.name));
    expect(wasWrite.length).toBe(writeBefore.length);
    expect(writeBefore.length).toBeGreaterThan(0);
    // One drift line per change, "org/repo: … by <bot> at <time>: before → after" (escaped Markdown).
    const driftLines = (issue.body ?? '').split('\n').filter((l) => l.includes('→') && l.includes(' by pipeline-guard'));
    for (const name of writeBefore) expect(driftLines.some((l) => l.includes(`${generated.org.login}/${name}: workflow token changed`))).toBe(true);
    expect(driftLines).toHaveLength(writeBefore.length);
    // The weekly schedule was registered from the organisation policy (default cron).
    expect(scheduled).toContain(`${generated.installation.id} ${generated.org.login} 0 6 * * 1`);
    expect(violations).toEqual([]);
    expect(sim.stats.unknownRoutes).toEqual([]);
  });

  test('/pipeline-guard sweep by an organisation owner sweeps again and updates the same issue; a member is refused', async () => {
    const repo = sim.repo(generated.org.login, '.github') as SimRepo;
    const issue = postureIssues()[0];
    const before = sim.stats.graphql;
    const comment = (id: number, user: string) => ({ id, body: '/pipeline-guard sweep', user, created_at: NOW.toISOString(), updated_at: NOW.toISOString() });
    const byMember = comment(9001, 'dev-1');
    issue.comments.push(byMember);
    await receive(issueCommentCreatedEvent(sim, repo, issue, byMember));
    expect(sim.stats.graphql).toBe(before); // no sweep for a member
    expect(issue.comments.some((c) => c.user !== 'dev-1' && /owner/i.test(c.body))).toBe(true);

    const byOwner = comment(9002, 'octo-admin');
    issue.comments.push(byOwner);
    await receive(issueCommentCreatedEvent(sim, repo, issue, byOwner));
    expect(sim.stats.graphql).toBeGreaterThan(before); // swept again
    expect(postureIssues()).toHaveLength(1); // updated in place, not a second issue
    expect(violations).toEqual([]);
  });

  test('a ruleset switched off → the default branch is re-audited → a check run names the unprotected branch', async () => {
    const target = generated.repos.find((r) => !r.archived && !r.fork && r.rulesets.some((s) => s.enforcement === 'active' && s.rules.some((x) => x.type === 'pull_request')) && r.protection.size === 0);
    expect(target, 'the generated org has a repository protected only by a ruleset').toBeDefined();
    const repo = target as SimRepo;
    const ruleset = repo.rulesets.find((s) => s.rules.some((x) => x.type === 'pull_request'))!;
    ruleset.enforcement = 'disabled';
    await receive(rulesetEditedEvent(sim, repo, ruleset, { enforcement: { from: 'active' } }));
    const runs = repo.checkRuns.filter((c) => c.name === CHECK_RUN_NAME);
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('completed');
    expect(runs[0].head_sha).toBe(sim.content(repo)?.refs.get(`refs/heads/${repo.defaultBranch}`));
    expect(runs[0].output.summary).toMatch(/\| `default-branch-unprotected` \| high \| 1 \|/);
    expect(violations).toEqual([]);
    expect(sim.stats.unknownRoutes).toEqual([]);
  });
});
