/**
 * Conformance with OpenSSF Scorecard's script-injection patches
 * (probes/hasDangerousWorkflowScriptInjection/internal/patch/testdata: `X.yaml` and `X_fixed[_N].yaml`,
 * one fixed file per finding Scorecard patches). For each fixed file we fix the same expressions of
 * X.yaml (those Scorecard lifted out of `run:`, on the lines its patch changed) and compare two ways:
 *   strict:     the parsed documents are equal and the edited lines the same (as zizmor-fix-cases);
 *   equivalent: every `run:` script reads the same expressions in the same places once each env
 *               variable reference is replaced by the expression it is bound to (step > job > workflow
 *               env), and the documents are equal outside `env:` and `run:`. Scorecard names
 *               variables after the context (ISSUE_TITLE) and puts them in the workflow's env:; we name
 *               them after the full path and put them in the step's env:, so only "equivalent" can hold.
 * Per-case results are printed; the counts may not drop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkById } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { diffPaths, showPath } from '../../src/fixes/doc.js';
import { applyFixes } from '../../src/fixes/engine.js';
import { offsetOf } from '../../src/fixes/text.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { parseWorkflow } from '../../src/workflows/parse.js';
import { CORPUS, listFiles, requireCorpus } from '../helpers/corpus.js';
import { editedLines } from './diff-apply.js';
import { oneFileSnapshot } from './snapshot.js';

const MIN_STRICT = 0;
const MIN_EQUIVALENT = 18;

const EXPR = /\$\{\{\s*(.*?)\s*\}\}/g;
const norm = (e: string) => e.replace(/\s+/g, ' ').trim();

type Js = Record<string, unknown>;

function parse(text: string): Js | undefined {
  const r = parseWorkflow('.github/workflows/x.yml', text, 'workflow');
  return r.ok ? (r.workflow.doc.toJS() as Js) : undefined;
}

function envOf(node: unknown): Record<string, string> {
  const env = (node as Js | undefined)?.env;
  if (!env || typeof env !== 'object') return {};
  return Object.fromEntries(Object.entries(env as Js).map(([k, v]) => [k, String(v)]));
}

/** Every run script with env references replaced by their bound expressions; env blocks dropped. */
function normalise(doc: Js): { doc: Js; runs: string[] } {
  const copy = structuredClone(doc);
  const runs: string[] = [];
  const wfEnv = envOf(copy);
  delete copy.env;
  for (const job of Object.values((copy.jobs ?? {}) as Js)) {
    const j = job as Js;
    const jobEnv = envOf(j);
    delete j.env;
    for (const step of ((j.steps ?? []) as Js[])) {
      const scope = { ...wfEnv, ...jobEnv, ...envOf(step) };
      delete step.env;
      if (typeof step.run !== 'string') continue;
      const bound = (name: string, whole: string): string => {
        const v = scope[name];
        return v !== undefined && /^\$\{\{.*\}\}$/s.test(v.trim()) ? `\${{ ${norm(v.trim().slice(3, -2))} }}` : whole;
      };
      const script = step.run
        .replace(/\$\{(\w+)\}|\$env:(\w+)|\$(\w+)|%(\w+)%/g, (whole, a, b, c, d) => bound((a ?? b ?? c ?? d) as string, whole))
        .replace(EXPR, (_w, e: string) => `\${{ ${norm(e)} }}`);
      step.run = script;
      runs.push(script);
    }
  }
  return { doc: copy, runs };
}

/** Expressions of `run:` scripts, as a multiset of normalised texts. */
function runExpressions(doc: Js): string[] {
  const out: string[] = [];
  for (const job of Object.values((doc.jobs ?? {}) as Js)) {
    for (const step of (((job as Js).steps ?? []) as Js[])) {
      if (typeof step.run === 'string') for (const m of step.run.matchAll(EXPR)) out.push(norm(m[1]));
    }
  }
  return out;
}

/** 1-based numbers of the input lines a line diff (LCS) marks as removed or changed. */
function removedLines(before: string, after: string): Set<number> {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < a.length) {
    if (j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && lcs[i][j + 1] >= lcs[i + 1][j]) j++;
    else out.add(++i);
  }
  return out;
}

interface Result {
  name: string;
  strict: boolean;
  equivalent: boolean;
  reason: string;
}

function runCase(fixedPath: string): Result {
  const name = path.basename(fixedPath);
  const inputPath = fixedPath.replace(/_fixed(_\d+)?\.yaml$/, '.yaml');
  const input = readFileSync(inputPath, 'utf8');
  const theirs = readFileSync(fixedPath, 'utf8');
  const before = parse(input);
  const expected = parse(theirs);
  if (!before || !expected) return { name, strict: false, equivalent: false, reason: 'does not parse' };
  // The expressions Scorecard lifted: in the input's scripts and no longer in its output's.
  const remaining = runExpressions(expected);
  const lifted = new Set(runExpressions(before).filter((e) => {
    const i = remaining.indexOf(e);
    if (i === -1) return true;
    remaining.splice(i, 1);
    return false;
  }));
  const rel = '.github/workflows/x.yml';
  const snapshot = oneFileSnapshot(input, rel);
  const all = scanSnapshot(snapshot, [checkById('expression-injection')!], emptyPolicy()).findings;
  const changed = removedLines(input, theirs);
  const mine = all.filter((f) => {
    if (!f.region || !changed.has(f.region.line)) return false;
    const start = offsetOf(input, f.region.line, f.region.column);
    const end = offsetOf(input, f.region.endLine ?? f.region.line, f.region.endColumn ?? f.region.column);
    const m = /^\$\{\{\s*(.*?)\s*\}\}$/s.exec(input.slice(start, end));
    return !!m && lifted.has(norm(m[1]));
  });
  const [o] = applyFixes(snapshot, mine, emptyPolicy(), ['expression-injection']);
  const ours = o?.status === 'fixed' ? o.text : input;
  const got = parse(ours)!;
  const strict = diffPaths(got, expected).length === 0 && JSON.stringify(editedLines(input, ours)) === JSON.stringify(editedLines(input, theirs));
  const a = normalise(got);
  const b = normalise(expected);
  const docDiff = diffPaths(a.doc, b.doc);
  // The same expressions must have left the scripts (an unfixed file would otherwise normalise alike).
  const sameLeft = JSON.stringify(runExpressions(got).sort()) === JSON.stringify(runExpressions(expected).sort());
  const equivalent = docDiff.length === 0 && sameLeft;
  let reason = strict ? 'same document and edited lines' : equivalent ? 'equivalent (other env names / env placement)' : '';
  if (!equivalent) {
    if (lifted.size === 0) reason = 'Scorecard lifted nothing we can identify';
    else if (mine.length === 0) reason = `we report none of ${[...lifted].join(', ')} (${all.length} findings)`;
    else if (!sameLeft) {
      reason = `other expressions left in run: ours ${JSON.stringify(runExpressions(got))} vs theirs ${JSON.stringify(runExpressions(expected))}` +
        (o?.status !== 'fixed' ? ` (not fixed: ${o?.reason ?? 'no outcome'}: ${o?.notes.join(' | ') ?? ''})` : '');
    }
    else if (o?.status !== 'fixed') reason = `not fixed: ${o?.reason ?? 'no outcome'} ${o?.notes.join(' | ') ?? ''}`;
    else {
      const runDiff = a.runs.map((r, i) => [r, b.runs[i]]).filter(([x, y]) => x !== y);
      reason = `differs at ${docDiff.map(showPath).join(', ')}` + (runDiff.length ? `; ours ${JSON.stringify(runDiff[0][0])} vs theirs ${JSON.stringify(runDiff[0][1])}` : '');
    }
  }
  return { name, strict, equivalent, reason };
}

describe('Scorecard script-injection patch cases', () => {
  if (!requireCorpus()) return;
  const dir = path.join(CORPUS, 'scorecard', 'probes', 'hasDangerousWorkflowScriptInjection', 'internal', 'patch', 'testdata');
  const fixed = listFiles(dir, (p) => /_fixed(_\d+)?\.yaml$/.test(p));

  it(`reaches at least ${MIN_STRICT} strict and ${MIN_EQUIVALENT} equivalent results over the ${fixed.length} fixed files`, () => {
    expect(fixed.length).toBeGreaterThanOrEqual(22);
    const results = fixed.map(runCase);
    const strict = results.filter((r) => r.strict).length;
    const equivalent = results.filter((r) => r.equivalent).length;
    console.log(
      `\nscorecard fix cases: ${strict}/${results.length} strict, ${equivalent}/${results.length} equivalent\n` +
        results.map((r) => `  ${r.strict ? 'same      ' : r.equivalent ? 'equivalent' : 'differs   '} ${r.name}: ${r.reason}`).join('\n'),
    );
    expect(strict).toBeGreaterThanOrEqual(MIN_STRICT);
    expect(equivalent).toBeGreaterThanOrEqual(MIN_EQUIVALENT);
  });
});
