/**
 * Which Git LFS rule of the repository's `.gitattributes` files covers a path. Git semantics: a pattern with
 * no slash matches the base name at any depth below its file's directory, otherwise it is anchored there;
 * deeper files override shallower ones and later lines override earlier ones.
 */
import type { SnapshotFile } from '../../model/snapshot.js';

export interface LfsRule {
  /** The `.gitattributes` file and 1-based line. */
  path: string;
  line: number;
  pattern: string;
  /** True for `filter=lfs`, false when a later rule unsets it (`-filter`, `!filter`, another filter). */
  lfs: boolean;
}

interface ParsedRule extends LfsRule {
  dir: string;
  re: RegExp;
}

function patternToRegExp(pattern: string): RegExp | undefined {
  let p = pattern;
  if (p.endsWith('/')) return undefined; // directory patterns do not apply in .gitattributes
  const anchored = p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      const atStart = i === 0 || p[i - 1] === '/';
      const next = p[i + 2];
      if (atStart && next === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else if (atStart && next === undefined) {
        re += '.*';
        i += 1;
      } else {
        re += '[^/]*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = p.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < p.length) {
      re += p[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(anchored ? `^${re}$` : `(?:^|/)${re}$`);
  } catch {
    return undefined;
  }
}

/** LFS-relevant rules of every `.gitattributes`, shallow files first, in line order. */
export function lfsRules(files: readonly SnapshotFile[], textOf: (f: SnapshotFile) => string | undefined): ParsedRule[] {
  const rules: ParsedRule[] = [];
  const sorted = [...files].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  for (const f of sorted) {
    const text = textOf(f);
    if (text === undefined) continue;
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/') + 1) : '';
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith('[attr]')) return;
      const [pattern, ...attrs] = line.split(/\s+/);
      let lfs: boolean | undefined;
      for (const a of attrs) {
        if (a === 'filter=lfs') lfs = true;
        else if (a === '-filter' || a === '!filter' || (a.startsWith('filter=') && a !== 'filter=lfs')) lfs = false;
      }
      if (lfs === undefined) return;
      const re = patternToRegExp(pattern);
      if (re) rules.push({ path: f.path, line: i + 1, pattern, lfs, dir, re });
    });
  }
  return rules;
}

/** The last rule that decides whether `path` goes through LFS, if any. */
export function lfsRuleFor(rules: readonly ParsedRule[], path: string): LfsRule | undefined {
  let hit: ParsedRule | undefined;
  for (const r of rules) {
    if (r.dir && !path.startsWith(r.dir)) continue;
    if (r.re.test(path.slice(r.dir.length))) hit = r;
  }
  return hit && { path: hit.path, line: hit.line, pattern: hit.pattern, lfs: hit.lfs };
}
