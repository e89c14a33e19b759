import { describe, expect, it } from 'vitest';
import { secretScanningDisabled as check } from '../../src/checks/settings/secret-scanning-disabled.js';
import { NON_OK, noteFor, ok, runCheck, scanWith, secureSettings, snapshotWith } from '../helpers/settings.js';

const sa = (secretScanning?: string, pushProtection?: string) => ok({ secretScanning, pushProtection });

describe('secret-scanning-disabled', () => {
  it('stays quiet when both are enabled', () => {
    expect(runCheck(check, snapshotWith(secureSettings()))).toEqual({ findings: [], notEvaluated: [] });
  });

  it('fires high once when secret scanning is off', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ securityAndAnalysis: sa('disabled', 'disabled') })));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'high', path: '.github', data: { setting: 'security_and_analysis.secret_scanning.status', value: 'disabled' } });
    expect(out.findings[0].message).toContain('push protection');
  });

  it('fires high when only push protection is off', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ securityAndAnalysis: sa('enabled', 'disabled') })));
    expect(out.findings.map((f) => [f.severity, f.data?.setting])).toEqual([['high', 'security_and_analysis.secret_scanning_push_protection.status']]);
  });

  it('fires on a private repository of a plan that offers Secret Protection', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ repo: { visibility: 'private', plan: 'enterprise' }, securityAndAnalysis: sa('disabled') })));
    expect(out.findings).toHaveLength(1);
  });

  it('plan gating: private repositories on Free/Pro are not-available, never a failure', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ repo: { visibility: 'private', plan: 'free' }, securityAndAnalysis: sa('disabled', 'disabled') })));
    expect(out.findings).toEqual([]);
    expect(out.notEvaluated).toEqual([expect.objectContaining({ kind: 'not-available', reason: expect.stringContaining('Secret Protection') })]);
  });

  it('a status GitHub leaves out counts as not offered', () => {
    const none = runCheck(check, snapshotWith(secureSettings({ securityAndAnalysis: sa(undefined, undefined) })));
    expect(none.findings).toEqual([]);
    expect(none.notEvaluated.map((n) => n.kind)).toEqual(['not-available']);
    const noPush = runCheck(check, snapshotWith(secureSettings({ securityAndAnalysis: sa('enabled', undefined) })));
    expect(noPush.findings).toEqual([]);
    expect(noPush.notEvaluated.map((n) => n.kind)).toEqual(['not-available']);
  });

  for (const n of NON_OK) {
    it(`${n.label} probe gives a ${n.kind} note and no finding`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ securityAndAnalysis: n.probe })));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('stays quiet on archived repositories; skipped offline', () => {
    expect(runCheck(check, snapshotWith(secureSettings({ repo: { archived: true }, securityAndAnalysis: sa('disabled') }))).findings).toEqual([]);
    expect(scanWith(check, snapshotWith(undefined)).notEvaluated).toEqual([expect.objectContaining({ checkId: 'secret-scanning-disabled', kind: 'no-settings' })]);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S'], fix: 'api', tier: 1, standards: { owasp: ['CICD-SEC-6'], ssdf: ['PO.5.1', 'PS.1.1'] } });
  });
});
