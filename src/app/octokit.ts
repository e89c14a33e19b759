/**
 * The Octokit the app runs with in production: Probot's (retry, throttling, pagination, config),
 * with bounded rate-limit retries and a timeout on every request, so a stuck GitHub call ends in
 * the neutral "could not finish" check run instead of hanging the audit.
 */
import { ProbotOctokit } from 'probot';
import { fetchWithTimeout, REQUEST_TIMEOUT_MS, shouldRetryRateLimit } from '../collect/octokit-options.js';

export { RATE_LIMIT_RETRIES, shouldRetryRateLimit } from '../collect/octokit-options.js';

type Log = { warn(msg: string): void };

export function appOctokit(timeoutMs = REQUEST_TIMEOUT_MS): typeof ProbotOctokit {
  // Probot's defaults hook receives untyped options; only `throttle` and `request` are set here.
  return ProbotOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    throttle: {
      ...(o.throttle as object | undefined),
      onRateLimit: (after: number, _opts: object, octokit: { log: Log }, count: number) => shouldRetryRateLimit('primary', after, count, octokit.log),
      onSecondaryRateLimit: (after: number, _opts: object, octokit: { log: Log }, count: number) => shouldRetryRateLimit('secondary', after, count, octokit.log),
    },
    request: { ...(o.request as object | undefined), fetch: fetchWithTimeout(timeoutMs) },
  })) as typeof ProbotOctokit;
}
