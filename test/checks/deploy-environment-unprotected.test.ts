import { describe, expect, it } from 'vitest';
import { deployEnvironmentUnprotected as check, isProductionLike } from '../../src/checks/settings/deploy-environment-unprotected.js';
import { NON_OK, noteFor, ok, runCheck, scanWith, secureEnvironment, secureSettings, snapshotWith } from '../helpers/settings.js';

const env = secureEnvironment;
const OPEN = { reviewers: 0, preventSelfReview: false, deploymentBranchPolicy: null };

const deployOn = (trigger: string, envName: string, cmd = 'kubectl apply -f k8s/') => `on: ${trigger}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: ${envName}
    steps:
      - run: ${cmd}
`;

describe('deploy-environment-unprotected', () => {
  it('stays quiet on a protected production environment', () => {
    expect(runCheck(check, snapshotWith(secureSettings(), { 'd.yml': deployOn('push', 'production') }))).toEqual({ findings: [], notEvaluated: [] });
  });

  it('fires high on an unprotected production-like environment, naming what is missing', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ environments: ok([env({ ...OPEN, secretNames: [] })]) })));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'high', path: '.github', data: { environment: 'production', branchPolicy: 'none' } });
    expect(out.findings[0].message).toBe('Environment "production" has no required reviewers and lets any branch deploy to it.');
  });

  it('is critical when the environment holds secrets and a pull-request workflow deploys to it', () => {
    const s = secureSettings({ environments: ok([env({ ...OPEN, secretNames: ['KUBECONFIG'] })]) });
    const out = runCheck(check, snapshotWith(s, { 'd.yml': deployOn('pull_request_target', 'production') }));
    expect(out.findings.map((f) => f.severity)).toEqual(['critical']);
    expect(out.findings[0].message).toContain('job "deploy" in .github/workflows/d.yml');
    // Same environment, deployed only on push: high.
    expect(runCheck(check, snapshotWith(s, { 'd.yml': deployOn('push', 'production') })).findings.map((f) => f.severity)).toEqual(['high']);
  });

  it('counts environment secrets from the secrets probe too', () => {
    const s = secureSettings({
      environments: ok([env({ ...OPEN, name: 'Release' })]),
      secrets: ok([{ name: 'PYPI_TOKEN', scope: 'environment', environment: 'release' }]),
    });
    const out = runCheck(check, snapshotWith(s, { 'd.yml': deployOn('pull_request', 'release') }));
    expect(out.findings.map((f) => f.severity)).toEqual(['critical']);
  });

  it('fires on a non-production name used by a publishing job', () => {
    const s = secureSettings({ environments: ok([env({ ...OPEN, name: 'ci-upload' })]) });
    const out = runCheck(check, snapshotWith(s, { 'p.yml': deployOn('push', 'ci-upload', 'twine upload dist/*') }));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0].data).toMatchObject({ environment: 'ci-upload', job: 'deploy' });
  });

  it('fires when self-review is allowed or the branch policy is "*"', () => {
    const s = secureSettings({
      environments: ok([
        env({ preventSelfReview: false }),
        env({ name: 'pypi', deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true }, branchPolicies: ['*'] }),
      ]),
    });
    const out = runCheck(check, snapshotWith(s));
    expect(out.findings.map((f) => f.message)).toEqual([
      'Environment "production" lets the person who started a run approve it.',
      'Environment "pypi" has a branch policy that allows every branch ("*").',
    ]);
  });

  it('FP traps: non-production names, named custom branch policies and app gates stay quiet', () => {
    const s = secureSettings({
      environments: ok([
        env({ ...OPEN, name: 'staging' }),
        env({ ...OPEN, name: 'pre-prod' }),
        env({ ...OPEN, name: 'github-pages-preview' }),
        env({ name: 'live', deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true }, branchPolicies: ['main', 'v*'] }),
        env({ name: 'prod-eu', reviewers: 0, preventSelfReview: false, customRules: ['ServiceNow gate'] }),
      ]),
    });
    // A test job using staging does not publish, so staging is not a candidate either.
    const out = runCheck(check, snapshotWith(s, { 't.yml': deployOn('pull_request', 'staging', 'pytest') }));
    expect(out.findings).toEqual([]);
  });

  it('flags a deploy job naming an environment that does not exist yet', () => {
    const out = runCheck(check, snapshotWith(secureSettings(), { 'd.yml': deployOn('push', 'hf-hub', 'huggingface-cli upload org/model .') }));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'high', data: { environment: 'hf-hub', value: 'absent' } });
    expect(out.findings[0].message).toContain('does not exist');
  });

  it('matches environment names case-insensitively and skips expression names', () => {
    const wf = deployOn('push', 'Production') + `  other:
    runs-on: ubuntu-latest
    environment: \${{ inputs.env }}
    steps:
      - run: docker push x
`;
    expect(runCheck(check, snapshotWith(secureSettings(), { 'd.yml': wf })).findings).toEqual([]);
  });

  it('plan gating: missing reviewers on a private repo without Enterprise is not-available, not a failure', () => {
    const s = secureSettings({ repo: { visibility: 'private', plan: 'team' }, environments: ok([env({ reviewers: 0, preventSelfReview: false })]) });
    const out = runCheck(check, snapshotWith(s));
    expect(out.findings).toEqual([]);
    expect(out.notEvaluated).toEqual([expect.objectContaining({ kind: 'not-available', reason: expect.stringContaining('GitHub Enterprise') })]);
    // The branch policy is still checked there.
    const open = secureSettings({ repo: { visibility: 'private', plan: 'team' }, environments: ok([env(OPEN)]) });
    const out2 = runCheck(check, snapshotWith(open));
    expect(out2.findings.map((f) => f.message)).toEqual(['Environment "production" lets any branch deploy to it.']);
    // On Enterprise the missing reviewers are a failure.
    const ent = secureSettings({ repo: { visibility: 'internal', plan: 'enterprise' }, environments: ok([env({ reviewers: 0 })]) });
    expect(runCheck(check, snapshotWith(ent)).findings.map((f) => f.message)).toEqual(['Environment "production" has no required reviewers.']);
  });

  for (const n of NON_OK) {
    it(`${n.label} environments probe gives a ${n.kind} note and no finding`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ environments: n.probe }), { 'd.yml': deployOn('push', 'nowhere', 'docker push x') }));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('reports no-settings offline even though it reads workflows', () => {
    const res = scanWith(check, snapshotWith(undefined, { 'd.yml': deployOn('push', 'production') }));
    expect(res.findings).toEqual([]);
    expect(res.notEvaluated).toEqual([expect.objectContaining({ kind: 'no-settings' })]);
  });

  it('production-like names', () => {
    for (const n of ['prod', 'Production', 'pypi', 'hf-hub', 'model-registry', 'deploy-eu', 'prod-us', 'model_prod', 'release']) expect(isProductionLike(n), n).toBe(true);
    for (const n of ['staging', 'dev', 'test', 'non-prod', 'preprod', 'pre-prod', 'product-docs', 'github-pages']) expect(isProductionLike(n), n).toBe(false);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S', 'F'], fix: 'api', tier: 1 });
    expect(check.meta.standards.atlas).toEqual(['AML.M0005', 'AML.M0019']);
  });
});
