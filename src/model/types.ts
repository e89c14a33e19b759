/** Shapes shared by every layer: collect -> workflows -> checks -> report. Plain data only. */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

/** One step up the scale, capped at critical. */
export function raise(s: Severity, steps = 1): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, severityRank(s) + steps)];
}

/** One step down the scale, floored at info. */
export function lower(s: Severity, steps = 1): Severity {
  return SEVERITIES[Math.max(0, severityRank(s) - steps)];
}

/** 1-based line and column of a range in a file. */
export interface Region {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Finding {
  checkId: string;
  severity: Severity;
  /** One sentence, plain text: what is wrong here. Untrusted fragments are quoted, never interpreted. */
  message: string;
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  region?: Region;
  /** Workflow job id and step label, when the finding sits in a job. */
  job?: string;
  step?: string;
  /** True when `fixes/` has a mechanical edit for this finding. */
  fixable?: boolean;
  /** Free-form facts a fix or a report may use (never secret values). */
  data?: Record<string, string | number | boolean>;
}

/** A finding as a check returns it: the engine adds the check id. */
export type FindingDraft = Omit<Finding, 'checkId'>;

export type CheckInputKind = 'F' | 'S';
export type FixKind = 'edit' | 'api' | 'guide';

export interface Standards {
  /** OWASP Top 10 CI/CD Security Risks ids, e.g. CICD-SEC-4. */
  owasp: string[];
  slsa?: string;
  /** NIST SP 800-218 SSDF task ids. */
  ssdf: string[];
  /** MITRE ATLAS technique or mitigation ids. */
  atlas: string[];
}

export interface CheckMeta {
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** How severity varies with context, in one sentence for the docs. */
  severityNote?: string;
  inputs: CheckInputKind[];
  fix: FixKind;
  tier: 1 | 2;
  standards: Standards;
  docs: {
    why: string;
    howToFix: string;
    references: string[];
  };
}
