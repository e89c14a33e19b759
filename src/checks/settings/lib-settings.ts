/**
 * Shared plumbing of the settings checks: turning a `Probe` into a value or a "not evaluated"
 * note, the repository-level finding shape, and quoting of names that come from GitHub.
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Probe, RepoSettings } from '../../model/settings.js';
import type { CheckOutcome, NotEvaluated } from '../types.js';

/** Settings findings have no file: they sit on the repository's `.github` folder, with no region. */
const SETTINGS_PATH = '.github';

/** The note for a check that reads settings when the scan has none (offline CLI). */
export const NO_SETTINGS: NotEvaluated = { kind: 'no-settings', reason: 'needs the repository settings from GitHub' };

export type Probed<T> = { ok: true; value: T } | { ok: false; note: NotEvaluated };

/**
 * The value of a probe, or the note explaining why it is not known. `what` names the fact in the
 * note ("branch protection of main").
 */
export function probed<T>(probe: Probe<T>, what: string): Probed<T> {
  switch (probe.status) {
    case 'ok':
      return { ok: true, value: probe.value };
    case 'forbidden':
      return {
        ok: false,
        note: {
          kind: 'missing-permission',
          reason: `cannot read ${what}: the app lacks the "${probe.permission}" permission${probe.detail ? ` (${probe.detail})` : ''}`,
          permission: probe.permission,
        },
      };
    case 'unavailable':
      return { ok: false, note: { kind: 'not-available', reason: `${what} is not available: ${probe.reason}` } };
    case 'error':
      return { ok: false, note: { kind: 'error', reason: `could not read ${what}: ${probe.reason}` } };
  }
}

/** Actions are known to be switched off for the repository: no workflow runs, so no token or runner is exposed. */
export function actionsDisabled(settings: RepoSettings): boolean {
  return settings.actionsPermissions.status === 'ok' && !settings.actionsPermissions.value.enabled;
}

export function outcome(findings: FindingDraft[], notEvaluated: NotEvaluated[] = []): CheckOutcome {
  return { findings, notEvaluated };
}

/** A repository-level finding; `setting` is the REST field it is about (shown by reports). */
export function settingFinding(
  severity: Severity,
  message: string,
  setting: string,
  value: string | number | boolean,
  extra: Record<string, string | number | boolean> = {},
): FindingDraft {
  return { severity, message, path: SETTINGS_PATH, data: { setting, value, ...extra } };
}

/**
 * A name from GitHub (branch, environment, secret) quoted for a message: control characters
 * dropped, cut to 60 characters. These names are chosen by repository admins, so untrusted text.
 */
export function quote(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f"]/g, '');
  return `"${clean.length > 60 ? `${clean.slice(0, 57)}...` : clean}"`;
}

/** Whole days between an ISO timestamp and the collection time, or undefined when either is unreadable. */
export function ageInDays(iso: string | undefined, collectedAt: string): number | undefined {
  if (!iso) return undefined;
  const then = Date.parse(iso);
  const now = Date.parse(collectedAt);
  if (Number.isNaN(then) || Number.isNaN(now)) return undefined;
  return Math.floor((now - then) / 86_400_000);
}

/** A rule parameter, whether the collector kept GitHub's snake_case key or camel-cased it. */
export function ruleParam(params: Record<string, unknown> | undefined, snake: string): unknown {
  if (!params) return undefined;
  if (snake in params) return params[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return params[camel];
}
