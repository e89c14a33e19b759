/**
 * R2 branch-protection-weak: the default branch is protected, but the protection is easy to get
 * around: no real approval, approvals that survive new pushes, force pushes or deletion allowed,
 * administrators or broad roles exempt.
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import { severityRank } from '../../model/types.js';
import type { RulesetBypassActor } from '../../model/settings.js';
import type { Check, NotEvaluated } from '../types.js';
import { activeBranchRulesets, defaultBranchSources, enforcedRules } from './lib-branch.js';
import { NO_SETTINGS, outcome, probed, quote, ruleParam, settingFinding } from './lib-settings.js';

/** Base repository role ids used in ruleset bypass lists (custom roles have other ids). */
const ADMIN_ROLE_ID = 5;
const ROLE_NAMES: Record<number, string> = { 1: 'read', 2: 'maintain', 3: 'triage', 4: 'write', 5: 'admin' };

/** How bad a bypass actor is, and how to name it. Pull-request-only bypass is not reported. */
function bypassRisk(a: RulesetBypassActor): { severity: Severity; label: string } | undefined {
  if (a.bypassMode === 'pull_request') return undefined;
  switch (a.actorType) {
    case 'RepositoryRole': {
      const id = a.actorId ?? undefined;
      const name = id !== undefined ? (ROLE_NAMES[id] ?? `custom role ${id}`) : 'a repository role';
      // Admins are few; write/maintain (or a custom role) is everyone who can push.
      return { severity: id === ADMIN_ROLE_ID ? 'medium' : 'high', label: `the ${name} role` };
    }
    case 'OrganizationAdmin':
      return { severity: 'medium', label: 'organization admins' };
    case 'Integration':
      return { severity: 'medium', label: `GitHub App ${a.actorId ?? '?'}` };
    case 'Team':
      return { severity: 'medium', label: `team ${a.actorId ?? '?'}` };
    case 'DeployKey':
      return { severity: 'medium', label: 'deploy keys' };
    default:
      return { severity: 'medium', label: a.actorType };
  }
}

const maxSeverity = (a: Severity, b: Severity): Severity => (severityRank(a) >= severityRank(b) ? a : b);

export const branchProtectionWeak: Check = {
  meta: {
    id: 'branch-protection-weak',
    title: 'Default-branch protection that is easy to get around',
    defaultSeverity: 'medium',
    severityNote:
      'Medium for review settings (no approval, stale approvals kept, last push not re-approved), deletion allowed and admin ' +
      'exemptions; high when force pushes are allowed or a broad role (write, maintain) may bypass the rules.',
    inputs: ['S'],
    fix: 'api',
    tier: 1,
    standards: { owasp: ['CICD-SEC-1'], slsa: 'Source L2', ssdf: ['PS.1.1', 'PW.7.2'], atlas: [] },
    docs: {
      why:
        'A pull-request requirement only helps if someone else must really approve the final code. With 0 required approvals, ' +
        'approvals that are kept after new commits, or no re-approval of the last push, an author can get a harmless change ' +
        'approved and then push the payload. Force pushes rewrite reviewed history, deletion removes the branch and its rules, ' +
        'and a bypass list that includes the write or maintain role turns the rules off for everyone who can push.',
      howToFix:
        'In the ruleset (or classic protection) of the default branch: require at least one approval, dismiss stale approvals on ' +
        'push, require approval of the most recent push, add the `non_fast_forward` and `deletion` rules (classic: disallow force ' +
        'pushes and deletions, include administrators), and keep the bypass list empty or limited to a release bot you name ' +
        '(use bypass mode "pull_request" where possible).',
      references: [
        'https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets',
        'https://docs.github.com/en/rest/repos/rules#update-a-repository-ruleset',
        'https://slsa.dev/spec/v1.1/source-requirements',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-01-Insufficient-Flow-Control-Mechanisms',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    if (settings.repo.archived) return outcome([]);
    const { branch, rules, classic, unknown } = defaultBranchSources(settings);
    const b = quote(branch);
    if (unknown.length > 0) return outcome([], unknown);

    const protection = classic.ok ? classic.value : null;
    const ruleList = rules.ok ? enforcedRules(settings, rules.value) : [];
    // Nothing protects the branch at all: that is default-branch-unprotected, not this check.
    if (!protection && ruleList.length === 0) return outcome([]);

    const findings: FindingDraft[] = [];
    const notes: NotEvaluated[] = [];
    const prRules = ruleList.filter((r) => r.type === 'pull_request');
    const reviews = protection?.requiredPullRequestReviews;

    if (reviews || prRules.length > 0) {
      const approvals = Math.max(
        reviews?.requiredApprovingReviewCount ?? 0,
        ...prRules.map((r) => Number(ruleParam(r.parameters, 'required_approving_review_count') ?? 0) || 0),
      );
      const dismissStale = !!reviews?.dismissStaleReviews || prRules.some((r) => ruleParam(r.parameters, 'dismiss_stale_reviews_on_push') === true);
      const lastPush = !!reviews?.requireLastPushApproval || prRules.some((r) => ruleParam(r.parameters, 'require_last_push_approval') === true);
      if (approvals === 0) {
        findings.push(
          settingFinding(
            'medium',
            `Default branch ${b} requires a pull request but 0 approvals, so an author can merge their own change unreviewed.`,
            'pull_request.required_approving_review_count',
            0,
            { branch },
          ),
        );
      } else {
        const gaps: string[] = [];
        if (!dismissStale) gaps.push('approvals are kept when new commits are pushed');
        if (!lastPush) gaps.push('the most recent push need not be approved by someone else');
        if (gaps.length > 0) {
          findings.push(
            settingFinding(
              'medium',
              `Default branch ${b} requires ${approvals} approval${approvals > 1 ? 's' : ''} but ${gaps.join(' and ')}, so code can change after review.`,
              !dismissStale ? 'pull_request.dismiss_stale_reviews_on_push' : 'pull_request.require_last_push_approval',
              false,
              { branch, dismissStaleReviews: dismissStale, requireLastPushApproval: lastPush },
            ),
          );
        }
      }
    }

    const forcePushBlocked = (!!protection && !protection.allowForcePushes) || ruleList.some((r) => r.type === 'non_fast_forward');
    if (!forcePushBlocked) {
      findings.push(
        settingFinding(
          'high',
          `Default branch ${b} allows force pushes, so reviewed history can be rewritten.`,
          protection ? 'branches/protection.allow_force_pushes' : 'rules.non_fast_forward',
          protection ? true : 'absent',
          { branch },
        ),
      );
    }
    const deletionBlocked = (!!protection && !protection.allowDeletions) || ruleList.some((r) => r.type === 'deletion');
    if (!deletionBlocked) {
      findings.push(
        settingFinding(
          'medium',
          `Default branch ${b} can be deleted by anyone with push access, which removes it with its protection.`,
          protection ? 'branches/protection.allow_deletions' : 'rules.deletion',
          protection ? true : 'absent',
          { branch },
        ),
      );
    }

    // Classic exemptions matter only when no ruleset also requires the pull request.
    if (reviews && prRules.length === 0) {
      if (protection && !protection.enforceAdmins) {
        findings.push(
          settingFinding(
            'medium',
            `Branch protection of ${b} does not apply to administrators, who can push without review.`,
            'branches/protection.enforce_admins',
            false,
            { branch },
          ),
        );
      }
      if (reviews.bypassAllowances > 0) {
        findings.push(
          settingFinding(
            'medium',
            `Branch protection of ${b} lets ${reviews.bypassAllowances} user(s), team(s) or app(s) bypass the required pull request.`,
            'branches/protection.required_pull_request_reviews.bypass_pull_request_allowances',
            reviews.bypassAllowances,
            { branch },
          ),
        );
      }
    }

    if (ruleList.length > 0) {
      const rulesets = probed(settings.rulesets, `the rulesets of ${b}`);
      if (!rulesets.ok) notes.push(rulesets.note);
      else {
        const inForce = new Set(ruleList.map((r) => r.rulesetId).filter((id): id is number => id !== undefined));
        for (const rs of activeBranchRulesets(rulesets.value)) {
          if (inForce.size > 0 && !inForce.has(rs.id)) continue;
          const risks = rs.bypassActors.flatMap((a) => {
            const r = bypassRisk(a);
            return r ? [r] : [];
          });
          if (risks.length === 0) continue;
          const severity = risks.map((r) => r.severity).reduce(maxSeverity);
          const who = [...new Set(risks.map((r) => r.label))];
          findings.push(
            settingFinding(
              severity,
              `Ruleset ${quote(rs.name)} on ${b} lets ${who.slice(0, 4).join(', ')}${who.length > 4 ? ', …' : ''} bypass its rules at any time.`,
              'rulesets.bypass_actors',
              who.join(', '),
              { branch, ruleset: rs.name, rulesetId: rs.id, source: rs.sourceType },
            ),
          );
        }
      }
    }
    return outcome(findings, notes);
  },
};
