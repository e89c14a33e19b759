/**
 * Shell-script helpers for the ml checks, on top of the shared reader (`src/workflows/shell.ts`): the
 * logical commands of a `run:` script (comments and echo lines dropped), each with the position of its
 * first physical line.
 */
import type { Region } from '../../model/types.js';
import type { Scalar, Step, WorkflowFile } from '../../workflows/model.js';
import { shellScript } from '../../workflows/shell.js';
import { region } from '../locs.js';

export interface Command {
  /** The logical command (continuation lines joined with a space), comments stripped. */
  text: string;
  /** Position of the command's first physical line in the workflow file. */
  region: Region;
}

/** Commands that only print text: a signature inside them is not executed. */
const PRINT_ONLY = /^\s*(echo|printf|cat\s*<<|::(notice|warning|error|group|debug))\b/;

const cache = new WeakMap<Scalar, Command[]>();

/**
 * Logical commands of a `run:` script. Continuation lines are joined; full-line comments and
 * print-only commands are dropped. Memoised per `run:` node.
 */
export function commandsOf(w: WorkflowFile, step: Step): Command[] {
  const run = step.run;
  if (!run) return [];
  let out = cache.get(run);
  if (out) return out;
  out = [];
  for (const line of shellScript(w, run)) {
    if (PRINT_ONLY.test(line.text)) continue;
    const cmd = line.code.trim();
    if (!cmd) continue;
    const first = line.segments[0];
    const r: Region = line.exact
      ? { line: line.line, column: line.column, endLine: line.line, endColumn: line.column + first.length }
      : region(run.loc);
    out.push({ text: cmd, region: r });
  }
  cache.set(run, out);
  return out;
}

/** A short quote of a command for a message: first 60 characters. */
export function quote(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** First letter upper-cased (step labels open a message). */
export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
