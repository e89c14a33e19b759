/** Octokit behaviour shared by the app and the `audit` command: bounded rate-limit retries, request deadlines. */

/** Retries after a primary or secondary rate limit (the throttling plugin waits the time GitHub asks for). */
export const RATE_LIMIT_RETRIES = 2;
/** Per-request deadline. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Retry while the count is below the bound; say so in the log. */
export function shouldRetryRateLimit(kind: 'primary' | 'secondary', retryAfter: number, retryCount: number, log?: { warn(msg: string): void }): boolean {
  const retry = retryCount < RATE_LIMIT_RETRIES;
  log?.warn(`${kind} rate limit: ${retry ? `retrying in ${retryAfter} s` : 'giving up'} (attempt ${retryCount + 1})`);
  return retry;
}

/** fetch with a deadline; a caller's own AbortSignal still works. */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
