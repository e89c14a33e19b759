/**
 * The weekly posture issue, as data (pure: no network, no clock, no fs). The sweep collects, the
 * publisher opens or edits the issue; this file only renders.
 *
 * Body, most important first: org score with grade and change since last week; a Mermaid line of the
 * org score over the last weeks (only with 2+ points); grade distribution; "Fix first" (the 10 most
 * severe findings across the org, each linked to its line); repositories worst first; findings by
 * OWASP CI/CD risk (from check metadata); changes this week (drift, fix-up PRs); deployment gate
 * decisions; what was not evaluated (in a <details>); and, last, a hidden state block
 * `<!-- pipeline-guard:weekly {json} -->` that next week's run reads back with `parseWeeklyState`.
 *
 * Org score: the mean of the repository scores (`score()` in score.ts), rounded to an integer. Counted:
 * every repository that is not archived and was evaluated. A repository with `notEvaluated` reasons and
 * no findings counts as not evaluated (a clean score we could not verify must not lift the mean); one
 * with reasons and findings is scored on what was evaluated and also listed under "Not evaluated".
 * Archived repositories are neither scored nor listed.
 *
 * Size: GitHub caps an issue body at 65,536 characters; we count UTF-8 bytes (never fewer than
 * characters) and stay within `MAX_ISSUE_BODY` minus `PUBLISH_RESERVE` (the publisher's marker line). Every section but the repository table has its own byte
 * budget and says how many items it left out. The repository table and the state block share the rest:
 * worst repositories first, each shown row also stored in the state (compact keys `w`, `s`, `h`, `o`)
 * so next week can show its change; a reserve (`BUDGET.stateReserve`) then stores the scores of the
 * next repositories; the healthiest are dropped first and `omitted` says how many. The rest of the
 * table is summarised as counts per grade. History is at most 12 short entries (~250 bytes) and is
 * trimmed, oldest first, only if even that did not fit. The state block is always present, last and
 * parseable.
 *
 * Memory: `WeeklyAccumulator` takes repositories one at a time (the sweep streams 10,000+) and keeps a
 * bounded summary of each plus the org-wide `FIX_FIRST_COUNT` most severe findings; `renderWeeklyIssue`
 * accepts that summarised input (`acc.input(meta)`) or full repositories, and renders both identically.
 *
 * All repository-derived text (org and repository names, paths, messages, reasons, drift lines) goes
 * through `escapeMarkdown` / `mdLink`: no mentions, no HTML, no broken tables. In the state block, JSON
 * escapes `<`, `>` and `&`, so no name can close the comment.
 */
import type { Finding, Severity } from '../model/types.js';
import { severityRank } from '../model/types.js';
import { checkById } from '../checks/registry.js';
import { countBySeverity, grade, score, countsInOrgScore, orgScore as orgScoreOf } from './score.js';
import type { Grade } from './score.js';
import { byteLength, encodePath, escapeMarkdown, mdLink, oneLine, truncateMarkdown } from './markdown.js';

export const MAX_ISSUE_BODY = 65_536;
/** Bytes left for the publisher's one-line marker (publish/weekly-issue): the renderer stays below the rest. */
export const PUBLISH_RESERVE = 256;
const MAX_RENDERED_BODY = MAX_ISSUE_BODY - PUBLISH_RESERVE;
export const HISTORY_WEEKS = 12;
export const FIX_FIRST_COUNT = 10;
const STATE_MARKER = '<!-- pipeline-guard:weekly ';
const STATE_END = ' -->';
/** Byte budgets per section (the repository table takes what is left). */
const BUDGET = {
  /** Week, history and the omitted count. */
  stateBase: 2_000,
  /** Kept for scores of repositories beyond those shown in full. */
  stateReserve: 12_000,
  fixFirst: 8_000,
  owasp: 3_000,
  changes: 5_000,
  gates: 5_000,
  notEvaluated: 5_000,
} as const;
/** Upper bound of the "…and N more repositories" line (counts up to 7 digits). */
const SUMMARY_MAX = 200;
const WEEK_RE = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;

/** What the issue needs of one repository's findings: the summarised form `WeeklyAccumulator` keeps. */
export interface RepoSummary {
  /** `score()` of every finding. */
  score: number;
  /** Findings per severity (info included). */
  counts: Record<Severity, number>;
  /** Findings per OWASP CI/CD risk (from check metadata); a repository has at most ten keys. */
  owasp: Record<string, number>;
}

/**
 * One repository, in full form (`findings`: tests, the CLI, small organisations) or summarised form
 * (`summary`, from `WeeklyAccumulator`; its most severe findings travel in `WeeklyInput.topFindings`).
 * When both are set, `summary` wins.
 */
export interface WeeklyRepo {
  name: string;
  /** https URL of the repository (trusted: from the API), used for links. */
  url: string;
  findings?: readonly Finding[];
  summary?: RepoSummary;
  /** Why (part of) the repository could not be evaluated, one reason per entry (the issue shows the first `NOT_EVALUATED_SHOWN`). */
  notEvaluated?: readonly string[];
  /** How many reasons there were when `notEvaluated` holds only the first few (summarised form). */
  notEvaluatedCount?: number;
  archived?: boolean;
}

/** One of the organisation's most severe findings, with what "Fix first" needs to rank and link it. */
export interface TopFinding {
  repo: string;
  /** https URL of the repository. */
  url: string;
  /** The repository's score (ranks findings of equal severity: the worse repository first). */
  repoScore: number;
  finding: Pick<Finding, 'checkId' | 'severity' | 'message' | 'path' | 'region'>;
}

export interface GateDecision {
  repo: string;
  environment: string;
  decision: 'approved' | 'rejected';
  reason: string;
}

export interface PreviousState {
  /** ISO week, `YYYY-Www`. */
  week: string;
  /** Repository score by repository name. */
  scores: Record<string, number>;
  /** Org score per week, oldest first, at most `HISTORY_WEEKS`. */
  history: { week: string; score: number }[];
  /** How many scored repositories were left out of `scores` to fit the issue (absent when none). */
  omitted?: number;
}

export interface WeeklyInput {
  org: string;
  week: string;
  repos: readonly WeeklyRepo[];
  previous?: PreviousState;
  fixPrs?: { open: number; mergedThisWeek: number };
  /** One line each, plain text (escaped here). */
  drift?: readonly string[];
  gateDecisions?: readonly GateDecision[];
  /** The most severe findings of repositories given in summarised form (`WeeklyAccumulator.input`). */
  topFindings?: readonly TopFinding[];
}

export interface WeeklyIssue {
  title: string;
  body: string;
  /** Exactly what the body embeds (and what `parseWeeklyState(body)` returns). */
  state: PreviousState;
}

/** One repository as the accumulator keeps it (bounded: no findings). */
export interface Entry {
  name: string;
  url: string;
  archived: boolean;
  score: number;
  counts: Record<Severity, number>;
  owasp: Record<string, number>;
  /** The first `NOT_EVALUATED_SHOWN` reasons, already cut to one line of `REASON_MAX` code points. */
  notEvaluated: string[];
  notEvaluatedCount: number;
}

interface Scored {
  repo: Entry;
  score: number;
  grade: Grade;
  counts: Record<Severity, number>;
  delta: number | undefined;
}

const GRADES: readonly { grade: Grade; label: string }[] = [
  { grade: 'A', label: 'A (90+)' },
  { grade: 'B', label: 'B (80–89)' },
  { grade: 'C', label: 'C (70–79)' },
  { grade: 'D', label: 'D (50–69)' },
  { grade: 'F', label: 'F (<50)' },
];

const OWASP_NAMES: Record<string, string> = {
  'CICD-SEC-1': 'Insufficient Flow Control Mechanisms',
  'CICD-SEC-2': 'Inadequate Identity and Access Management',
  'CICD-SEC-3': 'Dependency Chain Abuse',
  'CICD-SEC-4': 'Poisoned Pipeline Execution',
  'CICD-SEC-5': 'Insufficient PBAC (Pipeline-Based Access Controls)',
  'CICD-SEC-6': 'Insufficient Credential Hygiene',
  'CICD-SEC-7': 'Insecure System Configuration',
  'CICD-SEC-8': 'Ungoverned Usage of 3rd Party Services',
  'CICD-SEC-9': 'Improper Artifact Integrity Validation',
  'CICD-SEC-10': 'Insufficient Logging and Visibility',
};

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, one: string, many: string): string {
  return `${fmt(n)} ${n === 1 ? one : many}`;
}

function signed(d: number): string {
  return d > 0 ? `+${d}` : d < 0 ? `−${-d}` : '0';
}

function own(rec: Record<string, number>, key: string): number | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function repoUrl(r: { url: string }): string {
  return r.url.replace(/\/+$/, '');
}

/** Adds lines while they fit in `budget` bytes; then one line saying how many were left out. */
function fitLines(lines: readonly string[], budget: number, more: (n: number) => string): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const cost = byteLength(lines[i]) + 1;
    const reserve = i < lines.length - 1 ? byteLength(more(lines.length - i)) + 1 : 0;
    if (used + cost + reserve > budget) {
      out.push(more(lines.length - i));
      return out;
    }
    out.push(lines[i]);
    used += cost;
  }
  return out;
}

// ---------------------------------------------------------------- state block

/** Compact on-the-wire form: w = week, s = scores, h = [week, score] pairs, o = omitted. */
interface WireState {
  w: string;
  s: Record<string, number>;
  h: [string, number][];
  o?: number;
}

function stateJson(s: PreviousState): string {
  const wire: WireState = { w: s.week, s: s.scores, h: s.history.map((e) => [e.week, e.score]) };
  if (s.omitted) wire.o = s.omitted;
  // Escape what could end the HTML comment or be read as markup; JSON.parse restores it.
  return JSON.stringify(wire).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function stateBlock(s: PreviousState): string {
  return `${STATE_MARKER}${stateJson(s)}${STATE_END}`;
}

/** Bytes one `"name":score,` entry adds to the state block (escaped as the block escapes it). */
function entryCost(name: string, value: number): number {
  const empty: PreviousState = { week: '', scores: {}, history: [] };
  return byteLength(stateJson({ ...empty, scores: { [name]: value } })) - byteLength(stateJson(empty)) + 1;
}

/** The state without scores, history trimmed oldest first only if even that exceeds `budget` (never in practice). */
function baseState(week: string, history: readonly { week: string; score: number }[], total: number, budget: number): PreviousState {
  const hist = [...history];
  const make = (): PreviousState => ({ week, scores: {}, history: hist, omitted: total });
  while (hist.length > 0 && byteLength(stateBlock(make())) > budget) hist.shift();
  return make();
}

/** ISO 8601 week of a date (UTC), `YYYY-Www`: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function isScore(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;
}

/** Whether a string is an ISO week as the issue uses it (`2026-W48`). */
export function isWeek(v: unknown): v is string {
  return typeof v === 'string' && WEEK_RE.test(v);
}

/**
 * Reads the state block back. Only a block that ends the body counts. Returns undefined (never throws)
 * when it is missing, not JSON or has wrong types. Accepts the compact form and the long form
 * (`{"week", "scores", "history"}`).
 */
export function parseWeeklyState(body: unknown): PreviousState | undefined {
  if (typeof body !== 'string') return undefined;
  const at = body.lastIndexOf(STATE_MARKER);
  if (at < 0) return undefined;
  const m = /^<!-- pipeline-guard:weekly (\{[^\n]*\}) -->\s*$/.exec(body.slice(at));
  if (!m) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(m[1]);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const week = o.w ?? o.week;
  const scores = o.s ?? o.scores;
  const history = o.h ?? o.history ?? [];
  const omitted = o.o ?? o.omitted;
  if (!isWeek(week)) return undefined;
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores)) return undefined;
  const entries = Object.entries(scores);
  if (!entries.every(([, v]) => isScore(v))) return undefined;
  if (!Array.isArray(history)) return undefined;
  const hist: { week: string; score: number }[] = [];
  for (const h of history as unknown[]) {
    if (Array.isArray(h) && h.length === 2 && isWeek(h[0]) && isScore(h[1])) hist.push({ week: h[0], score: h[1] });
    else if (typeof h === 'object' && h !== null && !Array.isArray(h)) {
      const e = h as Record<string, unknown>;
      if (!isWeek(e.week) || !isScore(e.score)) return undefined;
      hist.push({ week: e.week, score: e.score });
    } else return undefined;
  }
  if (omitted !== undefined && !(typeof omitted === 'number' && Number.isInteger(omitted) && omitted >= 0)) return undefined;
  const state: PreviousState = { week, scores: Object.fromEntries(entries as [string, number][]), history: hist.slice(-HISTORY_WEEKS) };
  if (typeof omitted === 'number' && omitted > 0) state.omitted = omitted;
  return state;
}

// ---------------------------------------------------------------- accumulator

/** Reasons shown per repository under "Not evaluated", and their length in code points. */
export const NOT_EVALUATED_SHOWN = 5;
const REASON_MAX = 200;

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Ranked {
  top: TopFinding;
  critical: number;
  high: number;
  /** Order of arrival: the last tie-breaker, so the ranking is the stable sort of the full data. */
  seq: number;
}

/**
 * "Fix first" order: severity, then the worse repository, its name, the path and line; then (only
 * between repositories of the same name) the repository-table order, then order of arrival.
 */
function rankOrder(a: Ranked, b: Ranked): number {
  const fa = a.top.finding;
  const fb = b.top.finding;
  return (
    severityRank(fb.severity) - severityRank(fa.severity) ||
    a.top.repoScore - b.top.repoScore ||
    byName(a.top.repo, b.top.repo) ||
    byName(fa.path, fb.path) ||
    (fa.region?.line ?? 0) - (fb.region?.line ?? 0) ||
    b.critical - a.critical ||
    b.high - a.high ||
    a.seq - b.seq
  );
}

const owaspOf = new Map<string, readonly string[]>();
function risksOf(checkId: string): readonly string[] {
  let risks = owaspOf.get(checkId);
  if (!risks) {
    risks = checkById(checkId)?.meta.standards.owasp ?? [];
    owaspOf.set(checkId, risks);
  }
  return risks;
}

/** What `add` accepts: a `SweptRepo` (sweep/types) fits, as does a full-form `WeeklyRepo`. */
export interface AccumulatedRepo {
  name: string;
  url: string;
  findings?: readonly Finding[];
  notEvaluated?: readonly string[];
  archived?: boolean;
}

/**
 * Bounded-memory input for `renderWeeklyIssue`: the sweep streams repositories through `add` and drops
 * each snapshot and its findings afterwards. Kept per repository: name, URL, score, severity counts,
 * findings per OWASP risk (at most ten keys) and the first `NOT_EVALUATED_SHOWN` not-evaluated reasons
 * (one line each, `REASON_MAX` code points) with their count; across the organisation: the
 * `FIX_FIRST_COUNT` most severe findings. `input()` renders exactly as the full data would.
 * Add each repository once (two entries of the same name are two rows, as in the full form).
 */
export class WeeklyAccumulator {
  private readonly entries: Entry[] = [];
  private top: Ranked[] = [];
  private seq = 0;

  /** Repositories added so far. */
  get size(): number {
    return this.entries.length;
  }

  /** Findings held across the organisation (never more than `FIX_FIRST_COUNT`). */
  get findingsHeld(): number {
    return this.top.length;
  }

  add(repo: AccumulatedRepo): void {
    const findings = repo.findings ?? [];
    const counts = countBySeverity(findings);
    const owasp: Record<string, number> = {};
    for (const f of findings) for (const r of risksOf(f.checkId)) owasp[r] = (Object.hasOwn(owasp, r) ? owasp[r] : 0) + 1;
    const entry = this.entry(repo, { score: score(findings), counts, owasp }, repo.notEvaluated ?? [], repo.notEvaluated?.length ?? 0);
    if (!this.ranks(entry)) return;
    for (const f of findings) {
      if (f.severity === 'info') continue;
      const finding: TopFinding['finding'] = { checkId: f.checkId, severity: f.severity, message: f.message, path: f.path, ...(f.region ? { region: f.region } : {}) };
      this.offer({ repo: entry.name, url: entry.url, repoScore: entry.score, finding }, entry);
    }
  }

  /** A repository already summarised (`WeeklyRepo.summary`); its findings come through `addTop`. */
  addSummary(repo: WeeklyRepo & { summary: RepoSummary }): void {
    this.entry(repo, repo.summary, repo.notEvaluated ?? [], repo.notEvaluatedCount ?? repo.notEvaluated?.length ?? 0);
  }

  /** Findings ranked elsewhere (`WeeklyInput.topFindings`), in their order. */
  addTop(tops: readonly TopFinding[]): void {
    for (const t of tops) {
      if (t.finding.severity === 'info') continue;
      const e = this.entries.find((x) => x.name === t.repo && x.score === t.repoScore);
      this.offer(t, e ?? { counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } });
    }
  }

  /** The input for `renderWeeklyIssue`: repositories in summarised form plus the most severe findings. */
  input(meta: Omit<WeeklyInput, 'repos' | 'topFindings'>): WeeklyInput {
    return {
      ...meta,
      repos: this.entries.map((e) => ({
        name: e.name,
        url: e.url,
        summary: { score: e.score, counts: { ...e.counts }, owasp: { ...e.owasp } },
        ...(e.notEvaluatedCount > 0 ? { notEvaluated: [...e.notEvaluated], notEvaluatedCount: e.notEvaluatedCount } : {}),
        ...(e.archived ? { archived: true } : {}),
      })),
      topFindings: this.top.map((r) => r.top),
    };
  }

  /** @internal For the renderer. */
  state(): { entries: readonly Entry[]; top: readonly TopFinding[] } {
    return { entries: this.entries, top: this.top.map((r) => r.top) };
  }

  private entry(repo: { name: string; url: string; archived?: boolean }, sum: RepoSummary, reasons: readonly string[], reasonCount: number): Entry {
    const entry: Entry = {
      name: repo.name,
      url: repo.url,
      archived: repo.archived === true,
      score: sum.score,
      counts: { ...sum.counts },
      owasp: { ...sum.owasp },
      notEvaluated: reasons.slice(0, NOT_EVALUATED_SHOWN).map((r) => oneLine(r, REASON_MAX)),
      notEvaluatedCount: reasonCount,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Whether the repository's findings count for "Fix first": scored (not archived, not unevaluated). */
  private ranks(e: Entry): boolean {
    return !e.archived && !isUnevaluated(e);
  }

  private offer(top: TopFinding, e: { counts: Record<Severity, number> }): void {
    const r: Ranked = { top, critical: e.counts.critical, high: e.counts.high, seq: this.seq++ };
    const list = this.top;
    if (list.length >= FIX_FIRST_COUNT && rankOrder(r, list[list.length - 1]) >= 0) return;
    let i = list.length;
    while (i > 0 && rankOrder(r, list[i - 1]) < 0) i--;
    list.splice(i, 0, r);
    if (list.length > FIX_FIRST_COUNT) list.pop();
  }
}

function totalOf(e: Entry): number {
  return e.counts.critical + e.counts.high + e.counts.medium + e.counts.low + e.counts.info;
}

/** Reasons and no findings: a clean score we could not verify (not scored). */
function isUnevaluated(e: Entry): boolean {
  return !countsInOrgScore(e.notEvaluatedCount, totalOf(e));
}

// ---------------------------------------------------------------- sections

function mermaid(org: string, history: readonly { week: string; score: number }[]): string[] {
  if (history.length < 2) return [];
  const sameYear = new Set(history.map((h) => h.week.slice(0, 4))).size === 1;
  const labels = history.map((h) => (sameYear ? h.week.slice(5) : `"${h.week}"`));
  // Org logins are [A-Za-z0-9-]; anything else is dropped so the chart source cannot be broken.
  const safeOrg = org.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 39);
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${safeOrg ? `${safeOrg} ` : ''}posture score"`,
    `  x-axis [${labels.join(', ')}]`,
    '  y-axis "score" 0 --> 100',
    `  line [${history.map((h) => h.score).join(', ')}]`,
    '```',
    '',
  ];
}

function gradeTable(scored: readonly Scored[]): string[] {
  const counts = new Map<Grade, number>(GRADES.map((g) => [g.grade, 0]));
  for (const s of scored) counts.set(s.grade, (counts.get(s.grade) ?? 0) + 1);
  const max = Math.max(1, ...counts.values());
  const rows = GRADES.map((g) => {
    const n = counts.get(g.grade) ?? 0;
    const bar = n === 0 ? '' : ` ${'█'.repeat(Math.max(1, Math.round((n / max) * 20)))}`;
    return `| ${g.label} | ${fmt(n)}${bar} |`;
  });
  return ['| grade | repositories |', '|---|---|', ...rows, ''];
}

function where(repo: { url: string }, f: TopFinding['finding']): string {
  const line = f.region && f.region.line > 0 ? f.region.line : undefined;
  const text = f.path ? `${f.path}${line ? ` L${line}` : ''}` : 'repository settings';
  const url = f.path ? `${repoUrl(repo)}/blob/HEAD/${encodePath(f.path)}${line ? `#L${line}` : ''}` : repoUrl(repo);
  return mdLink(oneLine(text, 100), url);
}

function fixFirst(scored: readonly Scored[], top: readonly TopFinding[]): string[] {
  const total = scored.reduce((n, s) => n + s.counts.critical + s.counts.high + s.counts.medium + s.counts.low, 0);
  if (total === 0 || top.length === 0) return [];
  const shown = top.slice(0, FIX_FIRST_COUNT);
  const rows = shown.map(
    (t, i) =>
      `| ${i + 1} | ${t.finding.severity} | ${escapeMarkdown(t.repo, 100)} | ${escapeMarkdown(t.finding.checkId, 60)}: ${escapeMarkdown(t.finding.message, 200)} | ${where(t, t.finding)} |`,
  );
  const head = ['## Fix first', '| # | severity | repository | finding | where |', '|---|---|---|---|---|'];
  const more = total - shown.length;
  const body = fitLines(rows, BUDGET.fixFirst - 200, (n) => `| … | | ${fmt(n)} more not shown | | |`);
  return [...head, ...body, ...(more > 0 ? ['', `_${fmt(total)} findings in all (info excluded); the ${shown.length} most severe are shown._`] : []), ''];
}

function owaspTable(scored: readonly Scored[]): string[] {
  // Repositories counted by name (a name listed twice is one repository).
  const byRisk = new Map<string, { findings: number; repos: Set<string> }>();
  for (const s of scored) {
    for (const [r, n] of Object.entries(s.repo.owasp)) {
      if (n <= 0) continue;
      const e = byRisk.get(r) ?? { findings: 0, repos: new Set<string>() };
      e.findings += n;
      e.repos.add(s.repo.name);
      byRisk.set(r, e);
    }
  }
  if (byRisk.size === 0) return [];
  const rows = [...byRisk.entries()]
    .sort((a, b) => b[1].findings - a[1].findings || a[0].localeCompare(b[0], 'en', { numeric: true }))
    .map(([risk, e]) => `| ${escapeMarkdown(`${risk} ${OWASP_NAMES[risk] ?? ''}`.trim(), 100)} | ${fmt(e.findings)} | ${fmt(e.repos.size)} |`);
  return ['## By OWASP CI/CD risk', '| risk | findings | repositories |', '|---|---|---|', ...fitLines(rows, BUDGET.owasp - 100, (n) => `| … ${fmt(n)} more | | |`), ''];
}

function changes(input: WeeklyInput): string[] {
  const lines: string[] = [];
  for (const d of input.drift ?? []) lines.push(`- ${escapeMarkdown(d, 300)}`);
  const pr = input.fixPrs;
  if (pr && (pr.open > 0 || pr.mergedThisWeek > 0)) lines.push(`- Fix-up PRs: ${fmt(pr.mergedThisWeek)} merged this week, ${fmt(pr.open)} open.`);
  if (lines.length === 0) return [];
  return ['## Changed this week', ...fitLines(lines, BUDGET.changes - 50, (n) => `- _…and ${fmt(n)} more._`), ''];
}

function gates(input: WeeklyInput): string[] {
  const list = input.gateDecisions ?? [];
  if (list.length === 0) return [];
  const rows = list.map(
    (g) => `| ${escapeMarkdown(g.repo, 100)} | ${escapeMarkdown(g.environment, 60)} | ${g.decision === 'approved' ? 'approved' : '**rejected**'} | ${escapeMarkdown(g.reason, 200)} |`,
  );
  const rejected = list.filter((g) => g.decision === 'rejected').length;
  return [
    '## Deployment gate decisions',
    `${fmt(list.length)} decisions, ${fmt(rejected)} rejected.`,
    '',
    '| repository | environment | decision | reason |',
    '|---|---|---|---|',
    ...fitLines(rows, BUDGET.gates - 200, (n) => `| … ${fmt(n)} more | | | |`),
    '',
  ];
}

function notEvaluatedSection(repos: readonly Entry[]): string[] {
  const ne = repos.filter((r) => !r.archived && r.notEvaluatedCount > 0);
  if (ne.length === 0) return [];
  const items = ne.map((r) => `- ${escapeMarkdown(r.name, 100)}: ${r.notEvaluated.map((x) => escapeMarkdown(x, REASON_MAX)).join('; ')}${r.notEvaluatedCount > NOT_EVALUATED_SHOWN ? '; …' : ''}`);
  return [
    `<details><summary>Not evaluated (${fmt(ne.length)})</summary>`,
    '',
    ...fitLines(items, BUDGET.notEvaluated - 100, (n) => `- _…and ${fmt(n)} more._`),
    '',
    '</details>',
    '',
  ];
}

function repoRow(s: Scored, hasPrevious: boolean, prevPartial: boolean): string {
  const delta = s.delta !== undefined ? signed(s.delta) : hasPrevious && !prevPartial ? 'new' : '—';
  const c = s.counts;
  return `| ${mdLink(oneLine(s.repo.name, 100), repoUrl(s.repo))} | ${s.score} ${s.grade} | ${delta} | ${c.critical} | ${c.high} | ${c.medium} | ${c.low} |`;
}

function restSummary(rest: readonly Scored[]): string {
  const counts = new Map<Grade, number>();
  for (const s of rest) counts.set(s.grade, (counts.get(s.grade) ?? 0) + 1);
  const parts = GRADES.filter((g) => counts.get(g.grade)).map((g) => `${g.grade} ${fmt(counts.get(g.grade) ?? 0)}`);
  return `_…and ${fmt(rest.length)} more repositories not shown (${parts.join(' · ')})._`;
}

// ---------------------------------------------------------------- render

export function renderWeeklyIssue(input: WeeklyInput): WeeklyIssue {
  if (!WEEK_RE.test(input.week)) throw new TypeError(`week must look like 2026-W48, got ${JSON.stringify(input.week)}`);
  const week = input.week;
  const prev = input.previous && input.previous.week < week ? input.previous : undefined;

  // Full and summarised repositories alike go through the accumulator: one code path, one ranking.
  const acc = new WeeklyAccumulator();
  for (const r of input.repos) {
    if (r.summary) acc.addSummary({ ...r, summary: r.summary });
    else acc.add(r);
  }
  if (input.topFindings) acc.addTop(input.topFindings);
  const { entries: all, top } = acc.state();
  const active = all.filter((r) => !r.archived);
  const archived = all.length - active.length;
  const scored: Scored[] = active
    .filter((r) => !isUnevaluated(r))
    .map((repo) => {
      const p = prev ? own(prev.scores, repo.name) : undefined;
      return { repo, score: repo.score, grade: grade(repo.score), counts: repo.counts, delta: p === undefined ? undefined : repo.score - p };
    });
  // Worst first: score, then critical/high counts, then name (stable across runs).
  scored.sort((a, b) => a.score - b.score || b.counts.critical - a.counts.critical || b.counts.high - a.counts.high || byName(a.repo.name, b.repo.name));
  const unevaluated = active.filter(isUnevaluated).length;

  const orgScore = orgScoreOf(scored.map((s) => s.score));
  const pastHistory = (input.previous?.history ?? []).filter((h) => h.week < week);
  const history = orgScore === undefined ? pastHistory.slice(-HISTORY_WEEKS) : [...pastHistory, { week, score: orgScore }].slice(-HISTORY_WEEKS);
  const last = pastHistory.at(-1);
  const orgName = oneLine(input.org, 100);

  // Headline.
  const facts: string[] = [];
  let headline: string;
  if (orgScore === undefined) headline = '**No repository could be scored this week.**';
  else {
    const d = last ? orgScore - last.score : undefined;
    const change = d === undefined ? 'first week on record' : d > 0 ? `up ${d} since last week` : d < 0 ? `down ${-d} since last week` : 'unchanged since last week';
    headline = `**Org score ${orgScore} / 100 (${grade(orgScore)})**, ${change}`;
  }
  facts.push(`${plural(scored.length, 'repository', 'repositories')} scored`);
  if (unevaluated > 0) facts.push(`${fmt(unevaluated)} not evaluated`);
  if (archived > 0) facts.push(`${fmt(archived)} archived (not scored)`);
  if (input.fixPrs) facts.push(`${plural(input.fixPrs.open, 'fix-up PR', 'fix-up PRs')} open, ${fmt(input.fixPrs.mergedThisWeek)} merged this week`);
  if (input.drift?.length) facts.push(plural(input.drift.length, 'settings drift', 'settings drifts'));

  const pre: string[] = [
    `# Pipeline Guard — ${escapeMarkdown(orgName, 100)} posture, week ${week}`,
    '',
    `${headline} · ${facts.join(' · ')}`,
    '',
    '_Org score: the mean of the repository scores (100 minus 25 per critical, 10 per high, 3 per medium, 1 per low finding; floored at 0). Grades: A 90+, B 80–89, C 70–79, D 50–69, F below 50._',
    '',
    ...mermaid(input.org, history),
    ...(scored.length > 0 ? gradeTable(scored) : []),
    ...fixFirst(scored, top),
  ];
  const post: string[] = [...owaspTable(scored), ...changes(input), ...gates(input), ...notEvaluatedSection(all)];

  // Repository table and state share what the other sections leave: each repository shown in full
  // also gets its score in the state (so next week can show its change); then scores of the next
  // repositories, worst first, fill the state's reserve; the healthiest are dropped first.
  const base = baseState(week, history, scored.length, BUDGET.stateBase);
  const preText = pre.join('\n');
  const postText = post.join('\n');
  const head = ['## Repositories (worst first)', '| repository | score | Δ week | critical | high | medium | low |', '|---|---|---|---|---|---|---|'];
  const slack = 64; // separators, the trailing newline, the omitted count shrinking or growing
  const avail = MAX_RENDERED_BODY - byteLength(preText) - byteLength(postText) - byteLength(head.join('\n')) - byteLength(stateBlock(base)) - slack;
  const stateReserve = Math.min(BUDGET.stateReserve, Math.floor(avail / 4));
  const entries: [string, number][] = [];
  const shown: string[] = [];
  let used = 0;
  for (let i = 0; i < scored.length; i++) {
    const s = scored[i];
    const cost = byteLength(repoRow(s, prev !== undefined, (prev?.omitted ?? 0) > 0)) + 1 + entryCost(s.repo.name, s.score);
    const summary = i < scored.length - 1 ? SUMMARY_MAX : 0;
    if (used + cost + summary > avail - stateReserve) break;
    shown.push(repoRow(s, prev !== undefined, (prev?.omitted ?? 0) > 0));
    entries.push([s.repo.name, s.score]);
    used += cost;
  }
  const summaryCost = shown.length < scored.length ? byteLength(restSummary(scored.slice(shown.length))) + 2 : 0;
  for (let i = shown.length; i < scored.length; i++) {
    const cost = entryCost(scored[i].repo.name, scored[i].score);
    if (used + cost + summaryCost > avail) break;
    entries.push([scored[i].repo.name, scored[i].score]);
    used += cost;
  }
  const state: PreviousState = { week, scores: Object.fromEntries(entries), history: base.history };
  if (entries.length < scored.length) state.omitted = scored.length - entries.length;
  const block = stateBlock(state);
  const rest = scored.slice(shown.length);
  const repoText = scored.length === 0 ? '' : [...head, ...shown, ...(rest.length > 0 ? ['', restSummary(rest)] : []), ''].join('\n');

  let visible = [preText, repoText, postText].filter((t) => t !== '').join('\n');
  // Belt and braces: budgets should make this unreachable, but the state block must survive.
  const room = MAX_RENDERED_BODY - byteLength(block) - 2;
  if (byteLength(visible) > room) visible = truncateMarkdown(visible, room);
  const body = `${visible}\n${block}\n`;

  const title = `Pipeline Guard — ${orgName} posture, week ${week}: ${orgScore === undefined ? 'no score' : `score ${orgScore} (${grade(orgScore)})`}`;
  return { title, body, state };
}
