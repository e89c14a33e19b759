/**
 * Text helpers of the hygiene family: shell logical lines with file offsets, entropy and
 * placeholder tests, job/step lookup by offset, and a redaction helper for URLs.
 */
import type { Job, Step, WorkflowFile } from '../../workflows/model.js';
import { stepLabel } from '../locs.js';

/** One shell logical line (continuations joined) with a map back to file offsets. */
export interface ShellLine {
  text: string;
  /** Segments: `at` is an index in `text`, `offset` the file offset of that character. */
  segments: { at: number; offset: number }[];
}

export function offsetIn(line: ShellLine, index: number): number {
  let seg = line.segments[0];
  for (const s of line.segments) {
    if (s.at <= index) seg = s;
    else break;
  }
  return seg.offset + (index - seg.at);
}

/**
 * Splits the source range [start, end) of a script (a `run:` scalar, a RUN instruction) into logical
 * lines: backslash continuations joined, full-line `#` comments dropped.
 */
export function shellLines(fileText: string, start: number, end: number): ShellLine[] {
  const out: ShellLine[] = [];
  let current: ShellLine | undefined;
  let pos = start;
  while (pos < end) {
    let nl = fileText.indexOf('\n', pos);
    if (nl === -1 || nl > end) nl = end;
    let raw = fileText.slice(pos, nl);
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    const lineStart = pos;
    pos = nl + 1;
    const trimmed = raw.trimStart();
    if (trimmed.startsWith('#') && !current) continue;
    const lead = raw.length - trimmed.length;
    const cont = /\\\s*$/.test(raw);
    const body = cont ? trimmed.replace(/\\\s*$/, ' ') : trimmed;
    if (!current) current = { text: '', segments: [] };
    current.segments.push({ at: current.text.length, offset: lineStart + lead });
    current.text += body;
    if (!cont) {
      out.push(current);
      current = undefined;
    }
  }
  if (current) out.push(current);
  return out;
}

/** A shell command of a logical line: its text and where it starts in the line. */
export interface ShellCommand {
  text: string;
  start: number;
  /** Index in the line of the `|` that feeds this command, when it is piped into. */
  pipeAt?: number;
}

/**
 * Splits a logical line into pipelines of commands, on unquoted `|`, `;`, `&&`, `||`, `&`.
 * Parentheses (subshells, `$( )`, `<( )`) are kept whole. Linear in the line length.
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
    if (c === '\\') { i++; continue; }
    if (c === '"' || c === "'" || c === '`') { quote = c; continue; }
    // An unquoted `#` after a blank starts a comment: the rest of the line is not code.
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) { end = i; break; }
    if (c === '(') { depth++; continue; }
    if (c === ')') { if (depth > 0) depth--; continue; }
    if (depth > 0) continue;
    if (c === '|' && line[i + 1] !== '|') {
      push(i);
      pipeAt = i;
      cmdStart = i + 1;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (c === ';' || two === '&&' || two === '||' || (c === '&' && line[i + 1] !== '>' && line[i - 1] !== '>')) {
      push(i);
      result.push(pipeline);
      pipeline = [];
      pipeAt = undefined;
      const skip = two === '&&' || two === '||' ? 2 : 1;
      cmdStart = i + skip;
      i += skip - 1;
    }
  }
  push(end);
  result.push(pipeline);
  return result.map((p) => p.filter((c) => c.text !== '')).filter((p) => p.length > 0);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER =
  /x{4,}|\*{3,}|\.{3}|…|[<>]|your|example|sample|placeholder|dummy|fake|redacted|changeme|change_me|replace|insert|secret_here|token_here|foobar|0{6,}|(.)\1{5,}|abcdef|bcdefg|cdefgh|123456|234567|345678|456789|qwerty/i;

/** True when a candidate secret is obviously a documentation placeholder or test value. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** Paths of test fixtures: findings there are downgraded, not dropped (catalogue S1). */
export function isTestPath(path: string): boolean {
  return /(^|\/)(tests?|testing|testdata|fixtures?|__tests__)\//i.test(path) || /(^|\/)(test_[^/]*|[^/]*_test\.py|conftest\.py)$/i.test(path);
}

/** Env templates (`.env.example`, `example.env`): values there are meant to be replaced. */
export function isTemplatePath(path: string): boolean {
  const base = (path.split('/').pop() ?? '').toLowerCase();
  return /(example|sample|template|dist|tmpl|defaults?)/.test(base);
}

/** The job and step whose source range holds a file offset. */
export function locate(w: WorkflowFile, offset: number): { job?: Job; step?: Step } {
  for (const job of w.jobs) {
    if (offset < job.loc.offset || offset >= job.loc.endOffset) continue;
    const step = job.steps.find((s) => offset >= s.loc.offset && offset < s.loc.endOffset);
    return { job, step };
  }
  return {};
}

/** `job "x", step 2 (name)` for messages. */
export function whereLabel(job: Job | undefined, step: Step | undefined): string {
  if (!job) return '';
  const j = job.id === '(composite)' ? 'the composite action' : `job "${job.id}"`;
  return step ? `${j}, ${stepLabel(step)}` : j;
}

/** A URL with any `user:password@` part replaced, so credentials never reach a report. */
export function redactUrl(url: string): string {
  const clipped = url.length > 80 ? `${url.slice(0, 77)}...` : url;
  return clipped.replace(/^([a-z][\w+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/** A shell line without its trailing comment (an unquoted `#` after a blank). */
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
