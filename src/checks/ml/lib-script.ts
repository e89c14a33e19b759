/**
 * Shell-script helpers for the ml checks: split a `run:` script into logical commands (continuations
 * joined, comments and echo lines dropped) and give each one the position of its first line, found
 * inside the `run:` node's own source range.
 */
import type { Region } from '../../model/types.js';
import type { Step, WorkflowFile } from '../../workflows/model.js';
import { region } from '../locs.js';

export interface Command {
  /** The logical command (continuation lines joined with a space), comments stripped. */
  text: string;
  /** Position of the command's first physical line in the workflow file. */
  region: Region;
}

/** Drops a trailing ` # comment` (a `#` preceded by whitespace, outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Commands that only print text: a signature inside them is not executed. */
const PRINT_ONLY = /^\s*(echo|printf|cat\s*<<|::(notice|warning|error|group|debug))\b/;

/**
 * Logical commands of a `run:` script. Lines ending in `\` (sh) or `` ` `` (pwsh) are joined to the
 * next; full-line comments and print-only commands are dropped.
 */
export function commandsOf(w: WorkflowFile, step: Step): Command[] {
  const run = step.run;
  if (!run) return [];
  const raw = w.text.slice(run.loc.offset, run.loc.endOffset);
  const lines = run.value.split('\n');
  const out: Command[] = [];
  let cursor = 0;
  let i = 0;
  while (i < lines.length) {
    const first = lines[i];
    let text = first;
    while (/[\\`]\s*$/.test(text) && i + 1 < lines.length) {
      text = `${text.replace(/[\\`]\s*$/, '')} ${lines[++i].trim()}`;
    }
    i++;
    const trimmed = text.trim();
    if (!trimmed || trimmed.startsWith('#') || PRINT_ONLY.test(trimmed)) continue;
    const cmd = stripComment(trimmed).trim();
    if (!cmd) continue;
    out.push({ text: cmd, region: locate(run.loc, raw, first.trim(), cursor, (c) => (cursor = c)) });
  }
  return out;
}

/** Position of `needle` (a physical line of the script) inside the node's raw source, or the node itself. */
function locate(
  loc: { offset: number; line: number; column: number; endLine: number; endColumn: number; endOffset: number },
  raw: string,
  needle: string,
  from: number,
  advance: (c: number) => void,
): Region {
  const at = needle ? raw.indexOf(needle, from) : -1;
  if (at === -1) return region(loc);
  advance(at + needle.length);
  const head = raw.slice(0, at);
  const nl = head.lastIndexOf('\n');
  const line = loc.line + (head.match(/\n/g)?.length ?? 0);
  const column = nl === -1 ? loc.column + at : at - nl;
  return { line, column, endLine: line, endColumn: column + needle.length };
}

/** Whitespace tokens of a command, with surrounding quotes removed. */
export function tokens(cmd: string): string[] {
  return (cmd.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((t) => t.replace(/^(["'])(.*)\1$/, '$2'));
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
