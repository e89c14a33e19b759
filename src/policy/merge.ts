/**
 * Organisation policy + repository policy. The organisation's file gives the defaults; a repository
 * may tighten anything, and loosen only what the organisation has not locked: a locked check can
 * be neither switched off nor given a lower severity, and repository path ignores do not hide its
 * findings. Every refused override is reported so the check run can say why.
 */
import type { Severity } from '../model/types.js';
import { severityRank } from '../model/types.js';
import type { CheckSetting, Policy } from './config.js';
import { DEFAULT_GATE_POLICY, emptyPolicy } from './config.js';

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
    gate: { ...base.gate },
    autofix: base.autofix,
    oidc: { ...base.oidc },
    // Enforcement and the sweep are organisation-wide: a repository file cannot change them.
    enforce: { ...base.enforce },
    sweep: { ...base.sweep },
  };
  const refused: string[] = [];
  if (repo) {
    for (const [id, setting] of repo.checks) {
      const dflt = defaultSeverityOf(id);
      if (isLockedCheck(base.locked, id) && dflt && looser(setting, base.checks.get(id), dflt)) {
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
    // The deployment gate protects production: a repository may add environments and tighten, never loosen.
    if (org) mergeGate(merged.gate, repo.gate, refused);
    else merged.gate = { ...repo.gate };
    if (repo.autofix) merged.autofix = repo.autofix;
    // A repository knows its own cloud roles best: its `oidc` entries replace the organisation's.
    Object.assign(merged.oidc, repo.oidc);
    if (Object.keys(repo.enforce).length > 0) refused.push('"enforce" is ignored in a repository policy: only the organisation policy (.github repository) turns on enforcement');
    if (Object.keys(repo.sweep).length > 0) refused.push('"sweep" is ignored in a repository policy: the sweep is configured in the organisation policy (.github repository)');
    if (repo.locked.size > 0) refused.push('"lock" is ignored in a repository policy: only the organisation policy can lock checks');
  }
  return { policy: merged, refused };
}

/** Whether a check is covered by the organisation's lock (`*` locks all). */
export function isLockedCheck(locked: ReadonlySet<string>, id: string): boolean {
  return locked.has('*') || locked.has(id);
}

/**
 * Under an organisation policy its gate (defaults included) is the floor: a repository may gate more
 * environments and tighten, and loosening is refused.
 */
function mergeGate(gate: Policy['gate'], repo: Policy['gate'], refused: string[]): void {
  const org = { ...DEFAULT_GATE_POLICY, ...gate };
  if (repo.environments) gate.environments = [...new Set([...org.environments, ...repo.environments])];
  if (repo.severity) {
    if (severityRank(repo.severity) > severityRank(org.severity)) refused.push(`"gate.severity: ${repo.severity}" is ignored: the organisation gate rejects from ${org.severity}`);
    else gate.severity = repo.severity;
  }
  const tightening = ['requireDefaultBranchWorkflow', 'requireAttestation', 'requireProtectedEnvironment'] as const;
  for (const k of tightening) {
    if (repo[k] === undefined) continue;
    if (org[k] && !repo[k]) refused.push(`a repository cannot switch off the organisation's gate rule ${k}`);
    else gate[k] = repo[k];
  }
  if (repo.failOpen !== undefined) {
    if (!org.failOpen && repo.failOpen) refused.push('"gate.fail_open: true" is ignored: the organisation gate fails closed');
    else gate.failOpen = repo.failOpen;
  }
  // Signers: the organisation's list, when it has one, is the allow-list; a repository may only narrow it.
  if (repo.signerWorkflows) {
    gate.signerWorkflows = org.signerWorkflows.length > 0 ? repo.signerWorkflows.filter((w) => org.signerWorkflows.includes(w)) : repo.signerWorkflows;
  }
}
