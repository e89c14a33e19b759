import { describe, expect, it } from 'vitest';
import { branchProtectionWeak as check } from '../../src/checks/settings/branch-protection-weak.js';
import type { BranchRule, ClassicProtection, Ruleset } from '../../src/model/settings.js';
import { NON_OK, noteFor, ok, runCheck, scanWith, secureSettings, snapshotWith, unavailable } from '../helpers/settings.js';

const prRule = (params: Record<string, unknown>): BranchRule => ({ type: 'pull_request', rulesetId: 1, parameters: params });
const STRONG_PR = { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_last_push_approval: true };
const ruleset = (over: Partial<Ruleset> = {}): Ruleset => ({
  id: 1, name: 'default branch', target: 'branch', enforcement: 'active', sourceType: 'Repository', bypassActors: [], ruleTypes: ['pull_request'], ...over,
});
const classic = (over: Partial<ClassicProtection> = {}): ClassicProtection => ({
  requiredPullRequestReviews: { requiredApprovingReviewCount: 1, dismissStaleReviews: true, requireCodeOwnerReviews: false, requireLastPushApproval: true, bypassAllowances: 0 },
  enforceAdmins: true,
  allowForcePushes: false,
  allowDeletions: false,
  requiredStatusChecks: [],
  ...over,
});
const run = (over: Parameters<typeof secureSettings>[0]) => runCheck(check, snapshotWith(secureSettings(over)));

describe('branch-protection-weak', () => {
  it('stays quiet on a strong ruleset', () => {
    expect(run({})).toEqual({ findings: [], notEvaluated: [] });
  });

  it('stays quiet on strong classic protection alone', () => {
    expect(run({ branchRules: ok([]), rulesets: ok([]), classicProtection: ok(classic()) }).findings).toEqual([]);
  });

  it('stays quiet when nothing protects the branch (that is default-branch-unprotected)', () => {
    expect(run({ branchRules: ok([]), rulesets: ok([]), classicProtection: ok(null) }).findings).toEqual([]);
  });

  it('fires medium on 0 required approvals', () => {
    const out = run({ branchRules: ok([prRule({ ...STRONG_PR, required_approving_review_count: 0 }), { type: 'non_fast_forward' }, { type: 'deletion' }]) });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'medium', path: '.github', data: { setting: 'pull_request.required_approving_review_count', value: 0 } });
  });

  it('fires medium when stale approvals are kept and the last push needs no approval', () => {
    const out = run({ branchRules: ok([prRule({ required_approving_review_count: 2 }), { type: 'non_fast_forward' }, { type: 'deletion' }]) });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0].severity).toBe('medium');
    expect(out.findings[0].message).toMatch(/approvals are kept.*most recent push/);
  });

  it('reads camel-cased rule parameters too', () => {
    const out = run({ branchRules: ok([prRule({ requiredApprovingReviewCount: 1, dismissStaleReviewsOnPush: true, requireLastPushApproval: true }), { type: 'non_fast_forward' }, { type: 'deletion' }]) });
    expect(out.findings).toEqual([]);
  });

  it('takes the strictest of several sources (a second ruleset closes the gap)', () => {
    const out = run({
      branchRules: ok([prRule({ required_approving_review_count: 0 }), { ...prRule(STRONG_PR), rulesetId: 2 }, { type: 'non_fast_forward' }, { type: 'deletion' }]),
      rulesets: ok([ruleset(), ruleset({ id: 2, name: 'org', sourceType: 'Organization' })]),
    });
    expect(out.findings).toEqual([]);
  });

  it('fires high when force pushes are allowed and medium when deletion is', () => {
    const out = run({ branchRules: ok([prRule(STRONG_PR)]) });
    expect(out.findings.map((f) => [f.severity, f.data?.setting])).toEqual([
      ['high', 'rules.non_fast_forward'],
      ['medium', 'rules.deletion'],
    ]);
  });

  it('classic protection blocks force pushes and deletion unless it allows them', () => {
    const out = run({ branchRules: ok([]), rulesets: ok([]), classicProtection: ok(classic({ allowForcePushes: true })) });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'high', data: { setting: 'branches/protection.allow_force_pushes', value: true } });
  });

  it('fires medium when classic protection exempts administrators or has bypass allowances', () => {
    const reviews = classic().requiredPullRequestReviews!;
    const out = run({
      branchRules: ok([]),
      rulesets: ok([]),
      classicProtection: ok(classic({ enforceAdmins: false, requiredPullRequestReviews: { ...reviews, bypassAllowances: 2 } })),
    });
    expect(out.findings.map((f) => [f.severity, f.data?.setting])).toEqual([
      ['medium', 'branches/protection.enforce_admins'],
      ['medium', 'branches/protection.required_pull_request_reviews.bypass_pull_request_allowances'],
    ]);
  });

  it('ignores classic admin exemption when an active ruleset also requires the pull request', () => {
    expect(run({ classicProtection: ok(classic({ enforceAdmins: false })) }).findings).toEqual([]);
  });

  it('fires high when the write role may always bypass the ruleset', () => {
    const out = run({ rulesets: ok([ruleset({ bypassActors: [{ actorType: 'RepositoryRole', actorId: 4, bypassMode: 'always' }] })]) });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0].severity).toBe('high');
    expect(out.findings[0].message).toContain('the write role');
    expect(out.findings[0].message).toContain('"default branch"');
  });

  it('fires medium for admin-role or app bypass, and not at all for pull-request-only bypass', () => {
    const medium = run({ rulesets: ok([ruleset({ bypassActors: [{ actorType: 'RepositoryRole', actorId: 5, bypassMode: 'always' }, { actorType: 'Integration', actorId: 123, bypassMode: 'always' }] })]) });
    expect(medium.findings.map((f) => f.severity)).toEqual(['medium']);
    const prOnly = run({ rulesets: ok([ruleset({ bypassActors: [{ actorType: 'RepositoryRole', actorId: 4, bypassMode: 'pull_request' }] })]) });
    expect(prOnly.findings).toEqual([]);
  });

  it('ignores bypass lists of rulesets in evaluate mode or not in force on the branch', () => {
    const out = run({
      rulesets: ok([
        ruleset(),
        ruleset({ id: 3, name: 'tags', target: 'tag', bypassActors: [{ actorType: 'RepositoryRole', actorId: 4, bypassMode: 'always' }] }),
        ruleset({ id: 4, name: 'trial', enforcement: 'evaluate', bypassActors: [{ actorType: 'RepositoryRole', actorId: 4, bypassMode: 'always' }] }),
      ]),
    });
    expect(out.findings).toEqual([]);
  });

  for (const n of NON_OK) {
    it(`${n.label} rules or classic protection: ${n.kind === 'not-available' ? 'the other source decides' : 'no verdict, a note'}`, () => {
      const rulesOut = run({ branchRules: n.probe, classicProtection: ok(classic({ allowDeletions: true })) });
      const classicOut = run({ classicProtection: n.probe, branchRules: ok([prRule(STRONG_PR), { type: 'non_fast_forward' }]) });
      if (n.kind === 'not-available') {
        expect(rulesOut.findings.map((f) => f.data?.setting)).toEqual(['branches/protection.allow_deletions']);
        expect(classicOut.findings.map((f) => f.data?.setting)).toEqual(['rules.deletion']);
      } else {
        for (const out of [rulesOut, classicOut]) {
          expect(out.findings).toEqual([]);
          expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
        }
      }
    });

    it(`${n.label} rulesets: review findings still reported, bypass part noted`, () => {
      const out = run({ rulesets: n.probe, branchRules: ok([prRule(STRONG_PR), { type: 'non_fast_forward' }]) });
      expect(out.findings.map((f) => f.data?.setting)).toEqual(['rules.deletion']);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('is skipped offline by the engine (settings only)', () => {
    const res = scanWith(check, snapshotWith(undefined));
    expect(res.notEvaluated).toEqual([expect.objectContaining({ checkId: 'branch-protection-weak', kind: 'no-settings' })]);
  });

  it('stays quiet on archived repositories and names nothing when rules are unavailable everywhere', () => {
    expect(run({ repo: { archived: true }, branchRules: ok([prRule({})]) }).findings).toEqual([]);
    expect(run({ branchRules: unavailable(), classicProtection: unavailable() }).findings).toEqual([]);
  });

  it('has complete metadata', () => {
    expect(check.meta).toMatchObject({ inputs: ['S'], fix: 'api', tier: 1, defaultSeverity: 'medium' });
    expect(check.meta.standards.ssdf).toEqual(['PS.1.1', 'PW.7.2']);
  });
});
