/**
 * What protects the default branch: classic branch protection and the rules in force from
 * repository and organization rulesets (R1, R2).
 */
import type { BranchRule, ClassicProtection, Ruleset, RepoSettings } from '../../model/settings.js';
import type { NotEvaluated } from '../types.js';
import { probed, quote, type Probed } from './lib-settings.js';

/** Both sources of the default branch's protection, and why a source that could not be read is unknown. */
export interface DefaultBranchSources {
  branch: string;
  rules: Probed<BranchRule[]>;
  classic: Probed<ClassicProtection | null>;
  /**
   * Notes of the sources that could not be read (a source GitHub does not offer on the plan,
   * `not-available`, is left out): GitHub applies the strictest of all sources, so an unreadable
   * one could close any gap the other shows.
   */
  unknown: NotEvaluated[];
}

export function defaultBranchSources(settings: RepoSettings): DefaultBranchSources {
  const branch = settings.repo.defaultBranch;
  const rules = probed(settings.branchRules, `the rules in force on ${quote(branch)}`);
  const classic = probed(settings.classicProtection, `the branch protection of ${quote(branch)}`);
  const unknown = [rules, classic].flatMap((p) => (!p.ok && p.note.kind !== 'not-available' ? [p.note] : []));
  return { branch, rules, classic, unknown };
}

/**
 * Rules that are really enforced. `GET …/rules/branches/{b}` lists active rules only, but when the
 * rulesets are known a rule whose ruleset is in `evaluate` (or `disabled`) mode is dropped too.
 */
export function enforcedRules(settings: RepoSettings, rules: BranchRule[]): BranchRule[] {
  const rulesets = settings.rulesets.status === 'ok' ? settings.rulesets.value : undefined;
  if (!rulesets) return rules;
  return rules.filter((r) => {
    if (r.rulesetId === undefined) return true;
    const rs = rulesets.find((x) => x.id === r.rulesetId);
    return !rs || rs.enforcement === 'active';
  });
}

/** Active branch rulesets (the ones whose bypass lists matter). */
export function activeBranchRulesets(rulesets: Ruleset[]): Ruleset[] {
  return rulesets.filter((r) => r.enforcement === 'active' && r.target === 'branch');
}

/** Rulesets that would require a pull request but only run in `evaluate` mode (nothing is enforced). */
export function evaluateOnlyPrRulesets(settings: RepoSettings): Ruleset[] {
  if (settings.rulesets.status !== 'ok') return [];
  return settings.rulesets.value.filter(
    (r) => r.enforcement === 'evaluate' && r.target === 'branch' && r.ruleTypes.includes('pull_request'),
  );
}
