/**
 * Builds a RepoSnapshot from a directory (a repository checkout) or from one file named on the
 * command line. Reads only: symlinks are never followed, `.git` and `node_modules` are skipped,
 * and every file is size-capped so a hostile checkout cannot exhaust memory.
 */
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RepoSnapshot, SnapshotFile } from '../model/snapshot.js';
import { classifyPath, LOADED_ROLES, type FileRole } from '../model/file-role.js';
import { MAX_WORKFLOW_BYTES } from '../workflows/parse.js';

/** GitHub refuses blobs above 100 MB, so a model file larger than this cannot be a committed blob. */
export const MAX_MODEL_BYTES = 100 * 1024 * 1024;
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;
const SKIP_DIRS = new Set(['.git', 'node_modules']);
const LFS_HEADER = 'version https://git-lfs.github.com/spec/v1';

export class CollectError extends Error {}

export interface LocalTarget {
  /** What the user named, for messages. */
  label: string;
  /** Absolute directory the snapshot's paths are relative to. */
  root: string;
  /** A repository directory, or a single file named on the command line. */
  kind: 'directory' | 'file';
  snapshot: RepoSnapshot;
}

export async function collectLocal(target: string): Promise<LocalTarget> {
  const abs = path.resolve(target);
  let st;
  try {
    st = await stat(abs);
  } catch (err) {
    throw new CollectError(`cannot read ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (st.isDirectory()) return { label: target, root: abs, kind: 'directory', snapshot: await collectDirectory(abs) };
  if (st.isFile()) return collectSingleFile(target, abs);
  throw new CollectError(`${target} is neither a directory nor a regular file`);
}

function loadLimit(role: FileRole): number {
  if (role === 'model') return MAX_MODEL_BYTES;
  if (role === 'workflow' || role === 'action') return MAX_WORKFLOW_BYTES;
  return MAX_TEXT_BYTES;
}

async function readCapped(file: string, size: number, limit: number): Promise<Uint8Array | undefined> {
  if (size > limit) return undefined;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await fh.read(buf, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, read);
  } finally {
    await fh.close();
  }
}

/** True when the content is a Git LFS pointer file (shared with collect/github). */
export function isLfsPointer(bytes: Uint8Array | undefined): boolean {
  if (!bytes || bytes.length > 1024) return false;
  return Buffer.from(bytes.subarray(0, LFS_HEADER.length)).toString('latin1') === LFS_HEADER;
}

async function loadFile(abs: string, rel: string, size: number, role: FileRole, warnings: string[]): Promise<SnapshotFile> {
  const file: SnapshotFile = { path: rel, size };
  if (!LOADED_ROLES.has(role)) return file;
  const limit = loadLimit(role);
  if (size > limit) {
    // Oversized workflows are reported by workflow-invalid from their size; others get a warning.
    if (role !== 'workflow' && role !== 'action') warnings.push(`${rel}: ${size} bytes, above the ${limit}-byte limit for ${role} files; content not scanned`);
    return file;
  }
  try {
    file.bytes = await readCapped(abs, size, limit);
    file.lfsPointer = isLfsPointer(file.bytes);
  } catch (err) {
    warnings.push(`${rel}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); skipped`);
  }
  return file;
}

async function collectDirectory(root: string): Promise<RepoSnapshot> {
  const warnings: string[] = [];
  const files: SnapshotFile[] = [];
  const realRoot = await realpath(root);
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop() as string;
    let entries;
    try {
      entries = await readdir(path.join(root, relDir), { withFileTypes: true });
    } catch (err) {
      warnings.push(`${relDir || '.'}: cannot list directory (${(err as NodeJS.ErrnoException).code ?? 'error'}); skipped`);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      const abs = path.join(root, rel);
      if (e.isSymbolicLink()) {
        let inside = false;
        try {
          const target = await realpath(abs);
          inside = target === realRoot || target.startsWith(realRoot + path.sep);
        } catch {
          inside = false;
        }
        if (!inside) warnings.push(`${rel}: symbolic link points outside the scanned directory; not followed`);
        continue;
      }
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(rel);
        continue;
      }
      if (!e.isFile()) continue;
      let size: number;
      try {
        size = (await lstat(abs)).size;
      } catch {
        warnings.push(`${rel}: cannot stat; skipped`);
        continue;
      }
      files.push(await loadFile(abs, rel, size, classifyPath(rel), warnings));
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { source: 'local', files, warnings };
}

/** A file named directly: its role comes from its name, so any `.yml` is read as a workflow. */
async function collectSingleFile(label: string, abs: string): Promise<LocalTarget> {
  const warnings: string[] = [];
  const root = path.dirname(abs);
  const base = path.basename(abs);
  const lower = base.toLowerCase();
  let role: FileRole = classifyPath(base);
  if (lower === 'action.yml' || lower === 'action.yaml') role = 'action';
  else if (/\.ya?ml$/i.test(lower)) role = 'workflow';
  const size = (await stat(abs)).size;
  const file = await loadFile(abs, base, size, role, warnings);
  file.role = role;
  return { label, root, kind: 'file', snapshot: { source: 'local', files: [file], warnings } };
}
