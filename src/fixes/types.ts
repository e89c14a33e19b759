/** Shapes of the fix engine: fixes are text splices on the original file, never a re-serialisation. */
import type { Finding } from '../model/types.js';
import type { Policy } from '../policy/config.js';
import type { WorkflowFile } from '../workflows/model.js';
import type { PinResolution } from './pins.js';

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
  /** True when the edit writes placeholders or needs a step outside the repository before it can be merged. */
  draft?: boolean;
}

/** All the edits of one check on one file (the shape the issue calls FileFix). */
export interface FileFix {
  path: string;
  checkId: string;
  splices: Splice[];
  notes: string[];
  /** Set when one of this check's edits needs a human before merging (see FileOutcome.draft). */
  draft?: true;
}

export interface FixerInput {
  file: WorkflowFile;
  /** Fixable findings of this fixer's check on this file. */
  findings: Finding[];
  policy: Policy;
  options: FixOptions;
}

/** What a fixer may need beyond the file and the policy, resolved beforehand by I/O code. */
export interface FixOptions {
  /**
   * Resolved `uses:` refs keyed by `pinKey(owner, repo, ref)` (src/collect/action-refs.ts
   * resolveActionRefs). Without it the unpinned-action fix is skipped with a note.
   */
  pins?: ReadonlyMap<string, PinResolution>;
  /** `owner/repo` of the repository being fixed, for the OIDC subject claims in notes (`OWNER/REPO` when unknown). */
  repository?: string;
  /** Its default branch, for the subject claim of jobs without an environment (`main` when unknown). */
  defaultBranch?: string;
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
  /**
   * Set when an accepted fix needs a human before merging: it wrote placeholders (no role in the
   * policy) or depends on a registration outside the repository (PyPI trusted publisher). The fix-up
   * PR for this file should be a draft; `notes` say what to do.
   */
  draft?: true;
}
