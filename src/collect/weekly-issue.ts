/**
 * Reads the weekly posture issues and the deployment-gate decisions recorded on them (the only code
 * here that reads GitHub for the weekly issue; publish/weekly-issue writes).
 *
 * An issue is ours when it carries the `pipeline-guard` label, was made by an app (author of type Bot,
 * or `performed_via_github_app` set; the app's id when both are known) and its body starts with the
 * hidden marker `<!-- pipeline-guard:weekly-issue {"week":"2026-W48",...} -->`. The title is never
 * trusted: a human's issue with the same title and label is not ours.
 *
 * A decision is a comment on the week's issue, made by an app, ending with
 * `<!-- pipeline-guard:gate-decision {json} -->`. Comments are append-only, so app replicas recording
 * decisions at the same time never overwrite each other.
 *
 * Reads are bounded: `ISSUE_PAGES` pages of 100 issues (newest first), `DECISION_PAGES` pages of 100
 * comments per issue.
 */
import type { OctokitLike } from './github-rest.js';
import { isWeek, type GateDecision } from '../report/weekly.js';

export type IssueOctokit = Pick<OctokitLike, 'request'>;

export const WEEKLY_LABEL = 'pipeline-guard';
export const ISSUE_PAGES = 2;
export const DECISION_PAGES = 10;
const ISSUE_MARKER = '<!-- pipeline-guard:weekly-issue ';
const DECISION_MARKER = '<!-- pipeline-guard:gate-decision ';
const END = ' -->';
/** Longest text kept per decision field (reasons are cut again, shorter, when rendered). */
const FIELD_MAX = { repo: 200, environment: 200, reason: 1000, sha: 64, runUrl: 500, at: 40 } as const;

export interface IssueMarker {
  week: string;
  /** Highest id of a decision comment this body already shows (next week shows only later ones). */
  decisionsThrough?: number;
}

export interface PostureIssue {
  number: number;
  /** `html_url` of the issue. */
  url: string;
  state: 'open' | 'closed';
  title: string;
  body: string;
  marker: IssueMarker;
}

export interface RecordedDecision extends GateDecision {
  /** The comment's id (increases with time). */
  commentId: number;
  sha?: string;
  runUrl?: string;
  /** ISO time of the decision. */
  at: string;
}

/** JSON for an HTML comment: `<`, `>` and `&` escaped so no value can close the comment. */
function commentJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The marker line that starts an issue body of ours. */
export function issueMarker(m: IssueMarker): string {
  return `${ISSUE_MARKER}${commentJson({ week: m.week, ...(m.decisionsThrough ? { d: m.decisionsThrough } : {}) })}${END}`;
}

/** Reads the marker from the first line of a body; undefined when absent or malformed. */
export function parseIssueMarker(body: unknown): IssueMarker | undefined {
  if (typeof body !== 'string' || !body.startsWith(ISSUE_MARKER)) return undefined;
  const line = body.split('\n', 1)[0].trimEnd();
  if (!line.endsWith(END)) return undefined;
  const raw = parseObject(line.slice(ISSUE_MARKER.length, -END.length));
  if (!raw || !isWeek(raw.week)) return undefined;
  const d = raw.d;
  if (d !== undefined && !(typeof d === 'number' && Number.isSafeInteger(d) && d > 0)) return undefined;
  return { week: raw.week, ...(typeof d === 'number' ? { decisionsThrough: d } : {}) };
}

/** The hidden, machine-readable end of a decision comment. */
export function decisionMarker(d: Omit<RecordedDecision, 'commentId'>): string {
  const v: Record<string, string> = { repo: d.repo, environment: d.environment, decision: d.decision, reason: d.reason, at: d.at };
  if (d.sha) v.sha = d.sha;
  if (d.runUrl) v.runUrl = d.runUrl;
  for (const [k, max] of Object.entries(FIELD_MAX)) if (typeof v[k] === 'string') v[k] = Array.from(v[k]).slice(0, max).join('');
  return `${DECISION_MARKER}${commentJson(v)}${END}`;
}

/** Reads a decision back from a comment body (the marker must end it); undefined when it is not one. */
export function parseDecisionComment(body: unknown): Omit<RecordedDecision, 'commentId'> | undefined {
  if (typeof body !== 'string') return undefined;
  const at = body.lastIndexOf(DECISION_MARKER);
  if (at < 0) return undefined;
  const m = /^<!-- pipeline-guard:gate-decision (\{[^\n]*\}) -->\s*$/.exec(body.slice(at));
  const raw = m ? parseObject(m[1]) : undefined;
  if (!raw) return undefined;
  const str = (k: keyof typeof FIELD_MAX): string | undefined => (typeof raw[k] === 'string' && (raw[k] as string).length <= FIELD_MAX[k] * 2 ? (raw[k] as string) : undefined);
  const repo = str('repo');
  const environment = str('environment');
  const reason = str('reason');
  const when = str('at');
  if (!repo || !environment || reason === undefined || !when || (raw.decision !== 'approved' && raw.decision !== 'rejected')) return undefined;
  const sha = str('sha');
  const runUrl = str('runUrl');
  return { repo, environment, decision: raw.decision, reason, at: when, ...(sha ? { sha } : {}), ...(runUrl ? { runUrl } : {}) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

interface Authored {
  user?: { type?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/** Made by an app (and by this app when its id is known and GitHub says which app). */
function byApp(item: Authored, appId?: number): boolean {
  const via = item.performed_via_github_app;
  if (appId !== undefined && typeof via?.id === 'number') return via.id === appId;
  return item.user?.type === 'Bot' || (via !== null && via !== undefined);
}

interface IssueItem extends Authored {
  number: number;
  html_url: string;
  state: string;
  title: string;
  body?: string | null;
  pull_request?: unknown;
  labels?: (string | { name?: string })[];
}

/**
 * Our posture issues in `org/issueRepo`, newest first (`state`: open only, or all). Throws GitHub's
 * error as is (the publisher maps 404/403/410 to a `WeeklyIssueError`).
 */
export async function findPostureIssues(octokit: IssueOctokit, t: { org: string; issueRepo: string; state: 'open' | 'all'; appId?: number }): Promise<PostureIssue[]> {
  const out: PostureIssue[] = [];
  for (let page = 1; page <= ISSUE_PAGES; page++) {
    const res = await octokit.request('GET /repos/{owner}/{repo}/issues', {
      owner: t.org,
      repo: t.issueRepo,
      labels: WEEKLY_LABEL,
      state: t.state,
      sort: 'created',
      direction: 'desc',
      per_page: 100,
      page,
    });
    const items = Array.isArray(res.data) ? (res.data as IssueItem[]) : [];
    for (const i of items) {
      if (i.pull_request || !byApp(i, t.appId)) continue;
      if (!(i.labels ?? []).some((l) => (typeof l === 'string' ? l : l.name) === WEEKLY_LABEL)) continue;
      const marker = parseIssueMarker(i.body);
      if (!marker) continue;
      out.push({ number: i.number, url: i.html_url, state: i.state === 'closed' ? 'closed' : 'open', title: i.title, body: i.body ?? '', marker });
    }
    if (items.length < 100) break;
  }
  return out;
}

interface CommentItem extends Authored {
  id: number;
  body?: string;
}

/** The decisions recorded on one issue, oldest first; only those with a comment id above `afterId`. */
export async function collectGateDecisions(octokit: IssueOctokit, t: { org: string; issueRepo: string; issueNumber: number; afterId?: number; appId?: number }): Promise<RecordedDecision[]> {
  const out: RecordedDecision[] = [];
  for (let page = 1; page <= DECISION_PAGES; page++) {
    const res = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: t.org,
      repo: t.issueRepo,
      issue_number: t.issueNumber,
      per_page: 100,
      page,
    });
    const items = Array.isArray(res.data) ? (res.data as CommentItem[]) : [];
    for (const c of items) {
      if (!byApp(c, t.appId) || (t.afterId !== undefined && c.id <= t.afterId)) continue;
      const d = parseDecisionComment(c.body);
      if (d) out.push({ ...d, commentId: c.id });
    }
    if (items.length < 100) break;
  }
  return out;
}
