/**
 * Is a workflow a release workflow, and does a job publish? Used by cache-poisoning (and available to
 * the other credentials checks). A workflow is a release workflow when a trigger is tied to a release:
 * `release`, `push` of tags, or `push` to a branch whose name looks like a release branch.
 */
import type { Job, Step, WorkflowFile } from '../../workflows/model.js';
import { stepPublishes } from '../../workflows/context.js';
import { input, nextOperand, programsOf, scriptCommands, stepAction, toggle, usesAction } from './lib-steps.js';

export interface ReleaseTriggers {
  /** A `release` trigger or a `push` of tags: the run is tied to a tag. */
  tagBound: boolean;
  /** A `push` to a branch that looks like a release branch (`release`, `release-*`, `v2.x`, `stable`…). */
  releaseBranch: boolean;
  /** Every trigger of the workflow is tied to a tag (no branch pushes, dispatches, schedules…). */
  onlyTagBound: boolean;
}

const RELEASE_BRANCH = /(^|[^a-z])(release|releases|rel|stable|prod|production|publish|deploy)([^a-z]|$)|^v?\d+(\.(\d+|x|\*))+$/i;

function list(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function releaseTriggers(w: WorkflowFile): ReleaseTriggers {
  let tagBound = false;
  let releaseBranch = false;
  let onlyTagBound = w.triggers.length > 0;
  for (const t of w.triggers) {
    if (t.event === 'release') {
      tagBound = true;
      continue;
    }
    if (t.event === 'push') {
      const cfg = record(t.config);
      const tags = cfg ? list(cfg.tags) : [];
      const branches = cfg ? list(cfg.branches) : [];
      const hasTags = tags.length > 0 || (!!cfg && 'tags' in cfg);
      if (hasTags) tagBound = true;
      if (branches.some((b) => RELEASE_BRANCH.test(b))) releaseBranch = true;
      // `push` with only a tag filter does not run for branch pushes.
      const tagOnly = hasTags && !!cfg && !('branches' in cfg) && !('branches-ignore' in cfg);
      if (!tagOnly) onlyTagBound = false;
      continue;
    }
    onlyTagBound = false;
  }
  return { tagBound, releaseBranch, onlyTagBound };
}

/** Actions that publish an artefact, beyond the shared list in workflows/context.ts. */
const EXTRA_PUBLISHERS = [
  'rubygems/release-gem', 'goreleaser/goreleaser-action', 'jreleaser/release-action', 'actions/attest-build-provenance',
  'actions/attest', 'sigstore/gh-action-sigstore-python', 'katyo/publish-crates', 'nuget/login', 'changesets/action',
];

/** Signing and packaging commands that make a job part of a release. */
function runReleases(w: WorkflowFile, step: Step): boolean {
  if (!step.run) return false;
  for (const c of scriptCommands(w, step.run)) {
    const words = programsOf(c.words);
    for (let i = 0; i < words.length; i++) {
      const op = nextOperand(c.words, i)?.word.toLowerCase();
      if (words[i] === 'cosign' && (op === 'sign' || op === 'attest' || op === 'sign-blob')) return true;
      if ((words[i] === 'cargo' || words[i] === 'bun') && op === 'publish') return true;
      if (words[i] === 'gem' && op === 'push') return true;
      if (words[i] === 'nuget' && op === 'push') return true;
      if (words[i] === 'mvn' && c.words.includes('deploy')) return true;
      if (/^gradlew?$/.test(words[i]) && c.words.some((x) => /^publish/i.test(x))) return true;
    }
  }
  return false;
}

/**
 * True when the step publishes, deploys or signs. `docker/build-push-action` counts unless `push` is
 * explicitly off (a build without push publishes nothing).
 */
function publisherStep(w: WorkflowFile, step: Step): boolean {
  if (usesAction(step, 'docker/build-push-action')) return toggle(input(step, 'push')?.value ?? 'true') !== 'off';
  const name = stepAction(step);
  if (name && EXTRA_PUBLISHERS.some((p) => name === p || name.startsWith(`${p}/`))) return true;
  return stepPublishes(step) || runReleases(w, step);
}

export function jobPublishes(w: WorkflowFile, job: Job): boolean {
  return job.steps.some((s) => publisherStep(w, s));
}
