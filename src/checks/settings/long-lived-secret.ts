/**
 * R13 long-lived-secret: Actions secrets whose names denote static cloud, registry or model-hub
 * keys and that are old or shared with every repository of the organization. Only secret names,
 * scopes and dates are read; values never reach the app.
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import type { SecretName } from '../../model/settings.js';
import type { Check } from '../types.js';
import { NO_SETTINGS, ageInDays, outcome, probed, quote, settingFinding } from './lib-settings.js';

/** Rotation age above which a static key counts as long-lived. */
export const MAX_SECRET_AGE_DAYS = 90;

/** Catalogue R13 name pattern, grouped by what the key unlocks (for the message). */
const KINDS: { kind: string; re: RegExp }[] = [
  {
    kind: 'a static cloud key',
    re: /^(AWS_(SECRET_)?ACCESS_KEY(_ID)?|.*_AWS_SECRET.*|GCP_.*(KEY|CREDENTIALS|SA).*|GOOGLE_(APPLICATION_)?CREDENTIALS|.*_JSON_KEY|AZURE_(CREDENTIALS|CLIENT_SECRET))$/i,
  },
  { kind: 'a static Vault credential', re: /^(VAULT_TOKEN|VAULT_(ROLE|SECRET)_ID)$/i },
  { kind: 'a package registry token', re: /^(PYPI_(API_)?TOKEN|TWINE_PASSWORD|NPM_TOKEN)$/i },
  { kind: 'a model hub or ML platform token', re: /^(HF_TOKEN|HUGGING_?FACE_.*TOKEN|WANDB_API_KEY|MLFLOW_TRACKING_(TOKEN|PASSWORD)|DATABRICKS_TOKEN)$/i },
  { kind: 'a personal access token', re: /^(.*_PAT|GH_TOKEN|GITHUB_PAT)$/i },
];

export function staticKeyKind(name: string): string | undefined {
  return KINDS.find((k) => k.re.test(name))?.kind;
}

/** `Repository secret "X"`, `Organization secret "X"`, `Secret "X" of environment "E"`. */
function secretLabel(s: SecretName): string {
  if (s.scope === 'environment') return `Secret ${quote(s.name)} of environment ${s.environment ? quote(s.environment) : '(unknown)'}`;
  return `${s.scope === 'organization' ? 'Organization' : 'Repository'} secret ${quote(s.name)}`;
}

export const longLivedSecret: Check = {
  meta: {
    id: 'long-lived-secret',
    title: 'Long-lived static key stored as an Actions secret',
    defaultSeverity: 'medium',
    severityNote:
      `High for a static cloud, registry or hub key shared with every repository of the organization (visibility "all"); ` +
      `medium for one not rotated in ${MAX_SECRET_AGE_DAYS} days, and for any organization secret visible to all repositories.`,
    inputs: ['S'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-6', 'CICD-SEC-2'], ssdf: ['PO.5.1'], atlas: ['AML.T0055', 'AML.T0012'] },
    docs: {
      why:
        'A static cloud key, PyPI/npm token, Hugging Face or W&B token stored as a secret is valid until someone revokes it: ' +
        'once it leaks through a compromised action, a log or a poisoned pull request, the attacker can publish packages and ' +
        'models or reach the cloud account for months. Old keys are usually over-scoped and forgotten (the Ultralytics attacker ' +
        'reused a leftover PyPI token; the tj-actions and reviewdog compromises harvested PATs). An organization secret visible ' +
        'to all repositories is readable by every workflow of every repository, including public ones.',
      howToFix:
        'Replace cloud keys with OIDC (`aws-actions/configure-aws-credentials` `role-to-assume`, Google workload identity ' +
        'federation, Azure `client-id`) and PyPI/npm tokens with trusted publishing. Where a static token is unavoidable ' +
        '(Hugging Face, W&B), use a fine-grained token with the narrowest scope, keep it in a protected environment, and rotate ' +
        `it at least every ${MAX_SECRET_AGE_DAYS} days. Restrict organization secrets to selected repositories. Secret names are ` +
        'a convention: a name may match while the token behind it is already narrow; review, then rotate or rename.',
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-secrets',
        'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect',
        'https://docs.pypi.org/trusted-publishers/',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-06-Insufficient-Credential-Hygiene',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    const secrets = probed(settings.secrets, 'the Actions secret names');
    if (!secrets.ok) return outcome([], [secrets.note]);

    const findings: FindingDraft[] = [];
    const seen = new Set<string>();
    for (const s of secrets.value) {
      const key = `${s.scope}\0${s.environment ?? ''}\0${s.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const kind = staticKeyKind(s.name);
      const orgAll = s.scope === 'organization' && s.visibility === 'all';
      const age = ageInDays(s.updatedAt, settings.collectedAt);
      const old = age !== undefined && age > MAX_SECRET_AGE_DAYS;

      let severity: Severity;
      const why: string[] = [];
      if (kind) {
        if (!orgAll && !old) continue; // a fresh, scoped key: static-cloud-credentials / publish-token-not-oidc cover its use
        if (old) why.push(`was last updated ${age} days ago`);
        if (orgAll) why.push('is visible to every repository of the organization');
        severity = orgAll ? 'high' : 'medium';
      } else {
        if (!orgAll) continue;
        why.push('is visible to every repository of the organization');
        severity = 'medium';
      }
      findings.push(
        settingFinding(
          severity,
          `${secretLabel(s)}${kind ? ` looks like ${kind} and` : ''} ${why.join(' and ')}.`,
          s.scope === 'organization' ? 'orgs/actions/secrets.visibility' : s.scope === 'environment' ? 'environments/secrets.updated_at' : 'actions/secrets.updated_at',
          orgAll ? 'all' : (s.updatedAt ?? 'unknown'),
          {
            secret: s.name,
            scope: s.scope,
            ...(s.environment ? { environment: s.environment } : {}),
            ...(kind ? { keyKind: kind } : {}),
            ...(age !== undefined ? { ageDays: age } : {}),
            ...(s.visibility ? { visibility: s.visibility } : {}),
          },
        ),
      );
    }
    return outcome(findings);
  },
};
