/** Shapes of the fix engine: fixes are text splices on the original file, never a re-serialisation. */
import type { Finding } from '../model/types.js';
import type { Policy } from '../policy/config.js';
import type { WorkflowFile } from '../workflows/model.js';

/** Replace `[start, end)` of the text (0-based offsets) by `text`; `start === end` inserts. */
export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** A path into the parsed document (`doc.toJS()`), e.g. ['jobs', 'build', 'steps', 2, 'env']. */
export type DocPath = (string | number)[];

/** One coherent edit a fixer proposes: its splices, the nodes it may change, and the findings it removes. */
export interface FixEdit {
  checkId: string;
  splices: Splice[];
  /** Every document path the edit may change; a change anywhere else rejects the file. */
  targets: DocPath[];
  /** The findings this edit removes. */
  findings: Finding[];
  /** One line per decision a reviewer should know about (e.g. which step needs a scope). */
  notes: string[];
}

/** All the edits of one check on one file (the shape the issue calls FileFix). */
export interface FileFix {
  path: string;
  checkId: string;
  splices: Splice[];
  notes: string[];
}

export interface FixerInput {
  file: WorkflowFile;
  /** Fixable findings of this fixer's check on this file. */
  findings: Finding[];
  policy: Policy;
}

export interface FixerOutput {
  edits: FixEdit[];
  /** Findings left alone, each with the reason (shown to the user). */
  notes: string[];
}

export interface Fixer {
  checkId: string;
  fix(input: FixerInput): FixerOutput;
}

export type FileStatus = 'fixed' | 'rejected' | 'unchanged';

export interface FileOutcome {
  path: string;
  original: string;
  /** The fixed text when accepted; the original otherwise. */
  text: string;
  status: FileStatus;
  /** Why the file was rejected (or why nothing changed). */
  reason?: string;
  /** Per check: how many findings the accepted edits remove. */
  applied: { checkId: string; findings: number }[];
  fixes: FileFix[];
  notes: string[];
}
