/**
 * A tiny git object store with real SHA-1 object ids (blob, tree, commit), enough for GitHub's git
 * data API (blobs, trees with base_tree, commits, refs) and for path lookups at a revision.
 */
import { createHash } from 'node:crypto';

export type GitMode = '100644' | '100755' | '040000' | '120000' | '160000';

export interface TreeEntry {
  name: string;
  mode: GitMode;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 date. */
  date: string;
}

export type GitObject =
  | { type: 'blob'; data: Buffer }
  | { type: 'tree'; entries: TreeEntry[] }
  | { type: 'commit'; tree: string; parents: string[]; message: string; author: GitPerson; committer: GitPerson };

export interface FlatEntry {
  path: string;
  mode: GitMode;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

function hashObject(type: string, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** Git orders tree entries by name, comparing a directory's name as if it ended with '/'. */
function gitOrder(a: TreeEntry, b: TreeEntry): number {
  const ka = a.type === 'tree' ? `${a.name}/` : a.name;
  const kb = b.type === 'tree' ? `${b.name}/` : b.name;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function personLine(p: GitPerson): string {
  const secs = Math.floor(new Date(p.date).getTime() / 1000);
  return `${p.name} <${p.email}> ${secs} +0000`;
}

export class GitStore {
  readonly objects = new Map<string, GitObject>();

  writeBlob(data: Buffer): string {
    const sha = hashObject('blob', data);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: 'blob', data });
    return sha;
  }

  writeTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort(gitOrder);
    const parts: Buffer[] = [];
    for (const e of sorted) {
      const mode = e.mode === '040000' ? '40000' : e.mode;
      parts.push(Buffer.from(`${mode} ${e.name}\0`), Buffer.from(e.sha, 'hex'));
    }
    const sha = hashObject('tree', Buffer.concat(parts));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: 'tree', entries: sorted });
    return sha;
  }

  writeCommit(c: { tree: string; parents: string[]; message: string; author: GitPerson; committer?: GitPerson }): string {
    const committer = c.committer ?? c.author;
    const text = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${personLine(c.author)}`, `committer ${personLine(committer)}`, '', c.message].join('\n');
    const sha = hashObject('commit', Buffer.from(text));
    if (!this.objects.has(sha)) this.objects.set(sha, { type: 'commit', tree: c.tree, parents: c.parents, message: c.message, author: c.author, committer });
    return sha;
  }

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  /** Builds nested trees from a flat path -> blob map; returns the root tree id. */
  writeFiles(files: Iterable<{ path: string; sha: string; mode?: GitMode }>): string {
    interface Dir { dirs: Map<string, Dir>; files: TreeEntry[] }
    const root: Dir = { dirs: new Map(), files: [] };
    for (const f of files) {
      const parts = f.path.split('/');
      let d = root;
      for (const p of parts.slice(0, -1)) {
        let next = d.dirs.get(p);
        if (!next) d.dirs.set(p, (next = { dirs: new Map(), files: [] }));
        d = next;
      }
      const mode = f.mode ?? '100644';
      d.files.push({ name: parts[parts.length - 1], mode, type: mode === '160000' ? 'commit' : 'blob', sha: f.sha });
    }
    const write = (d: Dir): string =>
      this.writeTree([...d.files, ...[...d.dirs].map(([name, sub]) => ({ name, mode: '040000' as const, type: 'tree' as const, sha: write(sub) }))]);
    return write(root);
  }

  /** Every entry under a tree, depth first in git order (directories listed before their content). */
  flatten(treeSha: string, recursive = true, prefix = ''): FlatEntry[] {
    const tree = this.get(treeSha);
    if (tree?.type !== 'tree') return [];
    const out: FlatEntry[] = [];
    for (const e of tree.entries) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      const obj = e.type === 'blob' ? this.get(e.sha) : undefined;
      out.push({ path, mode: e.mode, type: e.type, sha: e.sha, ...(obj?.type === 'blob' ? { size: obj.data.length } : {}) });
      if (recursive && e.type === 'tree') out.push(...this.flatten(e.sha, true, path));
    }
    return out;
  }

  /** The entry at `path` under a tree ('' = the tree itself). */
  lookup(treeSha: string, path: string): TreeEntry | undefined {
    const clean = path.replace(/^\/+|\/+$/g, '');
    if (clean === '') return { name: '', mode: '040000', type: 'tree', sha: treeSha };
    let current: TreeEntry | undefined;
    let sha = treeSha;
    for (const part of clean.split('/')) {
      const tree = this.get(sha);
      if (tree?.type !== 'tree') return undefined;
      current = tree.entries.find((e) => e.name === part);
      if (!current) return undefined;
      sha = current.sha;
    }
    return current;
  }

  /**
   * POST git/trees semantics: start from `baseTree` (or empty), apply entries by path (a null sha
   * deletes), and write the result. Entries may name nested paths (`a/b/c.txt`).
   */
  editTree(baseTree: string | undefined, edits: { path: string; mode: GitMode; sha: string | null }[]): string {
    const files = new Map<string, { path: string; sha: string; mode: GitMode }>();
    if (baseTree) {
      for (const e of this.flatten(baseTree)) if (e.type !== 'tree') files.set(e.path, { path: e.path, sha: e.sha, mode: e.mode });
    }
    for (const e of edits) {
      if (e.sha === null) {
        files.delete(e.path);
        for (const k of [...files.keys()]) if (k.startsWith(`${e.path}/`)) files.delete(k);
      } else if (e.mode === '040000') {
        for (const k of [...files.keys()]) if (k.startsWith(`${e.path}/`)) files.delete(k);
        for (const sub of this.flatten(e.sha)) if (sub.type !== 'tree') files.set(`${e.path}/${sub.path}`, { path: `${e.path}/${sub.path}`, sha: sub.sha, mode: sub.mode });
      } else files.set(e.path, { path: e.path, sha: e.sha, mode: e.mode });
    }
    return this.writeFiles(files.values());
  }
}
