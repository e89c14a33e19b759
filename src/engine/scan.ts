/** Runs the checks over a snapshot and applies policy: severities, path ignores, inline suppressions. */
import type { Check, NotEvaluated } from '../checks/types.js';
import type { Finding } from '../model/types.js';
import { severityRank } from '../model/types.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import type { Policy } from '../policy/config.js';
import { emptyPolicy } from '../policy/config.js';
import { matchesAny } from '../policy/glob.js';
import { isLockedCheck } from '../policy/merge.js';
import { findSuppressions, isSuppressed, type Suppression } from '../policy/suppress.js';
import { buildCheckInput } from './input.js';

export interface ScanResult {
  findings: Finding[];
  /** Findings dropped by an inline suppression, kept for reports that show accepted risks. */
  suppressed: Finding[];
  warnings: string[];
  /** Checks (or parts of checks) that could not decide, and why. */
  notEvaluated: (NotEvaluated & { checkId: string })[];
}

/** Checks that read only settings are skipped offline with one "not evaluated" note each. */
function needsSettingsOnly(check: Check): boolean {
  return check.meta.inputs.includes('S') && !check.meta.inputs.includes('F');
}

export function scanSnapshot(snapshot: RepoSnapshot, checks: readonly Check[], policy: Policy = emptyPolicy()): ScanResult {
  const input = buildCheckInput(snapshot, { hostedRunnerLabels: policy.hostedRunnerLabels });
  const warnings = [...snapshot.warnings];
  const raw: Finding[] = [];
  const notEvaluated: ScanResult['notEvaluated'] = [];
  for (const check of checks) {
    const checkId = check.meta.id;
    if (policy.checks.get(checkId) === 'off') continue;
    if (!snapshot.settings && needsSettingsOnly(check)) {
      notEvaluated.push({ checkId, kind: 'no-settings', reason: 'needs the repository settings from GitHub' });
      continue;
    }
    try {
      const out = check.run(input);
      const drafts = Array.isArray(out) ? out : out.findings;
      if (!Array.isArray(out)) for (const n of out.notEvaluated) notEvaluated.push({ ...n, checkId });
      for (const draft of drafts) raw.push({ ...draft, checkId });
    } catch (err) {
      // A check bug must not hide every other finding; it is reported loudly instead.
      warnings.push(`check ${check.meta.id} failed: ${(err as Error).message}`);
    }
  }

  const suppressionsByPath = new Map<string, Suppression[]>();
  const fileByPath = new Map(snapshot.files.map((f) => [f.path, f]));
  const suppressionsFor = (path: string): Suppression[] => {
    let s = suppressionsByPath.get(path);
    if (s) return s;
    const file = fileByPath.get(path);
    const text = file ? input.textOf(file) : undefined;
    const found = text ? findSuppressions(text) : { suppressions: [], unreasoned: [] };
    for (const line of found.unreasoned) warnings.push(`${path}:${line}: suppression without a reason is not honoured`);
    s = found.suppressions;
    suppressionsByPath.set(path, s);
    return s;
  };

  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  const seen = new Set<string>();
  for (const f of raw) {
    if (matchesAny(f.path, policy.ignoreRegexps)) continue;
    if (!isLockedCheck(policy.locked, f.checkId) && matchesAny(f.path, policy.unlockedOnlyIgnoreRegexps)) continue;
    const override = policy.checks.get(f.checkId);
    const finding = override && override !== 'off' ? { ...f, severity: override } : f;
    const key = `${finding.checkId}\0${finding.path}\0${finding.region?.line}\0${finding.region?.column}\0${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (isSuppressed(suppressionsFor(f.path), f.checkId, f.region?.line)) suppressed.push(finding);
    else findings.push(finding);
  }
  findings.sort(compareFindings);
  return { findings, suppressed, warnings, notEvaluated };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.path.localeCompare(b.path) ||
    (a.region?.line ?? 0) - (b.region?.line ?? 0) ||
    (a.region?.column ?? 0) - (b.region?.column ?? 0) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    a.checkId.localeCompare(b.checkId)
  );
}
