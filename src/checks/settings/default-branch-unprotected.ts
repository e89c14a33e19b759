/**
 * R1 default-branch-unprotected: nothing requires a pull request before a change lands on the
 * default branch (no classic protection with required reviews, no active `pull_request` rule from
 * a repository or organization ruleset).
 */
import type { Check } from '../types.js';
import { jobPublishes } from '../../workflows/context.js';
import { defaultBranchSources, enforcedRules, evaluateOnlyPrRulesets } from './lib-branch.js';
import { NO_SETTINGS, outcome, quote, settingFinding } from './lib-settings.js';

export const defaultBranchUnprotected: Check = {
  meta: {
    id: 'default-branch-unprotected',
    title: 'Default branch accepts direct pushes (no pull request required)',
    defaultSeverity: 'high',
    severityNote:
      'High; critical when the repository\'s workflows publish, deploy or promote something (a direct push then ships straight to users).',
    inputs: ['S', 'F'],
    fix: 'api',
    tier: 1,
    standards: { owasp: ['CICD-SEC-1'], slsa: 'Source L3', ssdf: ['PS.1.1', 'PW.7.2'], atlas: ['AML.M0005'] },
    docs: {
      why:
        'Without a pull-request requirement on the default branch, anyone (or any token, app or compromised account) with write ' +
        'access can push straight to it: no review, no required checks, and the release, publish and deploy workflows that run on ' +
        'the default branch ship the change. The Amazon Q extension incident (2025) shipped a commit pushed with an over-scoped token.',
      howToFix:
        'Create a branch ruleset targeting `~DEFAULT_BRANCH` with enforcement `active`, no bypass actors, and the rules ' +
        '`pull_request` (at least one approval, dismiss stale approvals, require approval of the last push), `non_fast_forward` ' +
        'and `deletion`; or enable classic branch protection with required pull request reviews. A ruleset in `evaluate` mode ' +
        'enforces nothing. Single-maintainer repositories can require a pull request with 0 approvals plus required status checks.',
      references: [
        'https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets',
        'https://docs.github.com/en/rest/repos/rules#get-rules-for-a-branch',
        'https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-01-Insufficient-Flow-Control-Mechanisms',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    if (settings.repo.archived) return outcome([]);
    const { branch, rules, classic, unknown } = defaultBranchSources(settings);

    // Either source protecting the branch is enough, whatever the other one says.
    if (rules.ok && enforcedRules(settings, rules.value).some((r) => r.type === 'pull_request')) return outcome([]);
    if (classic.ok && classic.value?.requiredPullRequestReviews) return outcome([]);

    // Neither protects: only a verdict when no source was unreadable.
    if (unknown.length > 0) return outcome([], unknown);
    // Neither mechanism is offered (e.g. a private repository on the Free plan): not a failure.
    if (!rules.ok && !classic.ok) return outcome([], [rules.note, classic.note]);

    const publishers = input.workflows.flatMap((w) => w.jobs.filter(jobPublishes).map((j) => `${w.path}#${j.id}`));
    const evaluateOnly = evaluateOnlyPrRulesets(settings);
    const classicNote = classic.ok && classic.value ? ' (branch protection exists but does not require pull request reviews)' : '';
    const evalNote =
      evaluateOnly.length > 0 ? ` (ruleset ${quote(evaluateOnly[0].name)} requires one but is only in evaluate mode)` : '';
    const ships = publishers.length > 0 ? ', and its workflows publish or deploy from it' : '';
    return outcome([
      settingFinding(
        publishers.length > 0 ? 'critical' : 'high',
        `Default branch ${quote(branch)} does not require a pull request${classicNote}${evalNote}, so anyone with write access can push to it directly${ships}.`,
        `rules/branches/${branch}, branches/${branch}/protection.required_pull_request_reviews`,
        'none',
        {
          branch,
          publishes: publishers.length > 0,
          ...(publishers.length > 0 ? { publishingJob: publishers[0] } : {}),
          evaluateOnlyRulesets: evaluateOnly.length,
        },
      ),
    ]);
  },
};
