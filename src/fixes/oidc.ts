/**
 * What the OIDC rewrites share (static-cloud-credentials, publish-token-not-oidc): giving one job
 * `id-token: write` without changing what its token can do otherwise, removing or replacing the
 * lines of a `with:` entry, and the OIDC subject claim a cloud trust policy must match.
 */
import { isMap, isScalar } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';
import type { Job, Step, WorkflowFile } from '../workflows/model.js';
import { appendToChildMap, blockMapAt, entryLines, insertAfterKey, keyIndent } from './common.js';
import { anchoredAlong, pairOf } from './doc.js';
import { jobNeeds } from './excessive-permissions.js';
import { eolOf } from './text.js';
import type { DocPath, FixOptions, Splice } from './types.js';

/** Where an OIDC rewrite edits: the step's and its job's block mappings and the step's `with:` mapping. */
export interface StepEditSite {
  step: { map: YAMLMap; path: DocPath };
  job: { map: YAMLMap; path: DocPath };
  withMap: YAMLMap;
}

/** The step's edit site, or why the step cannot be rewritten (the caller words the refusal around it). */
export function stepEditSite(w: WorkflowFile, job: Job, step: Step): StepEditSite | { error: string } {
  const stepLoc = blockMapAt(w, step.loc.offset);
  if ('error' in stepLoc) return { error: `the step cannot be edited: ${stepLoc.error}` };
  const jobLoc = blockMapAt(w, job.loc.offset);
  if ('error' in jobLoc) return { error: `job "${job.id}" cannot be edited: ${jobLoc.error}` };
  if (anchoredAlong(w.doc, stepLoc.path)) return { error: 'the step sits under a YAML anchor (&…) that aliases reuse' };
  const withMap = withMapOf(stepLoc.map);
  if (!withMap) return { error: 'the step has no block `with:` mapping' };
  return { step: stepLoc, job: jobLoc, withMap };
}

export type Grant = { splices: Splice[]; targets: DocPath[] } | { error: string };

/**
 * Splices that give `job` the `id-token: write` scope and nothing else new. A job-level block
 * replaces the workflow-level one, so a new block repeats the workflow's scopes; with no block
 * anywhere the job's needs come from the excessive-permissions table, or the grant is refused.
 */
export function grantIdToken(w: WorkflowFile, job: Job, jobMap: YAMLMap, jobPath: DocPath, why: string): Grant {
  const text = w.text;
  const line = `id-token: write # pipeline-guard: ${why}`;
  const jp = job.permissions;
  if (jp) {
    if (jp.kind === 'write-all') return { splices: [], targets: [] };
    if (jp.kind !== 'map') return { error: `job "${job.id}" has \`permissions: ${jp.kind}\`; give it \`id-token: write\` by hand` };
    const existing = jp.scopes.get('id-token');
    const pair = pairOf(jobMap, 'permissions');
    const value = pair?.value as YamlNode | null | undefined;
    if (existing?.level === 'write') return { splices: [], targets: [] };
    if (existing) return { splices: [{ start: existing.loc.offset, end: existing.loc.endOffset, text: 'write' }], targets: [[...jobPath, 'permissions']] };
    if (value && isMap(value) && value.flow && value.items.length === 0 && value.range) {
      return { splices: [{ start: value.range[0], end: value.range[1], text: '{ id-token: write }' }], targets: [[...jobPath, 'permissions']] };
    }
    const s = appendToChildMap(text, jobMap, 'permissions', [line]);
    if ('error' in s) return { error: `job "${job.id}" permissions cannot be edited: ${s.error}` };
    return { splices: [s], targets: [[...jobPath, 'permissions']] };
  }
  const wp = w.permissions;
  let lines: string[];
  if (wp) {
    if (wp.kind === 'write-all') return { splices: [], targets: [] };
    if (wp.kind !== 'map') return { error: `the workflow has \`permissions: ${wp.kind}\`; give job "${job.id}" its own block with \`id-token: write\` by hand` };
    if (wp.scopes.get('id-token')?.level === 'write') return { splices: [], targets: [] };
    lines = [...wp.scopes].filter(([scope]) => scope !== 'id-token').map(([scope, s]) => `${scope}: ${String(s.level)}`);
    lines.push(line);
  } else {
    const needs = jobNeeds(job);
    if ('undecided' in needs) {
      return { error: `neither the workflow nor job "${job.id}" sets permissions and ${needs.undecided}, so a new block could take a scope it needs; add \`id-token: write\` by hand` };
    }
    lines = [];
    if (!needs.scopes.has('contents')) lines.push('contents: read');
    for (const [scope, n] of [...needs.scopes].sort((a, b) => a[0].localeCompare(b[0]))) if (scope !== 'id-token') lines.push(`${scope}: ${n.level}`);
    lines.push(line);
  }
  const anchor = pairOf(jobMap, 'runs-on') ? 'runs-on' : 'name';
  return { splices: [insertAfterKey(text, jobMap, anchor, ['permissions:', ...lines.map((l) => `  ${l}`)])], targets: [[...jobPath, 'permissions']] };
}

/** Replaces an entry's lines by `lines` (`key: value`, indented like the entry), or deletes them when `lines` is empty. */
export function replaceEntry(text: string, map: YAMLMap, pair: Pair, lines: string[]): Splice | { error: string } {
  const r = entryLines(text, map, pair);
  if ('error' in r) return r;
  const pad = ' '.repeat(keyIndent(text, map));
  const eol = eolOf(text);
  // The last line of a file may have no break: keep it that way.
  const endsWithBreak = text.slice(r.start, r.end).endsWith('\n');
  const body = lines.map((l) => pad + l).join(eol);
  return { start: r.start, end: r.end, text: lines.length === 0 ? '' : body + (endsWithBreak ? eol : '') };
}

/** The `with:` mapping of a step's block mapping, when it is a block mapping. */
function withMapOf(step: YAMLMap): YAMLMap | undefined {
  const v = pairOf(step, 'with')?.value;
  return v && isMap(v) && !v.flow ? v : undefined;
}

/** Keys of a mapping as strings. */
export function keysOf(map: YAMLMap): string[] {
  return map.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')).filter((k) => k !== '');
}

/**
 * The `sub` claim of the job's OIDC token a cloud trust policy should match: the environment when
 * the job has one; `pull_request` for a workflow only pull requests run; a tag pattern for one only
 * releases or tag pushes run (match it with StringLike); the branch when only pushes to one named
 * branch run it; else the default branch (`repo:OWNER/REPO:ref:refs/heads/main`).
 */
export function subjectClaim(w: WorkflowFile, job: Job, options: FixOptions): string {
  const repo = options.repository ?? 'OWNER/REPO';
  if (job.environment && !job.environment.isExpression) return `repo:${repo}:environment:${job.environment.name}`;
  const events = w.triggers.map((t) => t.event);
  if (events.length > 0 && events.every((e) => e === 'pull_request')) return `repo:${repo}:pull_request`;
  const tagOnly = (t: { event: string; config?: unknown }): boolean => {
    if (t.event === 'release') return true;
    const c = t.config as { tags?: unknown; branches?: unknown } | null | undefined;
    return t.event === 'push' && !!c && c.tags !== undefined && c.branches === undefined;
  };
  if (w.triggers.length > 0 && w.triggers.every(tagOnly)) return `repo:${repo}:ref:refs/tags/*`;
  // Pushes to one named branch only: that branch.
  const branches = w.triggers.map((t) => (t.event === 'push' ? (t.config as { branches?: unknown } | null | undefined)?.branches : undefined));
  const one = branches[0];
  if (Array.isArray(one) && one.length === 1 && typeof one[0] === 'string' && !/[*?[!]/.test(one[0]) && branches.every((b) => JSON.stringify(b) === JSON.stringify(one))) {
    return `repo:${repo}:ref:refs/heads/${one[0]}`;
  }
  return `repo:${repo}:ref:refs/heads/${options.defaultBranch ?? 'main'}`;
}
