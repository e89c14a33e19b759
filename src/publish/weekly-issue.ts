/**
 * Writes the weekly posture issue (one per organisation per ISO week, in `org/issueRepo`, by default
 * the organisation's `.github` repository) and records deployment-gate decisions on it.
 *
 * `publishWeeklyIssue`:
 * 1. `GET /repos/{o}/{r}`: a missing repository (404), one the installation does not include, or one
 *    with issues turned off is a `WeeklyIssueError` saying what to do, never a crash;
 * 2. ensures the `pipeline-guard` label (`GET …/labels/{name}`, `POST …/labels` when missing);
 * 3. lists our issues (collect/weekly-issue: label + app author + hidden marker; never the title);
 * 4. previous state (the trend): the most recent earlier week's issue (`parseWeeklyState`), else this
 *    week's own issue (its history); gate decisions: every decision comment on this week's issue(s),
 *    and those on the previous week's issue made after it was last rendered;
 * 5. renders, then creates the issue, or updates this week's open issue in place (`PATCH` only when
 *    title or body changed);
 * 6. closes older open posture issues (`state_reason: completed`, a comment links the new one first).
 *    Never reopens: a week's issue a human closed is left closed, and the next publish opens a new one.
 *
 * `recordGateDecision` appends one comment per decision on the week's open issue, creating a minimal
 * issue (labelled and marked like the real one, so the next publish updates it in place) when there
 * is none yet.
 */
import {
  collectGateDecisions,
  decisionMarker,
  findPostureIssues,
  issueMarker,
  WEEKLY_LABEL,
  type IssueOctokit,
  type PostureIssue,
  type RecordedDecision,
} from '../collect/weekly-issue.js';
import { escapeMarkdown, mdLink } from '../report/markdown.js';
import { isWeek, parseWeeklyState, type GateDecision, type PreviousState, type WeeklyIssue } from '../report/weekly.js';
import { describeError } from './check-run.js';

const LABEL = { name: WEEKLY_LABEL, color: '5319e7', description: 'Pipeline Guard weekly posture report' } as const;

export type WeeklyIssueFailure = 'no-repository' | 'issues-disabled' | 'no-permission' | 'invalid';

/** The issue cannot be written, with what to do about it (the sweep logs it and goes on). */
export class WeeklyIssueError extends Error {
  override readonly name = 'WeeklyIssueError';
  constructor(
    readonly reason: WeeklyIssueFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PublishOptions {
  org: string;
  issueRepo: string;
  /** ISO week, `2026-W48`. */
  week: string;
  /** Renders the issue once the previous state and the recorded decisions are known. */
  render: (prev: { previous?: PreviousState; gateDecisions: GateDecision[] }) => WeeklyIssue;
  /** The app's id: when given, only issues and comments GitHub attributes to this app are ours. */
  appId?: number;
}

export interface PublishResult {
  number: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
  /** The previous week's issue, closed by this publish. */
  closedPrevious?: number;
}

interface IssueReply {
  number: number;
  html_url: string;
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

/** Maps GitHub's answer on the issue repository to a WeeklyIssueError; anything else is rethrown. */
function explain(err: unknown, org: string, issueRepo: string): never {
  if (err instanceof WeeklyIssueError) throw err;
  const where = `${org}/${issueRepo}`;
  const status = statusOf(err);
  if (status === 404)
    throw new WeeklyIssueError('no-repository', `${where} does not exist or the app's installation does not include it: create the organisation's .github repository (or set sweep.issue_repo in the organisation policy) and give the app access to it`, 404);
  if (status === 410) throw new WeeklyIssueError('issues-disabled', `issues are turned off in ${where}: enable them in the repository settings or set sweep.issue_repo to a repository with issues`, 410);
  if (status === 403 || status === 401)
    throw new WeeklyIssueError('no-permission', `the app cannot write issues in ${where} (${describeError(err)}): accept the Issues (write) permission in the installation settings`, status);
  throw err;
}

function check(org: string, issueRepo: string, week: string): void {
  if (!/^[A-Za-z0-9-]{1,39}$/.test(org)) throw new WeeklyIssueError('invalid', `not an organisation login: ${JSON.stringify(org.slice(0, 60))}`);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(issueRepo)) throw new WeeklyIssueError('invalid', `not a repository name: ${JSON.stringify(issueRepo.slice(0, 120))}`);
  if (!isWeek(week)) throw new WeeklyIssueError('invalid', `week must look like 2026-W48, got ${JSON.stringify(String(week).slice(0, 20))}`);
}

async function ensureRepository(octokit: IssueOctokit, org: string, issueRepo: string): Promise<void> {
  const res = await octokit.request('GET /repos/{owner}/{repo}', { owner: org, repo: issueRepo }).catch((err: unknown) => explain(err, org, issueRepo));
  const data = res.data as { has_issues?: boolean; archived?: boolean };
  if (data.has_issues === false) throw new WeeklyIssueError('issues-disabled', `issues are turned off in ${org}/${issueRepo}: enable them in the repository settings or set sweep.issue_repo to a repository with issues`);
  if (data.archived === true) throw new WeeklyIssueError('no-permission', `${org}/${issueRepo} is archived (read-only): unarchive it or set sweep.issue_repo to another repository`);
}

async function ensureLabel(octokit: IssueOctokit, org: string, issueRepo: string): Promise<void> {
  try {
    await octokit.request('GET /repos/{owner}/{repo}/labels/{name}', { owner: org, repo: issueRepo, name: LABEL.name });
    return;
  } catch (err) {
    if (statusOf(err) !== 404) explain(err, org, issueRepo);
  }
  try {
    await octokit.request('POST /repos/{owner}/{repo}/labels', { owner: org, repo: issueRepo, ...LABEL });
  } catch (err) {
    if (statusOf(err) !== 422) explain(err, org, issueRepo); // 422: created meanwhile by another replica
  }
}

/** Creates an issue of ours: the marker line first, then the rendered body. */
async function createIssue(octokit: IssueOctokit, org: string, issueRepo: string, title: string, body: string): Promise<IssueReply> {
  await ensureLabel(octokit, org, issueRepo);
  const res = await octokit
    .request('POST /repos/{owner}/{repo}/issues', { owner: org, repo: issueRepo, title, body, labels: [WEEKLY_LABEL] })
    .catch((err: unknown) => explain(err, org, issueRepo));
  return res.data as IssueReply;
}

/** This week's issue when there are several (two replicas created one each): the oldest. */
function thisWeeks(issues: readonly PostureIssue[], week: string): PostureIssue[] {
  return issues.filter((i) => i.state === 'open' && i.marker.week === week).sort((a, b) => a.number - b.number);
}

export async function publishWeeklyIssue(octokit: IssueOctokit, opts: PublishOptions): Promise<PublishResult> {
  const { org, issueRepo, week } = opts;
  check(org, issueRepo, week);
  await ensureRepository(octokit, org, issueRepo);
  const issues = await findPostureIssues(octokit, { org, issueRepo, state: 'all', appId: opts.appId }).catch((err: unknown) => explain(err, org, issueRepo));
  const current = thisWeeks(issues, week);
  const earlier = issues.filter((i) => i.marker.week < week).sort((a, b) => (a.marker.week < b.marker.week ? 1 : a.marker.week > b.marker.week ? -1 : a.number - b.number));
  const lastWeeks = earlier[0];

  // The trend needs last week's scores: the latest earlier week's state; else this week's (its history).
  let previous: PreviousState | undefined;
  for (const i of [...earlier, ...current]) if ((previous = parseWeeklyState(i.body))) break;

  const decisions: RecordedDecision[] = [];
  if (lastWeeks) decisions.push(...(await collectGateDecisions(octokit, { org, issueRepo, issueNumber: lastWeeks.number, afterId: lastWeeks.marker.decisionsThrough ?? 0, appId: opts.appId })));
  for (const i of current) decisions.push(...(await collectGateDecisions(octokit, { org, issueRepo, issueNumber: i.number, appId: opts.appId })));
  decisions.sort((a, b) => a.commentId - b.commentId);

  const rendered = opts.render({ ...(previous ? { previous } : {}), gateDecisions: decisions.map(({ repo, environment, decision, reason }) => ({ repo, environment, decision, reason })) });
  const through = decisions.reduce((n, d) => Math.max(n, d.commentId), 0);
  const body = `${issueMarker({ week, ...(through > 0 ? { decisionsThrough: through } : {}) })}\n${rendered.body}`;

  let result: PublishResult;
  const mine = current[0];
  if (mine) {
    if (mine.body === body && mine.title === rendered.title) result = { number: mine.number, url: mine.url, action: 'unchanged' };
    else {
      const res = await octokit
        .request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner: org, repo: issueRepo, issue_number: mine.number, title: rendered.title, body })
        .catch((err: unknown) => explain(err, org, issueRepo));
      const data = res.data as IssueReply;
      result = { number: data.number, url: data.html_url, action: 'updated' };
    }
  } else {
    const data = await createIssue(octokit, org, issueRepo, rendered.title, body);
    result = { number: data.number, url: data.html_url, action: 'created' };
  }

  // Older open issues (and a duplicate of this week's) are closed, each pointing at the new one.
  const stale = [...earlier.filter((i) => i.state === 'open'), ...current.slice(1)];
  for (const old of stale) {
    const duplicate = old.marker.week === week;
    const text = duplicate
      ? `Closed as a duplicate: this week's posture report is ${mdLink(`#${result.number}`, result.url)}.`
      : `Superseded by the posture report for week ${escapeMarkdown(week, 10)}: ${mdLink(`#${result.number}`, result.url)}.`;
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: org, repo: issueRepo, issue_number: old.number, body: text }).catch((err: unknown) => explain(err, org, issueRepo));
    await octokit
      .request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner: org, repo: issueRepo, issue_number: old.number, state: 'closed', state_reason: duplicate ? 'duplicate' : 'completed' })
      .catch((err: unknown) => explain(err, org, issueRepo));
    if (!duplicate && old.number === lastWeeks?.number) result.closedPrevious = old.number;
  }
  return result;
}

// ---------------------------------------------------------------- gate decisions

export interface RecordOptions {
  org: string;
  issueRepo: string;
  /** ISO week of the decision (`isoWeek(now)`). */
  week: string;
  decision: GateDecision & { sha: string; runUrl?: string; at: string };
  appId?: number;
}

/** The visible line of a decision comment; every value from the repository or the event is escaped. */
function decisionText(d: RecordOptions['decision']): string {
  const head = `${d.decision === 'approved' ? '✅ Approved' : '❌ Rejected'}: deployment of ${escapeMarkdown(d.repo, 100)} to ${escapeMarkdown(d.environment, 80)}`;
  const commit = /^[0-9a-f]{7,64}$/i.test(d.sha) ? ` at commit ${d.sha.slice(0, 12)}` : '';
  const run = d.runUrl ? ` (${mdLink('workflow run', d.runUrl)})` : '';
  return `${head}${commit}${run}, ${escapeMarkdown(d.at, 40)}: ${escapeMarkdown(d.reason, 300)}`;
}

/** A placeholder body until the week's report is published (the publish replaces it in place). */
function minimalIssue(org: string, week: string): { title: string; body: string } {
  return {
    title: `Pipeline Guard — ${org} posture, week ${week}`,
    body: [
      issueMarker({ week }),
      `# Pipeline Guard — ${escapeMarkdown(org, 60)} posture, week ${week}`,
      '',
      "_This week's posture report is not published yet. Deployment gate decisions are recorded below as comments; the report will list them._",
      '',
    ].join('\n'),
  };
}

/**
 * Appends one decision to the week's open posture issue as a comment (creating a minimal issue when
 * the week has none). Returns the issue and comment numbers. Errors are the caller's to log: a
 * decision already posted to GitHub never depends on this.
 */
export async function recordGateDecision(octokit: IssueOctokit, opts: RecordOptions): Promise<{ issue: number; comment: number }> {
  const { org, issueRepo, week, decision } = opts;
  check(org, issueRepo, week);
  const open = await findPostureIssues(octokit, { org, issueRepo, state: 'open', appId: opts.appId }).catch((err: unknown) => explain(err, org, issueRepo));
  let issue = thisWeeks(open, week)[0]?.number;
  if (issue === undefined) {
    const m = minimalIssue(org, week);
    issue = (await createIssue(octokit, org, issueRepo, m.title, m.body)).number;
  }
  const body = `${decisionText(decision)}\n\n${decisionMarker(decision)}`;
  const res = await octokit
    .request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: org, repo: issueRepo, issue_number: issue, body })
    .catch((err: unknown) => explain(err, org, issueRepo));
  return { issue, comment: (res.data as { id: number }).id };
}
