/**
 * R7 fork-pr-approval-weak: workflows of fork pull requests run without a maintainer's approval
 * (public repositories), or fork pull requests get secrets or a write token (private ones).
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Check, CheckInput } from '../types.js';
import { isSelfHosted, jobText, secretNamesIn, triggerNames } from '../../workflows/context.js';
import { NO_SETTINGS, actionsDisabled, outcome, probed, settingFinding } from './lib-settings.js';

/** Triggers whose runs execute the fork's own code and wait for approval under this policy. */
const FORK_PR_TRIGGERS = ['pull_request', 'pull_request_review', 'pull_request_review_comment'];

interface ForkExposure {
  /** Why a fork PR run would reach a self-hosted runner, if it can. */
  selfHosted?: string;
  /** Why a fork PR run is worth more than a free hosted job (secrets, billed runners). */
  valuable?: string;
}

function forkExposure(input: CheckInput): ForkExposure {
  const out: ForkExposure = {};
  const runners = input.snapshot.settings?.selfHostedRunners;
  if (runners?.status === 'ok' && runners.value.count > 0) out.selfHosted = `the repository can use ${runners.value.count} self-hosted runner(s)`;
  const hosted = input.options.hostedRunnerLabels;
  for (const w of input.workflows) {
    const names = triggerNames(w);
    if (!FORK_PR_TRIGGERS.some((t) => names.has(t))) continue;
    for (const job of w.jobs) {
      if (!out.selfHosted && job.runsOn && isSelfHosted(job, hosted)) out.selfHosted = `job "${job.id}" in ${w.path} runs pull requests on a self-hosted runner`;
      if (out.valuable) continue;
      const secrets = secretNamesIn(jobText(w, job)).filter((n) => n.toUpperCase() !== 'GITHUB_TOKEN');
      if (secrets.length > 0) out.valuable = `job "${job.id}" in ${w.path} reads secrets on pull requests`;
      else if (job.runsOn && !job.runsOn.dynamic && job.runsOn.labels.some((l) => hosted.includes(l.value.trim()))) {
        out.valuable = `job "${job.id}" in ${w.path} runs pull requests on a billed larger runner`;
      }
    }
  }
  return out;
}

export const forkPrApprovalWeak: Check = {
  meta: {
    id: 'fork-pr-approval-weak',
    title: 'Fork pull-request workflows run without approval, or get secrets or a write token',
    defaultSeverity: 'high',
    severityNote:
      'Public repositories: critical when fork pull requests can reach a self-hosted runner, high when their workflows read ' +
      'secrets or use billed runners, low otherwise. Private repositories: high when forks get secrets or a write token ' +
      '(critical with self-hosted runners), medium when their runs need no approval.',
    inputs: ['S', 'F'],
    fix: 'api',
    tier: 1,
    standards: { owasp: ['CICD-SEC-4', 'CICD-SEC-5'], ssdf: ['PO.5.1'], atlas: [] },
    docs: {
      why:
        'Fork pull requests run the contributor\'s own code in your workflows. GitHub only asks a maintainer to approve the run for ' +
        'first-time contributors by default, and anyone becomes a "contributor" after one merged typo fix: that is how the 2024 ' +
        'PyTorch research got code onto self-hosted release runners. On private repositories the settings can also hand fork ' +
        'runs your secrets and a write token, which gives every fork author your credentials.',
      howToFix:
        'Public repositories: Settings → Actions → General → "Require approval for all external contributors" ' +
        '(`PUT /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval` with `{"approval_policy":"all_external_contributors"}`). ' +
        'Private repositories: turn off "Send write tokens to workflows from pull requests" and "Send secrets and variables to ' +
        'workflows from pull requests", and turn on "Require approval for fork pull request workflows" (organization or repository ' +
        '`fork-pr-workflows-private-repos` setting). Keep pull-request jobs off self-hosted runners.',
      references: [
        'https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-workflow-runs/approving-workflow-runs-from-public-forks',
        'https://docs.github.com/en/rest/actions/permissions#set-fork-pr-contributor-approval-permissions-for-a-repository',
        'https://johnstawinski.com/2024/01/11/playing-with-fire-how-we-executed-a-critical-supply-chain-attack-on-pytorch/',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-04-Poisoned-Pipeline-Execution',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    if (settings.repo.archived) return outcome([]);
    if (actionsDisabled(settings)) return outcome([]);
    const exp = forkExposure(input);
    const findings: FindingDraft[] = [];

    if (settings.repo.visibility === 'public') {
      const policy = probed(settings.forkPrApproval, 'the fork pull-request approval policy');
      if (!policy.ok) return outcome([], [policy.note]);
      const p = policy.value.approvalPolicy;
      if (p === 'all_external_contributors') return outcome([]);
      const severity: Severity = exp.selfHosted ? 'critical' : exp.valuable ? 'high' : 'low';
      const who =
        p === 'first_time_contributors_new_to_github'
          ? 'only accounts new to GitHub need approval'
          : p === 'first_time_contributors'
            ? 'only first-time contributors need approval'
            : `the approval policy is "${p.slice(0, 40)}"`;
      const why = exp.selfHosted ?? exp.valuable;
      findings.push(
        settingFinding(
          severity,
          `Fork pull-request workflows run without a maintainer's approval for past contributors (${who})${why ? `, and ${why}` : ''}.`,
          'actions/permissions/fork-pr-contributor-approval.approval_policy',
          p,
          { selfHosted: !!exp.selfHosted, secretsOrBilledRunners: !!exp.valuable },
        ),
      );
      return outcome(findings);
    }

    const priv = probed(settings.forkPrPrivate, 'the fork pull-request workflow settings');
    if (!priv.ok) return outcome([], [priv.note]);
    const v = priv.value;
    if (!v.runWorkflowsFromForkPullRequests) return outcome([]);
    const gives = [v.sendSecretsAndVariables ? 'secrets and variables' : '', v.sendWriteTokensToWorkflows ? 'a write token' : ''].filter(Boolean);
    if (gives.length > 0) {
      findings.push(
        settingFinding(
          exp.selfHosted ? 'critical' : 'high',
          `Workflows of fork pull requests receive ${gives.join(' and ')}, so anyone with a fork can use them${exp.selfHosted ? `, and ${exp.selfHosted}` : ''}.`,
          v.sendSecretsAndVariables
            ? 'actions/permissions/fork-pr-workflows-private-repos.send_secrets_and_variables'
            : 'actions/permissions/fork-pr-workflows-private-repos.send_write_tokens_to_workflows',
          true,
          { sendSecrets: v.sendSecretsAndVariables, sendWriteTokens: v.sendWriteTokensToWorkflows, selfHosted: !!exp.selfHosted },
        ),
      );
    }
    if (!v.requireApprovalForForkPrWorkflows) {
      findings.push(
        settingFinding(
          exp.selfHosted ? 'high' : 'medium',
          `Workflows of fork pull requests run without a maintainer's approval${exp.selfHosted ? `, and ${exp.selfHosted}` : ''}.`,
          'actions/permissions/fork-pr-workflows-private-repos.require_approval_for_fork_pr_workflows',
          false,
          { selfHosted: !!exp.selfHosted },
        ),
      );
    }
    return outcome(findings);
  },
};
