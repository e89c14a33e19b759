/** Small text helpers for splices: line bounds, indentation, line endings, YAML scalar quoting. */
import type { Splice } from './types.js';

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line break that ends the line holding `offset` (or the text length). */
export function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  if (i === -1) return text.length;
  return i > 0 && text[i - 1] === '\r' ? i - 1 : i;
}

/** The line break the file uses. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Column (0-based) of an offset on its line. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** True when only spaces precede the offset on its line (and, for a sequence entry, `- ` markers). */
export function startsLine(text: string, offset: number): boolean {
  return /^[\s-]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** 0-based offset of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const i = text.indexOf('\n', off);
    if (i === -1) return text.length;
    off = i + 1;
  }
  return off + column - 1;
}

/**
 * Where to insert new lines after a node whose value ends at `valueEnd`: block values end after their
 * line break, scalars end mid-line (possibly before a comment). Returns the offset and whether the
 * inserted text must start with a line break.
 */
function afterNode(text: string, valueEnd: number): { at: number; leadingBreak: boolean } {
  if (valueEnd > 0 && text[valueEnd - 1] === '\n') return { at: valueEnd, leadingBreak: false };
  return { at: lineEnd(text, valueEnd), leadingBreak: true };
}

/** Text for inserting whole lines (without their own trailing break) after a node. */
export function insertLines(text: string, valueEnd: number, lines: string[]): Splice {
  const eol = eolOf(text);
  const { at, leadingBreak } = afterNode(text, valueEnd);
  const body = lines.join(eol);
  return { start: at, end: at, text: leadingBreak ? eol + body : body + eol };
}

/** A YAML scalar for `value` in block context: plain when that is safe, single-quoted otherwise. */
export function yamlScalar(value: string): string {
  const plainSafe =
    value !== '' &&
    !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(value) &&
    !/:\s|\s#|[\r\n]|\s$|:$/.test(value) &&
    !/^(true|false|null|~|yes|no|on|off|[-+]?[\d.]+)$/i.test(value);
  return plainSafe ? value : `'${value.replace(/'/g, "''")}'`;
}

/** Applies non-overlapping splices to a text (any order given). */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of sorted) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** Two splices that cannot both apply: overlapping ranges, a point inside a range, or two different inserts at one point. */
export function conflicts(a: Splice, b: Splice): boolean {
  if (a.start === b.start && a.end === b.end && a.text === b.text) return false;
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  if (a.start === a.end) return a.start > b.start && a.start < b.end;
  if (b.start === b.end) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}
