/**
 * Taint of `${{ }}` bodies for the injection family, on top of the shared tables in
 * src/workflows/expressions.ts: resolves `env.X` through step/job/workflow `env:`, rewrites
 * parenthesised property access (`(a || b).number`), types workflow inputs, and treats objects that
 * contain attacker-controlled fields (`toJSON(github.event.pull_request.head)`) as attacker-controlled.
 */
import { classifyRef, contextRefs, type Taint } from '../../workflows/expressions.js';
import type { Job, KeyValue, Step, WorkflowFile } from '../../workflows/model.js';

/** `indirect`: a value copied from somewhere we cannot see (a step output) into `env:` and re-expanded. */
export type InjectionTaint = Taint | 'indirect';

export interface RefTaint {
  ref: string;
  taint: InjectionTaint;
  /** The `env:` variable the value came through, when resolved. */
  via?: string;
  /** Insider data only people with write access set (a branch name, a manual dispatch input): reported low. */
  weak?: boolean;
}

export interface TaintScope {
  workflow: WorkflowFile;
  job?: Job;
  step?: Step;
}

const RANK: Record<InjectionTaint, number> = { safe: 0, unknown: 1, indirect: 2, insider: 3, attacker: 4 };

export function worse(a: InjectionTaint, b: InjectionTaint): InjectionTaint {
  return RANK[b] > RANK[a] ? b : a;
}

/** Concrete attacker-controlled field paths: an object that contains one of them is attacker-controlled. */
const ATTACKER_LEAVES = [
  'github.head_ref',
  'github.event.pull_request.title', 'github.event.pull_request.body', 'github.event.pull_request.head.ref',
  'github.event.pull_request.head.label', 'github.event.pull_request.head.repo.default_branch',
  'github.event.issue.title', 'github.event.issue.body', 'github.event.comment.body', 'github.event.review.body',
  'github.event.review_comment.body', 'github.event.discussion.title', 'github.event.discussion.body',
  'github.event.answer.body', 'github.event.head_commit.message', 'github.event.commits.*.message',
  'github.event.workflow_run.head_branch', 'github.event.workflow_run.display_title',
  'github.event.workflow_run.head_commit.message', 'github.event.workflow_run.pull_requests.*.head.ref',
  'github.event.check_suite.head_branch', 'github.event.pages.*.page_name', 'github.event.merge_group.head_commit.message',
];

/** Triggers under which `github.ref` / `github.ref_name` name a branch or tag an insider chose. */
const REF_NAMING_TRIGGERS = new Set(['push', 'create', 'delete', 'workflow_dispatch', 'workflow_call', 'release', 'repository_dispatch']);

/** Input types whose values cannot carry shell syntax. */
const SAFE_INPUT_TYPES = new Set(['boolean', 'number', 'choice', 'environment']);

/**
 * Rewrites `(a || b).x` into `a.x || b.x` so the property access applies to each operand.
 * A group directly after a function name (`fromJSON(…).x`) is left alone.
 */
export function distributeGroups(body: string): string {
  let s = body.replace(/'(?:[^']|'')*'/g, (m) => `'${'_'.repeat(Math.max(0, m.length - 2))}'`);
  const re = /(^|[^\w.\-\s]|\s)\(([^()]*)\)((?:\s*(?:\.\s*[\w*-]+|\[[^\]]*\]))+)/;
  for (let i = 0; i < 16; i++) {
    const m = re.exec(s);
    if (!m) break;
    const suffix = m[3].replace(/\s+/g, '');
    const refs = contextRefs(m[2]);
    const replacement = refs.length > 0 ? refs.map((r) => `${r}${suffix}`).join(' || ') : 'null';
    s = s.slice(0, m.index) + m[1] + replacement + s.slice(m.index + m[0].length);
  }
  return s;
}

function lookupEnv(list: readonly KeyValue[] | undefined, name: string): KeyValue | undefined {
  if (!list) return undefined;
  return list.find((kv) => kv.key === name) ?? list.find((kv) => kv.key.toLowerCase() === name.toLowerCase());
}

function triggerConfig(w: WorkflowFile, event: string): Record<string, unknown> | undefined {
  const c = w.triggers.find((t) => t.event === event)?.config;
  return c && typeof c === 'object' ? (c as Record<string, unknown>) : undefined;
}

/** Workflow inputs: safe when typed boolean/number/choice everywhere they are declared; weak when only a manual dispatch sets them. */
function inputTaint(w: WorkflowFile, name: string): { taint: InjectionTaint; weak: boolean } {
  if (w.kind === 'action') return { taint: 'insider', weak: false };
  const called = w.triggers.some((t) => t.event === 'workflow_call');
  let declared = false;
  for (const event of ['workflow_dispatch', 'workflow_call']) {
    const inputs = triggerConfig(w, event)?.inputs;
    if (!inputs || typeof inputs !== 'object') continue;
    const def = (inputs as Record<string, unknown>)[name];
    if (!def || typeof def !== 'object') continue;
    declared = true;
    const type = (def as Record<string, unknown>).type;
    if (typeof type !== 'string' || !SAFE_INPUT_TYPES.has(type)) return { taint: 'insider', weak: !called };
  }
  return declared ? { taint: 'safe', weak: false } : { taint: 'insider', weak: !called };
}

/** Taint of one normalised context reference in its scope. */
function refTaint(ref: string, scope: TaintScope, depth = 0): RefTaint {
  const w = scope.workflow;
  if (ref === 'github.ref' || ref === 'github.ref_name') {
    const names = w.kind === 'action' || w.triggers.some((t) => REF_NAMING_TRIGGERS.has(t.event));
    return { ref, taint: names ? 'insider' : 'safe', weak: true };
  }
  const input = /^(?:github\.event\.)?inputs\.([\w-]+)$/.exec(ref);
  if (input) return { ref, ...inputTaint(w, input[1]) };
  const env = /^env\.([\w-]+)$/.exec(ref);
  if (env) {
    const kv = lookupEnv(scope.step?.env, env[1]) ?? lookupEnv(scope.job?.env, env[1]) ?? lookupEnv(w.env, env[1]);
    if (!kv) return { ref, taint: 'unknown' };
    if (kv.value === undefined || !kv.value.includes('${{') || depth > 4) return { ref, taint: 'safe' };
    let t: InjectionTaint = 'safe';
    let weak = true;
    for (const body of bodiesOf(kv.value)) {
      const inner = bodyTaint(body, scope, depth + 1);
      if (worse(t, inner.taint) !== t) weak = inner.refs.every((r) => r.weak);
      else if (inner.taint === t) weak = weak && inner.refs.every((r) => r.weak);
      t = worse(t, inner.taint);
    }
    // A step output or other opaque value re-expanded through env: is reported, but low.
    if (t === 'unknown') t = 'indirect';
    return { ref, taint: t, via: kv.key, weak: t === 'insider' && weak };
  }
  const base = classifyRef(ref);
  if (base === 'attacker') return { ref, taint: 'attacker' };
  if (ref.startsWith('github') && ATTACKER_LEAVES.some((leaf) => leaf.startsWith(`${ref}.`))) return { ref, taint: 'attacker' };
  return { ref, taint: base };
}

function bodiesOf(value: string): string[] {
  const out: string[] = [];
  let i = value.indexOf('${{');
  while (i !== -1) {
    const close = value.indexOf('}}', i + 3);
    if (close === -1) break;
    out.push(value.slice(i + 3, close).trim());
    i = value.indexOf('${{', close + 2);
  }
  return out;
}

/** Worst taint over every reference of an expression body, with the references that carry it. */
export function bodyTaint(body: string, scope: TaintScope, depth = 0): { taint: InjectionTaint; refs: RefTaint[] } {
  let taint: InjectionTaint = 'safe';
  const refs: RefTaint[] = [];
  for (const ref of contextRefs(distributeGroups(body))) {
    const r = refTaint(ref, scope, depth);
    if (r.taint !== 'safe') refs.push(r);
    taint = worse(taint, r.taint);
  }
  return { taint, refs: refs.filter((r) => r.taint === taint) };
}
