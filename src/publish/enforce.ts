/**
 * Applies planned settings changes (the only code that writes repository settings). One write at a
 * time, in plan order. Each change ends as a record:
 * - `applied`: GitHub accepted the write;
 * - `would-apply`: a dry run, or the app lacks `administration: write` (GitHub's 403 "Resource not
 *   accessible by integration"); after that answer the remaining writes are not sent, since every one
 *   needs the same permission;
 * - `failed`: any other answer, with GitHub's status and message (no stack, tokens redacted).
 */
import { describeError } from './check-run.js';
import { ENFORCE_PERMISSION, type EnforcementRecord, type SettingChange } from '../enforce/types.js';

/** The one Octokit method used; Probot's `context.octokit` and `@octokit/core` both fit. */
export interface WriteOctokit {
  request(route: string, params?: Record<string, unknown>): Promise<unknown>;
}

export interface ApplyOptions {
  /** Plan only: nothing is sent, every change is `would-apply`. */
  dryRun?: boolean;
  /** Who acts, for the record (e.g. `pipeline-guard[bot]`). */
  actor: string;
  /** ISO time (the caller reads the clock). */
  now: string;
}

const NOT_ACCESSIBLE = /resource not accessible by integration/i;

function isMissingPermission(err: unknown): boolean {
  const e = err as { status?: number; message?: string; response?: { data?: { message?: unknown } } };
  const apiMessage = typeof e?.response?.data?.message === 'string' ? e.response.data.message : '';
  return e?.status === 403 && (NOT_ACCESSIBLE.test(apiMessage) || NOT_ACCESSIBLE.test(e.message ?? ''));
}

/** GitHub's answer in one line: status and message, without the documentation URL or any token. */
function reasonOf(err: unknown): string {
  const e = err as { status?: number; response?: { data?: { message?: unknown; errors?: unknown } } };
  const data = e?.response?.data;
  if (typeof data?.message === 'string') {
    const details = Array.isArray(data.errors) ? data.errors.filter((x): x is string => typeof x === 'string').join('; ') : '';
    return describeError({ status: e.status, message: `${data.message}${details ? `: ${details}` : ''}` }).slice(0, 300);
  }
  return describeError(err).split('\n')[0].slice(0, 300);
}

export async function applyEnforcement(
  octokit: WriteOctokit,
  target: { owner: string; repo: string },
  changes: readonly SettingChange[],
  opts: ApplyOptions,
): Promise<EnforcementRecord[]> {
  const records: EnforcementRecord[] = [];
  let permissionMissing = false;
  for (const change of changes) {
    const base = { change, before: change.before, after: change.after, actor: opts.actor, at: opts.now };
    if (opts.dryRun) {
      records.push({ ...base, status: 'would-apply', reason: 'dry run: nothing was changed' });
      continue;
    }
    const denied = { ...base, status: 'would-apply' as const, reason: `needs ${ENFORCE_PERMISSION}`, missingPermission: change.permission };
    if (permissionMissing) {
      records.push(denied);
      continue;
    }
    const { method, route, params, body } = change.request;
    try {
      await octokit.request(`${method} ${route}`, { ...body, ...params, owner: target.owner, repo: target.repo });
      records.push({ ...base, status: 'applied' });
    } catch (err) {
      if (isMissingPermission(err)) {
        permissionMissing = true;
        records.push(denied);
      } else records.push({ ...base, status: 'failed', reason: reasonOf(err) });
    }
  }
  return records;
}
