/** The workflow model: every spelling normalised, every node positioned. */
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../src/workflows/parse.js';
import { contextRefs, expressionsIn, expressionTaint } from '../../src/workflows/expressions.js';
import { parseUses } from '../../src/workflows/uses.js';
import type { WorkflowFile } from '../../src/workflows/model.js';

function wf(text: string, kind: 'workflow' | 'action' = 'workflow'): WorkflowFile {
  const r = parseWorkflow('.github/workflows/t.yml', text, kind);
  if (!r.ok) throw new Error(`did not parse: ${JSON.stringify(r.problems)}`);
  return r.workflow;
}

describe('triggers', () => {
  it('reads on: as a string, a list and a map, each trigger positioned', () => {
    expect(wf('on: push\njobs: {}\n').triggers.map((t) => t.event)).toEqual(['push']);
    const list = wf('on: [push, pull_request_target]\njobs: {}\n');
    expect(list.triggers.map((t) => [t.event, t.loc.line, t.loc.column])).toEqual([['push', 1, 6], ['pull_request_target', 1, 12]]);
    const map = wf('on:\n  issue_comment:\n    types: [created]\n  workflow_dispatch:\njobs: {}\n');
    expect(map.triggers.map((t) => [t.event, t.loc.line])).toEqual([['issue_comment', 2], ['workflow_dispatch', 4]]);
    expect(map.triggers[0].config).toEqual({ types: ['created'] });
    expect(map.onLoc.line).toBe(1);
  });
});

describe('permissions', () => {
  it('reads the shorthands, a map and {} with scope positions', () => {
    expect(wf('on: push\npermissions: write-all\njobs: {}\n').permissions?.kind).toBe('write-all');
    expect(wf('on: push\npermissions: read-all\njobs: {}\n').permissions?.kind).toBe('read-all');
    const empty = wf('on: push\npermissions: {}\njobs: {}\n').permissions;
    expect(empty?.kind).toBe('map');
    expect(empty?.scopes.size).toBe(0);
    const map = wf('on: push\npermissions:\n  contents: read\n  id-token: write\njobs: {}\n').permissions;
    expect([...map!.scopes].map(([k, v]) => [k, v.level, v.keyLoc.line])).toEqual([['contents', 'read', 3], ['id-token', 'write', 4]]);
  });

  it('flags an unknown scope or level as a schema problem', () => {
    const r = parseWorkflow('x.yml', 'on: push\npermissions:\n  contnets: read\n  issues: admin\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n', 'workflow');
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'unknown permission scope "contnets"'],
      [4, 'permission "issues" must be read, write or none'],
    ]);
  });
});

describe('jobs', () => {
  const text = `on: push
jobs:
  a:
    runs-on: [self-hosted, gpu]
    environment: production
    steps:
      - uses: actions/checkout@v4
  b:
    runs-on:
      group: big-runners
      labels: [linux]
    environment:
      name: staging
      url: https://example.test
    needs: a
    steps:
      - run: echo hi
  c:
    runs-on: \${{ matrix.os }}
    needs: [a, b]
    steps:
      - run: echo
  d:
    uses: org/repo/.github/workflows/r.yml@main
    secrets: inherit
`;
  const w = wf(text);
  const job = (id: string) => w.jobs.find((j) => j.id === id)!;

  it('normalises runs-on as a string, list or group', () => {
    expect(job('a').runsOn!.labels.map((l) => l.value)).toEqual(['self-hosted', 'gpu']);
    expect(job('b').runsOn!.group?.value).toBe('big-runners');
    expect(job('b').runsOn!.labels.map((l) => l.value)).toEqual(['linux']);
    expect(job('c').runsOn!.dynamic).toBe(true);
  });

  it('normalises environment as a string or a map', () => {
    expect(job('a').environment).toMatchObject({ name: 'production', isExpression: false });
    expect(job('a').environment!.loc.line).toBe(5);
    expect(job('b').environment).toMatchObject({ name: 'staging' });
    expect(job('b').environment!.loc.line).toBe(13);
  });

  it('reads needs as a string or list, reusable calls and secrets: inherit', () => {
    expect(job('b').needs).toEqual(['a']);
    expect(job('c').needs).toEqual(['a', 'b']);
    expect(job('d').uses?.ref).toEqual({ kind: 'action', owner: 'org', repo: 'repo', path: '.github/workflows/r.yml', ref: 'main', reusableWorkflow: true, name: 'org/repo/.github/workflows/r.yml' });
    expect(job('d').secrets?.inherit).toBe(true);
    expect(job('a').steps[0].uses?.loc).toMatchObject({ line: 7, column: 15 });
  });
});

describe('steps', () => {
  it('flattens parallel step groups so every step is seen', () => {
    const w = wf('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: one\n      - parallel:\n          - run: two\n          - uses: x/y@v1\n      - run: three\n');
    expect(w.jobs[0].steps.map((s) => s.run?.value ?? s.uses?.value)).toEqual(['one', 'two', 'x/y@v1', 'three']);
    expect(w.jobs[0].steps.map((s) => s.index)).toEqual([0, 1, 2, 3]);
  });

  it('reads composite actions into one pseudo-job', () => {
    const a = wf('name: x\ninputs:\n  who: {}\nruns:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.who }}\n      shell: bash\n', 'action');
    expect(a.kind).toBe('action');
    expect(a.runsUsing).toBe('composite');
    expect(a.actionInputs).toEqual(['who']);
    expect(a.jobs[0].id).toBe('(composite)');
    expect(a.jobs[0].steps[0].shell?.value).toBe('bash');
  });

  it('resolves aliases to the anchored node, keeping the anchor position', () => {
    const w = wf('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env: &shared\n      A: "1"\n    steps:\n      - run: x\n        env: *shared\n');
    expect(w.jobs[0].steps[0].env.map((e) => [e.key, e.value, e.keyLoc.line])).toEqual([['A', '1', 6]]);
  });
});

describe('expressions', () => {
  it('positions every ${{ }} span, in block, plain and double-quoted scalars', () => {
    const text = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo "${{ github.event.issue.title }}"\n          echo ${{ github.sha }}\n      - run: "echo \\"${{ github.head_ref }}\\""\n';
    const w = wf(text);
    const spans = w.jobs[0].steps.flatMap((s) => expressionsIn(w, s.run));
    expect(spans.map((s) => [s.body, s.loc.line, s.loc.column])).toEqual([
      ['github.event.issue.title', 7, 17],
      ['github.sha', 8, 16],
      ['github.head_ref', 9, 22],
    ]);
    for (const s of spans) expect(text.slice(s.loc.offset, s.loc.endOffset)).toBe(`\${{ ${s.body} }}`);
  });

  it('skips }} inside string literals', () => {
    const w = wf("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ format('}}{0}', github.head_ref) }}\n");
    const [span] = expressionsIn(w, w.jobs[0].steps[0].run);
    expect(span.body).toBe("format('}}{0}', github.head_ref)");
  });

  it('reads context references and classifies taint', () => {
    expect(contextRefs("github.event['pull_request'].title || inputs.x")).toEqual(['github.event.pull_request.title', 'inputs.x']);
    expect(expressionTaint('github.head_ref || github.ref').taint).toBe('attacker');
    expect(expressionTaint('github.event.pull_request.head.sha').taint).toBe('safe');
    expect(expressionTaint('inputs.version').taint).toBe('insider');
    expect(expressionTaint("contains(github.event.comment.body, '/deploy')").taint).toBe('attacker');
  });
});

describe('uses references', () => {
  it('classifies local, docker, actions and reusable workflows, reading only the first token', () => {
    expect(parseUses('./.github/actions/x')).toEqual({ kind: 'local', path: '.github/actions/x' });
    expect(parseUses('docker://alpine:3.20')).toEqual({ kind: 'docker', image: 'alpine:3.20' });
    expect(parseUses('actions/checkout@v4 # pinned later')).toMatchObject({ kind: 'action', owner: 'actions', repo: 'checkout', ref: 'v4', name: 'actions/checkout' });
    expect(parseUses('Actions/Checkout@v4#frag')).toMatchObject({ ref: 'v4', name: 'actions/checkout' });
    expect(parseUses('github/codeql-action/init@abc')).toMatchObject({ path: 'init', reusableWorkflow: false });
    expect(parseUses('nope')).toEqual({ kind: 'invalid', raw: 'nope' });
  });
});

describe('schema problems', () => {
  it('reports unknown keys, missing runs-on and steps without uses or run, each at its line', () => {
    const r = parseWorkflow('x.yml', 'on: push\nnmae: x\njobs:\n  a:\n    steps:\n      - name: nothing\n', 'workflow');
    expect(r.ok).toBe(true);
    expect(r.problems.map((p) => p.line)).toEqual([2, 4, 6]);
    expect(r.problems[0].message).toBe('unexpected top-level key "nmae"');
  });
});
