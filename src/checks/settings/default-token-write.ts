/**
 * R6 default-token-write: the repository hands every workflow a read/write GITHUB_TOKEN unless the
 * workflow says otherwise, or lets Actions approve pull requests.
 */
import type { FindingDraft } from '../../model/types.js';
import type { Check } from '../types.js';
import { NO_SETTINGS, actionsDisabled, outcome, probed, settingFinding } from './lib-settings.js';

export const defaultTokenWrite: Check = {
  meta: {
    id: 'default-token-write',
    title: 'Default GITHUB_TOKEN is read/write, or Actions may approve pull requests',
    defaultSeverity: 'high',
    inputs: ['S'],
    fix: 'api',
    tier: 1,
    standards: { owasp: ['CICD-SEC-5'], slsa: 'Build L3', ssdf: ['PO.5.1'], atlas: [] },
    docs: {
      why:
        'With the default workflow permissions set to "read and write", every job that does not declare `permissions:` gets a ' +
        'token that can push code, move tags, create releases and edit issues. Any injection or compromised action in such a job ' +
        'becomes a write to the repository (the nx "s1ngularity" attack in 2025 relied on it). Letting Actions approve pull ' +
        'requests means a workflow can approve its own changes and satisfy a required review.',
      howToFix:
        'Settings → Actions → General → Workflow permissions: choose "Read repository contents and packages permissions" and ' +
        'untick "Allow GitHub Actions to create and approve pull requests" (`PUT /repos/{owner}/{repo}/actions/permissions/workflow` ' +
        'with `{"default_workflow_permissions":"read","can_approve_pull_request_reviews":false}`; the same setting exists for the ' +
        'organization). Workflows that need to write must then say so in a job-level `permissions:` block (see excessive-permissions).',
      references: [
        'https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/enabling-features-for-your-repository/managing-github-actions-settings-for-a-repository#setting-the-permissions-of-the-github_token-for-your-repository',
        'https://docs.github.com/en/rest/actions/permissions#set-default-workflow-permissions-for-a-repository',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-05-Insufficient-PBAC',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    if (settings.repo.archived) return outcome([]);
    // Actions switched off: no workflow gets a token at all.
    if (actionsDisabled(settings)) return outcome([]);
    const perms = probed(settings.workflowPermissions, 'the default GITHUB_TOKEN permissions');
    if (!perms.ok) return outcome([], [perms.note]);

    const findings: FindingDraft[] = [];
    if (perms.value.defaultWorkflowPermissions === 'write') {
      findings.push(
        settingFinding(
          'high',
          'The default GITHUB_TOKEN permission is read/write, so every job without a `permissions:` block can push code, tags and releases.',
          'actions/permissions/workflow.default_workflow_permissions',
          'write',
        ),
      );
    }
    if (perms.value.canApprovePullRequestReviews) {
      findings.push(
        settingFinding(
          'high',
          'GitHub Actions may create and approve pull requests, so a workflow can approve changes and satisfy a required review.',
          'actions/permissions/workflow.can_approve_pull_request_reviews',
          true,
        ),
      );
    }
    return outcome(findings);
  },
};
