import { describe, expect, it } from 'vitest';
import { forkPrApprovalWeak as check } from '../../src/checks/settings/fork-pr-approval-weak.js';
import { buildCheckInput } from '../../src/engine/input.js';
import { NON_OK, noteFor, ok, runCheck, scanWith, secureSettings, snapshotWith } from '../helpers/settings.js';

const weak = { forkPrApproval: ok({ approvalPolicy: 'first_time_contributors' }) };
const pr = (runsOn: string, run = 'pytest') => `on: pull_request
jobs:
  test:
    runs-on: ${runsOn}
    steps:
      - run: ${run}
`;
const privateRepo = (over: Partial<{ run: boolean; write: boolean; secrets: boolean; approval: boolean }> = {}) =>
  secureSettings({
    repo: { visibility: 'private', plan: 'team' },
    forkPrApproval: { status: 'unavailable', reason: 'Fork PR approval is not allowed for private repositories' },
    forkPrPrivate: ok({
      runWorkflowsFromForkPullRequests: over.run ?? true,
      sendWriteTokensToWorkflows: over.write ?? false,
      sendSecretsAndVariables: over.secrets ?? false,
      requireApprovalForForkPrWorkflows: over.approval ?? true,
    }),
  });

describe('fork-pr-approval-weak', () => {
  it('stays quiet when all external contributors need approval', () => {
    expect(runCheck(check, snapshotWith(secureSettings(), { 'ci.yml': pr('self-hosted') }))).toEqual({ findings: [], notEvaluated: [] });
  });

  it('stays quiet when Actions are disabled, even with a weak policy and self-hosted PR jobs', () => {
    const snap = snapshotWith(secureSettings({ ...weak, actionsPermissions: ok({ enabled: false }) }), { 'ci.yml': pr('self-hosted') });
    expect(runCheck(check, snap)).toEqual({ findings: [], notEvaluated: [] });
    // The same settings with Actions on are a finding: the quiet result above comes from the switch.
    expect(runCheck(check, snapshotWith(secureSettings(weak), { 'ci.yml': pr('self-hosted') })).findings).toHaveLength(1);
  });

  it('public: low when PR runs use hosted runners and no secrets (drive-by PRs are fine there)', () => {
    const out = runCheck(check, snapshotWith(secureSettings(weak), { 'ci.yml': pr('ubuntu-latest') }));
    expect(out.findings.map((f) => f.severity)).toEqual(['low']);
    expect(out.findings[0]).toMatchObject({ path: '.github', data: { value: 'first_time_contributors' } });
  });

  it('public: high when a pull_request job reads secrets', () => {
    const out = runCheck(check, snapshotWith(secureSettings(weak), { 'ci.yml': pr('ubuntu-latest', 'echo ${{ secrets.HF_TOKEN }} | wc -c') }));
    expect(out.findings.map((f) => f.severity)).toEqual(['high']);
    expect(out.findings[0].message).toContain('reads secrets');
  });

  it('public: high when PR jobs run on a billed larger runner declared in the policy', () => {
    const snap = snapshotWith(secureSettings(weak), { 'ci.yml': pr('gpu-4x') });
    const input = { ...buildCheckInput(snap), options: { hostedRunnerLabels: ['gpu-4x'] } };
    const out = check.run(input);
    const findings = Array.isArray(out) ? out : out.findings;
    expect(findings.map((f) => f.severity)).toEqual(['high']);
  });

  it('public: critical with self-hosted runners, from the settings or from the workflows', () => {
    const fromSettings = secureSettings({ ...weak, selfHostedRunners: ok({ count: 3, groupsAllowPublicRepos: true, ephemeralUnknown: true }) });
    expect(runCheck(check, snapshotWith(fromSettings)).findings.map((f) => f.severity)).toEqual(['critical']);
    const fromWorkflow = runCheck(check, snapshotWith(secureSettings(weak), { 'ci.yml': pr('[self-hosted, gpu]') }));
    expect(fromWorkflow.findings.map((f) => f.severity)).toEqual(['critical']);
    expect(fromWorkflow.findings[0].message).toContain('job "test"');
  });

  it('public: a self-hosted job that only runs on push does not make it critical', () => {
    const push = `on: push
jobs:
  train:
    runs-on: self-hosted
    steps:
      - run: python train.py
`;
    expect(runCheck(check, snapshotWith(secureSettings(weak), { 'train.yml': push })).findings.map((f) => f.severity)).toEqual(['low']);
  });

  it('private: high when forks get secrets or a write token, medium without required approval', () => {
    expect(runCheck(check, snapshotWith(privateRepo())).findings).toEqual([]);
    const secrets = runCheck(check, snapshotWith(privateRepo({ secrets: true, write: true })));
    expect(secrets.findings.map((f) => f.severity)).toEqual(['high']);
    expect(secrets.findings[0].message).toContain('secrets and variables and a write token');
    const noApproval = runCheck(check, snapshotWith(privateRepo({ approval: false })));
    expect(noApproval.findings.map((f) => f.severity)).toEqual(['medium']);
    expect(noApproval.notEvaluated).toEqual([]);
  });

  it('private: critical with self-hosted runners; quiet when fork PR workflows do not run at all', () => {
    const s = { ...privateRepo({ write: true }), selfHostedRunners: ok({ count: 1, groupsAllowPublicRepos: false, ephemeralUnknown: false }) };
    expect(runCheck(check, snapshotWith(s)).findings.map((f) => f.severity)).toEqual(['critical']);
    expect(runCheck(check, snapshotWith(privateRepo({ run: false, write: true, secrets: true, approval: false }))).findings).toEqual([]);
  });

  for (const n of NON_OK) {
    it(`${n.label} public approval policy gives a ${n.kind} note and no finding`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ forkPrApproval: n.probe })));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });

    it(`${n.label} private fork settings give a ${n.kind} note and no finding`, () => {
      const out = runCheck(check, snapshotWith({ ...privateRepo(), forkPrPrivate: n.probe }));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('reports no-settings offline', () => {
    expect(scanWith(check, snapshotWith(undefined, { 'ci.yml': pr('self-hosted') })).notEvaluated).toEqual([expect.objectContaining({ kind: 'no-settings' })]);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S', 'F'], fix: 'api', tier: 1, standards: { owasp: ['CICD-SEC-4', 'CICD-SEC-5'] } });
  });
});
