import { knownCompromisedAction } from '../../src/checks/supply-chain/known-compromised-action.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { describe, expect, it } from 'vitest';
import { matchCompromised } from '../../src/checks/supply-chain/known-compromised-action.js';
import { COMPROMISED_ACTIONS } from '../../src/checks/supply-chain/compromised-actions.js';

describeFixtures(knownCompromisedAction);

describe('matchCompromised', () => {
  it('matches the tj-actions tag range and malicious SHA, not later releases', () => {
    expect(matchCompromised('tj-actions/changed-files', 'v45.0.7')?.advisory).toBe('CVE-2025-30066');
    expect(matchCompromised('tj-actions/changed-files', 'v1')).toBeDefined();
    expect(matchCompromised('tj-actions/changed-files', '0E58ED8671D6B60D0890C21B07F8835ACE038E67')).toBeDefined();
    expect(matchCompromised('tj-actions/changed-files', 'v45.0.8')).toBeUndefined();
    expect(matchCompromised('tj-actions/changed-files', 'main')).toBeUndefined();
    expect(matchCompromised('tj-actions/changed-files', undefined)).toBeUndefined();
  });
  it('matches only the moved reviewdog v1 tag and trivy-action tags before 0.35.0', () => {
    expect(matchCompromised('reviewdog/action-setup', 'v1')?.advisory).toBe('CVE-2025-30154');
    expect(matchCompromised('reviewdog/action-setup', 'v1.3.0')).toBeUndefined();
    expect(matchCompromised('aquasecurity/trivy-action', '0.34.2')).toBeDefined();
    expect(matchCompromised('aquasecurity/trivy-action', '0.35.0')).toBeUndefined();
  });
  it('every record names a source and only full 40-hex SHAs', () => {
    for (const r of COMPROMISED_ACTIONS) {
      expect(r.sources.length, r.action).toBeGreaterThan(0);
      for (const s of r.shas ?? []) expect(s).toMatch(/^[0-9a-f]{40}$/);
      expect(r.action).toBe(r.action.toLowerCase());
    }
  });
});
