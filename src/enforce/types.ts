/**
 * Settings enforcement as plain data: what a remediation would change (SettingChange), why some
 * could not be planned (EnforcementNote) and what happened when it was applied (EnforcementRecord).
 * Shared by enforce/plan (pure), publish/enforce (writes) and report/enforcement (pure).
 */

/** The App permission every enforcement write needs (rulesets, Actions settings, environments). */
export const ENFORCE_PERMISSION = 'administration: write';

/** The name of the ruleset enforcement creates; an existing one with this name is reused, never duplicated. */
export const RULESET_NAME = 'Pipeline Guard: default branch';

export type EnforceTarget =
  | { kind: 'ruleset'; name: string; rulesetId?: number }
  | { kind: 'workflow-token' }
  | { kind: 'fork-pr-approval' }
  | { kind: 'fork-pr-private' }
  | { kind: 'environment'; environment: string };

export type StateValue = string | number | boolean | null | readonly string[];

/** One side of a change: plain facts, and one human-readable sentence (untrusted parts unescaped). */
export interface SettingState {
  summary: string;
  value: Readonly<Record<string, StateValue>>;
}

/** The REST call a change needs: route template, its path parameters other than owner/repo, JSON body. */
export interface SettingRequest {
  method: 'POST' | 'PUT';
  route: string;
  params: Readonly<Record<string, string | number>>;
  body: Readonly<Record<string, unknown>>;
}

export interface SettingChange {
  checkId: string;
  target: EnforceTarget;
  /** What is changed, for people: "workflow token", "environment \"production\"". */
  label: string;
  before: SettingState;
  after: SettingState;
  request: SettingRequest;
  permission: typeof ENFORCE_PERMISSION;
}

/** Something an enforced check found that enforcement leaves alone, and why. */
export interface EnforcementNote {
  checkId: string;
  /** The setting concerned ("environment \"production\""), untrusted parts unescaped. */
  label: string;
  reason: string;
}

export interface EnforcementPlan {
  changes: SettingChange[];
  notes: EnforcementNote[];
}

export type EnforcementStatus = 'applied' | 'would-apply' | 'failed';

export interface EnforcementRecord {
  change: SettingChange;
  status: EnforcementStatus;
  /** Why it was not applied: dry run, the missing permission, or GitHub's answer (no stack, no secret). */
  reason?: string;
  /** The permission to grant when `status` is `would-apply` because the app lacks it. */
  missingPermission?: string;
  before: SettingState;
  after: SettingState;
  /** Who made (or would make) the change, e.g. `pipeline-guard[bot]`. */
  actor: string;
  /** ISO time of the attempt. */
  at: string;
}
