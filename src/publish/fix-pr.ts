/**
 * Opens, updates and closes the fix-up pull requests of one repository: one PR per kind of fix (check
 * id) on the branch `pipeline-guard/fix/<kind>`, based on the default-branch commit that was audited.
 *
 * Per kind, in order (sequential writes only: GitHub's content-creation limit punishes bursts):
 * - a PR a human closed (closed, not merged, no "closed by us" in its marker) for the same findings
 *   fingerprint → nothing (`skipped-human-closed`);
 * - our branch whose head is neither the commit recorded in our PR marker nor a commit of ours (trailer
 *   `Pipeline-Guard-Fix: <kind>`, authored by the bot) → a human pushed: one comment, no ref update
 *   (`skipped-human-commits`);
 * - same fingerprint, same fixed contents, head = our commit → nothing (`unchanged`);
 * - else one commit with every fixed file (POST git/trees with `base_tree` and inline contents, POST
 *   git/commits with the audited commit as its only parent), then POST git/refs (new branch) or PATCH
 *   git/refs with `force` (only ever on a branch whose head is our own commit: that is how a branch
 *   based on an old default-branch commit is rebuilt), then POST pulls (draft when a file needs a human)
 *   or PATCH pulls (title, body) → `created` / `updated`;
 * - no fixable finding of the kind left on the default branch while our PR is open → a comment and the
 *   PR closed, its marker saying we closed it (`closed`);
 * - findings left but no fix passed the engine's acceptance → nothing written (`rejected`).
 * Only refs under `refs/heads/pipeline-guard/fix/` are ever written.
 */
import { createHash } from 'node:crypto';
import { checkById } from '../checks/registry.js';
import { listFixBranches, listFixPulls, listPullComments, readCommit, type FixPull, type RepoId, type RequestOctokit } from '../collect/fix-pr.js';
import { roleOf } from '../engine/input.js';
import { scanSnapshot } from '../engine/scan.js';
import { applyFixes, findingKey } from '../fixes/engine.js';
import { FIXABLE_CHECK_IDS } from '../fixes/registry.js';
import type { FileOutcome, FixOptions } from '../fixes/types.js';
import type { Finding } from '../model/types.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import type { Policy } from '../policy/config.js';
import {
  FIX_BRANCH_PREFIX,
  FIX_TRAILER,
  closedNote,
  findingsGoneComment,
  fixBranch,
  fixCommitMessage,
  fixMarker,
  fixPrBody,
  fixPrTitle,
  humanCommentMarker,
  humanCommitsComment,
  type FixPrContent,
  type FixPrResult,
} from '../report/fix-pr.js';
import { describeError } from './check-run.js';

export type { FixPrResult } from '../report/fix-pr.js';

/** A note asks a person to act (create a secret, register a publisher, rotate a key...). */
const FOLLOW_UP = /\b(create|rotate|before merging|trust policy|placeholder|by hand|give it|register|delete the)\b/i;

export interface KindPlan {
  kind: string;
  /** Fixable findings of this kind on the audited commit. */
  remaining: number;
  /** Set when at least one file was fixed. */
  content?: FixPrContent;
  /** Fixed file contents to commit. */
  writes: { path: string; content: string }[];
  rejected: { path: string; reason: string }[];
  notes: string[];
}

function hash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 32);
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** The findings of `kind` the fixed text no longer has (multiset difference on findingKey). */
function removedFindings(snapshot: RepoSnapshot, o: FileOutcome, kind: string, before: readonly Finding[], policy: Policy): Finding[] {
  const check = checkById(kind);
  const file = snapshot.files.find((f) => f.path === o.path);
  if (!check || !file) return [...before];
  const bytes = new TextEncoder().encode(o.text);
  const after = scanSnapshot({ source: 'local', files: [{ path: o.path, size: bytes.length, bytes, role: roleOf(file) }], warnings: [] }, [check], policy).findings;
  const left = new Map<string, number>();
  for (const f of after) left.set(findingKey(f), (left.get(findingKey(f)) ?? 0) + 1);
  return before.filter((f) => {
    const n = left.get(findingKey(f)) ?? 0;
    if (n > 0) {
      left.set(findingKey(f), n - 1);
      return false;
    }
    return true;
  });
}

/** Pure: what the PR of one kind would contain, from the fix engine's outcomes. */
export function planKind(snapshot: RepoSnapshot, findings: readonly Finding[], policy: Policy, kind: string, options: FixOptions = {}): KindPlan {
  const mine = findings.filter((f) => f.checkId === kind && f.fixable);
  const plan: KindPlan = { kind, remaining: mine.length, writes: [], rejected: [], notes: [] };
  if (mine.length === 0) return plan;
  const outcomes = applyFixes(snapshot, mine, policy, [kind], options);
  const fixed: Finding[] = [];
  const followUps: string[] = [];
  let draft = false;
  for (const o of outcomes) {
    if (o.status === 'rejected') plan.rejected.push({ path: o.path, reason: o.reason ?? 'rejected by the fix engine' });
    if (o.status !== 'fixed') {
      plan.notes.push(...o.notes);
      continue;
    }
    const file = snapshot.files.find((f) => f.path === o.path);
    const bom = file?.bytes && UTF8_BOM.every((b, i) => file.bytes?.[i] === b) ? '\ufeff' : '';
    plan.writes.push({ path: o.path, content: bom + o.text });
    fixed.push(...removedFindings(snapshot, o, kind, mine.filter((f) => f.path === o.path), policy));
    const editNotes = new Set(o.fixes.flatMap((ff) => ff.notes));
    if (o.draft) draft = true;
    for (const n of o.notes) {
      if (editNotes.has(n) && (o.draft || FOLLOW_UP.test(n))) followUps.push(n);
      else plan.notes.push(n);
    }
  }
  if (plan.writes.length === 0) return plan;
  plan.content = {
    kind,
    checkTitle: checkById(kind)?.meta.title ?? kind,
    fixed,
    files: plan.writes.map((w) => ({ path: w.path })),
    followUps,
    notes: plan.notes,
    rejected: plan.rejected,
    draft: draft || followUps.length > 0,
    fingerprint: hash(fixed.map(findingKey).sort()),
    filesHash: hash(plan.writes.flatMap((w) => [w.path, w.content])),
  };
  return plan;
}

export interface OpenFixPullRequestsInput {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** The default-branch commit the snapshot was read at: the parent of every fix commit. */
  baseSha: string;
  snapshot: RepoSnapshot;
  findings: readonly Finding[];
  policy: Policy;
  /** Check ids to consider (default: every check with a fixer). */
  kinds?: readonly string[];
  /** `https://github.com/owner/repo`, for line links in the PR body. */
  repoUrl?: string;
  /** `<app-slug>[bot]`: only PRs it opened and commits it authored count as ours (when known). */
  botLogin?: string;
  /** Pin resolutions for unpinned-action (collect/action-refs); repository and default branch are filled in. */
  fixOptions?: FixOptions;
}

function assertOurRef(branch: string): void {
  if (!branch.startsWith(FIX_BRANCH_PREFIX) || branch.includes('..')) throw new Error(`refusing to write the branch ${branch}`);
}

interface Ctx {
  octokit: RequestOctokit;
  r: RepoId;
  input: OpenFixPullRequestsInput;
  baseTree?: string;
}

/** Whether the branch head is our own commit: the one our marker recorded, or one with our trailer by our bot. */
async function branchIsOurs(ctx: Ctx, kind: string, head: string, recorded?: string): Promise<boolean> {
  if (recorded === head) return true;
  const c = await readCommit(ctx.octokit, ctx.r, head);
  const trailer = c.message.split('\n').some((l) => l.trim() === `${FIX_TRAILER}: ${kind}`);
  const bot = ctx.input.botLogin;
  // GitHub records the app's bot as the author of a commit created without one (a copied trailer is not enough).
  return trailer && c.parents.length === 1 && (bot === undefined || c.authorName === bot);
}

async function commentOnce(ctx: Ctx, pull: FixPull, kind: string, head: string): Promise<void> {
  const comments = await listPullComments(ctx.octokit, ctx.r, pull.number);
  if (comments.some((b) => b.includes(humanCommentMarker(head)))) return;
  await ctx.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...ctx.r, issue_number: pull.number, body: humanCommitsComment(kind, head) });
}

async function writeCommit(ctx: Ctx, plan: KindPlan & { content: FixPrContent }): Promise<string> {
  const { input } = ctx;
  ctx.baseTree ??= (await readCommit(ctx.octokit, ctx.r, input.baseSha)).tree;
  const tree = await ctx.octokit.request('POST /repos/{owner}/{repo}/git/trees', {
    ...ctx.r,
    base_tree: ctx.baseTree,
    tree: plan.writes.map((w) => ({ path: w.path, mode: '100644' as const, type: 'blob' as const, content: w.content })),
  });
  // No author or committer: GitHub records the app's bot and signs the commit.
  const commit = await ctx.octokit.request('POST /repos/{owner}/{repo}/git/commits', {
    ...ctx.r,
    message: fixCommitMessage(plan.content),
    tree: tree.data.sha,
    parents: [input.baseSha],
  });
  return commit.data.sha;
}

async function closeResolved(ctx: Ctx, kind: string, pull: FixPull): Promise<FixPrResult> {
  const { input } = ctx;
  await ctx.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...ctx.r, issue_number: pull.number, body: findingsGoneComment(input.defaultBranch, input.baseSha) });
  // The marker says the app closed it, so the PR is not taken for one a person closed.
  const m = pull.marker;
  const closed = m ? fixMarker({ ...m, closed: 'resolved' }) : '';
  const replaced = m ? pull.body.replace(fixMarker(m), closed) : pull.body;
  const body = `${closedNote(input.defaultBranch)}\n\n${replaced !== pull.body || !m ? replaced : `${pull.body}\n\n${closed}`}`;
  await ctx.octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...ctx.r, pull_number: pull.number, state: 'closed', body });
  return { kind, action: 'closed', number: pull.number, url: pull.url };
}

async function oneKind(ctx: Ctx, plan: KindPlan, branchHead: string | undefined): Promise<FixPrResult | undefined> {
  const { kind } = plan;
  const { input } = ctx;
  const branch = fixBranch(kind);
  assertOurRef(branch);

  if (!plan.content) {
    if (plan.remaining > 0) {
      const why = plan.rejected[0] ? `${plan.rejected[0].path}: ${plan.rejected[0].reason}` : plan.notes[0] ?? 'no mechanical fix applied';
      return { kind, action: 'rejected', reason: why };
    }
    if (!branchHead) return undefined;
    // No finding of this kind left: close our open PR, if any.
    const pulls = await listFixPulls(ctx.octokit, ctx.r, kind, input.botLogin);
    const open = pulls.find((p) => p.state === 'open' && p.marker);
    if (!open) return undefined;
    if (!(await branchIsOurs(ctx, kind, branchHead, open.marker?.commit))) {
      await commentOnce(ctx, open, kind, branchHead);
      return { kind, action: 'skipped-human-commits', number: open.number, url: open.url, reason: 'the findings are gone, but the branch has commits the app did not create: left open' };
    }
    return closeResolved(ctx, kind, open);
  }

  const content = plan.content;
  const pulls = await listFixPulls(ctx.octokit, ctx.r, kind, input.botLogin);
  const humanClosed = pulls.find((p) => p.state === 'closed' && !p.merged && p.marker && !p.marker.closed && p.marker.fp === content.fingerprint);
  if (humanClosed) return { kind, action: 'skipped-human-closed', number: humanClosed.number, url: humanClosed.url, findings: content.fixed.length };
  const open = pulls.find((p) => p.state === 'open');
  if (open && !open.marker) return { kind, action: 'skipped-human-commits', number: open.number, url: open.url, reason: 'an open pull request from the branch was not opened by Pipeline Guard' };
  const recorded = open?.marker?.commit ?? pulls.find((p) => p.marker)?.marker?.commit;
  if (branchHead && !(await branchIsOurs(ctx, kind, branchHead, recorded))) {
    if (open) await commentOnce(ctx, open, kind, branchHead);
    return { kind, action: 'skipped-human-commits', ...(open ? { number: open.number, url: open.url } : {}), reason: 'the branch has commits the app did not create' };
  }
  if (open?.marker && branchHead === open.marker.commit && open.marker.fp === content.fingerprint && open.marker.files === content.filesHash) {
    return { kind, action: 'unchanged', number: open.number, url: open.url, draft: open.draft, findings: content.fixed.length };
  }

  const sha = await writeCommit(ctx, { ...plan, content });
  if (branchHead) {
    // Our own commit (checked above): rebuilt on the audited base, so the update is not a fast-forward.
    await ctx.octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...ctx.r, ref: `heads/${branch}`, sha, force: true });
  } else {
    await ctx.octokit.request('POST /repos/{owner}/{repo}/git/refs', { ...ctx.r, ref: `refs/heads/${branch}`, sha });
  }
  const ctxBody = { defaultBranch: input.defaultBranch, baseSha: input.baseSha, commit: sha, repoUrl: input.repoUrl };
  const title = fixPrTitle(content);
  const body = fixPrBody(content, ctxBody);
  if (open) {
    await ctx.octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...ctx.r,
      pull_number: open.number,
      title,
      body,
      ...(open.baseRef !== input.defaultBranch ? { base: input.defaultBranch } : {}),
    });
    return { kind, action: 'updated', number: open.number, url: open.url, draft: open.draft, findings: content.fixed.length };
  }
  const created = await ctx.octokit.request('POST /repos/{owner}/{repo}/pulls', {
    ...ctx.r,
    title,
    head: branch,
    base: input.defaultBranch,
    body,
    draft: content.draft,
  });
  return { kind, action: 'created', number: created.data.number, url: created.data.html_url, draft: content.draft, findings: content.fixed.length };
}

/**
 * One result per kind that has fixable findings on the default branch or an existing branch of ours.
 * One kind failing (GitHub refusing a write) does not stop the others: it is reported `failed`.
 */
export async function openFixPullRequests(octokit: RequestOctokit, input: OpenFixPullRequestsInput): Promise<FixPrResult[]> {
  const r = { owner: input.owner, repo: input.repo };
  const ctx: Ctx = { octokit, r, input };
  const kinds = [...(input.kinds ?? [...FIXABLE_CHECK_IDS])].filter((k) => FIXABLE_CHECK_IDS.has(k)).sort();
  const options: FixOptions = { repository: `${input.owner}/${input.repo}`, defaultBranch: input.defaultBranch, ...input.fixOptions };
  const plans = kinds.map((k) => planKind(input.snapshot, input.findings, input.policy, k, options));
  // Nothing fixable anywhere and no kind named: still list our branches, so PRs whose findings are gone get closed.
  const branches = await listFixBranches(octokit, r);
  const results: FixPrResult[] = [];
  for (const plan of plans) {
    try {
      const res = await oneKind(ctx, plan, branches.get(plan.kind));
      if (res) results.push(res);
    } catch (err) {
      results.push({ kind: plan.kind, action: 'failed', reason: describeError(err) });
    }
  }
  return results;
}
