/**
 * Posture score: 100 minus weighted open findings (critical 25, high 10, medium 3, low 1), floored
 * at 0. Grades: A 90+, B 80-89, C 70-79, D 50-69, F below 50. The same formula everywhere.
 */
import type { Finding, Severity } from '../model/types.js';

export const SEVERITY_WEIGHTS: Record<Severity, number> = { critical: 25, high: 10, medium: 3, low: 1, info: 0 };

export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

export function score(findings: readonly Pick<Finding, 'severity'>[]): number {
  const penalty = findings.reduce((sum, f) => sum + SEVERITY_WEIGHTS[f.severity], 0);
  return Math.max(0, 100 - penalty);
}

export function grade(s: number): Grade {
  if (s >= 90) return 'A';
  if (s >= 80) return 'B';
  if (s >= 70) return 'C';
  if (s >= 50) return 'D';
  return 'F';
}

export function countBySeverity(findings: readonly Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/**
 * Whether a repository counts in the organisation score (the mean of repository scores): not when
 * part of it could not be evaluated and nothing was found, since a clean score we could not verify
 * must not lift the mean. Used by the weekly issue and `pipeline-guard sweep` alike.
 */
export function countsInOrgScore(notEvaluated: number, findings: number): boolean {
  return !(notEvaluated > 0 && findings === 0);
}

/** The organisation score: the rounded mean of the scores of the repositories that count; undefined when none does. */
export function orgScore(scores: readonly number[]): number | undefined {
  return scores.length > 0 ? Math.round(scores.reduce((n, s) => n + s, 0) / scores.length) : undefined;
}
