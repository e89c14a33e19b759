/** Finding YAML nodes by position in the parsed document, and comparing parsed documents path by path. */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import type { DocPath } from './types.js';

export interface Located {
  node: YamlNode;
  path: DocPath;
}

/**
 * The collection or scalar whose source range starts at `offset`, with its document path.
 * Aliases are not followed (a fix never edits through an alias).
 */
export function nodeAt(doc: Document.Parsed, offset: number, want: 'map' | 'seq' | 'scalar' = 'map'): Located | undefined {
  let found: Located | undefined;
  let budget = 100_000;
  const walk = (node: unknown, path: DocPath): void => {
    if (found || --budget < 0 || !node) return;
    const n = node as YamlNode;
    const r = n.range;
    if (r && (offset < r[0] || offset > r[2])) return;
    const kind = isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : undefined;
    if (r && r[0] === offset && kind === want) {
      found = { node: n, path };
      return;
    }
    if (isMap(n)) {
      for (const p of n.items) {
        const key = isScalar(p.key) ? String(p.key.value) : undefined;
        if (key !== undefined) walk(p.value, [...path, key]);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return found;
}

/** The pair of a block mapping with the given key. */
export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
}

/** The offset where a pair's value ends (or its key, for `key:` with no value). */
export function pairEnd(p: Pair): number {
  const v = p.value as YamlNode | null;
  if (v && v.range) return v.range[1];
  const k = p.key as YamlNode | null;
  return k?.range?.[1] ?? 0;
}

/** Plain JS of the whole document, or undefined when it cannot be built (alias limits). */
export function docJs(doc: Document.Parsed): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set);
}

/** Paths where two JSON-like values differ (object key order ignored), at most `limit` of them. */
export function diffPaths(a: unknown, b: unknown, limit = 50): DocPath[] {
  const out: DocPath[] = [];
  const walk = (x: unknown, y: unknown, path: DocPath): void => {
    if (out.length >= limit) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if (i >= x.length || i >= y.length) out.push([...path, i]);
        else walk(x[i], y[i], [...path, i]);
      }
      return;
    }
    if (isPlainObject(x) && isPlainObject(y)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) {
        if (!(k in x) || !(k in y)) out.push([...path, k]);
        else walk(x[k], y[k], [...path, k]);
      }
      return;
    }
    if (x instanceof Date && y instanceof Date) {
      if (x.getTime() !== y.getTime()) out.push(path);
      return;
    }
    if (!Object.is(x, y)) out.push(path);
  };
  walk(a, b, []);
  return out;
}

/** True when `path` lies at or under `prefix`. */
export function isUnder(path: DocPath, prefix: DocPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));
}

export function showPath(path: DocPath): string {
  return path.length === 0 ? '(document)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

/**
 * True when the node at `path`, or any collection holding it, carries an anchor (`&name`): an edit
 * there would also change every alias of it, so fixers leave such nodes to a human.
 */
export function anchoredAlong(doc: Document.Parsed, path: DocPath): boolean {
  let node: unknown = doc.contents;
  for (let i = 0; ; i++) {
    if ((node as { anchor?: string } | null)?.anchor) return true;
    if (i >= path.length || !node) return false;
    const k = path[i];
    if (isMap(node)) node = (node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(k)) as Pair | undefined)?.value;
    else if (isSeq(node)) node = typeof k === 'number' ? node.items[k] : undefined;
    else return false;
  }
}
