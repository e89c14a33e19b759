/**
 * `${{ }}` expressions: where they are in a scalar's source, which contexts they read, and whether
 * an outsider controls those contexts (catalogue §2.3).
 */
import type { Loc, Scalar } from './model.js';

export interface ExpressionSpan {
  /** The text between `${{` and `}}`, trimmed. */
  body: string;
  /** Position of the whole `${{ … }}` span in the file. */
  loc: Loc;
}

/** 1-based line/column of a 0-based offset, by binary search over the offsets where lines start. */
export class OffsetMapper {
  private constructor(private readonly starts: readonly number[]) {}

  static ofText(text: string): OffsetMapper {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    return new OffsetMapper(starts);
  }

  /** From line starts a parser already found (yaml's LineCounter), so no second pass over the text. */
  static ofLineStarts(starts: readonly number[]): OffsetMapper {
    return new OffsetMapper(starts.length > 0 ? starts : [0]);
  }

  pos(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
  loc(start: number, end: number): Loc {
    const a = this.pos(start);
    const b = this.pos(end);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column, offset: start, endOffset: end };
  }
}

const mappers = new WeakMap<object, OffsetMapper>();
/** One mapper per file text holder (the WorkflowFile gets the parser's at parse time), else built on first use. */
export function mapperFor(holder: { text: string }): OffsetMapper {
  let m = mappers.get(holder);
  if (!m) {
    m = OffsetMapper.ofText(holder.text);
    mappers.set(holder, m);
  }
  return m;
}

/** Records the mapper the parser built for a file, so later readers reuse it. */
export function rememberMapper(holder: { text: string }, mapper: OffsetMapper): void {
  mappers.set(holder, mapper);
}

/**
 * Every `${{ … }}` inside a scalar, positioned by scanning the scalar's own source range
 * (the parser gives the range; expressions carry no YAML escapes, so the raw text holds them verbatim).
 */
export function expressionsIn(file: { text: string }, scalar: Scalar | undefined): ExpressionSpan[] {
  if (!scalar || !scalar.value.includes('${{')) return [];
  const { offset, endOffset } = scalar.loc;
  const raw = file.text.slice(offset, endOffset);
  const out: ExpressionSpan[] = [];
  const mapper = mapperFor(file);
  let i = raw.indexOf('${{');
  while (i !== -1) {
    const close = findClose(raw, i + 3);
    if (close === -1) break;
    out.push({ body: raw.slice(i + 3, close).trim(), loc: mapper.loc(offset + i, offset + close + 2) });
    i = raw.indexOf('${{', close + 2);
  }
  return out;
}

/** Index of the `}}` that closes an expression, skipping string literals ('…' with '' escapes). */
function findClose(s: string, from: number): number {
  let inString = false;
  for (let j = from; j < s.length - 1; j++) {
    const c = s[j];
    if (c === "'") {
      if (inString && s[j + 1] === "'") {
        j++;
        continue;
      }
      inString = !inString;
    } else if (!inString && c === '}' && s[j + 1] === '}') {
      return j;
    }
  }
  return -1;
}

/**
 * Context references read by an expression body (`github.event.issue.title`, `inputs.x`,
 * `steps.a.outputs.b`), with index syntax normalised to dots (`a['b']` -> `a.b`, `a[0]` -> `a.*`).
 * Function names and string literals are skipped.
 */
export function contextRefs(body: string): string[] {
  const refs: string[] = [];
  const stripped = body.replace(/'(?:[^']|'')*'/g, (m) => ' '.repeat(m.length));
  const re = /[A-Za-z_][\w-]*(?:\s*(?:\.\s*(?:[A-Za-z_*][\w-]*|\*)|\[\s*(?:'[^']*'|\d+|\*|[^\]]*)\s*\]))*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(stripped)) !== null) {
    const after = stripped.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(')) continue; // function call
    const raw = body.slice(m.index, m.index + m[0].length);
    if (/^(true|false|null)$/i.test(raw)) continue;
    refs.push(normaliseRef(raw));
  }
  return refs;
}

function normaliseRef(raw: string): string {
  return raw
    .replace(/\s+/g, '')
    .replace(/\['([^']*)'\]/g, '.$1')
    .replace(/\[\d+\]/g, '.*')
    .replace(/\[\*\]/g, '.*')
    .replace(/\[[^\]]*\]/g, '.*')
    .toLowerCase();
}

export type Taint = 'attacker' | 'insider' | 'unknown' | 'safe';

/** Contexts an outsider writes freely (PR title, branch name, comment body…): Tier A. */
const ATTACKER_PATTERNS: RegExp[] = [
  /^github\.head_ref$/,
  /^github\.event\.(issue|pull_request|discussion)\.(title|body)$/,
  /^github\.event\.(comment|review|review_comment|answer)\.body$/,
  /^github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)$/,
  /^github\.event\.pull_request\.head\.repo\.(description|homepage)$/,
  /^github\.event\.pull_request\.(labels\.\*\.name|milestone\.(title|description))$/,
  /^github\.event\.issue\.(labels\.\*\.name|milestone\.(title|description))$/,
  /^github\.event\.pages\.\*\.page_name$/,
  /^github\.event\.commits\.\*\.(message|author\.(email|name)|committer\.(email|name))$/,
  /^github\.event\.head_commit\.(message|author\.(email|name)|committer\.(email|name))$/,
  /^github\.event\.workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(email|name)|committer\.(email|name)))$/,
  /^github\.event\.workflow_run\.pull_requests\.\*\.head\.ref$/,
  /^github\.event\.workflow_run\.head_repository\.(description|homepage)$/,
  /^github\.event\.check_suite\.head_branch$/,
  /^github\.event\.check_run\.check_suite\.head_branch$/,
  /^github\.event\.merge_group\.head_commit\.(message|author\.(email|name)|committer\.(email|name))$/,
];

/** Contexts that need write or dispatch access, or that are set by the workflow's own callers: Tier B. */
const INSIDER_PATTERNS: RegExp[] = [
  /^inputs\./,
  /^github\.event\.inputs\./,
  /^github\.event\.client_payload(\.|$)/,
  /^github\.event\.release\.(name|body|tag_name)$/,
  /^github\.ref_name$/,
  /^github\.event\.ref$/,
];

/** Whole-object dumps: `toJSON(github.event)` carries every attacker-controlled field. */
const OBJECT_DUMPS = new Set(['github', 'github.event', 'github.event.pull_request', 'github.event.issue', 'github.event.comment', 'github.event.head_commit', 'github.event.commits', 'github.event.workflow_run']);

/** Tier C: values whose origin we cannot see from here. */
const UNKNOWN_PATTERNS: RegExp[] = [/^steps\.[^.]+\.outputs\./, /^needs\.[^.]+\.outputs\./, /^env\./, /^vars\./, /^matrix\./, /^jobs\.[^.]+\.outputs\./];

export function classifyRef(ref: string): Taint {
  if (ATTACKER_PATTERNS.some((p) => p.test(ref))) return 'attacker';
  if (OBJECT_DUMPS.has(ref)) return 'attacker';
  // `github.event.pull_request.*` style wildcards over objects that include a title/body.
  if (/^github\.event\.(issue|pull_request|comment|discussion|review)\.\*$/.test(ref)) return 'attacker';
  if (INSIDER_PATTERNS.some((p) => p.test(ref))) return 'insider';
  if (UNKNOWN_PATTERNS.some((p) => p.test(ref))) return 'unknown';
  return 'safe';
}

const TAINT_RANK: Record<Taint, number> = { safe: 0, unknown: 1, insider: 2, attacker: 3 };

/** The worst taint of any operand (`github.head_ref || github.ref` is attacker-controlled). */
export function expressionTaint(body: string): { taint: Taint; refs: string[] } {
  let taint: Taint = 'safe';
  const tainted: string[] = [];
  for (const ref of contextRefs(body)) {
    const t = classifyRef(ref);
    if (t !== 'safe') tainted.push(ref);
    if (TAINT_RANK[t] > TAINT_RANK[taint]) taint = t;
  }
  return { taint, refs: tainted };
}
