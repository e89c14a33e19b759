/**
 * Parse a workflow or composite action once into the typed model of ./model.ts, with positions.
 * Never throws on bad input: YAML errors, alias bombs, oversized or binary files become problems
 * that the workflow-invalid check reports.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import type {
  Environment,
  ImageRef,
  Job,
  KeyValue,
  Loc,
  ParseProblem,
  ParseResult,
  Permissions,
  RunsOn,
  Scalar,
  Step,
  Trigger,
  UsesScalar,
  WorkflowFile,
} from './model.js';
import { parseUses } from './uses.js';
import { OffsetMapper, rememberMapper } from './expressions.js';
import { decodeText } from '../files/text.js';

/** Workflows above this size are not analysed (GitHub's own editor refuses far smaller files). */
export const MAX_WORKFLOW_BYTES = 1024 * 1024;
/** Upper bound on nodes visited while building the model: guards against alias bombs. */
const MAX_NODE_VISITS = 200_000;

const WORKFLOW_KEYS = new Set(['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs']);
const JOB_KEYS = new Set([
  'name', 'permissions', 'needs', 'if', 'runs-on', 'environment', 'concurrency', 'outputs', 'env', 'defaults',
  'steps', 'timeout-minutes', 'strategy', 'continue-on-error', 'container', 'services', 'uses', 'with', 'secrets',
  'snapshot',
]);
const STEP_KEYS = new Set([
  'id', 'if', 'name', 'uses', 'run', 'shell', 'with', 'env', 'continue-on-error', 'timeout-minutes',
  'working-directory',
]);
export const PERMISSION_SCOPES = new Set([
  'actions', 'attestations', 'artifact-metadata', 'checks', 'contents', 'deployments', 'discussions', 'id-token',
  'issues', 'models', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses',
]);

class BudgetExceeded extends Error {}

class Walker {
  private visits = 0;
  private aliasTargets?: Map<Alias, YamlNode | undefined>;
  constructor(
    readonly doc: Document.Parsed,
    /** Built from the parser's own line starts; handed on to the workflow for every later reader. */
    readonly mapper: OffsetMapper,
    readonly problems: ParseProblem[],
  ) {}

  /** Follows aliases to the anchored node, counting visits so a billion-laughs file stops early. */
  resolve(node: unknown): YamlNode | undefined {
    if (++this.visits > MAX_NODE_VISITS) throw new BudgetExceeded();
    let n = node as YamlNode | undefined | null;
    let hops = 0;
    while (n && isAlias(n)) {
      if (++hops > 64) throw new BudgetExceeded();
      n = this.aliasTarget(n);
    }
    return n ?? undefined;
  }

  /**
   * The node an alias names. The yaml library's own `Alias.resolve` walks the whole document on
   * every call (quadratic on alias-heavy files), so every alias is resolved once, in one pass, with
   * the same rule: the last node before the alias that carries the anchor.
   */
  private aliasTarget(alias: Alias): YamlNode | undefined {
    if (!this.aliasTargets) {
      const targets = new Map<Alias, YamlNode | undefined>();
      const current = new Map<string, YamlNode>();
      visit(this.doc, {
        Node: (_key, node) => {
          if (isAlias(node)) targets.set(node, current.get(node.source));
          else if (node.anchor) current.set(node.anchor, node);
        },
      });
      this.aliasTargets = targets;
    }
    return this.aliasTargets.get(alias);
  }

  locOf(node: unknown, fallback?: Loc): Loc {
    const n = node as { range?: [number, number, number] } | undefined | null;
    const range = n?.range;
    if (!range) return fallback ?? this.locAt(0, 0);
    return this.locAt(range[0], range[1]);
  }

  locAt(start: number, end: number): Loc {
    return this.mapper.loc(start, end);
  }

  problem(message: string, node: unknown): void {
    const loc = this.locOf(node);
    this.problems.push({ message, line: loc.line, column: loc.column });
  }

  map(node: unknown): YAMLMap | undefined {
    const n = this.resolve(node);
    return n && isMap(n) ? n : undefined;
  }

  /** The pairs of a mapping with their key as a string (keys that are not scalars are skipped). */
  *pairs(map: YAMLMap): Generator<{ key: string; keyNode: unknown; valueNode: YamlNode | undefined; pair: Pair }> {
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key);
      if (!keyNode || !isScalar(keyNode)) continue;
      yield { key: String(keyNode.value), keyNode, valueNode: this.resolve(pair.value), pair };
    }
  }

  /** Entry of a mapping by key: a plain loop (mappings in workflows are small; an index costs more than it saves). */
  get(map: YAMLMap | undefined, key: string): { keyNode: unknown; valueNode: YamlNode | undefined } | undefined {
    if (!map) return undefined;
    for (const pair of map.items) {
      const k = pair.key as YamlNode | null;
      const keyNode = k && isAlias(k) ? this.resolve(k) : k;
      if (keyNode && isScalar(keyNode) && String(keyNode.value) === key) return { keyNode, valueNode: this.resolve(pair.value) };
    }
    return undefined;
  }

  scalar(node: unknown, keyNode?: unknown): Scalar | undefined {
    const n = this.resolve(node);
    if (!n || !isScalar(n)) return undefined;
    const v = n.value;
    const value = v === null || v === undefined ? '' : String(v);
    const block = n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED';
    return { value, loc: this.locOf(n), keyLoc: keyNode ? this.locOf(keyNode) : undefined, block };
  }

  /** A `uses:` entry (from `get`) with its reference parsed once, here. */
  uses(entry: { keyNode: unknown; valueNode: YamlNode | undefined } | undefined): UsesScalar | undefined {
    const s = entry ? this.scalar(entry.valueNode, entry.keyNode) : undefined;
    return s ? { ...s, ref: parseUses(s.value) } : undefined;
  }

  scalarAt(map: YAMLMap | undefined, key: string): Scalar | undefined {
    const p = this.get(map, key);
    return p ? this.scalar(p.valueNode, p.keyNode) : undefined;
  }

  keyValues(node: unknown): KeyValue[] {
    const map = this.map(node);
    if (!map) return [];
    const out: KeyValue[] = [];
    for (const { key, keyNode, valueNode } of this.pairs(map)) {
      const keyLoc = this.locOf(keyNode);
      const s = valueNode && isScalar(valueNode) ? valueNode : undefined;
      out.push({
        key,
        keyLoc,
        value: s ? (s.value === null || s.value === undefined ? '' : String(s.value)) : undefined,
        loc: valueNode ? this.locOf(valueNode) : keyLoc,
      });
    }
    return out;
  }

  /** Plain JS of a subtree (trigger filters); aliases are bounded by the yaml library itself. */
  toJS(node: YamlNode | undefined): unknown {
    if (!node) return undefined;
    try {
      return node.toJS(this.doc, { maxAliasCount: 100 });
    } catch {
      return undefined;
    }
  }
}

/** The problem reported for a workflow file too large to analyse. */
export function tooLargeForWorkflow(size: number): string {
  return `file is ${(size / (1024 * 1024)).toFixed(1)} MiB, above the ${MAX_WORKFLOW_BYTES / (1024 * 1024)} MiB a workflow may have here; not analysed`;
}

/** Reads workflow bytes as text, or says why they are not a workflow. */
export function workflowText(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes.length > MAX_WORKFLOW_BYTES) return { problem: tooLargeForWorkflow(bytes.length) };
  if (bytes.includes(0)) return { problem: 'file contains NUL bytes: binary data, not YAML' };
  const text = decodeText(bytes);
  if (text === undefined) return { problem: 'file is not valid UTF-8 text' };
  return { text };
}

export function parseWorkflowBytes(path: string, bytes: Uint8Array, kind: 'workflow' | 'action'): ParseResult {
  const t = workflowText(bytes);
  if ('problem' in t) return { ok: false, problems: [{ message: t.problem, line: 1, column: 1 }] };
  return parseWorkflow(path, t.text, kind);
}

export function parseWorkflow(path: string, text: string, kind: 'workflow' | 'action'): ParseResult {
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (err) {
    return { ok: false, problems: [{ message: `YAML parser failed: ${(err as Error).message}`, line: 1, column: 1 }] };
  }
  const problems: ParseProblem[] = [];
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
      problems.push({ message: firstLine(e.message), line: pos.line, column: pos.col });
    }
    return { ok: false, problems };
  }
  const w = new Walker(doc, OffsetMapper.ofLineStarts(lines.lineStarts), problems);
  try {
    const workflow = kind === 'workflow' ? buildWorkflow(w, path, text) : buildAction(w, path, text);
    if (!workflow) return { ok: false, problems };
    rememberMapper(workflow, w.mapper);
    return { ok: true, workflow, problems };
  } catch (err) {
    if (err instanceof BudgetExceeded) {
      problems.push({ message: 'too many alias expansions (a YAML alias bomb?); not analysed', line: 1, column: 1 });
      return { ok: false, problems };
    }
    throw err;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

function buildWorkflow(w: Walker, path: string, text: string): WorkflowFile | undefined {
  const rootLoc = w.locAt(0, Math.min(text.length, 1));
  const root = w.map(w.doc.contents);
  if (!root) {
    w.problem(w.doc.contents ? 'a workflow must be a mapping at the top level' : 'the file is empty', w.doc.contents);
    return undefined;
  }
  for (const { key, keyNode } of w.pairs(root)) {
    if (!WORKFLOW_KEYS.has(key)) w.problem(`unexpected top-level key "${key}"`, keyNode);
  }
  const on = w.get(root, 'on');
  if (!on) w.problem('missing "on": the workflow has no trigger', root);
  const jobsEntry = w.get(root, 'jobs');
  const jobsMap = jobsEntry ? w.map(jobsEntry.valueNode) : undefined;
  if (!jobsEntry) w.problem('missing "jobs"', root);
  else if (!jobsMap) w.problem('"jobs" must be a mapping of job ids to jobs', jobsEntry.valueNode ?? jobsEntry.keyNode);
  else if (jobsMap.items.length === 0) w.problem('"jobs" is empty', jobsEntry.valueNode);

  const jobs: Job[] = [];
  if (jobsMap) {
    for (const { key, keyNode, valueNode } of w.pairs(jobsMap)) {
      const job = buildJob(w, key, keyNode, valueNode);
      if (job) jobs.push(job);
    }
  }
  const permEntry = w.get(root, 'permissions');
  return {
    kind: 'workflow',
    path,
    text,
    doc: w.doc,
    name: w.scalarAt(root, 'name'),
    triggers: on ? buildTriggers(w, on.valueNode) : [],
    onLoc: on ? w.locOf(on.keyNode) : rootLoc,
    permissions: permEntry ? buildPermissions(w, permEntry.keyNode, permEntry.valueNode) : undefined,
    env: w.keyValues(w.get(root, 'env')?.valueNode),
    jobs,
    rootLoc,
  };
}

function buildAction(w: Walker, path: string, text: string): WorkflowFile | undefined {
  const rootLoc = w.locAt(0, Math.min(text.length, 1));
  const root = w.map(w.doc.contents);
  if (!root) {
    w.problem('an action metadata file must be a mapping at the top level', w.doc.contents);
    return undefined;
  }
  const runsEntry = w.get(root, 'runs');
  const runs = runsEntry ? w.map(runsEntry.valueNode) : undefined;
  if (!runs) w.problem('missing "runs": not an action metadata file', root);
  const using = w.scalarAt(runs, 'using');
  const jobs: Job[] = [];
  if (runs && using?.value === 'composite') {
    const stepsEntry = w.get(runs, 'steps');
    jobs.push({
      id: '(composite)',
      idLoc: w.locOf(runsEntry?.keyNode),
      loc: w.locOf(runs),
      needs: [],
      env: [],
      steps: buildSteps(w, stepsEntry?.valueNode),
      with: [],
      services: [],
    });
  }
  const inputs = w.map(w.get(root, 'inputs')?.valueNode);
  return {
    kind: 'action',
    path,
    text,
    doc: w.doc,
    name: w.scalarAt(root, 'name'),
    triggers: [],
    onLoc: rootLoc,
    env: [],
    jobs,
    runsUsing: using?.value,
    actionInputs: inputs ? [...w.pairs(inputs)].map((p) => p.key) : [],
    rootLoc,
  };
}

function buildTriggers(w: Walker, node: YamlNode | undefined): Trigger[] {
  const n = w.resolve(node);
  if (!n) return [];
  if (isScalar(n)) return [{ event: String(n.value), loc: w.locOf(n) }];
  if (isSeq(n)) {
    return n.items.flatMap((item) => {
      const s = w.scalar(item);
      return s ? [{ event: s.value, loc: s.loc }] : [];
    });
  }
  if (isMap(n)) {
    return [...w.pairs(n)].map(({ key, keyNode, valueNode }) => ({
      event: key,
      loc: w.locOf(keyNode),
      config: w.toJS(valueNode),
    }));
  }
  return [];
}

function buildPermissions(w: Walker, keyNode: unknown, node: YamlNode | undefined): Permissions {
  const keyLoc = w.locOf(keyNode);
  const loc = node ? w.locOf(node) : keyLoc;
  const scopes: Permissions['scopes'] = new Map();
  const n = w.resolve(node);
  if (n && isScalar(n)) {
    const v = String(n.value ?? '');
    if (v === 'read-all' || v === 'write-all') return { kind: v, scopes, loc, keyLoc };
    if (v.includes('${{')) return { kind: 'expression', scopes, loc, keyLoc };
    w.problem(`permissions must be "read-all", "write-all" or a mapping, not "${v}"`, n);
    return { kind: 'invalid', scopes, loc, keyLoc };
  }
  const map = n && isMap(n) ? n : undefined;
  if (!map) {
    w.problem('permissions must be "read-all", "write-all" or a mapping', n ?? keyNode);
    return { kind: 'invalid', scopes, loc, keyLoc };
  }
  for (const { key, keyNode: k, valueNode } of w.pairs(map)) {
    const level = w.scalar(valueNode)?.value ?? '';
    if (!PERMISSION_SCOPES.has(key)) w.problem(`unknown permission scope "${key}"`, k);
    else if (!['read', 'write', 'none'].includes(level)) w.problem(`permission "${key}" must be read, write or none`, valueNode ?? k);
    scopes.set(key, { level, loc: w.locOf(valueNode ?? k), keyLoc: w.locOf(k) });
  }
  return { kind: 'map', scopes, loc, keyLoc };
}

function buildEnvironment(w: Walker, node: YamlNode | undefined): Environment | undefined {
  const n = w.resolve(node);
  if (!n) return undefined;
  const s = isScalar(n) ? w.scalar(n) : w.scalarAt(isMap(n) ? n : undefined, 'name');
  if (!s) return undefined;
  return { name: s.value, isExpression: s.value.includes('${{'), loc: s.loc };
}

function buildRunsOn(w: Walker, node: YamlNode | undefined): RunsOn | undefined {
  const n = w.resolve(node);
  if (!n) return undefined;
  const labels: Scalar[] = [];
  let group: Scalar | undefined;
  const addLabels = (x: YamlNode | undefined): void => {
    const r = w.resolve(x);
    if (r && isScalar(r)) {
      const s = w.scalar(r);
      if (s) labels.push(s);
    } else if (r && isSeq(r)) {
      for (const item of r.items) {
        const s = w.scalar(item);
        if (s) labels.push(s);
      }
    }
  };
  if (isMap(n)) {
    group = w.scalarAt(n, 'group');
    addLabels(w.get(n, 'labels')?.valueNode);
  } else {
    addLabels(n);
  }
  const dynamic = [...labels, ...(group ? [group] : [])].some((s) => s.value.includes('${{'));
  return { labels, group, dynamic, loc: w.locOf(n) };
}

function buildImage(w: Walker, node: YamlNode | undefined, role: ImageRef['role'], serviceName?: string): ImageRef | undefined {
  const n = w.resolve(node);
  if (!n) return undefined;
  if (isScalar(n)) {
    const s = w.scalar(n);
    return s && s.value !== '' ? { image: s.value, loc: s.loc, role, serviceName, credentials: [] } : undefined;
  }
  if (!isMap(n)) return undefined;
  const image = w.scalarAt(n, 'image');
  if (!image || image.value === '') return undefined;
  return { image: image.value, loc: image.loc, role, serviceName, credentials: w.keyValues(w.get(n, 'credentials')?.valueNode) };
}

function buildJob(w: Walker, id: string, keyNode: unknown, node: YamlNode | undefined): Job | undefined {
  const map = w.map(node);
  if (!map) {
    w.problem(`job "${id}" must be a mapping`, node ?? keyNode);
    return undefined;
  }
  for (const { key, keyNode: k } of w.pairs(map)) {
    if (!JOB_KEYS.has(key)) w.problem(`unexpected key "${key}" in job "${id}"`, k);
  }
  const runsOnEntry = w.get(map, 'runs-on');
  const usesEntry = w.get(map, 'uses');
  if (!runsOnEntry && !usesEntry) w.problem(`job "${id}" has neither "runs-on" nor "uses"`, keyNode);
  if (runsOnEntry && usesEntry) w.problem(`job "${id}" has both "runs-on" and "uses"`, usesEntry.keyNode);
  const stepsEntry = w.get(map, 'steps');
  if (runsOnEntry && !stepsEntry) w.problem(`job "${id}" has no "steps"`, keyNode);

  const needsNode = w.resolve(w.get(map, 'needs')?.valueNode);
  const needs: string[] = [];
  if (needsNode && isScalar(needsNode)) needs.push(String(needsNode.value));
  else if (needsNode && isSeq(needsNode)) for (const i of needsNode.items) { const s = w.scalar(i); if (s) needs.push(s.value); }

  const secretsEntry = w.get(map, 'secrets');
  let secrets: Job['secrets'];
  if (secretsEntry) {
    const sv = w.resolve(secretsEntry.valueNode);
    const inherit = !!sv && isScalar(sv) && sv.value === 'inherit';
    secrets = { inherit, entries: inherit ? [] : w.keyValues(sv), loc: w.locOf(sv ?? secretsEntry.keyNode) };
  }
  const services: ImageRef[] = [];
  const servicesMap = w.map(w.get(map, 'services')?.valueNode);
  if (servicesMap) {
    for (const { key, valueNode } of w.pairs(servicesMap)) {
      const img = buildImage(w, valueNode, 'service', key);
      if (img) services.push(img);
    }
  }
  const permEntry = w.get(map, 'permissions');
  const strategy = w.get(map, 'strategy');
  return {
    id,
    idLoc: w.locOf(keyNode),
    loc: w.locOf(map),
    name: w.scalarAt(map, 'name'),
    runsOn: runsOnEntry ? buildRunsOn(w, runsOnEntry.valueNode) : undefined,
    permissions: permEntry ? buildPermissions(w, permEntry.keyNode, permEntry.valueNode) : undefined,
    environment: buildEnvironment(w, w.get(map, 'environment')?.valueNode),
    needs,
    if: w.scalarAt(map, 'if'),
    env: w.keyValues(w.get(map, 'env')?.valueNode),
    steps: buildSteps(w, stepsEntry?.valueNode),
    uses: w.uses(usesEntry),
    with: w.keyValues(w.get(map, 'with')?.valueNode),
    secrets,
    container: buildImage(w, w.get(map, 'container')?.valueNode, 'container'),
    services,
    strategyLoc: strategy ? w.locOf(strategy.keyNode) : undefined,
  };
}

/**
 * Steps in order. A `parallel:` group (a list of steps run side by side) is flattened into the
 * list, so every check sees the steps inside it.
 */
function buildSteps(w: Walker, node: YamlNode | undefined): Step[] {
  const n = w.resolve(node);
  if (!n) return [];
  if (!isSeq(n)) {
    w.problem('"steps" must be a sequence', n);
    return [];
  }
  const steps: Step[] = [];
  const addStep = (item: unknown, label: string): void => {
    const map = w.map(item);
    if (!map) {
      w.problem(`${label} must be a mapping`, item);
      return;
    }
    const group = w.get(map, 'parallel');
    if (group) {
      const list = w.resolve(group.valueNode);
      if (map.items.length !== 1) w.problem(`${label}: "parallel" must be the only key of its step`, group.keyNode);
      if (!list || !isSeq(list)) w.problem(`${label}: "parallel" must be a sequence of steps`, list ?? group.keyNode);
      else list.items.forEach((sub, i) => addStep(sub, `${label}, parallel step ${i + 1}`));
      return;
    }
    for (const { key, keyNode } of w.pairs(map)) {
      if (!STEP_KEYS.has(key)) w.problem(`unexpected key "${key}" in ${label}`, keyNode);
    }
    const uses = w.uses(w.get(map, 'uses'));
    const run = w.scalarAt(map, 'run');
    if (!uses && !run) w.problem(`${label} has neither "uses" nor "run"`, map);
    if (uses && run) w.problem(`${label} has both "uses" and "run"`, map);
    steps.push({
      index: steps.length,
      loc: w.locOf(map),
      id: w.scalarAt(map, 'id'),
      name: w.scalarAt(map, 'name'),
      uses,
      run,
      shell: w.scalarAt(map, 'shell'),
      if: w.scalarAt(map, 'if'),
      with: w.keyValues(w.get(map, 'with')?.valueNode),
      env: w.keyValues(w.get(map, 'env')?.valueNode),
      continueOnError: w.scalarAt(map, 'continue-on-error'),
      workingDirectory: w.scalarAt(map, 'working-directory'),
    });
  };
  n.items.forEach((item, index) => addStep(item, `step ${index + 1}`));
  return steps;
}
