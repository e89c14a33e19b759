/**
 * The minimal Octokit surface collect/github needs, and the mapping of REST failures to a Probe.
 * A plain @octokit/core instance (CLI) and Probot's `context.octokit` (app) both satisfy it.
 */
import type { Probe } from '../model/settings.js';

export interface RestResponse {
  status: number;
  data: unknown;
}

export interface OctokitLike {
  request(route: string, params?: Record<string, unknown>): Promise<RestResponse>;
  graphql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/**
 * App permission names (as in app.yml `default_permissions`) of the routes read here
 * (research/github-api.md §2).
 */
export const PERMISSION = {
  metadata: 'metadata',
  administration: 'administration',
  actions: 'actions',
  secrets: 'secrets',
  environments: 'environments',
  contents: 'contents',
  orgRunners: 'organization_self_hosted_runners',
} as const;

/** Messages GitHub uses when the plan (not the token) lacks a feature. */
const PLAN_GATED =
  /upgrade to github (pro|team|enterprise)|make this repository public to enable|not available (for|on|in) (this|the|your|private)|requires? (a )?github (pro|team|enterprise)|advanced security (must|is not|isn't)|plan does not (include|support)|feature is not available|only available (for|on|to|with)/i;

export interface HttpFailure {
  status?: number;
  message: string;
  rateLimited: boolean;
}

/** Reads status and GitHub's message from an Octokit RequestError (or anything thrown). */
export function describeFailure(err: unknown): HttpFailure {
  const e = err as { status?: unknown; message?: unknown; response?: { data?: unknown; headers?: Record<string, unknown> } };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const data = e?.response?.data as { message?: unknown } | string | undefined;
  const apiMessage = typeof data === 'object' && data && typeof data.message === 'string' ? data.message : undefined;
  const message = (apiMessage ?? (typeof e?.message === 'string' ? e.message : String(err))).slice(0, 300);
  const headers = e?.response?.headers ?? {};
  const rateLimited =
    (status === 403 || status === 429) &&
    (/rate limit/i.test(message) || String(headers['x-ratelimit-remaining']) === '0' || headers['retry-after'] !== undefined);
  return { status, message, rateLimited };
}

/**
 * 403/404 on a route that exists -> forbidden (the app lacks `permission`; GitHub answers 404 for
 * resources it hides), plan-gated 403/404/422 -> unavailable, other 422 -> unavailable (the setting
 * does not apply to this repository), rate limits, 5xx, network -> error (Octokit already retried).
 */
function failureProbe(err: unknown, permission: string): Exclude<Probe<never>, { status: 'ok' }> {
  const f = describeFailure(err);
  const label = f.status !== undefined ? `${f.status} ${f.message}` : f.message;
  if (f.rateLimited) return { status: 'error', reason: `rate limited: ${label}` };
  if ((f.status === 403 || f.status === 404 || f.status === 422) && PLAN_GATED.test(f.message)) return { status: 'unavailable', reason: f.message };
  if (f.status === 403 || f.status === 404) return { status: 'forbidden', permission, detail: label };
  if (f.status === 422) return { status: 'unavailable', reason: f.message };
  return { status: 'error', reason: label };
}

export type Failure = Exclude<Probe<never>, { status: 'ok' }>;

/** Outcome of one REST read: the data, or the probe explaining why it is missing. */
export type RestResult<T> = { ok: true; data: T } | { ok: false; failure: Failure; httpStatus?: number; message: string };

export async function restGet<T>(octokit: OctokitLike, route: string, params: Record<string, unknown>, permission: string): Promise<RestResult<T>> {
  try {
    const res = await octokit.request(`GET ${route}`, params);
    return { ok: true, data: res.data as T };
  } catch (err) {
    const f = describeFailure(err);
    return { ok: false, failure: failureProbe(err, permission), httpStatus: f.status, message: f.message };
  }
}

/** Of several failures, the one a reader must see first: error, then forbidden, then unavailable. */
export function worstFailure(failures: Failure[]): Failure | undefined {
  const rank = { error: 0, forbidden: 1, unavailable: 2 } as const;
  return [...failures].sort((a, b) => rank[a.status] - rank[b.status])[0];
}
