/**
 * The workflow model: a GitHub Actions workflow or composite action parsed once, normalised,
 * with a source position on every node the checks may report.
 */
import type { Document } from 'yaml';
import type { UsesRef } from './uses.js';

/** Source range of a node: 1-based line/column plus 0-based offsets into the file text. */
export interface Loc {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  offset: number;
  endOffset: number;
}

/** A scalar value with its position. `value` is the string form (numbers and booleans stringified). */
export interface Scalar {
  value: string;
  loc: Loc;
  /** Where the key of this entry sits, when the scalar is a mapping value. */
  keyLoc?: Loc;
  /** True when the YAML scalar was a block scalar (`|` or `>`). */
  block?: boolean;
}

/** A `uses:` value with its reference parsed once at parse time. */
export interface UsesScalar extends Scalar {
  ref: UsesRef;
}

export interface KeyValue {
  key: string;
  keyLoc: Loc;
  /** String form of a scalar value; undefined for maps and sequences. */
  value?: string;
  /** Position of the value node (or of the key when the value is empty). */
  loc: Loc;
}

export interface Trigger {
  event: string;
  loc: Loc;
  /** Raw filter object (`branches`, `types`, `workflows`...) as plain JS. */
  config?: unknown;
}

export type PermissionLevel = 'read' | 'write' | 'none';

export interface Permissions {
  /** `map` for a mapping (including `{}`), `read-all` / `write-all` for the shorthands. */
  kind: 'read-all' | 'write-all' | 'map' | 'expression' | 'invalid';
  scopes: Map<string, { level: PermissionLevel | string; loc: Loc; keyLoc: Loc }>;
  loc: Loc;
  keyLoc: Loc;
}

export interface Environment {
  /** Name, or the raw expression when it is one. */
  name: string;
  isExpression: boolean;
  loc: Loc;
}

export interface RunsOn {
  labels: Scalar[];
  group?: Scalar;
  /** True when any label or group is an expression: the runner cannot be known statically. */
  dynamic: boolean;
  loc: Loc;
}

export interface ImageRef {
  image: string;
  loc: Loc;
  /** Where it was declared: job container, a service, or a `docker://` step. */
  role: 'container' | 'service' | 'step';
  serviceName?: string;
  /** `credentials: { username, password }` entries, when given. */
  credentials: KeyValue[];
}

export interface Step {
  index: number;
  loc: Loc;
  id?: Scalar;
  name?: Scalar;
  uses?: UsesScalar;
  run?: Scalar;
  shell?: Scalar;
  if?: Scalar;
  with: KeyValue[];
  env: KeyValue[];
  continueOnError?: Scalar;
  workingDirectory?: Scalar;
}

export interface Job {
  id: string;
  idLoc: Loc;
  loc: Loc;
  name?: Scalar;
  /** Absent for reusable-workflow call jobs and composite actions. */
  runsOn?: RunsOn;
  permissions?: Permissions;
  environment?: Environment;
  needs: string[];
  if?: Scalar;
  env: KeyValue[];
  steps: Step[];
  /** Reusable-workflow call: `jobs.<id>.uses`. */
  uses?: UsesScalar;
  with: KeyValue[];
  /** `secrets: inherit` or the explicit map of a reusable-workflow call. */
  secrets?: { inherit: boolean; entries: KeyValue[]; loc: Loc };
  container?: ImageRef;
  services: ImageRef[];
  strategyLoc?: Loc;
}

export interface WorkflowFile {
  kind: 'workflow' | 'action';
  /** Path relative to the repository root. */
  path: string;
  text: string;
  /** The parsed document, kept for fixes that splice the original text. */
  doc: Document.Parsed;
  name?: Scalar;
  triggers: Trigger[];
  /** Position of the `on:` key (workflows) or of the document start. */
  onLoc: Loc;
  permissions?: Permissions;
  env: KeyValue[];
  /** Workflow jobs; a composite action has one pseudo-job `(composite)` holding its steps. */
  jobs: Job[];
  /** For actions: `runs.using` (composite, node20, docker...). */
  runsUsing?: string;
  /** For actions: declared input names. */
  actionInputs?: string[];
  /** Position of the first line, for file-level findings. */
  rootLoc: Loc;
}

/** A YAML or schema problem: the file is reported as workflow-invalid. */
export interface ParseProblem {
  message: string;
  line: number;
  column: number;
}

export type ParseResult =
  | { ok: true; workflow: WorkflowFile; problems: ParseProblem[] }
  | { ok: false; problems: ParseProblem[] };
