import { describe, expect, it } from 'vitest';
import { MAX_SECRET_AGE_DAYS, longLivedSecret as check, staticKeyKind } from '../../src/checks/settings/long-lived-secret.js';
import type { SecretName } from '../../src/model/settings.js';
import { NON_OK, daysAgo, noteFor, ok, runCheck, scanWith, secureSettings, snapshotWith } from '../helpers/settings.js';

const run = (secrets: SecretName[]) => runCheck(check, snapshotWith(secureSettings({ secrets: ok(secrets) })));

describe('long-lived-secret', () => {
  it('stays quiet on unremarkable or freshly rotated secrets', () => {
    const out = run([
      { name: 'SLACK_WEBHOOK_URL', scope: 'repository', updatedAt: daysAgo(400) },
      { name: 'AWS_SECRET_ACCESS_KEY', scope: 'repository', updatedAt: daysAgo(30) },
      { name: 'HF_TOKEN', scope: 'environment', environment: 'hf-hub', updatedAt: daysAgo(MAX_SECRET_AGE_DAYS) },
      { name: 'PYPI_API_TOKEN', scope: 'organization', visibility: 'selected', updatedAt: daysAgo(5) },
    ]);
    expect(out).toEqual({ findings: [], notEvaluated: [] });
  });

  it('fires medium on a static key older than 90 days, measured against collectedAt', () => {
    const out = run([{ name: 'AWS_SECRET_ACCESS_KEY', scope: 'repository', updatedAt: daysAgo(200) }]);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'medium', path: '.github', data: { secret: 'AWS_SECRET_ACCESS_KEY', ageDays: 200, keyKind: 'a static cloud key' } });
    expect(out.findings[0].message).toBe('Repository secret "AWS_SECRET_ACCESS_KEY" looks like a static cloud key and was last updated 200 days ago.');
  });

  it('fires high on a static key shared with every repository of the organization', () => {
    const out = run([{ name: 'pypi_token', scope: 'organization', visibility: 'all', updatedAt: daysAgo(3) }]);
    expect(out.findings.map((f) => f.severity)).toEqual(['high']);
    expect(out.findings[0].message).toContain('visible to every repository');
  });

  it('fires medium on any organization secret visible to all repositories', () => {
    const out = run([{ name: 'DEPLOY_WEBHOOK', scope: 'organization', visibility: 'all' }]);
    expect(out.findings.map((f) => [f.severity, f.data?.value])).toEqual([['medium', 'all']]);
  });

  it('names the environment of an environment secret and prints only names and dates', () => {
    const out = run([{ name: 'WANDB_API_KEY', scope: 'environment', environment: 'train', updatedAt: daysAgo(365) }]);
    expect(out.findings[0].message).toBe('Secret "WANDB_API_KEY" of environment "train" looks like a model hub or ML platform token and was last updated 365 days ago.');
  });

  it('ignores unreadable dates and reports each secret once', () => {
    expect(run([{ name: 'NPM_TOKEN', scope: 'repository', updatedAt: 'yesterday' }]).findings).toEqual([]);
    const dup: SecretName = { name: 'GH_PAT', scope: 'repository', updatedAt: daysAgo(100) };
    expect(run([dup, dup]).findings).toHaveLength(1);
  });

  it('knows the catalogue name classes', () => {
    for (const n of ['AWS_ACCESS_KEY_ID', 'PROD_AWS_SECRET', 'GCP_SA_KEY', 'GOOGLE_APPLICATION_CREDENTIALS', 'REGISTRY_JSON_KEY', 'AZURE_CREDENTIALS', 'VAULT_TOKEN', 'TWINE_PASSWORD', 'HUGGINGFACE_HUB_TOKEN', 'MLFLOW_TRACKING_PASSWORD', 'DATABRICKS_TOKEN', 'RELEASE_PAT', 'GITHUB_PAT']) {
      expect(staticKeyKind(n), n).toBeDefined();
    }
    for (const n of ['SLACK_WEBHOOK_URL', 'CODECOV_TOKEN', 'AWS_REGION', 'PATH_PREFIX', 'HF_ENDPOINT']) expect(staticKeyKind(n), n).toBeUndefined();
  });

  for (const n of NON_OK) {
    it(`${n.label} secrets probe gives a ${n.kind} note and no finding`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ secrets: n.probe })));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('is skipped offline by the engine', () => {
    expect(scanWith(check, snapshotWith(undefined)).notEvaluated).toEqual([expect.objectContaining({ checkId: 'long-lived-secret', kind: 'no-settings' })]);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S'], fix: 'guide', tier: 1, standards: { owasp: ['CICD-SEC-6', 'CICD-SEC-2'], atlas: ['AML.T0055', 'AML.T0012'] } });
  });
});
