/**
 * Container image references: digest/tag parsing, and the concrete images an `image:` value can take when
 * it is built from `${{ }}` expressions (string literals and `matrix.*` values are expanded; any other
 * context is unknown).
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { WorkflowFile } from '../../workflows/model.js';

export interface ImageInfo {
  /** Image as written, without `docker://`. */
  image: string;
  pinned: boolean;
  /** Tag after the last `:` of the final path component; undefined when there is none. */
  tag?: string;
}

export function imageInfo(raw: string): ImageInfo {
  const image = raw.trim().replace(/^docker:\/\//, '');
  const at = image.indexOf('@');
  if (at !== -1 && /^@[A-Za-z0-9_+.-]+:/.test(image.slice(at))) {
    return { image, pinned: true };
  }
  const lastSlash = image.lastIndexOf('/');
  const last = image.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  return { image, pinned: false, tag: colon === -1 ? undefined : last.slice(colon + 1) };
}

/** No tag at all, or `latest`: whatever the registry serves today. */
export function isFloating(info: ImageInfo): boolean {
  return !info.pinned && (!info.tag || info.tag.toLowerCase() === 'latest');
}

// ---------------------------------------------------------------------------------------------------
// Tiny evaluator for GitHub expressions: the set of string values an expression can produce.

const UNKNOWN = Symbol('unknown');
/** A non-string value (boolean, number, null): never an image. */
const OTHER = Symbol('other');
type Val = string | typeof UNKNOWN | typeof OTHER;

type Tok = { t: 'str'; v: string } | { t: 'num' } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(body: string): Tok[] | undefined {
  const toks: Tok[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= body.length) return undefined;
        if (body[j] === "'") {
          if (body[j + 1] === "'") { s += "'"; j += 2; continue; }
          break;
        }
        s += body[j++];
      }
      toks.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const two = body.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) { toks.push({ t: 'op', v: two }); i += 2; continue; }
    if ('()[],!<>.*'.includes(c)) { toks.push({ t: 'op', v: c }); i++; continue; }
    const num = /^(?:0x[0-9a-f]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(body.slice(i));
    if (num && !/[A-Za-z_]/.test(body[i + num[0].length] ?? '')) { toks.push({ t: 'num' }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][\w-]*/.exec(body.slice(i));
    if (id) { toks.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    return undefined;
  }
  return toks;
}

type Resolver = (path: string[]) => Val[];

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly resolve: Resolver) {}
  done(): boolean { return this.i >= this.toks.length; }
  private peek(): Tok | undefined { return this.toks[this.i]; }
  private isOp(v: string): boolean { const t = this.peek(); return !!t && t.t === 'op' && t.v === v; }
  private expectOp(v: string): void { if (!this.isOp(v)) throw new Error(`expected ${v}`); this.i++; }

  or(): Val[] {
    let vals = this.and();
    while (this.isOp('||')) {
      this.i++;
      const right = this.and();
      // Falsy left values ('' and non-strings) fall through to the right side.
      vals = [...vals.filter((v) => v !== '' && v !== OTHER), ...right];
    }
    return vals;
  }
  private and(): Val[] {
    let vals = this.cmp();
    while (this.isOp('&&')) {
      this.i++;
      const right = this.cmp();
      // A falsy left value is the result; falsy values are never images, so only the right side matters.
      const falsy: Val[] = vals.some((v) => v === '' || v === OTHER || v === UNKNOWN) ? [OTHER] : [];
      vals = [...right, ...falsy];
    }
    return vals;
  }
  private cmp(): Val[] {
    let vals = this.unary();
    while (['==', '!=', '<', '<=', '>', '>='].some((o) => this.isOp(o))) {
      this.i++;
      this.unary();
      vals = [OTHER];
    }
    return vals;
  }
  private unary(): Val[] {
    if (this.isOp('!')) { this.i++; this.unary(); return [OTHER]; }
    return this.primary();
  }
  private primary(): Val[] {
    const t = this.peek();
    if (!t) throw new Error('unexpected end');
    if (t.t === 'op' && t.v === '(') { this.i++; const v = this.or(); this.expectOp(')'); return v; }
    if (t.t === 'str') { this.i++; return [t.v]; }
    if (t.t === 'num') { this.i++; return [OTHER]; }
    if (t.t === 'id') {
      this.i++;
      if (this.isOp('(')) {
        // Function call: evaluate arguments for syntax, result unknown (format, fromJSON, join…).
        this.i++;
        if (!this.isOp(')')) {
          this.or();
          while (this.isOp(',')) { this.i++; this.or(); }
        }
        this.expectOp(')');
        return [UNKNOWN];
      }
      if (/^(true|false|null)$/i.test(t.v)) return [OTHER];
      const path = [t.v];
      for (;;) {
        if (this.isOp('.')) {
          this.i++;
          const n = this.peek();
          if (n && n.t === 'id') { path.push(n.v); this.i++; continue; }
          if (n && n.t === 'op' && n.v === '*') { path.push('*'); this.i++; continue; }
          throw new Error('bad property');
        }
        if (this.isOp('[')) {
          this.i++;
          const n = this.peek();
          const inner = this.or();
          this.expectOp(']');
          path.push(n && n.t === 'str' && inner.length === 1 && typeof inner[0] === 'string' ? inner[0] : '*');
          continue;
        }
        break;
      }
      return this.resolve(path);
    }
    throw new Error('unexpected token');
  }
}

/** Possible values of one expression body; undefined when it does not parse. */
export function expressionValues(body: string, resolve: Resolver): Val[] | undefined {
  const toks = tokenize(body);
  if (!toks || toks.length === 0) return undefined;
  try {
    const p = new Parser(toks, resolve);
    const v = p.or();
    return p.done() ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Values `matrix.<key>` takes in a job's strategy (top-level lists and `include` entries). */
export function matrixResolver(w: WorkflowFile, jobId: string): Resolver {
  let matrix: unknown;
  let loaded = false;
  const load = (): unknown => {
    if (loaded) return matrix;
    loaded = true;
    try {
      const node = w.doc.getIn(['jobs', jobId, 'strategy', 'matrix'], true);
      matrix = node && (isMap(node) || isSeq(node) || isScalar(node)) ? node.toJS(w.doc, { maxAliasCount: 100 }) : undefined;
    } catch {
      matrix = undefined;
    }
    return matrix;
  };
  return (path) => {
    if (path[0].toLowerCase() !== 'matrix' || path.length !== 2) return [UNKNOWN];
    const m = load();
    if (!m || typeof m !== 'object' || Array.isArray(m)) return [UNKNOWN];
    const key = path[1];
    const rec = m as Record<string, unknown>;
    const vals: Val[] = [];
    const addScalar = (x: unknown): void => {
      if (typeof x === 'string') vals.push(x);
      else if (typeof x === 'number') vals.push(String(x));
      else if (x === null || x === undefined || typeof x === 'boolean') vals.push(OTHER);
      else vals.push(UNKNOWN);
    };
    const base = rec[key];
    if (typeof base === 'string' && base.includes('${{')) return [UNKNOWN];
    if (Array.isArray(base)) base.forEach(addScalar);
    else if (base !== undefined) vals.push(UNKNOWN);
    const include = rec.include;
    if (typeof include === 'string') return [UNKNOWN];
    if (Array.isArray(include)) {
      for (const entry of include) {
        if (!entry || typeof entry !== 'object') { vals.push(UNKNOWN); continue; }
        const e = entry as Record<string, unknown>;
        if (key in e) addScalar(e[key]);
        else if (base === undefined) vals.push(OTHER);
      }
    }
    if (vals.length === 0) vals.push(OTHER);
    return vals;
  };
}

export interface ImageCandidates {
  /** Concrete image strings the value can take (empty strings dropped). */
  images: string[];
  /** True when some part comes from a context we cannot resolve. */
  unknown: boolean;
}

const MAX_COMBINATIONS = 256;

/** The images a value like `python:${{ matrix.py }}` or `${{ a && 'redis:7' || '' }}` can denote. */
export function imageCandidates(value: string, resolve: Resolver): ImageCandidates {
  if (!value.includes('${{')) return { images: value.trim() ? [value.trim()] : [], unknown: false };
  const parts: (string | Val[])[] = [];
  let rest = value;
  for (;;) {
    const open = rest.indexOf('${{');
    if (open === -1) { parts.push(rest); break; }
    const close = rest.indexOf('}}', open + 3);
    if (close === -1) return { images: [], unknown: true };
    parts.push(rest.slice(0, open));
    const vals = expressionValues(rest.slice(open + 3, close).trim(), resolve);
    if (!vals) return { images: [], unknown: true };
    parts.push(vals);
    rest = rest.slice(close + 2);
  }
  let combos: string[] = [''];
  let unknown = false;
  for (const p of parts) {
    if (typeof p === 'string') { combos = combos.map((c) => c + p); continue; }
    const strs = [...new Set(p.filter((v): v is string => typeof v === 'string'))];
    if (p.includes(UNKNOWN)) unknown = true;
    // Non-string values render as text GitHub would never accept as an image; only strings matter here.
    const next: string[] = [];
    for (const c of combos) for (const s of strs) next.push(c + s);
    combos = next;
    if (combos.length > MAX_COMBINATIONS) return { images: [], unknown: true };
  }
  return { images: [...new Set(combos.map((c) => c.trim()).filter((c) => c !== ''))], unknown };
}
