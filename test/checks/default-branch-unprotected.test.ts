import { describe, expect, it } from 'vitest';
import { defaultBranchUnprotected as check } from '../../src/checks/settings/default-branch-unprotected.js';
import { NON_OK, noteFor, ok, runCheck, scanWith, secureSettings, snapshotWith, unavailable } from '../helpers/settings.js';

const PUBLISH = `on:
  push:
    tags: ['v*']
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: twine upload dist/*
`;
const CI = `on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
`;

/** Nothing protects the default branch: no rules, no classic protection. */
const bare = { branchRules: ok([]), classicProtection: ok(null), rulesets: ok([]) };

describe('default-branch-unprotected', () => {
  it('fires high when no ruleset and no classic protection require a pull request', () => {
    const out = runCheck(check, snapshotWith(secureSettings(bare), { 'ci.yml': CI }));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'high', path: '.github' });
    expect(out.findings[0].message).toContain('"main"');
    expect(out.findings[0].region).toBeUndefined();
    expect(out.notEvaluated).toEqual([]);
  });

  it('is critical when a workflow publishes', () => {
    const out = runCheck(check, snapshotWith(secureSettings(bare), { 'release.yml': PUBLISH }));
    expect(out.findings.map((f) => f.severity)).toEqual(['critical']);
    expect(out.findings[0].data).toMatchObject({ publishes: true, publishingJob: '.github/workflows/release.yml#release' });
  });

  it('stays quiet when an active ruleset rule requires a pull request', () => {
    expect(runCheck(check, snapshotWith(secureSettings(), { 'release.yml': PUBLISH })).findings).toEqual([]);
  });

  it('counts organization rulesets (only visible through the rules endpoint)', () => {
    const s = secureSettings({
      classicProtection: ok(null),
      rulesets: ok([]),
      branchRules: ok([{ type: 'pull_request', rulesetId: 77, rulesetSourceType: 'Organization', parameters: { required_approving_review_count: 1 } }]),
    });
    expect(runCheck(check, snapshotWith(s)).findings).toEqual([]);
  });

  it('stays quiet with classic protection that requires reviews', () => {
    const s = secureSettings({
      ...bare,
      classicProtection: ok({
        requiredPullRequestReviews: { requiredApprovingReviewCount: 1, dismissStaleReviews: true, requireCodeOwnerReviews: false, requireLastPushApproval: true, bypassAllowances: 0 },
        enforceAdmins: true,
        allowForcePushes: false,
        allowDeletions: false,
        requiredStatusChecks: [],
      }),
    });
    expect(runCheck(check, snapshotWith(s)).findings).toEqual([]);
  });

  it('fires when classic protection exists but only requires status checks', () => {
    const s = secureSettings({
      ...bare,
      classicProtection: ok({ enforceAdmins: true, allowForcePushes: false, allowDeletions: false, requiredStatusChecks: ['test'] }),
    });
    const out = runCheck(check, snapshotWith(s));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0].message).toContain('does not require pull request reviews');
  });

  it('does not count a pull_request rule whose ruleset is only in evaluate mode', () => {
    const s = secureSettings({
      classicProtection: ok(null),
      branchRules: ok([{ type: 'pull_request', rulesetId: 9, parameters: {} }]),
      rulesets: ok([{ id: 9, name: 'trial', target: 'branch', enforcement: 'evaluate', sourceType: 'Repository', bypassActors: [], ruleTypes: ['pull_request'] }]),
    });
    const out = runCheck(check, snapshotWith(s));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0].message).toContain('"trial"');
    expect(out.findings[0].message).toContain('evaluate mode');
  });

  it('stays quiet on archived repositories', () => {
    expect(runCheck(check, snapshotWith(secureSettings({ ...bare, repo: { archived: true } }))).findings).toEqual([]);
  });

  it('reports no-settings when the scan has no settings (it also reads files, so the engine runs it)', () => {
    const res = scanWith(check, snapshotWith(undefined, { 'release.yml': PUBLISH }));
    expect(res.findings).toEqual([]);
    expect(res.notEvaluated).toEqual([expect.objectContaining({ checkId: 'default-branch-unprotected', kind: 'no-settings' })]);
  });

  for (const n of NON_OK) {
    it(`${n.label} rules with no classic protection: no verdict unless the rules were merely unavailable`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ ...bare, branchRules: n.probe })));
      if (n.kind === 'not-available') {
        // Rulesets not offered, classic protection offered and unused: the branch is unprotected.
        expect(out.findings).toHaveLength(1);
      } else {
        expect(out.findings).toEqual([]);
        expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
      }
    });

    it(`${n.label} classic protection is irrelevant when a ruleset already requires a pull request`, () => {
      const out = runCheck(check, snapshotWith(secureSettings({ classicProtection: n.probe })));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([]);
    });
  }

  it('forbidden classic protection names the permission to grant', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ ...bare, classicProtection: NON_OK[0].probe })));
    expect(out.findings).toEqual([]);
    expect(out.notEvaluated).toEqual([{ kind: 'missing-permission', permission: 'administration:read', reason: expect.stringContaining('administration:read') }]);
  });

  it('reports not-available (never a failure) when neither mechanism is offered', () => {
    const out = runCheck(check, snapshotWith(secureSettings({ branchRules: unavailable(), classicProtection: unavailable(), repo: { visibility: 'private', plan: 'free' } })));
    expect(out.findings).toEqual([]);
    expect(out.notEvaluated.map((n) => n.kind)).toEqual(['not-available', 'not-available']);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S', 'F'], fix: 'api', tier: 1 });
    expect(check.meta.standards.owasp).toEqual(['CICD-SEC-1']);
    expect(check.meta.docs.references.length).toBeGreaterThan(0);
  });
});
