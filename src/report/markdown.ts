/**
 * Markdown for text that came from a repository (file names, branch names, messages quoting workflow
 * text). Everything untrusted goes through `escapeMarkdown` or `codeSpan` before it reaches a check-run
 * summary, an issue or a pull-request body:
 * - Markdown punctuation is backslash-escaped, so nobody can open a link, an image, a heading or a table cell;
 * - `<`, `>` and `&` become entities, so no HTML tag or entity is interpreted;
 * - `@` is followed by a zero-width joiner, so nobody is mentioned (GitHub resolves mentions on the
 *   rendered text, so `&#64;` would not be enough);
 * - newlines and control characters become spaces, so one value stays on one line (and in one table cell);
 * - long values are cut with an ellipsis.
 */

/** Zero-width joiner: keeps `@name` readable but breaks GitHub's mention (and team mention) detection. */
const ZWJ = '\u200d';

export const DEFAULT_MAX_INLINE = 300;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidirectional overrides and isolates ("Trojan Source"): shown as nothing at all. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text, cut to `max` characters (by code point) with an ellipsis. */
export function oneLine(text: string, max = DEFAULT_MAX_INLINE): string {
  const flat = text.replace(/\r\n?/g, '\n').replace(BIDI, '').replace(CONTROL, ' ');
  const points = Array.from(flat);
  return points.length <= max ? flat : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Escapes untrusted text for Markdown inline context (also safe inside a table cell). */
export function escapeMarkdown(text: string, max = DEFAULT_MAX_INLINE): string {
  return oneLine(text, max)
    .replace(/[\\`*_[\]()#|~$!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, `@${ZWJ}`)
    // List markers and setext underlines only matter at the start of a line.
    .replace(/^(\s*)([-+=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/**
 * Untrusted text as an inline code span: shown verbatim, never interpreted (HTML, links and
 * mentions are inert inside code). The fence is longer than any backtick run inside. In a table cell
 * pass `{ table: true }`: GFM splits cells on `|` before it parses code spans, so pipes are escaped.
 */
export function codeSpan(text: string, opts: { max?: number; table?: boolean } = {}): string {
  let body = oneLine(text, opts.max ?? DEFAULT_MAX_INLINE);
  if (opts.table) body = body.replace(/\|/g, '\\|');
  if (body.trim() === '') return '`\u00a0`';
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Percent-encodes one path for a URL: every segment, including the characters Markdown treats specially. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** A Markdown link whose text is untrusted; `url` must be built from trusted parts and `encodePath`. */
export function mdLink(text: string, url: string): string {
  if (!/^https?:\/\//i.test(url) || /[\s()<>]/.test(url)) return escapeMarkdown(text);
  return `[${escapeMarkdown(text)}](${url})`;
}

/** Size GitHub counts against a 65,535 limit; UTF-8 bytes, the strictest reading. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts Markdown to at most `max` UTF-8 bytes at a line boundary, saying so. */
export function truncateMarkdown(text: string, max: number, note = '\n\n_…truncated: the rest did not fit._'): string {
  if (byteLength(text) <= max) return text;
  const budget = max - byteLength(note);
  let out = '';
  for (const line of text.split('\n')) {
    const next = out === '' ? line : `${out}\n${line}`;
    if (byteLength(next) > budget) break;
    out = next;
  }
  return out + note;
}
