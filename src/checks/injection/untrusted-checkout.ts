import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import { privilege, triggerNames } from '../../workflows/context.js';
import { region, stepLabel } from '../locs.js';
import { PR_PRIVILEGED_TRIGGERS, forkGated, prCheckoutOf, stepExecutes } from './lib-pr-code.js';

export const untrustedCheckout: Check = {
  meta: {
    id: 'untrusted-checkout',
    title: 'Privileged trigger checks out and runs pull-request code',
    defaultSeverity: 'critical',
    severityNote:
      'Critical when the job is privileged (secrets, write scopes, OIDC, environment, self-hosted, publishing); high otherwise ' +
      '(the run can still poison caches); medium when the job only runs for same-repository pull requests.',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-4', 'CICD-SEC-5'], slsa: 'Build L3', ssdf: ['PO.5.1', 'PS.1.1'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        '`pull_request_target`, `workflow_run` and `issue_comment` runs get the base repository\'s token, secrets and cache scope, ' +
        'unlike `pull_request` runs from forks. Checking out the pull request\'s head and then running anything from it (a build, ' +
        '`npm install`, `pip install .`, a test, a local action) hands all of that to whoever opened the pull request: ' +
        'package install scripts, Makefiles and conftest.py execute on the first command. This "pwn request" compromised ' +
        'spotbugs, then reviewdog and tj-actions/changed-files, and the Ultralytics and nx releases.',
      howToFix:
        'Build and test untrusted code under `on: pull_request` (no secrets, read-only token). If the result needs privileges ' +
        '(a comment, a label, a deploy preview), upload it as an artifact and handle it in a separate `workflow_run` job that ' +
        'treats it as data and never executes it. If the job needs no secrets or write scopes, switching the trigger to ' +
        '`pull_request` with `permissions: contents: read` is enough. Gating on a label or a comment is not a fix: the author ' +
        'can push new commits after approval.',
      references: [
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target',
        'https://docs.zizmor.sh/audits/#dangerous-triggers',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      const triggers = [...triggerNames(w)].filter((t) => PR_PRIVILEGED_TRIGGERS.includes(t));
      if (triggers.length === 0) continue;
      for (const job of w.jobs) {
        let checkout: ReturnType<typeof prCheckoutOf>;
        let execution: { label: string; what: string } | undefined;
        for (const step of job.steps) {
          if (!checkout) {
            checkout = prCheckoutOf(step);
            // `gh pr checkout && make` in one script both fetches and runs.
            if (checkout && step.run) {
              const rest = step.run.value.slice(step.run.value.indexOf('\n') + 1);
              if (step.run.value.includes('\n') && stepExecutes({ ...step, run: { ...step.run, value: rest } })) {
                execution = { label: stepLabel(step), what: 'the same script' };
                break;
              }
            }
            continue;
          }
          const what = stepExecutes(step);
          if (what) {
            execution = { label: stepLabel(step), what };
            break;
          }
        }
        if (!checkout || !execution) continue;
        const priv = privilege(w, job, input.options.hostedRunnerLabels);
        const gated = forkGated(job.if?.value) || forkGated(checkout.step.if?.value);
        const severity: Severity = gated ? 'medium' : priv.privileged ? 'critical' : 'high';
        const reason = priv.privileged ? ` while it ${priv.reasons[0]}` : '';
        out.push({
          severity,
          message:
            `Job "${job.id}" runs on ${triggers.join('/')}, checks out pull-request code (${checkout.what}) in ${stepLabel(checkout.step)} ` +
            `and executes it in ${execution.label}${reason}${gated ? ' (only for same-repository pull requests)' : ''}.`,
          path: w.path,
          region: region(checkout.loc),
          job: job.id,
          step: stepLabel(checkout.step),
          data: { trigger: triggers[0], privileged: priv.privileged, gated },
        });
      }
    }
    return out;
  },
};
