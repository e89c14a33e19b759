/** Builds the CheckInput from a snapshot: every workflow, action and Dockerfile parsed exactly once. */
import type { CheckInput, CheckOptions, InvalidFile, ParsedDockerfile } from '../checks/types.js';
import type { RepoSnapshot, SnapshotFile } from '../model/snapshot.js';
import { classifyPath, type FileRole } from '../model/file-role.js';
import { MAX_WORKFLOW_BYTES, parseWorkflow, parseWorkflowBytes, tooLargeForWorkflow } from '../workflows/parse.js';
import { decodeText } from '../files/text.js';
import type { WorkflowFile } from '../workflows/model.js';
import { parseDockerfile } from '../files/dockerfile.js';

export const DEFAULT_CHECK_OPTIONS: CheckOptions = { hostedRunnerLabels: [] };

export function roleOf(file: SnapshotFile): FileRole {
  return file.role ?? classifyPath(file.path);
}

export function buildCheckInput(snapshot: RepoSnapshot, options: CheckOptions = DEFAULT_CHECK_OPTIONS): CheckInput {
  const byRole = new Map<FileRole, SnapshotFile[]>();
  for (const f of snapshot.files) {
    const role = roleOf(f);
    let list = byRole.get(role);
    if (!list) byRole.set(role, (list = []));
    list.push(f);
  }
  const texts = new WeakMap<SnapshotFile, string | undefined>();
  const textOf = (f: SnapshotFile): string | undefined => {
    if (!texts.has(f)) texts.set(f, decodeText(f.bytes));
    return texts.get(f);
  };

  const workflows: WorkflowFile[] = [];
  const actions: WorkflowFile[] = [];
  const invalid: InvalidFile[] = [];
  for (const kind of ['workflow', 'action'] as const) {
    for (const f of byRole.get(kind) ?? []) {
      if (f.size > MAX_WORKFLOW_BYTES) {
        invalid.push({ path: f.path, kind, problems: [{ message: tooLargeForWorkflow(f.size), line: 1, column: 1 }] });
        continue;
      }
      if (!f.bytes) continue;
      // The decoded text is shared with every other reader of the file (suppressions, text checks);
      // bytes that are not text go through parseWorkflowBytes, which says why.
      const text = textOf(f);
      const result = text === undefined ? parseWorkflowBytes(f.path, f.bytes, kind) : parseWorkflow(f.path, text, kind);
      if (result.ok) {
        (kind === 'workflow' ? workflows : actions).push(result.workflow);
        if (result.problems.length > 0) invalid.push({ path: f.path, kind, problems: result.problems });
      } else {
        invalid.push({ path: f.path, kind, problems: result.problems });
      }
    }
  }
  const dockerfiles: ParsedDockerfile[] = [];
  for (const f of byRole.get('dockerfile') ?? []) {
    const text = textOf(f);
    if (text !== undefined) dockerfiles.push({ path: f.path, text, instructions: parseDockerfile(text) });
  }
  return {
    snapshot,
    workflows,
    actions,
    invalid,
    dockerfiles,
    options,
    filesWithRole: (role) => byRole.get(role) ?? [],
    textOf,
  };
}
