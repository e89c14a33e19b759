/**
 * Supply-chain helpers: every `uses:` site of the snapshot (workflow steps, reusable-workflow call
 * jobs, composite-action steps) with its job context, and regions that point at a scalar's content.
 */
import type { Region } from '../../model/types.js';
import type { Job, Scalar, Step, UsesScalar, WorkflowFile } from '../../workflows/model.js';
import { mapperFor } from '../../workflows/expressions.js';
import type { UsesRef } from '../../workflows/uses.js';
import { region } from '../locs.js';
import type { CheckInput } from '../types.js';

export interface UsesSite {
  file: WorkflowFile;
  /** The job holding the step, or the reusable-workflow call job; the `(composite)` pseudo-job for actions. */
  job: Job;
  /** Absent for `jobs.<id>.uses`. */
  step?: Step;
  scalar: Scalar;
  ref: UsesRef;
}

/** GitHub owner names: letters, digits, `-`, `_`, `.` (anything else, like `$` or an expression, is not a remote ref). */
const OWNER_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** True for a remote `owner/repo[/path]@ref` reference we can reason about. */
export function isRemoteAction(ref: UsesRef): ref is Extract<UsesRef, { kind: 'action' }> {
  return ref.kind === 'action' && OWNER_RE.test(ref.owner) && OWNER_RE.test(ref.repo) && !ref.owner.includes('${{');
}

/**
 * Every `uses:` of the snapshot, once per YAML node (a step reused through an anchor/alias is one site).
 */
export function usesSites(input: Pick<CheckInput, 'workflows' | 'actions'>): UsesSite[] {
  const out: UsesSite[] = [];
  const seen = new Set<string>();
  const add = (file: WorkflowFile, job: Job, scalar: UsesScalar | undefined, step?: Step): void => {
    if (!scalar || scalar.value.trim() === '') return;
    const key = `${file.path}\0${scalar.loc.offset}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ file, job, step, scalar, ref: scalar.ref });
  };
  for (const file of [...input.workflows, ...input.actions]) {
    for (const job of file.jobs) {
      add(file, job, job.uses);
      for (const step of job.steps) add(file, job, step.uses, step);
    }
  }
  return out;
}

/**
 * The region of a scalar's content: for a block scalar (`uses: |`) the first content line rather than
 * the `|` header, so the finding sits on the text a reader must change.
 */
export function contentRegion(file: { text: string }, scalar: Scalar): Region {
  if (!scalar.block) return region(scalar.loc);
  const raw = file.text.slice(scalar.loc.offset, scalar.loc.endOffset);
  const nl = raw.indexOf('\n');
  if (nl === -1) return region(scalar.loc);
  const m = /\S/.exec(raw.slice(nl + 1));
  if (!m) return region(scalar.loc);
  const start = scalar.loc.offset + nl + 1 + m.index;
  const lineEnd = file.text.indexOf('\n', start);
  const end = lineEnd === -1 ? scalar.loc.endOffset : Math.min(lineEnd, scalar.loc.endOffset);
  return region(mapperFor(file).loc(start, end));
}

/** `v1`, `v1.2`, `1.2.3`, `v4.1.0-beta.1`: a version-looking tag (as opposed to a branch name). */
const VERSION_TAG_RE = /^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?$/;

export function isVersionTag(ref: string): boolean {
  return VERSION_TAG_RE.test(ref);
}

/** Numeric parts of a version tag (`v45.0.7` -> [45, 0, 7]); undefined for anything else. */
export function versionParts(ref: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)(?:[-+][0-9A-Za-z.-]+)?$/.exec(ref);
  return m ? m[1].split('.').map(Number) : undefined;
}

/** Compares version part lists, missing parts counting as 0. */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `actions` and `github` are GitHub's own organisations. */
export function isFirstParty(owner: string): boolean {
  const o = owner.toLowerCase();
  return o === 'actions' || o === 'github';
}

/** Label for the place of a `uses:` in messages: `job "x" step 2 (…)`, or `reusable-workflow call job "x"`. */
export function siteLabel(site: { file: WorkflowFile; job: Job; step?: Step }, stepLabel: (s: Step) => string): string {
  if (site.file.kind === 'action') return site.step ? `composite action ${stepLabel(site.step)}` : 'composite action';
  if (!site.step) return `reusable-workflow call job "${site.job.id}"`;
  return `job "${site.job.id}" ${stepLabel(site.step)}`;
}
