import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Loc, Step } from '../../workflows/model.js';
import { privilege, stepPublishes, triggerNames } from '../../workflows/context.js';
import { actionName } from '../../workflows/uses.js';
import { region, stepLabel } from '../locs.js';
import { forkGated, stepExecutes } from './lib-pr-code.js';

/** A step that fetches the artifacts of the run that triggered this `workflow_run`. */
function downloadOf(step: Step): Loc | undefined {
  if (step.uses) {
    const name = actionName(step.uses.ref);
    if (name === 'dawidd6/action-download-artifact') return step.uses.loc;
    if (name === 'actions/download-artifact') {
      const runId = step.with.find((kv) => kv.key === 'run-id');
      if (runId?.value && /github\.event\.workflow_run\.id/.test(runId.value)) return runId.loc;
      return undefined;
    }
    if (name === 'actions/github-script') {
      const script = step.with.find((kv) => kv.key === 'script');
      if (script?.value && /downloadArtifact/.test(script.value) && /workflow_run/.test(script.value)) return script.loc;
    }
    return undefined;
  }
  if (step.run && /\bgh\s+run\s+download\b/.test(step.run.value) && /workflow_run\.id|WORKFLOW_RUN|RUN_ID/i.test(step.run.value)) {
    return step.run.loc;
  }
  return undefined;
}

/** The download directory when it is outside the workspace (runner.temp, /tmp), else undefined. */
function outsideWorkspace(step: Step): string | undefined {
  const p = step.with.find((kv) => kv.key === 'path')?.value?.trim();
  if (!p || !/runner\.temp|RUNNER_TEMP|^\/tmp\b/.test(p)) return undefined;
  const last = p.replace(/\/+$/, '').split('/').pop() ?? p;
  return last.includes('}}') || last === '' ? p : last;
}

function mentionsDir(script: string, dir: string): boolean {
  return script.includes(`/${dir}`) || script.includes(`${dir}/`) || script.includes(dir.includes('/') ? dir : `/${dir}`);
}

/** Loading a model or pickle from files fetched at run time trusts their bytes completely. */
const MODEL_LOAD = /\b(torch\.load|joblib\.load|pickle\.loads?|dill\.load|cloudpickle\.load|np\.load|numpy\.load|from_pretrained|keras\.models\.load_model|load_model)\b/;

export const workflowRunArtifactTrust: Check = {
  meta: {
    id: 'workflow-run-artifact-trust',
    title: 'Privileged workflow_run job executes or publishes artifacts of the triggering run',
    defaultSeverity: 'high',
    severityNote: 'Critical when the job publishes or deploys after the download (an attacker-built model or package reaches the registry); high otherwise.',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-4', 'CICD-SEC-9'], slsa: 'Build L3', ssdf: ['PS.2.1'], atlas: ['AML.T0010.003'] },
    docs: {
      why:
        'A `workflow_run` job runs with the base repository\'s token and secrets, but the artifacts of the run that triggered it ' +
        'were produced by a `pull_request` run, i.e. by the pull request\'s code. Executing them, unpacking them over the ' +
        'workspace before running scripts, loading them as models (`torch.load`, `joblib.load`) or pushing them to a registry ' +
        'lets a fork pull request run code with those privileges or ship an attacker-trained model.',
      howToFix:
        'Treat artifacts from the triggering run as untrusted data: download them into a separate directory (`path: ${{ runner.temp }}/pr`), ' +
        'read only small, validated values (a PR number checked with a strict regex), and never execute, import, unpickle or publish them. ' +
        'Re-build anything you release inside the privileged workflow from a trusted ref, and verify digests or attestations of anything you must reuse.',
      references: [
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_run',
        'https://github.com/actions/download-artifact#download-artifacts-from-other-workflow-runs-or-repositories',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      if (!triggerNames(w).has('workflow_run')) continue;
      for (const job of w.jobs) {
        if (forkGated(job.if?.value)) continue;
        let download: { step: Step; loc: Loc; outside?: string } | undefined;
        let use: { step: Step; what: string; publishes: boolean } | undefined;
        for (const step of job.steps) {
          if (!download) {
            const loc = downloadOf(step);
            if (loc) download = { step, loc, outside: outsideWorkspace(step) };
            continue;
          }
          const publishes = stepPublishes(step);
          const loads = !!step.run && MODEL_LOAD.test(step.run.value);
          // Unpacked outside the workspace, the artifact is only trusted by steps that name its directory.
          const exec = !!stepExecutes(step) && (!download.outside || (!!step.run && mentionsDir(step.run.value, download.outside)));
          if (publishes) {
            use = { step, what: 'publishes', publishes: true };
            break;
          }
          if (!use && (loads || exec)) use = { step, what: loads ? 'loads it as a model' : 'executes code', publishes: false };
        }
        if (!download || !use) continue;
        const priv = privilege(w, job, input.options.hostedRunnerLabels);
        const severity: Severity = use.publishes ? 'critical' : 'high';
        out.push({
          severity,
          message:
            `Job "${job.id}" downloads the triggering run's artifacts in ${stepLabel(download.step)} and then ${use.what} in ${stepLabel(use.step)}` +
            `${priv.privileged ? ` while it ${priv.reasons[0]}` : ' with the base repository\'s token and cache'}.`,
          path: w.path,
          region: region(download.loc),
          job: job.id,
          step: stepLabel(download.step),
          data: { publishes: use.publishes, privileged: priv.privileged },
        });
      }
    }
    return out;
  },
};
