/**
 * secrets-overexposed (W13): more secrets reach a job than it needs: `secrets: inherit` on a
 * reusable-workflow call, `toJSON(secrets)` or a dynamic `secrets[...]` index (both make the runner
 * receive every secret), and production secrets read by a job that has no `environment:`.
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Job, KeyValue, Scalar, Step, WorkflowFile } from '../../workflows/model.js';
import { exposure } from '../../workflows/context.js';
import { expressionsIn } from '../../workflows/expressions.js';
import { region, stepLabel } from '../locs.js';
import type { Check } from '../types.js';
import { jobPublishes } from './lib-release.js';
import { asScalar } from './lib-steps.js';

const ALL_SECRETS = /\btoJSON\s*\(\s*secrets\s*\)/i;
/** `secrets[<expression>]`: a literal `secrets['X']` names one secret and is fine. */
const DYNAMIC_INDEX = /\bsecrets\s*\[\s*(?!['"][^'"]*['"]\s*\])/i;
const SECRET_REF = /\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
/** Secret names that say they are for production, releases or deployment. */
const PROD_NAME = /(^|_)(PROD|PRODUCTION|LIVE|DEPLOY|RELEASE)(_|$)/i;
/** Notification and coverage tokens: not production credentials even in a publishing job. */
const NOT_PROD = /SLACK|DISCORD|WEBHOOK|TEAMS|GITTER|TELEGRAM|TWITTER|NOTIF|CODECOV|COVERALLS/i;

interface Place {
  scalar: Scalar;
  job?: Job;
  step?: Step;
}

function kvPlaces(kvs: KeyValue[], job?: Job, step?: Step): Place[] {
  return kvs.filter((kv) => kv.value !== undefined).map((kv) => ({ scalar: asScalar(kv), job, step }));
}

/** Every scalar of a file that may hold an expression reading secrets. */
function places(file: WorkflowFile): Place[] {
  const out: Place[] = kvPlaces(file.env);
  for (const job of file.jobs) {
    out.push(...kvPlaces(job.env, job), ...kvPlaces(job.with, job));
    if (job.secrets) out.push(...kvPlaces(job.secrets.entries, job));
    if (job.if) out.push({ scalar: job.if, job });
    for (const step of job.steps) {
      out.push(...kvPlaces(step.env, job, step), ...kvPlaces(step.with, job, step));
      if (step.run) out.push({ scalar: step.run, job, step });
      if (step.if) out.push({ scalar: step.if, job, step });
    }
  }
  return out;
}

function bump(file: WorkflowFile, base: Severity): Severity {
  if (exposure(file) !== 'high') return base;
  return base === 'medium' ? 'high' : base === 'high' ? 'critical' : base;
}

export const secretsOverexposed: Check = {
  meta: {
    id: 'secrets-overexposed',
    title: 'Secrets exposed beyond the job that needs them',
    defaultSeverity: 'high',
    severityNote:
      'High for `secrets: inherit` to another repository and `toJSON(secrets)`; medium for local callees, dynamic `secrets[...]` and ' +
      'production secrets outside an environment; one step higher when outsiders can trigger the workflow.',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-6', 'CICD-SEC-5'], ssdf: ['PO.5.1'], atlas: ['AML.T0055'] },
    docs: {
      why:
        'A job should receive only the secrets it uses. `secrets: inherit` hands every repository, organisation and environment secret ' +
        'to the called workflow (and to whatever it runs); `toJSON(secrets)` or a computed `secrets[...]` index makes GitHub send every ' +
        'secret to the runner, where one compromised dependency can read them all. A production credential read by a job without an ' +
        '`environment:` is usable from any branch, with no reviewer or branch rule in the way.',
      howToFix:
        'Replace `secrets: inherit` with an explicit map of the secrets the callee declares in `on.workflow_call.secrets`. Pass single ' +
        'secrets (`${{ secrets.NAME }}`) instead of `toJSON(secrets)` or dynamic indexing. Move production secrets to a protected ' +
        'environment and add `environment: <name>` to the job that uses them.',
      references: [
        'https://docs.github.com/en/actions/reference/workflows-and-actions/reusable-workflows#passing-secrets-to-nested-workflows',
        'https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments',
        'https://docs.zizmor.sh/audits/#secrets-inherit',
        'https://docs.zizmor.sh/audits/#overprovisioned-secrets',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const file of [...input.workflows, ...input.actions]) {
      // secrets: inherit
      for (const job of file.jobs) {
        if (!job.secrets?.inherit || !job.uses) continue;
        const ref = job.uses.ref;
        const local = ref.kind === 'local';
        out.push({
          severity: bump(file, local ? 'medium' : 'high'),
          message: `Job "${job.id}" passes every secret to ${local ? 'the local' : 'the external'} reusable workflow "${job.uses.value.slice(0, 80)}" with \`secrets: inherit\`.`,
          path: file.path,
          region: region(job.uses.loc),
          job: job.id,
          fixable: false,
          data: { kind: 'inherit' },
        });
      }
      // toJSON(secrets) and secrets[<expr>]
      const seen = new Set<number>();
      // Every place and its expressions, read once per file (both passes below use them).
      // Only scalars that mention secrets can matter to the two passes below.
      if (!file.text.includes('secrets')) continue;
      const filePlaces = places(file)
        .filter((p) => p.scalar.value.includes('secrets'))
        .map((p) => ({ ...p, exprs: expressionsIn(file, p.scalar) }));
      for (const p of filePlaces) {
        for (const e of p.exprs) {
          if (seen.has(e.loc.offset)) continue;
          const all = ALL_SECRETS.test(e.body);
          const dynamic = !all && DYNAMIC_INDEX.test(e.body);
          if (!all && !dynamic) continue;
          seen.add(e.loc.offset);
          const where = p.step ? `${stepLabel(p.step)} of job "${p.job?.id}"` : p.job ? `job "${p.job.id}"` : 'the workflow env';
          out.push({
            severity: bump(file, all ? 'high' : 'medium'),
            message: all
              ? `${where} sends every secret to the runner with \`toJSON(secrets)\`.`
              : `${where} indexes secrets dynamically (\`${e.body.slice(0, 60)}\`), which sends every secret to the runner.`,
            path: file.path,
            region: region(e.loc),
            job: p.job?.id,
            step: p.step ? stepLabel(p.step) : undefined,
            fixable: false,
            data: { kind: all ? 'toJSON' : 'dynamic-index' },
          });
        }
      }
      // Production secrets in jobs without an environment.
      if (file.kind !== 'workflow') continue;
      for (const job of file.jobs) {
        if (job.environment || job.uses) continue;
        let publishesMemo: boolean | undefined;
        const publishes = (): boolean => (publishesMemo ??= jobPublishes(file, job));
        const jobPlaces = filePlaces.filter((p) => p.job === job);
        let first: { name: string; loc: Scalar['loc'] } | undefined;
        const names = new Set<string>();
        for (const p of jobPlaces) {
          for (const e of p.exprs) {
            SECRET_REF.lastIndex = 0;
            let m: RegExpExecArray | null;
            while ((m = SECRET_REF.exec(e.body)) !== null) {
              const name = m[1] ?? m[2];
              if (name.toUpperCase() === 'GITHUB_TOKEN' || NOT_PROD.test(name)) continue;
              if (!PROD_NAME.test(name) && !publishes()) continue;
              names.add(name);
              if (!first || e.loc.offset < first.loc.offset) first = { name, loc: e.loc };
            }
          }
        }
        if (!first) continue;
        const list = [...names].slice(0, 3).join(', ') + (names.size > 3 ? ', …' : '');
        out.push({
          severity: bump(file, 'medium'),
          message: `Job "${job.id}" ${publishes() ? 'publishes or deploys with' : 'reads'} production secret${names.size > 1 ? 's' : ''} ${list} but has no \`environment:\` to gate ${names.size > 1 ? 'them' : 'it'}.`,
          path: file.path,
          region: region(first.loc),
          job: job.id,
          fixable: false,
          data: { kind: 'outside-environment', secrets: [...names].join(',') },
        });
      }
    }
    return out;
  },
};
