/**
 * Builds a RepoSnapshot from the GitHub API: the only code that reads GitHub. Read-only, never asks
 * for a secret value (list endpoints only), never throws for a missing permission or a plan-gated
 * feature (those become Probes and warnings); throws GitHubCollectError only when the repository or
 * the ref cannot be read at all.
 *
 * Requests for a typical repository (2 environments, ~50 text files, one pickle):
 *   GraphQL: REPO_QUERY (1, ~2 points) + one blob-text batch per 50 text files outside
 *   .github/workflows (1 point each); REST: settings 13-15 (see github-settings.ts), git tree 1,
 *   one git blob per binary model file and per text file GraphQL could not return as text.
 */
import type { RepoSnapshot, SnapshotFile } from '../model/snapshot.js';
import { classifyPath, extensionOf, type FileRole } from '../model/file-role.js';
import { MAX_WORKFLOW_BYTES } from '../workflows/parse.js';
import { PICKLE_LOADED_EXTENSIONS } from '../checks/artifacts/unsafe-pickle.js';
import { isLfsPointer, MAX_MODEL_BYTES, MAX_TEXT_BYTES } from './local.js';
import {
  BLOB_BATCH,
  blobTextQuery,
  REPO_QUERY,
  type GqlBlob,
  type GqlBlobsResponse,
  type GqlCommit,
  type GqlRepoResponse,
  type GqlTreeEntry,
} from './github-query.js';
import { describeFailure, PERMISSION, restGet, type OctokitLike } from './github-rest.js';
import { collectSettings, type GqlError } from './github-settings.js';

export type { OctokitLike } from './github-rest.js';

export class GitHubCollectError extends Error {}

export interface GitHubTarget {
  owner: string;
  repo: string;
  /** Branch, tag or commit SHA; default: the default branch (`HEAD`). Settings always describe the default branch. */
  ref?: string;
}

export interface GitHubCollectOptions {
  /** Clock for `settings.collectedAt` (injected so tests are deterministic). */
  now?: () => Date;
  /** Read repository settings too (default true); files only when false. */
  settings?: boolean;
  /** Most blobs whose content is fetched (text and binary), default 300. */
  maxBlobs?: number;
  /** Most bytes of content fetched in total, default 50 MB. */
  maxBytes?: number;
  /** Parallel REST blob downloads, default 6. */
  concurrency?: number;
}

export const DEFAULT_MAX_BLOBS = 300;
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** Formats whose loaders run code (pickle family, Keras/HDF5): their bytes are worth fetching first. */
const CODE_CAPABLE = new Set([...PICKLE_LOADED_EXTENSIONS, '.h5', '.hdf5', '.keras']);
/** Git LFS pointers are ~130 bytes; a larger blob cannot be one. */
const LFS_POINTER_MAX = 1024;
/** Fetch order: what most checks read first, model weights last. */
const ROLE_ORDER: FileRole[] = ['workflow', 'action', 'config', 'dockerfile', 'deps', 'gitattributes', 'env', 'python', 'notebook', 'model'];
const TEXT_ROLES = new Set<FileRole>(['workflow', 'action', 'config', 'dockerfile', 'deps', 'gitattributes', 'env', 'python', 'notebook']);

interface TreeItem {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size?: number;
}

interface Candidate {
  file: SnapshotFile;
  sha: string;
  role: FileRole;
  rank: number;
}

function isGraphqlResponseError(err: unknown): err is { data?: unknown; errors?: GqlError[]; message: string } {
  const e = err as { errors?: unknown; name?: unknown };
  return typeof e === 'object' && e !== null && Array.isArray(e.errors);
}

async function runQuery<T>(octokit: OctokitLike, query: string, variables: Record<string, unknown>): Promise<{ data: T | undefined; errors: GqlError[]; failure?: string }> {
  try {
    return { data: await octokit.graphql<T>(query, variables), errors: [] };
  } catch (err) {
    // @octokit/graphql throws on any `errors` entry even when `data` is partial: keep the partial data.
    if (isGraphqlResponseError(err)) return { data: (err.data ?? undefined) as T | undefined, errors: err.errors ?? [], failure: err.message };
    const f = describeFailure(err);
    return { data: undefined, errors: [], failure: f.status !== undefined ? `${f.status} ${f.message}` : f.message };
  }
}

function commitOf(obj: NonNullable<GqlRepoResponse['repository']>['commit']): GqlCommit | undefined {
  if (!obj) return undefined;
  if (obj.__typename === 'Commit') return obj as GqlCommit;
  if (obj.__typename === 'Tag') {
    const target = (obj as { target: { __typename: string } | null }).target;
    if (target?.__typename === 'Commit') return target as GqlCommit;
  }
  return undefined;
}

function sortFiles(files: SnapshotFile[]): SnapshotFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Bytes from GraphQL text, when they are exactly the blob (not truncated, not binary, same length). */
function bytesFromText(blob: Partial<GqlBlob> | null | undefined, size: number): Uint8Array | undefined {
  if (!blob || blob.isBinary || blob.isTruncated || typeof blob.text !== 'string') return undefined;
  const bytes = new TextEncoder().encode(blob.text);
  return bytes.length === size ? bytes : undefined;
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

export async function collectRepoSnapshot(octokit: OctokitLike, target: GitHubTarget, options: GitHubCollectOptions = {}): Promise<RepoSnapshot> {
  const { owner, repo } = target;
  const now = options.now ?? (() => new Date());
  const maxBlobs = options.maxBlobs ?? DEFAULT_MAX_BLOBS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const warnings: string[] = [];
  const full = `${owner}/${repo}`;

  // 1. One GraphQL query: repository facts, protection, rulesets, environments, workflow texts.
  const q = await runQuery<GqlRepoResponse>(octokit, REPO_QUERY, { owner, name: repo, ref: target.ref ?? 'HEAD' });
  const gql = q.data?.repository;
  if (!gql) {
    const notFound = q.errors.some((e) => e.type === 'NOT_FOUND');
    throw new GitHubCollectError(
      notFound ? `repository ${full} not found, or the token cannot read it` : `cannot read repository ${full}: ${q.failure ?? 'GraphQL returned no repository'}`,
    );
  }
  for (const e of q.errors) {
    const where = (e.path ?? []).join('.');
    warnings.push(`GitHub GraphQL: ${e.message}${where ? ` (at ${where})` : ''}`);
  }
  const commit = commitOf(gql.commit);
  const hasCommits = gql.defaultBranchRef !== null;
  if (!commit && (target.ref !== undefined || hasCommits)) {
    throw new GitHubCollectError(`ref ${JSON.stringify(target.ref ?? 'HEAD')} not found in ${full}`);
  }

  const settingsP = options.settings === false
    ? Promise.resolve(undefined)
    : collectSettings({ octokit, owner, repo, gql, gqlErrors: q.errors, collectedAt: now().toISOString(), warnings });

  const files = new Map<string, SnapshotFile>();
  const shaOf = new Map<string, string>();
  if (!commit) {
    warnings.push(`${full} has no commits yet; no files to scan`);
  } else {
    // 2. The full git tree at the commit (one call; GitHub truncates beyond 100,000 entries or 7 MB).
    const tree = await restGet<{ truncated: boolean; tree: TreeItem[] }>(
      octokit,
      '/repos/{owner}/{repo}/git/trees/{tree_sha}',
      { owner, repo, tree_sha: commit.tree.oid, recursive: '1' },
      PERMISSION.contents,
    );
    if (tree.ok) {
      if (tree.data.truncated) {
        warnings.push(`GitHub truncated the file list of ${full} at ${tree.data.tree.length} entries; files beyond it were not scanned (workflows were read separately)`);
      }
      for (const item of tree.data.tree) {
        // Blobs only: symlinks (120000) are not followed, submodules (type commit) have no content here.
        if (item.type !== 'blob' || item.mode === '120000') continue;
        files.set(item.path, { path: item.path, size: item.size ?? 0 });
        shaOf.set(item.path, item.sha);
      }
    } else {
      const why = tree.failure.status === 'forbidden' ? `needs the ${tree.failure.permission} permission` : tree.failure.reason;
      warnings.push(`cannot list the files of ${full} (${why}); only workflow files were scanned`);
    }

    // 3. Workflow texts came with the GraphQL answer.
    const entries: GqlTreeEntry[] = commit.workflowsDir?.object?.entries ?? [];
    for (const entry of entries) {
      if (entry.type !== 'blob' || !/\.ya?ml$/i.test(entry.name)) continue;
      const path = `.github/workflows/${entry.name}`;
      const size = entry.object?.byteSize ?? files.get(path)?.size ?? 0;
      const file = files.get(path) ?? { path, size };
      files.set(path, file);
      if (entry.object?.oid) shaOf.set(path, entry.object.oid);
      const bytes = bytesFromText(entry.object, size);
      if (bytes) {
        file.bytes = bytes;
        file.lfsPointer = isLfsPointer(bytes);
      }
    }

    // 4. Choose the blobs whose content the checks need, in priority order, within the caps.
    const candidates: Candidate[] = [];
    for (const file of files.values()) {
      if (file.bytes) continue;
      const role = classifyPath(file.path);
      const sha = shaOf.get(file.path);
      if (!TEXT_ROLES.has(role) && role !== 'model') continue;
      if (!sha) continue;
      const limit = role === 'model' ? MAX_MODEL_BYTES : role === 'workflow' || role === 'action' ? MAX_WORKFLOW_BYTES : MAX_TEXT_BYTES;
      if (file.size > limit) {
        // Oversized workflows are reported by workflow-invalid from their size; others get a warning (as offline).
        if (role !== 'workflow' && role !== 'action') warnings.push(`${file.path}: ${file.size} bytes, above the ${limit}-byte limit for ${role} files; content not scanned`);
        continue;
      }
      let rank = ROLE_ORDER.indexOf(role);
      if (role === 'model') {
        const ext = extensionOf(file.path);
        rank += CODE_CAPABLE.has(ext) ? 0 : file.size <= LFS_POINTER_MAX ? 0.5 : 0.9;
      }
      candidates.push({ file, sha, role, rank });
    }
    candidates.sort((a, b) => a.rank - b.rank || a.file.size - b.file.size || (a.file.path < b.file.path ? -1 : 1));
    let budgetBytes = maxBytes;
    let budgetBlobs = maxBlobs - [...files.values()].filter((f) => f.bytes).length;
    const chosen: Candidate[] = [];
    const skipped: string[] = [];
    for (const c of candidates) {
      if (budgetBlobs > 0 && c.file.size <= budgetBytes) {
        chosen.push(c);
        budgetBlobs--;
        budgetBytes -= c.file.size;
      } else skipped.push(c.file.path);
    }
    if (skipped.length > 0) {
      const list = skipped.slice(0, 5).join(', ');
      warnings.push(
        `content of ${skipped.length} file(s) not fetched (limit of ${maxBlobs} files / ${Math.round(maxBytes / (1024 * 1024))} MB per scan): ${list}${skipped.length > 5 ? ', ...' : ''}`,
      );
    }

    // 5a. Text files: GraphQL batches (one call per BLOB_BATCH files); what does not come back exact goes to REST.
    const viaRest: Candidate[] = chosen.filter((c) => c.role === 'model');
    const text = chosen.filter((c) => c.role !== 'model');
    for (let i = 0; i < text.length; i += BLOB_BATCH) {
      const batch = text.slice(i, i + BLOB_BATCH);
      const { query, variables } = blobTextQuery(owner, repo, batch.map((c) => c.sha));
      const r = await runQuery<GqlBlobsResponse>(octokit, query, variables);
      batch.forEach((c, j) => {
        const bytes = bytesFromText(r.data?.repository?.[`b${j}`], c.file.size);
        if (bytes) {
          c.file.bytes = bytes;
          c.file.lfsPointer = isLfsPointer(bytes);
        } else viaRest.push(c);
      });
    }
    // 5b. Binary blobs (models) and text GraphQL could not return exactly: REST git/blobs (base64 JSON).
    const failed: string[] = [];
    await pool(viaRest, options.concurrency ?? 6, async (c) => {
      const r = await restGet<{ content: string; encoding: string }>(
        octokit,
        '/repos/{owner}/{repo}/git/blobs/{file_sha}',
        { owner, repo, file_sha: c.sha },
        PERMISSION.contents,
      );
      if (!r.ok || r.data.encoding !== 'base64') {
        failed.push(`${c.file.path} (${r.ok ? `encoding ${r.data.encoding}` : r.message})`);
        return;
      }
      const buf = Buffer.from(r.data.content, 'base64');
      c.file.bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      c.file.lfsPointer = isLfsPointer(c.file.bytes);
    });
    for (const f of failed.sort()) warnings.push(`${f.split(' (')[0]}: cannot read the blob from GitHub${f.slice(f.indexOf(' ('))}; content not scanned`);
  }

  const settings = await settingsP;
  const snapshot: RepoSnapshot = {
    source: 'github',
    repo: {
      owner,
      name: repo,
      ...(gql.defaultBranchRef ? { defaultBranch: gql.defaultBranchRef.name } : {}),
      visibility: gql.visibility.toLowerCase() as 'public' | 'private' | 'internal',
      archived: gql.isArchived,
    },
    ...(commit ? { ref: commit.oid } : {}),
    files: sortFiles([...files.values()]),
    warnings,
  };
  if (settings) snapshot.settings = settings;
  return snapshot;
}
