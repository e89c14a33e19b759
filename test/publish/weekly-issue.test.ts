/**
 * The weekly posture issue against a small stateful fake of GitHub's issues API (one repository):
 * every request checked against GitHub's OpenAPI description (contractOctokit), every reply against
 * the operation's response schema (replyChecked), and the exact request sequence asserted.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectGateDecisions, parseDecisionComment, parseIssueMarker } from '../../src/collect/weekly-issue.js';
import { publishWeeklyIssue, recordGateDecision, WeeklyIssueError, type PublishOptions } from '../../src/publish/weekly-issue.js';
import { renderWeeklyIssue, type GateDecision, type PreviousState, type WeeklyRepo } from '../../src/report/weekly.js';
import type { Finding } from '../../src/model/types.js';
import { contractOctokit, specExample, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';

const ORG = 'acme';
const REPO = '.github';
const APP_ID = 4242;
const BASE = `/repos/${ORG}/${REPO}`;

interface Author {
  login: string;
  type: 'Bot' | 'User';
  app?: number;
}
const BOT: Author = { login: 'pipeline-guard[bot]', type: 'Bot', app: APP_ID };
const HUMAN: Author = { login: 'octocat', type: 'User' };

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  author: Author;
}
interface Comment {
  id: number;
  issue: number;
  body: string;
  author: Author;
}

/** What GitHub would hold for one repository: labels, issues, comments. */
class FakeRepo {
  exists = true;
  hasIssues = true;
  canWrite = true;
  labels = new Set<string>();
  issues: Issue[] = [];
  comments: Comment[] = [];
  private nextComment = 900;
  private nextIssue = 1;
  unhandled: string[] = [];

  private user(a: Author): Record<string, unknown> {
    return { ...(specExample('issue').user as Record<string, unknown>), login: a.login, type: a.type };
  }
  private via(a: Author): unknown {
    return a.app === undefined ? null : { ...specExample('integration'), id: a.app };
  }
  issueJson(i: Issue): Record<string, unknown> {
    const ex = specExample('issue');
    const label = specExample('label');
    return {
      ...ex,
      id: 10_000 + i.number,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      // GitHub sends null for an open issue; the description's enum lacks null, so it is left out here.
      ...(i.state_reason ? { state_reason: i.state_reason } : {}),
      html_url: `https://github.com/${ORG}/${REPO}/issues/${i.number}`,
      user: this.user(i.author),
      labels: i.labels.map((name) => ({ ...label, name })),
      pull_request: undefined,
      performed_via_github_app: this.via(i.author),
      closed_at: i.state === 'closed' ? '2026-11-30T06:00:00Z' : null,
    };
  }
  commentJson(c: Comment): Record<string, unknown> {
    return { ...specExample('issue-comment'), id: c.id, body: c.body, user: this.user(c.author), performed_via_github_app: this.via(c.author) };
  }
  addIssue(i: Omit<Issue, 'number' | 'state' | 'state_reason'> & Partial<Issue>): Issue {
    const issue: Issue = { number: this.nextIssue++, state: 'open', state_reason: null, ...i };
    this.issues.push(issue);
    return issue;
  }
  addComment(issue: number, body: string, author: Author): Comment {
    const c = { id: this.nextComment++, issue, body, author };
    this.comments.push(c);
    return c;
  }

  handle(method: string, uri: string, body: Record<string, unknown>): [number, unknown] {
    const url = new URL(uri, API);
    const path = decodeURIComponent(url.pathname);
    const q = url.searchParams;
    const route = (m: string, template: string, status: number, reply: unknown): [number, unknown] => [status, replyChecked(m, template, status, reply)];
    const notFound = (template: string): [number, unknown] => route(method, template, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const forbidden = (template: string): [number, unknown] => route(method, template, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === BASE) {
      if (!this.exists) return notFound('/repos/{owner}/{repo}');
      const { source: _s, parent: _p, ...full } = specExample('full-repository-default-response');
      return route('GET', '/repos/{owner}/{repo}', 200, { ...full, language: 'Markdown', name: REPO, full_name: `${ORG}/${REPO}`, has_issues: this.hasIssues });
    }
    if (!this.exists) return notFound('/repos/{owner}/{repo}/issues');
    if (method === 'GET' && (m = /^\/repos\/acme\/\.github\/labels\/(.+)$/.exec(path))) {
      if (!this.labels.has(m[1])) return notFound('/repos/{owner}/{repo}/labels/{name}');
      return route('GET', '/repos/{owner}/{repo}/labels/{name}', 200, { ...specExample('label'), name: m[1] });
    }
    if (method === 'POST' && path === `${BASE}/labels`) {
      if (!this.canWrite) return forbidden('/repos/{owner}/{repo}/labels');
      this.labels.add(String(body.name));
      return route('POST', '/repos/{owner}/{repo}/labels', 201, { ...specExample('label'), name: body.name, color: body.color, description: body.description });
    }
    if (method === 'GET' && path === `${BASE}/issues`) {
      const label = q.get('labels');
      const state = q.get('state') ?? 'open';
      const page = Number(q.get('page') ?? 1);
      const per = Number(q.get('per_page') ?? 30);
      const list = this.issues
        .filter((i) => (state === 'all' || i.state === state) && (!label || i.labels.includes(label)))
        .sort((a, b) => b.number - a.number)
        .slice((page - 1) * per, page * per);
      return route('GET', '/repos/{owner}/{repo}/issues', 200, list.map((i) => this.issueJson(i)));
    }
    if (method === 'POST' && path === `${BASE}/issues`) {
      if (!this.canWrite) return forbidden('/repos/{owner}/{repo}/issues');
      const i = this.addIssue({ title: String(body.title), body: String(body.body), labels: (body.labels as string[]) ?? [], author: BOT });
      return route('POST', '/repos/{owner}/{repo}/issues', 201, this.issueJson(i));
    }
    if (method === 'PATCH' && (m = /^\/repos\/acme\/\.github\/issues\/(\d+)$/.exec(path))) {
      const i = this.issues.find((x) => x.number === Number(m?.[1]));
      if (!i) return notFound('/repos/{owner}/{repo}/issues/{issue_number}');
      if (body.title !== undefined) i.title = String(body.title);
      if (body.body !== undefined) i.body = String(body.body);
      if (body.state === 'closed') {
        i.state = 'closed';
        i.state_reason = String(body.state_reason ?? 'completed');
      }
      return route('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', 200, this.issueJson(i));
    }
    if ((m = /^\/repos\/acme\/\.github\/issues\/(\d+)\/comments$/.exec(path))) {
      const n = Number(m[1]);
      if (method === 'GET') {
        const page = Number(q.get('page') ?? 1);
        const per = Number(q.get('per_page') ?? 30);
        const list = this.comments.filter((c) => c.issue === n).slice((page - 1) * per, page * per);
        return route('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 200, list.map((c) => this.commentJson(c)));
      }
      if (method === 'POST') {
        if (!this.canWrite) return forbidden('/repos/{owner}/{repo}/issues/{issue_number}/comments');
        return route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 201, this.commentJson(this.addComment(n, String(body.body), BOT)));
      }
    }
    this.unhandled.push(`${method} ${path}`);
    return [501, { message: 'not simulated' }];
  }
}

let contract: Contract;
let gh: FakeRepo;
useSimulatedGitHub(() => [...contract.violations, ...gh.unhandled]);
beforeEach(() => {
  contract = contractOctokit();
  gh = new FakeRepo();
  const scope = nock(API).persist();
  for (const method of ['GET', 'POST', 'PATCH'] as const) {
    scope.intercept((p) => p.startsWith(`/repos/${ORG}/`), method).reply((uri, body) => gh.handle(method, uri, (body ?? {}) as Record<string, unknown>) as [number, nock.Body]);
  }
});
// Registered after useSimulatedGitHub, so it runs first: the simulator's routes are not expectations.
afterEach(() => {
  nock.cleanAll();
});

const calls = (): string[] => contract.sent.map((s) => `${s.method} ${s.route}`);

function f(severity: Finding['severity'], line = 7): Finding {
  return { checkId: 'excessive-permissions', severity, message: `a ${severity} problem`, path: '.github/workflows/ci.yml', region: { line, column: 1, endLine: line, endColumn: 2 } };
}
function repo(name: string, findings: Finding[]): WeeklyRepo {
  return { name, url: `https://github.com/${ORG}/${name}`, findings };
}

interface Seen {
  previous?: PreviousState;
  gateDecisions: GateDecision[];
}

/** A publish whose render is the real renderer; records what the publisher handed to render. */
function publish(week: string, repos: WeeklyRepo[], seen: Seen[] = []): Promise<Awaited<ReturnType<typeof publishWeeklyIssue>>> {
  const opts: PublishOptions = {
    org: ORG,
    issueRepo: REPO,
    week,
    appId: APP_ID,
    render: (prev) => {
      seen.push(prev);
      return renderWeeklyIssue({ org: ORG, week, repos, ...prev });
    },
  };
  return publishWeeklyIssue(contract.octokit, opts);
}

const W48 = [repo('alpha', [f('high')]), repo('bravo', [f('critical'), f('critical')])]; // 90, 50
const W49 = [repo('alpha', []), repo('bravo', [f('critical')])]; // 100, 75

describe('publishWeeklyIssue', () => {
  it('first week: creates the label, then the issue with the label and the hidden marker', async () => {
    const seen: Seen[] = [];
    const res = await publish('2026-W48', W48, seen);
    expect(res).toEqual({ number: 1, url: `https://github.com/${ORG}/${REPO}/issues/1`, action: 'created' });
    expect(calls()).toEqual([
      'GET /repos/{owner}/{repo}',
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/labels/{name}',
      'POST /repos/{owner}/{repo}/labels',
      'POST /repos/{owner}/{repo}/issues',
    ]);
    expect(contract.sent[1].url).toContain('labels=pipeline-guard');
    expect(contract.sent[1].url).toContain('state=all');
    expect(gh.labels.has('pipeline-guard')).toBe(true);
    expect(gh.issues).toHaveLength(1);
    const issue = gh.issues[0];
    expect(issue.labels).toEqual(['pipeline-guard']);
    expect(issue.title).toBe('Pipeline Guard — acme posture, week 2026-W48: score 70 (C)');
    expect(parseIssueMarker(issue.body)).toEqual({ week: '2026-W48' });
    expect(issue.body).toContain('first week on record');
    expect(seen).toEqual([{ gateDecisions: [] }]);
    expect(Buffer.byteLength(issue.body)).toBeLessThanOrEqual(65_536);
  });

  it('same week again: updates the issue in place, never a second issue; an unchanged body sends no PATCH', async () => {
    await publish('2026-W48', W48);
    contract.sent.length = 0;
    const again = await publish('2026-W48', [...W48, repo('charlie', [])]);
    expect(again).toMatchObject({ number: 1, action: 'updated' });
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0].body).toContain('[charlie](https://github.com/acme/charlie)');
    expect(calls().filter((c) => c.startsWith('PATCH'))).toEqual(['PATCH /repos/{owner}/{repo}/issues/{issue_number}']);
    expect(calls()).not.toContain('POST /repos/{owner}/{repo}/issues');
    contract.sent.length = 0;
    const same = await publish('2026-W48', [...W48, repo('charlie', [])]);
    expect(same).toMatchObject({ number: 1, action: 'unchanged' });
    expect(calls()).toEqual(['GET /repos/{owner}/{repo}', 'GET /repos/{owner}/{repo}/issues', 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments']);
  });

  it('new week: the trend uses last week\'s scores, and last week\'s issue is closed with a link to the new one', async () => {
    await publish('2026-W48', W48);
    gh.labels.add('pipeline-guard');
    const seen: Seen[] = [];
    const res = await publish('2026-W49', W49, seen);
    expect(res).toEqual({ number: 2, url: `https://github.com/${ORG}/${REPO}/issues/2`, action: 'created', closedPrevious: 1 });
    expect(seen[0].previous).toMatchObject({ week: '2026-W48', scores: { alpha: 90, bravo: 50 }, history: [{ week: '2026-W48', score: 70 }] });
    const body = gh.issues[1].body;
    expect(body).toContain('**Org score 88 / 100 (B)**, up 18 since last week');
    expect(body).toMatch(/\[bravo\]\([^)]+\) \| 75 C \| \+25 \|/);
    expect(body).toMatch(/\[alpha\]\([^)]+\) \| 100 A \| \+10 \|/);
    expect(gh.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(gh.issues[1].state).toBe('open');
    const link = gh.comments.find((c) => c.issue === 1);
    expect(link?.body).toContain('(https://github.com/acme/.github/issues/2)');
    expect(link?.body).toContain('2026-W49');
    // Publishing week 49 again neither reopens nor touches week 48.
    contract.sent.length = 0;
    await publish('2026-W49', W49);
    expect(gh.issues[0].state).toBe('closed');
    expect(contract.sent.filter((s) => s.url.endsWith('/issues/1'))).toEqual([]);
  });

  it('leaves a human\'s issue alone, even with the same title, the label and a copied marker', async () => {
    await publish('2026-W48', W48);
    const copy = gh.issues[0];
    const human = gh.addIssue({ title: copy.title, body: copy.body, labels: ['pipeline-guard'], author: HUMAN });
    gh.issues.splice(0, 1); // only the human's issue remains
    contract.sent.length = 0;
    const res = await publish('2026-W48', W48);
    expect(res.action).toBe('created');
    expect(res.number).not.toBe(human.number);
    expect(human).toMatchObject({ state: 'open', body: copy.body, title: copy.title });
    expect(contract.sent.filter((s) => s.url.includes(`/issues/${human.number}`))).toEqual([]);
  });

  it('ignores issues of another app (GitHub names the app) and closes a duplicate of this week', async () => {
    await publish('2026-W48', W48);
    const ours = gh.issues[0];
    gh.addIssue({ title: ours.title, body: ours.body, labels: ['pipeline-guard'], author: { login: 'other[bot]', type: 'Bot', app: 7 } });
    gh.addIssue({ title: ours.title, body: ours.body, labels: ['pipeline-guard'], author: BOT }); // a replica raced us
    const res = await publish('2026-W48', [...W48, repo('charlie', [])]);
    expect(res).toMatchObject({ number: 1, action: 'updated' });
    expect(gh.issues[1].state).toBe('open');
    expect(gh.issues[2]).toMatchObject({ state: 'closed', state_reason: 'duplicate' });
  });

  it('issue repository missing: a WeeklyIssueError that says what to do, no request that writes', async () => {
    gh.exists = false;
    const err = await publish('2026-W48', W48).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeeklyIssueError);
    expect(err).toMatchObject({ reason: 'no-repository', status: 404 });
    expect((err as Error).message).toMatch(/acme\/\.github does not exist.*create the organisation's \.github repository.*sweep\.issue_repo/);
    expect(calls()).toEqual(['GET /repos/{owner}/{repo}']);
  });

  it('no permission to write issues, or issues turned off: a WeeklyIssueError', async () => {
    gh.canWrite = false;
    gh.labels.add('pipeline-guard');
    await expect(publish('2026-W48', W48)).rejects.toMatchObject({ name: 'WeeklyIssueError', reason: 'no-permission', status: 403 });
    gh.hasIssues = false;
    await expect(publish('2026-W48', W48)).rejects.toMatchObject({ reason: 'issues-disabled' });
  });

  it('refuses a malformed week or repository name before any request', async () => {
    await expect(publishWeeklyIssue(contract.octokit, { org: ORG, issueRepo: '../x', week: '2026-W48', render: () => renderWeeklyIssue({ org: ORG, week: '2026-W48', repos: [] }) })).rejects.toMatchObject({ reason: 'invalid' });
    await expect(publish('2026-48', W48)).rejects.toMatchObject({ reason: 'invalid' });
    expect(contract.sent).toEqual([]);
  });
});

describe('recordGateDecision', () => {
  const decision = (over: Partial<GateDecision> = {}) => ({
    repo: 'ranker-train',
    environment: 'production',
    decision: 'rejected' as const,
    reason: 'critical finding open',
    sha: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2',
    runUrl: 'https://github.com/acme/ranker-train/actions/runs/7001',
    at: '2026-11-27T12:00:00.000Z',
    ...over,
  });

  it('creates a minimal issue for the week when none exists, appends the decision, and the next publish shows it and updates that issue in place', async () => {
    const rec = await recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W48', decision: decision(), appId: APP_ID });
    expect(rec).toEqual({ issue: 1, comment: 900 });
    expect(calls()).toEqual([
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/labels/{name}',
      'POST /repos/{owner}/{repo}/labels',
      'POST /repos/{owner}/{repo}/issues',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]);
    expect(contract.sent[0].url).toContain('state=open');
    expect(gh.issues[0]).toMatchObject({ labels: ['pipeline-guard'], title: 'Pipeline Guard — acme posture, week 2026-W48' });
    expect(parseIssueMarker(gh.issues[0].body)).toEqual({ week: '2026-W48' });
    const c = gh.comments[0];
    expect(c.body).toMatch(/^❌ Rejected: deployment of ranker-train to production at commit a1b2c3d4e5f6 \(\[workflow run\]\(https:\/\/github\.com\/acme\/ranker-train\/actions\/runs\/7001\)\)/);
    expect(parseDecisionComment(c.body)).toMatchObject({ repo: 'ranker-train', environment: 'production', decision: 'rejected', reason: 'critical finding open' });

    // A second decision goes on the same issue.
    await recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W48', decision: decision({ decision: 'approved', environment: 'staging', reason: 'all rules passed' }), appId: APP_ID });
    expect(gh.issues).toHaveLength(1);
    expect(gh.comments.map((x) => x.issue)).toEqual([1, 1]);

    const seen: Seen[] = [];
    const res = await publish('2026-W48', W48, seen);
    expect(res).toMatchObject({ number: 1, action: 'updated' });
    expect(gh.issues).toHaveLength(1);
    expect(seen[0].gateDecisions).toEqual([
      { repo: 'ranker-train', environment: 'production', decision: 'rejected', reason: 'critical finding open' },
      { repo: 'ranker-train', environment: 'staging', decision: 'approved', reason: 'all rules passed' },
    ]);
    expect(gh.issues[0].body).toContain('| ranker-train | production | **rejected** | critical finding open |');
    expect(gh.issues[0].body).toContain('| ranker-train | staging | approved | all rules passed |');
    expect(parseIssueMarker(gh.issues[0].body)).toEqual({ week: '2026-W48', decisionsThrough: 901 });
  });

  it('next week shows last week\'s decisions made after its last publish, and not those it already showed', async () => {
    await recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W48', decision: decision({ reason: 'shown in W48' }), appId: APP_ID });
    await publish('2026-W48', W48);
    await recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W48', decision: decision({ reason: 'late in W48' }), appId: APP_ID });
    const seen: Seen[] = [];
    await publish('2026-W49', W49, seen);
    expect(seen[0].gateDecisions.map((d) => d.reason)).toEqual(['late in W48']);
    await recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W49', decision: decision({ reason: 'in W49' }), appId: APP_ID });
    expect(gh.comments.at(-1)?.issue).toBe(2); // the W49 issue, not the closed W48 one
    const again: Seen[] = [];
    await publish('2026-W49', W49, again);
    expect(again[0].gateDecisions.map((d) => d.reason)).toEqual(['late in W48', 'in W49']);
  });

  it('escapes hostile values in the comment and the issue, and ignores a decision forged by a human', async () => {
    const hostile = decision({ repo: '@octocat <img src=x>', environment: 'p|rod](https://evil)', reason: '<script>x</script> @admin `tick`', decision: 'approved' });
    await recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W48', decision: { ...hostile, runUrl: 'javascript:alert(1)' }, appId: APP_ID });
    const visible = gh.comments[0].body.split('\n')[0];
    expect(visible).not.toMatch(/<img|<script|@octocat|@admin|\]\(https:\/\/evil|javascript:/);
    expect(gh.comments[0].body.match(/-->/g)).toHaveLength(1);
    expect(parseDecisionComment(gh.comments[0].body)).toMatchObject({ repo: '@octocat <img src=x>', reason: '<script>x</script> @admin `tick`' });
    // A human pastes a decision marker: not a decision.
    gh.addComment(1, gh.comments[0].body.replace('@octocat', 'forged'), HUMAN);
    const found = await collectGateDecisions(contract.octokit, { org: ORG, issueRepo: REPO, issueNumber: 1, appId: APP_ID });
    expect(found.map((d) => d.repo)).toEqual(['@octocat <img src=x>']);
    await publish('2026-W48', W48);
    const table = gh.issues[0].body.slice(gh.issues[0].body.indexOf('## Deployment gate decisions'));
    expect(table).not.toMatch(/<img|<script|@octocat|@admin/);
    expect(table).toContain('1 decisions, 0 rejected.');
  });

  it('reads decision comments page by page, and stops at the bound', async () => {
    const issue = gh.addIssue({ title: 't', body: '<!-- pipeline-guard:weekly-issue {"week":"2026-W48"} -->\nx', labels: ['pipeline-guard'], author: BOT });
    for (let i = 0; i < 1_050; i++) gh.addComment(issue.number, `x\n\n<!-- pipeline-guard:gate-decision {"repo":"r${i}","environment":"e","decision":"approved","reason":"ok","at":"2026-11-27T12:00:00Z"} -->`, BOT);
    const found = await collectGateDecisions(contract.octokit, { org: ORG, issueRepo: REPO, issueNumber: issue.number, appId: APP_ID });
    expect(found).toHaveLength(1_000);
    expect(contract.sent).toHaveLength(10);
    expect(found[999].repo).toBe('r999');
  });

  it('a missing issue repository is a WeeklyIssueError (the gate logs it)', async () => {
    gh.exists = false;
    await expect(recordGateDecision(contract.octokit, { org: ORG, issueRepo: REPO, week: '2026-W48', decision: decision() })).rejects.toMatchObject({ reason: 'no-repository' });
  });
});
