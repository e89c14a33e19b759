/**
 * The file part of a swept repository's RepoSnapshot, from its part of the batched GraphQL answer:
 * every file of the top TREE_DEPTH directory levels (path and size), the bytes of every
 * `.github/workflows/*.yml|yaml` file, and the repository policy file. Nothing else is downloaded:
 * model weights, Dockerfiles, dependency manifests and code are listed but not read, and files deeper
 * than TREE_DEPTH are not seen (a warning says so when a directory was cut off).
 */
import type { SnapshotFile } from '../model/snapshot.js';
import { isLfsPointer } from '../collect/local.js';
import { TREE_DEPTH, type SweepRepository, type SweepTreeEntry } from './query.js';
import { mergeNeeds, NO_NEEDS, workflowNeeds, type WorkflowNeeds } from './workflow-needs.js';

/** Git file modes as GraphQL reports them (decimal): symbolic links are not followed. */
const SYMLINK_MODE = 0o120000;

export interface SweptFiles {
  files: SnapshotFile[];
  warnings: string[];
  hasWorkflows: boolean;
  /** What the workflow texts make worth reading per repository (sweep/workflow-needs.ts). */
  needs: WorkflowNeeds;
}

function walk(entries: readonly SweepTreeEntry[], prefix: string, depth: number, out: Map<string, SnapshotFile>, cut: string[]): void {
  for (const e of entries) {
    const path = `${prefix}${e.name}`;
    if (e.type === 'blob' && e.mode !== SYMLINK_MODE) out.set(path, { path, size: e.object?.byteSize ?? 0 });
    else if (e.type === 'tree') {
      if (e.object?.entries) walk(e.object.entries, `${path}/`, depth + 1, out, cut);
      else if (depth >= TREE_DEPTH) cut.push(path);
    }
  }
}

function exactBytes(text: string | null | undefined, size: number | undefined, truncated: boolean | undefined, binary: boolean | null | undefined): Uint8Array | undefined {
  if (typeof text !== 'string' || truncated || binary) return undefined;
  const bytes = new TextEncoder().encode(text);
  return size === undefined || bytes.length === size ? bytes : undefined;
}

export function sweptFiles(r: SweepRepository): SweptFiles {
  const files = new Map<string, SnapshotFile>();
  const cut: string[] = [];
  const warnings: string[] = [];
  walk(r.tree?.entries ?? [], '', 1, files, cut);
  if (cut.length > 0) {
    warnings.push(`the organisation sweep lists files ${TREE_DEPTH} directory levels deep; ${cut.length} deeper director${cut.length === 1 ? 'y was' : 'ies were'} not listed (e.g. ${cut.slice(0, 3).join(', ')})`);
  }
  let hasWorkflows = false;
  let needs = NO_NEEDS;
  const unread: string[] = [];
  for (const e of r.workflows?.entries ?? []) {
    if (e.type !== 'blob' || !/\.ya?ml$/i.test(e.name)) continue;
    hasWorkflows = true;
    const path = `.github/workflows/${e.name}`;
    const file: SnapshotFile = files.get(path) ?? { path, size: e.object?.byteSize ?? 0 };
    files.set(path, file);
    const bytes = exactBytes(e.object?.text, e.object?.byteSize, e.object?.isTruncated, e.object?.isBinary);
    needs = mergeNeeds(needs, workflowNeeds(bytes ? (e.object?.text ?? undefined) : undefined));
    if (bytes) {
      file.bytes = bytes;
      file.lfsPointer = isLfsPointer(bytes);
    } else unread.push(path);
  }
  if (unread.length > 0) warnings.push(`GitHub did not return the full text of ${unread.join(', ')} in the batch; not scanned by the organisation sweep`);
  const policy = r.policyFile;
  if (policy) {
    const path = '.github/pipeline-guard.yml';
    const file: SnapshotFile = files.get(path) ?? { path, size: policy.byteSize ?? 0 };
    const bytes = exactBytes(policy.text, policy.byteSize, policy.isTruncated, false);
    if (bytes) file.bytes = bytes;
    files.set(path, file);
  }
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, warnings, hasWorkflows, needs };
}
