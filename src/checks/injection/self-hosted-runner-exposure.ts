import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Job, Loc } from '../../workflows/model.js';
import { isSelfHosted, triggerNames } from '../../workflows/context.js';
import { region } from '../locs.js';
import { forkGated, prCheckoutOf } from './lib-pr-code.js';
import { selfHostedRunnerSettingsFindings } from '../settings/self-hosted-runner-settings.js';

/** Triggers that run fork pull-request code itself on the runner. */
const FORK_CODE = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);
/** Triggers outsiders fire (a pull request, a comment, an issue) that run the base repository's workflow. */
const OUTSIDER = new Set(['pull_request_target', 'issue_comment', 'discussion_comment', 'workflow_run']);

/** The label or group that makes the job self-hosted, for the message and the region. */
function offending(job: Job, hosted: readonly string[]): { text: string; loc: Loc } | undefined {
  const r = job.runsOn;
  if (!r) return undefined;
  if (r.group) return { text: `group ${r.group.value}`, loc: r.group.loc };
  const self = r.labels.find((l) => l.value.trim().toLowerCase() === 'self-hosted');
  if (self) return { text: r.labels.map((l) => l.value).join(', '), loc: self.loc };
  const custom = r.labels.find((l) => isSelfHosted({ ...job, runsOn: { ...r, labels: [l], group: undefined } }, hosted));
  return custom ? { text: custom.value, loc: custom.loc } : undefined;
}

export const selfHostedRunnerExposure: Check = {
  meta: {
    id: 'self-hosted-runner-exposure',
    title: 'Self-hosted runner reachable from pull requests or comments',
    defaultSeverity: 'critical',
    severityNote:
      'Critical when fork pull-request code runs on the runner (`pull_request`, or a privileged trigger that checks out the PR head); ' +
      'high when an outsider-triggered workflow (pull_request_target, issue_comment, workflow_run…) runs there without PR code.',
    inputs: ['F', 'S'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-7', 'CICD-SEC-4'], slsa: 'Build L2', ssdf: ['PO.5.1', 'PO.5.2'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        'Self-hosted runners (often the GPU boxes that train models) are not wiped between jobs unless they are ephemeral. A fork ' +
        'pull request that reaches one runs its own code on the machine: it can install a persistent backdoor, read other jobs\' ' +
        'secrets, tokens and cached credentials, and move into the network the runner sits in. The PyTorch runner research (2024) ' +
        'took over release infrastructure this way.',
      howToFix:
        'Run pull-request and comment-triggered jobs on GitHub-hosted runners, or gate them to same-repository pull requests ' +
        '(`if: github.event.pull_request.head.repo.full_name == github.repository`). If self-hosted is unavoidable use ephemeral/JIT ' +
        'runners (ARC), a runner group restricted to private repositories and selected workflows, require approval for all outside ' +
        'contributors, and keep registry or training-data credentials out of the runner host. Declare GitHub-hosted larger-runner ' +
        'labels in the policy (`hostedRunnerLabels`) so they are not mistaken for self-hosted ones.',
      references: [
        'https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/about-self-hosted-runners#self-hosted-runner-security',
        'https://johnstawinski.com/2024/01/11/playing-with-fire-how-we-executed-a-critical-supply-chain-attack-on-pytorch/',
        'https://docs.zizmor.sh/audits/#self-hosted-runner',
      ],
    },
  },
  run(input) {
    const hosted = input.options.hostedRunnerLabels;
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      const names = triggerNames(w);
      const forkCode = [...names].filter((n) => FORK_CODE.has(n));
      const outsider = [...names].filter((n) => OUTSIDER.has(n));
      if (forkCode.length === 0 && outsider.length === 0) continue;
      for (const job of w.jobs) {
        if (!job.runsOn || !isSelfHosted(job, hosted)) continue;
        if (forkGated(job.if?.value)) continue;
        const checksOutPr = outsider.length > 0 && job.steps.some((s) => !!prCheckoutOf(s));
        const severity: Severity = forkCode.length > 0 || checksOutPr ? 'critical' : 'high';
        const trigger = forkCode[0] ?? outsider[0];
        const label = offending(job, hosted);
        const what = forkCode.length > 0 || checksOutPr ? 'runs pull-request code' : 'runs';
        out.push({
          severity,
          message: `Job "${job.id}" ${what} on a self-hosted runner (${label?.text ?? 'self-hosted'}) and is triggered by ${trigger}, which outsiders can fire.`,
          path: w.path,
          region: region(label?.loc ?? job.runsOn.loc),
          job: job.id,
          data: { trigger, forkCode: forkCode.length > 0 || checksOutPr },
        });
      }
    }
    // The settings half: a public repository that can use self-hosted runners at all.
    const settingsHalf = selfHostedRunnerSettingsFindings(input);
    return { findings: [...out, ...settingsHalf.findings], notEvaluated: settingsHalf.notEvaluated };
  },
};
