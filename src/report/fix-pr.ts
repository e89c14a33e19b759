/**
 * Title, body and commit message of one fix-up pull request (one kind of fix = one check id), and
 * the check-run text that lists the pull requests (pure: no network, no clock).
 *
 * The body ends with a hidden marker the app reads back on the next trigger:
 * `<!-- pipeline-guard:fix {"v":1,"kind":…,"fp":…,"files":…,"commit":…,"base":…} -->`
 * - `fp`: fingerprint of the findings the PR removes (fixes/engine findingKey: stable across line shifts);
 * - `files`: hash of the fixed file contents, so an unchanged fix is not re-pushed;
 * - `commit`: the commit the app created (a different branch head means somebody else pushed);
 * - `closed`: set when the app itself closed the PR (a PR closed without it was closed by a human).
 * Every value in the marker is a check id or hex, so no repository text can close the comment.
 *
 * Everything that came from the repository (paths, finding messages, notes, branch names) is escaped
 * with report/markdown, so nobody is mentioned and no link, image or HTML is injected.
 */
import type { Finding } from '../model/types.js';
import { byteLength, codeSpan, encodePath, escapeMarkdown, mdLink, oneLine, truncateMarkdown } from './markdown.js';

export const FIX_BRANCH_PREFIX = 'pipeline-guard/fix/';
export const MAX_PR_BODY = 65_536;
/** The commit-message trailer that marks a commit the app created (with the bot as author). */
export const FIX_TRAILER = 'Pipeline-Guard-Fix';
const MARKER_START = '<!-- pipeline-guard:fix ';
const MARKER_END = ' -->';
const KIND_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SHA_RE = /^[0-9a-f]{40}$/;
const HASH_RE = /^[0-9a-f]{16,64}$/;

/** The branch of one kind of fix; throws on a kind that is not a check id (never a branch outside our prefix). */
export function fixBranch(kind: string): string {
  if (!KIND_RE.test(kind)) throw new Error(`not a fix kind: ${JSON.stringify(kind).slice(0, 80)}`);
  return `${FIX_BRANCH_PREFIX}${kind}`;
}

export interface FixMarker {
  v: 1;
  kind: string;
  /** Fingerprint of the findings the PR removes. */
  fp: string;
  /** Hash of the fixed file contents. */
  files: string;
  /** The commit the app created on the branch. */
  commit: string;
  /** The default-branch commit it is based on. */
  base: string;
  /** Set when the app closed the PR (findings gone). */
  closed?: 'resolved';
}

export function fixMarker(m: FixMarker): string {
  const o: Record<string, unknown> = { v: 1, kind: m.kind, fp: m.fp, files: m.files, commit: m.commit, base: m.base };
  if (m.closed) o.closed = m.closed;
  return `${MARKER_START}${JSON.stringify(o)}${MARKER_END}`;
}

/** Reads the marker back from a PR body; undefined (never throws) when absent or malformed. */
export function parseFixMarker(body: unknown): FixMarker | undefined {
  if (typeof body !== 'string') return undefined;
  const at = body.lastIndexOf(MARKER_START);
  if (at < 0) return undefined;
  const end = body.indexOf(MARKER_END, at + MARKER_START.length);
  if (end < 0) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body.slice(at + MARKER_START.length, end));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const str = (k: string, re: RegExp): string | undefined => (typeof o[k] === 'string' && re.test(o[k] as string) ? (o[k] as string) : undefined);
  const kind = str('kind', KIND_RE);
  const fp = str('fp', HASH_RE);
  const files = str('files', HASH_RE);
  const commit = str('commit', SHA_RE);
  const base = str('base', SHA_RE);
  if (o.v !== 1 || !kind || !fp || !files || !commit || !base) return undefined;
  return { v: 1, kind, fp, files, commit, base, ...(o.closed === 'resolved' ? { closed: 'resolved' as const } : {}) };
}

/** What one fix-up PR contains, as the publisher computed it from the fix engine's outcomes. */
export interface FixPrContent {
  kind: string;
  /** The check's title (trusted: from the check registry). */
  checkTitle: string;
  /** The findings the change removes (positions on the base commit). */
  fixed: readonly Finding[];
  /** The changed files. */
  files: readonly { path: string }[];
  /** What a human must still do (create the secret, the OIDC role, register the publisher...). */
  followUps: readonly string[];
  /** Other notes of the fix engine (what was moved, what was left alone and why). */
  notes: readonly string[];
  /** Files whose fixes the engine refused, with the reason. */
  rejected: readonly { path: string; reason: string }[];
  /** True when a file needs a human before merging: the PR is opened as a draft. */
  draft: boolean;
  fingerprint: string;
  filesHash: string;
}

export interface FixPrContext {
  defaultBranch: string;
  baseSha: string;
  /** The commit the app created for this PR. */
  commit: string;
  /** `https://github.com/owner/repo` (from the webhook), for line links; no links without it. */
  repoUrl?: string;
}

export function fixPrTitle(c: Pick<FixPrContent, 'kind' | 'checkTitle'>): string {
  return oneLine(`Pipeline Guard: fix ${c.kind} (${c.checkTitle})`, 250);
}

function lineUrl(ctx: FixPrContext, path: string, line?: number): string | undefined {
  if (!ctx.repoUrl || !/^https?:\/\/[^\s()<>]+$/i.test(ctx.repoUrl)) return undefined;
  return `${ctx.repoUrl.replace(/\/+$/, '')}/blob/${ctx.baseSha}/${encodePath(path)}${line ? `#L${line}` : ''}`;
}

function where(ctx: FixPrContext, path: string, line?: number): string {
  const label = line ? `${path}:${line}` : path;
  const url = lineUrl(ctx, path, line);
  return url ? mdLink(label, url) : escapeMarkdown(label);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The PR body: changes per file, human follow-ups, rejected files, then the hidden marker. */
export function fixPrBody(c: FixPrContent, ctx: FixPrContext): string {
  const lines: string[] = [];
  lines.push(`Pipeline Guard fixes ${plural(c.fixed.length, 'finding')} of the check ${codeSpan(c.kind)} (${escapeMarkdown(c.checkTitle)}) in ${plural(c.files.length, 'file')}, on ${codeSpan(ctx.defaultBranch)} at \`${ctx.baseSha.slice(0, 12)}\`.`);
  if (c.draft) lines.push('', '**Draft: this change needs a human before it can be merged (see "Before merging").**');
  lines.push('', '### Changes', '');
  const byPath = new Map<string, Finding[]>();
  for (const f of c.fixed) {
    let l = byPath.get(f.path);
    if (!l) byPath.set(f.path, (l = []));
    l.push(f);
  }
  for (const { path } of c.files) {
    lines.push(`- ${where(ctx, path)}`);
    const list = [...(byPath.get(path) ?? [])].sort((a, b) => (a.region?.line ?? 0) - (b.region?.line ?? 0));
    for (const f of list) lines.push(`  - ${where(ctx, f.path, f.region?.line)} (${f.severity}): ${escapeMarkdown(f.message, 500)}`);
  }
  if (c.followUps.length > 0) {
    lines.push('', '### Before merging', '');
    for (const n of c.followUps) lines.push(`- [ ] ${escapeMarkdown(n, 600)}`);
  }
  if (c.notes.length > 0) {
    lines.push('', '### Notes', '');
    for (const n of c.notes) lines.push(`- ${escapeMarkdown(n, 600)}`);
  }
  if (c.rejected.length > 0) {
    lines.push('', '### Not changed', '');
    for (const r of c.rejected) lines.push(`- ${escapeMarkdown(r.path)}: ${escapeMarkdown(r.reason, 600)}`);
  }
  lines.push(
    '',
    '---',
    `_Opened by Pipeline Guard on the branch ${codeSpan(fixBranch(c.kind))}. Each new trigger updates this pull request in place. If you push to the branch, the app leaves your commits alone. If you close the pull request, it is not reopened for the same findings._`,
  );
  const marker = fixMarker({ v: 1, kind: c.kind, fp: c.fingerprint, files: c.filesHash, commit: ctx.commit, base: ctx.baseSha });
  const text = truncateMarkdown(lines.join('\n'), MAX_PR_BODY - byteLength(marker) - 2);
  return `${text}\n\n${marker}`;
}

/**
 * The commit message: trusted words, paths and line numbers only (finding messages quote workflow
 * text, and a commit message is where "fixes #12" would close an issue on merge).
 */
export function fixCommitMessage(c: Pick<FixPrContent, 'kind' | 'fixed'>): string {
  const lines = [`Pipeline Guard: fix ${c.kind} (${plural(c.fixed.length, 'finding')})`, ''];
  for (const f of c.fixed.slice(0, 50)) lines.push(`- ${oneLine(f.path, 200).replace(/[@#]/g, '_')}${f.region ? `:${f.region.line}` : ''}`);
  if (c.fixed.length > 50) lines.push(`- ...and ${c.fixed.length - 50} more`);
  lines.push('', `${FIX_TRAILER}: ${c.kind}`);
  return lines.join('\n');
}

/** The comment left when a human pushed to our branch (hidden marker: one comment per head). */
export function humanCommitsComment(kind: string, headSha: string): string {
  return [
    `Pipeline Guard did not update this pull request: the branch ${codeSpan(fixBranch(kind))} has a commit it did not create (\`${headSha.slice(0, 12)}\`), and it never overwrites one.`,
    '',
    'To let the app refresh the fix, delete the branch (or close this pull request); otherwise finish the change by hand.',
    '',
    humanCommentMarker(headSha),
  ].join('\n');
}

export function humanCommentMarker(headSha: string): string {
  return `<!-- pipeline-guard:fix-human ${SHA_RE.test(headSha) ? headSha : 'unknown'} -->`;
}

/** The first line of a PR body once the app closed it. */
export function closedNote(defaultBranch: string): string {
  return `**Closed by Pipeline Guard: ${codeSpan(defaultBranch)} no longer has these findings.**`;
}

export function findingsGoneComment(defaultBranch: string, baseSha: string): string {
  return `Pipeline Guard is closing this pull request: ${codeSpan(defaultBranch)} at \`${baseSha.slice(0, 12)}\` no longer has the findings it fixes.`;
}

export type FixAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'skipped-human-closed' | 'skipped-human-commits' | 'rejected' | 'failed';

export interface FixPrResult {
  kind: string;
  action: FixAction;
  number?: number;
  url?: string;
  draft?: boolean;
  /** Findings the PR removes (created, updated, unchanged). */
  findings?: number;
  /** Why nothing was written (rejected, skipped, failed). */
  reason?: string;
}

const ACTION_TEXT: Record<FixAction, string> = {
  created: 'opened',
  updated: 'updated',
  unchanged: 'already up to date',
  closed: 'closed: the findings are gone',
  'skipped-human-closed': 'not reopened: a person closed it for the same findings',
  'skipped-human-commits': 'not updated: somebody else pushed to the branch',
  rejected: 'not opened: no fix passed the checks',
  failed: 'failed',
};

/** The check-run text after a "Fix it" request: one line per kind, with the PR link. */
export function fixResultsText(results: readonly FixPrResult[], ctx: { defaultBranch: string; baseSha?: string; why?: string }): string {
  const head = `### Fix-up pull requests\n\nRequested on ${codeSpan(ctx.defaultBranch)}${ctx.baseSha ? ` at \`${ctx.baseSha.slice(0, 12)}\`` : ''}.`;
  if (results.length === 0) return `${head}\n\nNothing was opened: ${escapeMarkdown(ctx.why ?? 'the default branch has no finding with a mechanical fix')}.`;
  const lines = results.map((r) => {
    const pr = r.number !== undefined ? (r.url && /^https:\/\/[^\s()<>]+$/.test(r.url) ? ` [#${r.number}](${r.url})` : ` #${r.number}`) : '';
    const extra = [r.draft ? 'draft' : '', r.findings !== undefined ? plural(r.findings, 'finding') : ''].filter(Boolean).join(', ');
    const reason = r.reason ? `: ${escapeMarkdown(r.reason, 400)}` : '';
    return `- ${codeSpan(r.kind)}${pr}: ${ACTION_TEXT[r.action]}${extra ? ` (${extra})` : ''}${reason}`;
  });
  return truncateMarkdown(`${head}\n\n${lines.join('\n')}`, 60_000);
}
