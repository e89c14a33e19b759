/**
 * R10 secret-scanning-disabled: GitHub secret scanning or push protection is off on a repository
 * where the plan offers it (public repositories always; private and internal ones with GitHub
 * Secret Protection).
 */
import type { FindingDraft } from '../../model/types.js';
import type { Check, NotEvaluated } from '../types.js';
import { NO_SETTINGS, outcome, probed, settingFinding } from './lib-settings.js';

/** Plans on which private repositories cannot have Secret Protection at all. */
const NO_SECRET_PROTECTION_PLANS = new Set(['free', 'pro']);

export const secretScanningDisabled: Check = {
  meta: {
    id: 'secret-scanning-disabled',
    title: 'Secret scanning or push protection turned off',
    defaultSeverity: 'high',
    inputs: ['S'],
    fix: 'api',
    tier: 1,
    standards: { owasp: ['CICD-SEC-6'], ssdf: ['PO.5.1', 'PS.1.1'], atlas: ['AML.M0005'] },
    docs: {
      why:
        'ML repositories handle Hugging Face, W&B, cloud and registry tokens in notebooks, configs and scripts, and a token pasted ' +
        'into a notebook cell is easy to commit. Secret scanning alerts on known token formats in the history, and push ' +
        'protection blocks the push before the token becomes public; with either off, a leaked token is found by attackers ' +
        'scraping GitHub first.',
      howToFix:
        'Settings → Advanced Security: enable "Secret scanning" and "Push protection" (`PATCH /repos/{owner}/{repo}` with ' +
        '`{"security_and_analysis":{"secret_scanning":{"status":"enabled"},"secret_scanning_push_protection":{"status":"enabled"}}}`), ' +
        'or enable them for the whole organization with a security configuration. Add custom patterns for tokens GitHub does not ' +
        'know (W&B, MLflow). Private repositories need GitHub Secret Protection; without it, run gitleaks or trufflehog in CI.',
      references: [
        'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning',
        'https://docs.github.com/en/code-security/secret-scanning/introduction/about-push-protection',
        'https://docs.github.com/en/rest/repos/repos#update-a-repository',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-06-Insufficient-Credential-Hygiene',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    if (settings.repo.archived) return outcome([]);
    const sa = probed(settings.securityAndAnalysis, 'the security and analysis settings');
    if (!sa.ok) return outcome([], [sa.note]);

    const { visibility, plan } = settings.repo;
    if (visibility !== 'public' && plan && NO_SECRET_PROTECTION_PLANS.has(plan)) {
      return outcome([], [{ kind: 'not-available', reason: `secret scanning on ${visibility} repositories needs GitHub Secret Protection, which the ${plan} plan does not offer; run gitleaks or trufflehog in CI instead` }]);
    }

    const findings: FindingDraft[] = [];
    const notes: NotEvaluated[] = [];
    const scanning = sa.value.secretScanning;
    const push = sa.value.pushProtection;
    if (scanning === undefined) {
      // GitHub leaves the field out when the feature is not offered to this repository.
      notes.push({ kind: 'not-available', reason: 'GitHub reports no secret scanning status for this repository (feature not offered)' });
    } else if (scanning !== 'enabled') {
      findings.push(
        settingFinding(
          'high',
          `Secret scanning is ${scanning.slice(0, 20)}${push === 'enabled' ? '' : ' and so is push protection'}, so committed tokens are neither blocked nor reported.`,
          'security_and_analysis.secret_scanning.status',
          scanning,
          { pushProtection: push ?? 'unknown' },
        ),
      );
    } else if (push === undefined) {
      notes.push({ kind: 'not-available', reason: 'GitHub reports no push protection status for this repository (feature not offered)' });
    } else if (push !== 'enabled') {
      findings.push(
        settingFinding(
          'high',
          'Secret scanning push protection is off, so a token in a commit is only reported after it has been pushed.',
          'security_and_analysis.secret_scanning_push_protection.status',
          push,
        ),
      );
    }
    return outcome(findings, notes);
  },
};
