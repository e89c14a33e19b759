/**
 * The one reader of `run:` scripts. A script (the scalar's decoded value, what the shell runs) is split
 * into logical lines: continuations joined (`\`, PowerShell backtick, cmd `^`), full-line comments and
 * blank lines dropped. Each logical line keeps the exact file offset of every physical piece, so any
 * index in its text maps back to a file position (binary search in the file's `OffsetMapper`, never a
 * re-count). Lines split lazily, quote-aware, into pipelines and simple commands with words.
 *
 * Scripts are memoised per parsed `Scalar` node (the model is immutable), so a script is read once per
 * scan however many checks look at it.
 */
import type { Scalar } from './model.js';
import { mapperFor } from './expressions.js';

/** One physical line of a logical line: `at` is its index in the logical text, `offset` the file offset of that character. */
export interface ShellSegment {
  at: number;
  offset: number;
  /** Length of the physical line's content (leading and trailing blanks trimmed, continuation character kept). */
  length: number;
}

/** A command of a pipeline: its text and where it starts in the line. */
export interface ShellCommand {
  text: string;
  /** Index in the line's text. */
  start: number;
  /** Index in the line of the `|` that feeds this command, when it is piped into. */
  pipeAt?: number;
}

/** A simple command (subshells and `{ }` groups opened up), with its words. */
export interface SimpleCommand {
  text: string;
  /** Index in the line's text. */
  start: number;
  /** Shell words, quotes removed (`$( )` and backtick substitutions kept whole). */
  words: string[];
}

/** One logical line of a script. */
export class ShellLine {
  private pipes?: ShellCommand[][];
  private simple?: SimpleCommand[];
  private stripped?: string;

  constructor(
    /** The logical line, continuations joined with a blank, trailing comment kept. */
    readonly text: string,
    readonly segments: readonly ShellSegment[],
    /** 1-based file line and column of the line's first character. */
    readonly line: number,
    readonly column: number,
    /** False when the position could not be tied to the source exactly (escaped or folded scalars): then it is the node's start. */
    readonly exact: boolean,
  ) {}

  /** File offset of the line's first character. */
  get offset(): number {
    return this.segments[0].offset;
  }

  /** The text without its trailing comment (an unquoted `#` after a blank). */
  get code(): string {
    if (this.stripped === undefined) this.stripped = stripComment(this.text);
    return this.stripped;
  }

  /** File offset of the character at `index` of `text`. */
  offsetAt(index: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].at <= index) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo].offset + (index - segs[lo].at);
  }

  /** Pipelines of the line (comment excluded), split on unquoted `;`, `&&`, `||`, `&`. */
  get pipelines(): ShellCommand[][] {
    if (!this.pipes) this.pipes = pipelines(this.text);
    return this.pipes;
  }

  /** Every simple command of the line, subshells and groups opened up. */
  get commands(): SimpleCommand[] {
    if (!this.simple) this.simple = simpleCommands(this.pipelines);
    return this.simple;
  }
}

const cache = new WeakMap<Scalar, readonly ShellLine[]>();

/** The logical lines of a `run:` scalar of `file`, read once per scalar node. */
export function shellScript(file: { text: string }, run: Scalar | undefined): readonly ShellLine[] {
  if (!run) return [];
  let lines = cache.get(run);
  if (!lines) {
    lines = readScript(file, run);
    cache.set(run, lines);
  }
  return lines;
}

/** A logical line for a script that has no position (a Dockerfile RUN argument): offsets are indexes in `text`. */
export function shellLineOf(text: string): ShellLine {
  return new ShellLine(text, [{ at: 0, offset: 0, length: text.length }], 1, 1, false);
}

/** Physical lines of the decoded value, each with the file offset of its first non-blank character. */
function physicalLines(file: { text: string }, run: Scalar): { text: string; offset: number; exact: boolean }[] {
  const value = run.value;
  const { offset, endOffset } = run.loc;
  const src = file.text;
  const values = value.split('\n');
  const out: { text: string; offset: number; exact: boolean }[] = [];
  if (src.charCodeAt(offset) === 124 /* | */) {
    // Literal block: value line k is source line k after the header, minus the indentation.
    let pos = src.indexOf('\n', offset);
    for (const v of values) {
      const lead = leadingBlanks(v);
      if (pos === -1 || pos >= endOffset) {
        out.push({ text: v, offset, exact: false });
        continue;
      }
      const start = pos + 1;
      let end = src.indexOf('\n', start);
      if (end === -1) end = src.length;
      pos = end;
      let e = end;
      if (e > start && src.charCodeAt(e - 1) === 13) e--;
      const rawLen = e - start;
      if (rawLen >= v.length && src.startsWith(v, e - v.length)) {
        out.push({ text: v, offset: e - v.length + lead, exact: true });
      } else {
        out.push({ text: v, offset, exact: false });
      }
    }
    return out;
  }
  // Plain, quoted or folded: find each line in the source, in order; unknown positions fall back to the node.
  const raw = src.slice(offset, endOffset);
  let cursor = 0;
  for (const v of values) {
    const lead = leadingBlanks(v);
    const t = v.trim();
    const at = t ? raw.indexOf(t, cursor) : -1;
    if (at === -1) {
      out.push({ text: v, offset, exact: false });
    } else {
      cursor = at + t.length;
      out.push({ text: v, offset: offset + at - lead, exact: true });
    }
  }
  return out;
}

function leadingBlanks(s: string): number {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

/**
 * Index of the continuation character ending `s` (`\`, `^`, or a PowerShell backtick that does not close
 * a backtick substitution), or -1.
 */
export function continuationAt(s: string): number {
  let e = s.length;
  while (e > 0 && /\s/.test(s[e - 1])) e--;
  if (e === 0) return -1;
  const c = s[e - 1];
  if (c === '\\' || c === '^') return e - 1;
  if (c === '`') {
    let n = 0;
    for (let i = 0; i < e; i++) if (s[i] === '`') n++;
    return n % 2 === 1 ? e - 1 : -1;
  }
  return -1;
}

function readScript(file: { text: string }, run: Scalar): ShellLine[] {
  const mapper = mapperFor(file);
  const out: ShellLine[] = [];
  let text = '';
  let segments: ShellSegment[] = [];
  let exact = true;
  const flush = (): void => {
    if (segments.length === 0) return;
    const pos = mapper.pos(segments[0].offset);
    out.push(new ShellLine(text, segments, pos.line, pos.column, exact));
    text = '';
    segments = [];
    exact = true;
  };
  for (const p of physicalLines(file, run)) {
    const trimmed = p.text.trimStart();
    if (segments.length === 0 && (trimmed.trim() === '' || trimmed.startsWith('#'))) continue;
    const cont = continuationAt(trimmed);
    segments.push({ at: text.length, offset: p.offset, length: trimmed.trimEnd().length });
    exact &&= p.exact;
    if (cont === -1) {
      text += trimmed;
      flush();
    } else {
      text += `${trimmed.slice(0, cont)} `;
    }
  }
  flush();
  return out;
}

/** A shell line without its trailing comment (an unquoted `#` at the start or after a blank). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '\\') i++;
    else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/**
 * Splits a line into pipelines of commands, on unquoted `|`, `;`, `&&`, `||`, `&`; an unquoted `#` after
 * a blank ends the line. Parentheses (subshells, `$( )`, `<( )`) are kept whole. Linear in the line length.
 */
export function pipelines(line: string): ShellCommand[][] {
  const result: ShellCommand[][] = [];
  let pipeline: ShellCommand[] = [];
  let cmdStart = 0;
  let pipeAt: number | undefined;
  let quote: string | undefined;
  let depth = 0;
  let end = line.length;
  const push = (endIdx: number): void => {
    const raw = line.slice(cmdStart, endIdx);
    const lead = raw.length - raw.trimStart().length;
    pipeline.push({ text: raw.trim(), start: cmdStart + lead, pipeAt });
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      end = i;
      break;
    }
    if (c === '(') {
      depth++;
      continue;
    }
    if (c === ')') {
      if (depth > 0) depth--;
      continue;
    }
    if (depth > 0) continue;
    if (c === '|' && line[i + 1] !== '|') {
      push(i);
      pipeAt = i;
      cmdStart = i + 1;
      continue;
    }
    const next = line[i + 1];
    const andOr = (c === '&' && next === '&') || (c === '|' && next === '|');
    if (c === ';' || andOr || (c === '&' && next !== '>' && line[i - 1] !== '>')) {
      push(i);
      result.push(pipeline);
      pipeline = [];
      pipeAt = undefined;
      const skip = andOr ? 2 : 1;
      cmdStart = i + skip;
      i += skip - 1;
    }
  }
  push(end);
  result.push(pipeline);
  return result.map((p) => p.filter((c) => c.text !== '')).filter((p) => p.length > 0);
}

/** Simple commands of pipelines: a `( … )` subshell or `{ …; }` group is opened up into its commands. */
function simpleCommands(pipes: ShellCommand[][], base = 0, out: SimpleCommand[] = []): SimpleCommand[] {
  for (const p of pipes) {
    for (const c of p) {
      const t = c.text;
      const inner = t.startsWith('(') && t.endsWith(')') && !t.startsWith('((') ? 1 : t.startsWith('{') && /\s/.test(t[1] ?? '') && t.endsWith('}') ? 1 : 0;
      if (inner) {
        simpleCommands(pipelines(t.slice(1, -1)), base + c.start + 1, out);
      } else {
        out.push({ text: t, start: base + c.start, words: words(t) });
      }
    }
  }
  return out;
}

/**
 * Shell words of a command: split on unquoted blanks, quotes removed. `$( )`, `<( )` and backtick
 * substitutions stay whole (with their delimiters); backslash escapes are kept as written.
 */
export function words(cmd: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let depth = 0;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (depth === 0 && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\' && i + 1 < cmd.length) {
      word += c + cmd[++i];
    } else if ((c === '"' || c === "'") && depth === 0) {
      const close = closeQuote(cmd, i);
      word += cmd.slice(i + 1, close);
      i = close;
    } else if (c === '`') {
      const close = cmd.indexOf('`', i + 1);
      const e = close === -1 ? cmd.length - 1 : close;
      word += cmd.slice(i, e + 1);
      i = e;
    } else if (c === '(' && (depth > 0 || cmd[i - 1] === '$' || cmd[i - 1] === '<' || cmd[i - 1] === '>' || cmd[i - 1] === '=')) {
      depth++;
      word += c;
    } else if (c === ')' && depth > 0) {
      depth--;
      word += c;
    } else {
      word += c;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/** Index of the quote closing the one at `open` (a `\` escapes inside double quotes), or the last index. */
function closeQuote(s: string, open: number): number {
  const q = s[open];
  for (let j = open + 1; j < s.length; j++) {
    if (q === '"' && s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === q) return j;
  }
  return s.length;
}
