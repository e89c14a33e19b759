/** The contract every check implements: pure function of the parsed snapshot and the options. */
import type { CheckMeta, FindingDraft } from '../model/types.js';
import type { RepoSnapshot, SnapshotFile } from '../model/snapshot.js';
import type { FileRole } from '../model/file-role.js';
import type { ParseProblem, WorkflowFile } from '../workflows/model.js';
import type { DockerInstruction } from '../files/dockerfile.js';

export interface ParsedDockerfile {
  path: string;
  text: string;
  instructions: DockerInstruction[];
}

export interface InvalidFile {
  path: string;
  kind: 'workflow' | 'action';
  problems: ParseProblem[];
}

/** Options a check may read; they come from policy, never from the environment. */
export interface CheckOptions {
  /** Extra runner labels that are GitHub-hosted (larger runners named by the org). */
  hostedRunnerLabels: string[];
}

export interface CheckInput {
  snapshot: RepoSnapshot;
  /** Workflows under .github/workflows that parsed (possibly with schema problems). */
  workflows: WorkflowFile[];
  /** action.yml / action.yaml files that parsed (composite ones carry a `(composite)` pseudo-job). */
  actions: WorkflowFile[];
  /** Workflows and actions that could not be parsed at all, and schema problems of the others. */
  invalid: InvalidFile[];
  dockerfiles: ParsedDockerfile[];
  options: CheckOptions;
  /** Files of the snapshot with the given role. */
  filesWithRole(role: FileRole): SnapshotFile[];
  /** UTF-8 text of a loaded file, or undefined (not loaded, binary or not valid UTF-8). */
  textOf(file: SnapshotFile): string | undefined;
}

/** Why a check could not decide: a settings check never reports a pass it did not verify. */
export interface NotEvaluated {
  kind: 'no-settings' | 'missing-permission' | 'not-available' | 'error';
  reason: string;
  /** The GitHub App permission to grant, for `missing-permission`. */
  permission?: string;
}

/** What a check returns when part of its input was missing. */
export interface CheckOutcome {
  findings: FindingDraft[];
  notEvaluated: NotEvaluated[];
}

export interface Check {
  meta: CheckMeta;
  run(input: CheckInput): FindingDraft[] | CheckOutcome;
}
