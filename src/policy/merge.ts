/**
 * Organisation policy + repository policy. The organisation's file gives the defaults; a repository
 * may tighten anything, and loosen only what the organisation has not locked: a locked check can
 * be neither switched off nor given a lower severity, and repository path ignores do not hide its
 * findings. Every refused override is reported so the check run can say why.
 */
import type { Severity } from '../model/types.js';
import { severityRank } from '../model/types.js';
import type { CheckSetting, Policy } from './config.js';
import { emptyPolicy } from './config.js';

export interface MergedPolicy {
  policy: Policy;
  /** Human-readable notes for each repository setting the organisation lock refused. */
  refused: string[];
}

function looser(repo: CheckSetting, org: CheckSetting | undefined, defaultSeverity: Severity): boolean {
  if (repo === 'off') return org !== 'off';
  const floor = org === undefined ? defaultSeverity : org === 'off' ? undefined : org;
  return floor !== undefined && severityRank(repo) < severityRank(floor);
}

export function mergePolicies(org: Policy | undefined, repo: Policy | undefined, defaultSeverityOf: (id: string) => Severity | undefined): MergedPolicy {
  const base = org ?? emptyPolicy();
  const merged: Policy = {
    checks: new Map(base.checks),
    ignorePaths: [...base.ignorePaths],
    ignoreRegexps: [...base.ignoreRegexps],
    unlockedOnlyIgnoreRegexps: [...base.unlockedOnlyIgnoreRegexps],
    hostedRunnerLabels: [...base.hostedRunnerLabels],
    locked: new Set(base.locked),
    checkRun: { ...base.checkRun },
  };
  const refused: string[] = [];
  const isLocked = (id: string): boolean => base.locked.has('*') || base.locked.has(id);
  if (repo) {
    for (const [id, setting] of repo.checks) {
      const dflt = defaultSeverityOf(id);
      if (isLocked(id) && dflt && looser(setting, base.checks.get(id), dflt)) {
        refused.push(`"${id}: ${setting}" is ignored: the organisation policy locks ${id}`);
        continue;
      }
      merged.checks.set(id, setting);
    }
    merged.ignorePaths.push(...repo.ignorePaths);
    merged.unlockedOnlyIgnoreRegexps.push(...repo.ignoreRegexps);
    merged.hostedRunnerLabels.push(...repo.hostedRunnerLabels);
    // How the check run concludes is the repository's to choose, unless the organisation locks everything.
    if (!isLockedCheck(base.locked, '*')) merged.checkRun = { ...base.checkRun, ...repo.checkRun };
    else if (Object.keys(repo.checkRun).length > 0) refused.push('"check_run" is ignored: the organisation policy locks all checks');
    if (repo.locked.size > 0) refused.push('"lock" is ignored in a repository policy: only the organisation policy can lock checks');
  }
  return { policy: merged, refused };
}

/** Whether a check is covered by the organisation's lock (`*` locks all). */
export function isLockedCheck(locked: ReadonlySet<string>, id: string): boolean {
  return locked.has('*') || locked.has(id);
}
