/**
 * unpinned-action fix (W3): `uses: owner/repo[/path]@ref` becomes `uses: owner/repo[/path]@<sha> # <tag>`,
 * the tag being the most specific one at that commit (what Dependabot reads to update both). The
 * SHAs come resolved in `options.pins` (src/collect/action-refs.ts): this fixer does no I/O. A ref
 * that is both a branch and a tag, or that did not resolve, is left as is with the reason.
 */
import { isFullSha } from '../workflows/uses.js';
import type { UsesScalar, WorkflowFile } from '../workflows/model.js';
import { anchoredAlong, nodeAt } from './doc.js';
import { pinKey } from './pins.js';
import { lineEnd, offsetOf } from './text.js';
import type { FixEdit, Fixer, FixerOutput, Splice } from './types.js';

const CHECK_ID = 'unpinned-action';

export const PIN_NEEDS_TOKEN = 'pinning needs a GitHub token (--token or GITHUB_TOKEN)';

/** The `uses:` scalar (step or reusable-workflow call) that starts at `offset`. */
function usesAt(w: WorkflowFile, offset: number): UsesScalar | undefined {
  for (const job of w.jobs) {
    if (job.uses?.loc.offset === offset) return job.uses;
    for (const s of job.steps) if (s.uses?.loc.offset === offset) return s.uses;
  }
  return undefined;
}

/** A comment text that must survive the rewrite (a suppression or another tool's directive). */
const KEEP_COMMENT = /pipeline-guard:|zizmor:|nosemgrep|noqa/i;

export const unpinnedActionFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings, options }): FixerOutput {
    const notes: string[] = [];
    const edits: FixEdit[] = [];
    if (!options.pins) {
      if (findings.length > 0) notes.push(`${w.path}: unpinned-action: ${findings.length} reference(s) not pinned: ${PIN_NEEDS_TOKEN}.`);
      return { edits, notes };
    }
    const text = w.text;
    for (const f of findings) {
      const where = `${w.path}:${f.region?.line ?? 1}`;
      const off = f.region ? offsetOf(text, f.region.line, f.region.column) : -1;
      const uses = usesAt(w, off);
      const ref = uses?.ref;
      if (!uses || !ref || ref.kind !== 'action') {
        notes.push(`${where}: unpinned-action: the uses: value was not found (block scalar?); left as is.`);
        continue;
      }
      const label = `${ref.owner}/${ref.repo}${ref.path ? `/${ref.path}` : ''}`;
      if (!ref.ref) {
        notes.push(`${where}: unpinned-action: ${label} names no ref; choose a release and pin its SHA by hand.`);
        continue;
      }
      if (uses.block) {
        notes.push(`${where}: unpinned-action: ${label} is written as a block scalar; left as is.`);
        continue;
      }
      const pin = options.pins.get(pinKey(ref.owner, ref.repo, ref.ref));
      if (!pin) {
        notes.push(`${where}: unpinned-action: ${label}@${ref.ref} was not resolved; left as is.`);
        continue;
      }
      if (pin.status !== 'pinned') {
        notes.push(`${where}: unpinned-action: ${label}@${ref.ref} not pinned: ${pin.reason}.`);
        continue;
      }
      if (!isFullSha(pin.sha)) {
        notes.push(`${where}: unpinned-action: ${label}@${ref.ref} resolved to "${pin.sha}", not a commit SHA; left as is.`);
        continue;
      }
      const located = nodeAt(w.doc, uses.loc.offset, 'scalar');
      if (!located) {
        notes.push(`${where}: unpinned-action: its YAML node was not found (alias?); left as is.`);
        continue;
      }
      if (anchoredAlong(w.doc, located.path)) {
        notes.push(`${where}: unpinned-action: ${label} sits under a YAML anchor (&…) that aliases reuse; pin it by hand.`);
        continue;
      }
      const raw = text.slice(uses.loc.offset, uses.loc.endOffset);
      const at = raw.lastIndexOf(`@${ref.ref}`);
      if (at === -1 || raw.includes('\n')) {
        notes.push(`${where}: unpinned-action: the ref could not be located in the text; left as is.`);
        continue;
      }
      const refStart = uses.loc.offset + at + 1;
      const splices: Splice[] = [{ start: refStart, end: refStart + ref.ref.length, text: pin.sha.toLowerCase() }];
      const tag = pin.tag ?? ref.ref;
      const eol = lineEnd(text, uses.loc.endOffset);
      const rest = text.slice(uses.loc.endOffset, eol);
      const editNotes: string[] = [];
      if (/^\s*$/.test(rest)) {
        splices.push({ start: uses.loc.endOffset, end: uses.loc.endOffset, text: ` # ${tag}` });
      } else {
        const m = /^(\s*)#\s?(.*)$/.exec(rest);
        if (m) {
          const old = m[2].trimEnd();
          const start = uses.loc.endOffset + m[1].length;
          // Dependabot reads the version from `# <tag>`: the old comment goes, unless it is a directive.
          const comment = KEEP_COMMENT.test(old) ? `# ${tag} # ${old.replace(/^#\s*/, '')}` : `# ${tag}`;
          if (text.slice(start, eol) !== comment) splices.push({ start, end: eol, text: comment });
        } else {
          editNotes.push(`${where}: ${label} is pinned without a "# ${tag}" comment (other YAML follows it on the line).`);
        }
      }
      const note =
        pin.from === 'branch'
          ? `${where}: pinned ${label} from branch "${ref.ref}" to its current head ${pin.sha.slice(0, 12)}; a release tag would be a better anchor.`
          : `${where}: pinned ${label}@${ref.ref} to ${pin.sha.slice(0, 12)} (${tag}).`;
      edits.push({ checkId: CHECK_ID, splices, targets: [located.path], findings: [f], notes: [note, ...editNotes] });
    }
    return { edits, notes };
  },
};
