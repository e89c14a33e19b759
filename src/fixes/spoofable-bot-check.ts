/**
 * spoofable-bot-check fix (W18): in the `if:` that trusts `github.actor` to be a bot, compare the
 * author field the check names (`data.replacement`, e.g. github.event.pull_request.user.login) instead.
 * Every actor-vs-bot comparison of the condition is rewritten, not only the first.
 */
import type { Scalar } from '../workflows/model.js';
import { blockMapAt, jobOf, stepAt } from './common.js';
import { offsetOf } from './text.js';
import type { FixEdit, Fixer, FixerOutput, Splice } from './types.js';

const CHECK_ID = 'spoofable-bot-check';
const ACTOR = String.raw`github\s*\.\s*(?:actor|triggering_actor|event\s*\.\s*sender\s*\.\s*login)\b(?![\w-])|github\s*\[\s*'(?:actor|triggering_actor)'\s*\]`;
const LIT = String.raw`'([^']*)'`;
const isBot = (lit: string): boolean => /\[bot\]$/i.test(lit) || /^(dependabot|renovate|github-actions)/i.test(lit);

/** Splices that replace each actor reference compared with a bot login inside [start, end). */
function actorSplices(text: string, start: number, end: number, replacement: string): Splice[] {
  const raw = text.slice(start, end);
  const out: Splice[] = [];
  const patterns: { re: RegExp; actorGroup: number; litGroup: number }[] = [
    { re: new RegExp(`(${ACTOR})(\\s*[!=]=\\s*)${LIT}`, 'gi'), actorGroup: 1, litGroup: 3 },
    { re: new RegExp(`${LIT}(\\s*[!=]=\\s*)(${ACTOR})`, 'gi'), actorGroup: 3, litGroup: 1 },
    { re: new RegExp(`((?:contains|startsWith|endsWith)\\(\\s*)(${ACTOR})(\\s*,\\s*)${LIT}`, 'gi'), actorGroup: 2, litGroup: 4 },
  ];
  for (const { re, actorGroup, litGroup } of patterns) {
    let m: RegExpExecArray | null;
    while ((m = re.exec(raw)) !== null) {
      if (!isBot(m[litGroup])) continue;
      let rel = m.index;
      for (let g = 1; g < actorGroup; g++) rel += m[g]?.length ?? 0;
      out.push({ start: start + rel, end: start + rel + m[actorGroup].length, text: replacement });
    }
  }
  return out;
}

export const spoofableBotCheckFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings }): FixerOutput {
    const notes: string[] = [];
    const edits: FixEdit[] = [];
    for (const f of findings) {
      const where = `${w.path}:${f.region?.line ?? 1}`;
      const replacement = typeof f.data?.replacement === 'string' ? f.data.replacement : undefined;
      const job = jobOf(w, f);
      if (!replacement || !job || !f.region) {
        notes.push(`${where}: spoofable-bot-check: no replacement context or job; left as is.`);
        continue;
      }
      const off = offsetOf(w.text, f.region.line, f.region.column);
      const step = f.step ? stepAt(w, job, f) : undefined;
      const cond: Scalar | undefined = step ? step.if : job.if;
      if (!cond || cond.loc.offset !== off) {
        notes.push(`${where}: spoofable-bot-check: the condition was not found; left as is.`);
        continue;
      }
      const located = blockMapAt(w, (step ?? job).loc.offset);
      if ('error' in located) {
        notes.push(`${where}: spoofable-bot-check: ${located.error}.`);
        continue;
      }
      const splices = actorSplices(w.text, cond.loc.offset, cond.loc.endOffset, replacement);
      if (splices.length === 0) {
        notes.push(`${where}: spoofable-bot-check: the comparison is not a plain github.actor == '<bot>'; left as is.`);
        continue;
      }
      edits.push({
        checkId: CHECK_ID,
        splices,
        targets: [[...located.path, 'if']],
        findings: [f],
        notes: [`${where}: the condition now checks ${replacement} instead of github.actor.`],
      });
    }
    return { edits, notes };
  },
};
