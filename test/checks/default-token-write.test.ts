import { describe, expect, it } from 'vitest';
import { defaultTokenWrite as check } from '../../src/checks/settings/default-token-write.js';
import { NON_OK, noteFor, ok, runCheck, scanWith, secureSettings, snapshotWith } from '../helpers/settings.js';

describe('default-token-write', () => {
  it('stays quiet with a read default and no PR approval', () => {
    expect(runCheck(check, snapshotWith(secureSettings()))).toEqual({ findings: [], notEvaluated: [] });
  });

  it('fires high on a write default token', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: false }) })));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({
      severity: 'high',
      path: '.github',
      data: { setting: 'actions/permissions/workflow.default_workflow_permissions', value: 'write' },
    });
  });

  it('fires high when Actions may approve pull requests', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: true }) })));
    expect(out.findings.map((f) => [f.severity, f.data?.setting])).toEqual([['high', 'actions/permissions/workflow.can_approve_pull_request_reviews']]);
  });

  it('reports both problems separately', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ workflowPermissions: ok({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true }) })));
    expect(out.findings).toHaveLength(2);
    expect(new Set(out.findings.map((f) => f.message)).size).toBe(2);
  });

  it('stays quiet when Actions are disabled or the repository is archived', () => {
    const write = ok({ defaultWorkflowPermissions: 'write' as const, canApprovePullRequestReviews: true });
    expect(runCheck(check, snapshotWith(secureSettings({ workflowPermissions: write, actionsPermissions: ok({ enabled: false }) }))).findings).toEqual([]);
    expect(runCheck(check, snapshotWith(secureSettings({ workflowPermissions: write, repo: { archived: true } }))).findings).toEqual([]);
  });

  for (const n of NON_OK) {
    it(`${n.label} probe gives a ${n.kind} note and no finding`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ workflowPermissions: n.probe })));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('is skipped offline by the engine', () => {
    expect(scanWith(check, snapshotWith(undefined)).notEvaluated).toEqual([expect.objectContaining({ checkId: 'default-token-write', kind: 'no-settings' })]);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S'], fix: 'api', tier: 1, standards: { owasp: ['CICD-SEC-5'], ssdf: ['PO.5.1'] } });
  });
});
