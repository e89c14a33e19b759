/**
 * The fix engine (pure): findings -> text splices on the original file -> re-parse -> accept or reject.
 * A file's fixes are accepted only when (1) the result parses, (2) the findings they target are gone
 * (the check is re-run on the fixed text and may report nothing it did not report before, minus the
 * targeted findings) and (3) the parsed document changed only under the nodes the fixes declare.
 * Fixes on one file compose: identical splices merge; an edit that overlaps an earlier one is re-run
 * on the text the earlier ones produced (up to a few rounds), never applied over it.
 */
import { checkById } from '../checks/registry.js';
import type { Check } from '../checks/types.js';
import { roleOf } from '../engine/input.js';
import { decodeText } from '../files/text.js';
import { scanSnapshot } from '../engine/scan.js';
import type { Finding } from '../model/types.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import type { Policy } from '../policy/config.js';
import { parseWorkflow } from '../workflows/parse.js';
import type { WorkflowFile } from '../workflows/model.js';
import { diffPaths, docJs, isUnder, showPath } from './doc.js';
import { FIXERS } from './registry.js';
import { applySplices, conflicts } from './text.js';
import type { DocPath, FileFix, FileOutcome, FixEdit, FixOptions, Splice } from './types.js';

const MAX_ROUNDS = 4;

/** Identity of a finding that survives line shifts: check, job, severity and its data (or message). */
export function findingKey(f: Finding): string {
  const data = f.data
    ? JSON.stringify(Object.fromEntries(Object.entries(f.data).filter(([k]) => !/line|offset|column/i.test(k)).sort(([a], [b]) => a.localeCompare(b))))
    : f.message;
  return `${f.checkId}\0${f.path}\0${f.job ?? ''}\0${f.severity}\0${data}`;
}

class Multiset {
  private readonly m = new Map<string, number>();
  add(k: string, n = 1): void {
    this.m.set(k, (this.m.get(k) ?? 0) + n);
  }
  take(k: string): boolean {
    const n = this.m.get(k) ?? 0;
    if (n <= 0) return false;
    this.m.set(k, n - 1);
    return true;
  }
  clone(): Multiset {
    const c = new Multiset();
    for (const [k, n] of this.m) c.add(k, n);
    return c;
  }
}

function singleFileSnapshot(path: string, text: string, kind: 'workflow' | 'action'): RepoSnapshot {
  const bytes = new TextEncoder().encode(text);
  return { source: 'local', files: [{ path, size: bytes.length, bytes, role: kind }], warnings: [] };
}

function scanOne(check: Check, path: string, text: string, kind: 'workflow' | 'action', policy: Policy): Finding[] {
  return scanSnapshot(singleFileSnapshot(path, text, kind), [check], policy).findings.filter((f) => f.path === path);
}

export interface FixFileInput {
  path: string;
  kind: 'workflow' | 'action';
  text: string;
  /** The findings to fix (fixable ones of checks with a fixer; others are ignored). */
  findings: Finding[];
  policy: Policy;
  /** Pin resolutions and repository identity for the fixers that need them. */
  options?: FixOptions;
}

/** Fixes one workflow or action file. Never throws: an internal error rejects the file with its reason. */
export function fixFile(input: FixFileInput): FileOutcome {
  const { path, kind, text: original, policy } = input;
  const outcome: FileOutcome = { path, original, text: original, status: 'unchanged', applied: [], fixes: [], notes: [] };
  try {
    return fixFileUnsafe(input, outcome);
  } catch (err) {
    return { ...outcome, text: original, status: 'rejected', reason: `internal error in the fix engine: ${(err as Error).message}`, applied: [], fixes: [] };
  }
  function fixFileUnsafe(inp: FixFileInput, out: FileOutcome): FileOutcome {
    const first = parseWorkflow(path, original, kind);
    if (!first.ok) return { ...out, reason: 'the file does not parse; nothing to fix' };
    const fixers = FIXERS.filter((fx) => inp.findings.some((f) => f.checkId === fx.checkId && f.fixable && f.path === path));
    const checks = new Map<string, Check>();
    for (const fx of fixers) {
      const c = checkById(fx.checkId);
      if (c) checks.set(fx.checkId, c);
    }
    if (checks.size === 0) return { ...out, reason: 'no fixable finding' };

    // Findings before, from the same single-file scan the acceptance uses.
    const before = new Map<string, Finding[]>();
    for (const [id, c] of checks) before.set(id, scanOne(c, path, original, kind, policy));
    const wanted = new Multiset();
    for (const f of inp.findings) if (checks.has(f.checkId) && f.fixable && f.path === path) wanted.add(findingKey(f));

    const addressed = new Multiset();
    const targets: DocPath[] = [];
    const fileFixes = new Map<string, FileFix>();
    const applied = new Map<string, number>();
    const notes = new Set<string>();
    let draft = false;
    const options: FixOptions = inp.options ?? {};
    let text = original;
    let w: WorkflowFile = first.workflow;
    let pending = new Set(checks.keys());

    for (let round = 0; round < MAX_ROUNDS && pending.size > 0; round++) {
      const edits: FixEdit[] = [];
      for (const fx of fixers) {
        if (!pending.has(fx.checkId)) continue;
        const current = round === 0 ? before.get(fx.checkId) ?? [] : scanOne(checks.get(fx.checkId)!, path, text, kind, policy);
        const budget = wantedMinus(wanted, addressed, current);
        const mine = current.filter((f) => f.fixable && budget.take(findingKey(f)));
        if (mine.length === 0) continue;
        const res = fx.fix({ file: w, findings: mine, policy, options });
        for (const n of res.notes) notes.add(n);
        edits.push(...res.edits);
      }
      const accepted: Splice[] = [];
      const deferred = new Set<string>();
      const took: FixEdit[] = [];
      for (const e of edits) {
        if (deferred.has(e.checkId) && round === MAX_ROUNDS - 1) continue;
        const clash = e.splices.some((s) => accepted.some((a) => conflicts(a, s)));
        const selfClash = e.splices.some((s, i) => e.splices.some((t, j) => i !== j && conflicts(s, t)));
        if (selfClash) {
          notes.add(`${path}: ${e.checkId}: an edit overlaps itself; skipped.`);
          continue;
        }
        if (clash) {
          deferred.add(e.checkId);
          continue;
        }
        for (const s of e.splices) if (!accepted.some((a) => a.start === s.start && a.end === s.end && a.text === s.text)) accepted.push(s);
        took.push(e);
      }
      if (took.length === 0) {
        pending = new Set();
        break;
      }
      const next = applySplices(text, accepted);
      const parsed = parseWorkflow(path, next, kind);
      if (!parsed.ok) {
        const p = parsed.problems[0];
        return reject(out, `the fixed text does not parse (${p ? `line ${p.line}: ${p.message}` : 'unknown error'})`, notes);
      }
      for (const e of took) {
        for (const f of e.findings) addressed.add(findingKey(f));
        targets.push(...e.targets);
        applied.set(e.checkId, (applied.get(e.checkId) ?? 0) + e.findings.length);
        for (const n of e.notes) notes.add(n);
        if (e.draft) draft = true;
        let ff = fileFixes.get(e.checkId);
        if (!ff) fileFixes.set(e.checkId, (ff = { path, checkId: e.checkId, splices: [], notes: [] }));
        ff.splices.push(...e.splices);
        ff.notes.push(...e.notes);
        if (e.draft) ff.draft = true;
      }
      text = next;
      w = parsed.workflow;
      pending = deferred;
    }
    for (const id of pending) notes.add(`${path}: ${id}: its edit overlapped another fix and could not be recomposed; left as is.`);
    if (text === original) return { ...out, notes: [...notes], reason: notes.size > 0 ? 'no mechanical fix applied' : 'nothing to change' };

    // (2) targeted findings gone, nothing new.
    for (const [id, c] of checks) {
      if (!applied.has(id)) continue;
      const allowed = new Multiset();
      const addressedCopy = addressed.clone();
      for (const f of before.get(id) ?? []) if (!addressedCopy.take(findingKey(f))) allowed.add(findingKey(f));
      for (const f of scanOne(c, path, text, kind, policy)) {
        if (!allowed.take(findingKey(f))) return reject(out, `${id} still reports: ${f.message} (line ${f.region?.line ?? '?'})`, notes);
      }
    }
    // (3) only the declared nodes changed (`w` is the parse of `text`, from the last round).
    const a = docJs(first.workflow.doc);
    const b = docJs(w.doc);
    if (a === undefined || b === undefined) return reject(out, 'the documents could not be compared (alias limits)', notes);
    for (const p of diffPaths(a, b)) {
      if (!targets.some((t) => isUnder(p, t))) return reject(out, `the fix changed ${showPath(p)}, outside the nodes it declared`, notes);
    }
    return {
      ...out,
      text,
      status: 'fixed',
      reason: undefined,
      applied: [...applied].map(([checkId, findings]) => ({ checkId, findings })),
      fixes: [...fileFixes.values()],
      notes: [...notes],
      ...(draft ? { draft: true as const } : {}),
    };
  }
}

/** Findings of `current` still wanted: wanted minus those already addressed, as a multiset. */
function wantedMinus(wanted: Multiset, addressed: Multiset, current: Finding[]): Multiset {
  const w = wanted.clone();
  const a = addressed.clone();
  const out = new Multiset();
  for (const f of current) {
    const k = findingKey(f);
    if (a.take(k)) continue;
    if (w.take(k)) out.add(k);
  }
  return out;
}

function reject(out: FileOutcome, reason: string, notes: Set<string>): FileOutcome {
  return { ...out, text: out.original, status: 'rejected', reason, applied: [], fixes: [], notes: [...notes] };
}

/**
 * Applies every mechanical fix for the given findings, per file of the snapshot. `kinds` limits the
 * check ids fixed; `options` carries what some fixers need resolved beforehand (pins for
 * unpinned-action). Files without a fixable finding are not listed.
 */
export function applyFixes(
  snapshot: RepoSnapshot,
  findings: readonly Finding[],
  policy: Policy,
  kinds?: readonly string[],
  options: FixOptions = {},
): FileOutcome[] {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.fixable || !FIXERS.some((fx) => fx.checkId === f.checkId)) continue;
    if (kinds && !kinds.includes(f.checkId)) continue;
    let l = byPath.get(f.path);
    if (!l) byPath.set(f.path, (l = []));
    l.push(f);
  }
  const out: FileOutcome[] = [];
  for (const [path, list] of [...byPath].sort(([a], [b]) => a.localeCompare(b))) {
    const file = snapshot.files.find((f) => f.path === path);
    const role = file ? roleOf(file) : undefined;
    const text = decodeText(file?.bytes);
    if (!file || text === undefined || (role !== 'workflow' && role !== 'action')) continue;
    out.push(fixFile({ path, kind: role, text, findings: list, policy, options }));
  }
  return out;
}
