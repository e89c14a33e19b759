/**
 * Pacing of the organisation sweep: every request goes through a PacedOctokit, which counts it, reads
 * the rate-limit state GitHub reports (REST headers `x-ratelimit-*`, GraphQL `rateLimit { … }`), keeps
 * the sweep within `budgetShare` of each hourly budget (measured from the sweep start: the rest is left
 * to webhook-driven work), waits out secondary limits (`retry-after`), and makes REST GETs conditional
 * through the ETag cache.
 */
import type { OctokitLike, RestResponse } from '../collect/github-rest.js';
import type { GqlError } from '../collect/github-settings.js';
import type { SweepOctokit } from './types.js';
import { cacheKey, type EtagCache } from './etag-cache.js';

export interface PacerOptions {
  /** Largest share of each hourly budget the sweep may use, (0, 1]. */
  budgetShare: number;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch (injected so tests control time). */
  clock: () => number;
  /** Retries of one request after a rate-limit answer (secondary limit or exhausted budget). */
  maxRetries?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** One hourly budget (REST or GraphQL), as GitHub last reported it, and what this sweep used of it. */
export interface Budget {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds of the next reset. */
  resetAt?: number;
  /** Requests (REST) or points (GraphQL) this sweep used in the current window. */
  used: number;
  /** Cost of the last request (GraphQL points), the estimate for the next one. */
  lastCost?: number;
}

export interface PacerStats {
  restRequests: number;
  graphqlRequests: number;
  graphqlPoints: number;
  notModified: number;
  pausedMs: number;
}

/** When GitHub gives no `retry-after` for a secondary limit, its docs say to wait at least a minute. */
const DEFAULT_RETRY_AFTER_MS = 60_000;
/** Margin after a reset time, against clock skew. */
const RESET_MARGIN_MS = 1_000;

export class Pacer {
  readonly rest: Budget = { used: 0 };
  readonly graphql: Budget = { used: 0 };
  readonly stats: PacerStats = { restRequests: 0, graphqlRequests: 0, graphqlPoints: 0, notModified: 0, pausedMs: 0 };
  readonly maxRetries: number;

  constructor(readonly opts: PacerOptions) {
    this.maxRetries = opts.maxRetries ?? 3;
  }

  async pause(ms: number, why: string): Promise<void> {
    if (ms <= 0) return;
    this.opts.log?.warn({ ms, why }, 'sweep paused for rate-limit budget');
    this.stats.pausedMs += ms;
    await this.opts.sleep(ms);
  }

  /** Waits, before a request, until the budget has room: the sweep's share, and GitHub's remaining count. */
  async before(budget: Budget, cost = budget.lastCost ?? 1): Promise<void> {
    const now = this.opts.clock();
    if (budget.resetAt !== undefined && now >= budget.resetAt) this.newWindow(budget);
    if (budget.limit === undefined || budget.resetAt === undefined) return;
    const share = Math.max(1, Math.floor(budget.limit * this.opts.budgetShare));
    const exhausted = budget.remaining !== undefined && budget.remaining < cost;
    if (budget.used + cost > share || exhausted) {
      await this.pause(budget.resetAt - now + RESET_MARGIN_MS, exhausted ? 'rate limit exhausted' : `budget share ${this.opts.budgetShare} used`);
      this.newWindow(budget);
    }
  }

  private newWindow(budget: Budget): void {
    budget.used = 0;
    budget.remaining = undefined;
    budget.resetAt = undefined;
  }

  /** Records GitHub's REST rate-limit headers. */
  noteRestHeaders(headers: Record<string, unknown> | undefined): void {
    if (!headers) return;
    const num = (k: string): number | undefined => {
      const v = Number(headers[k]);
      return headers[k] === undefined || Number.isNaN(v) ? undefined : v;
    };
    const limit = num('x-ratelimit-limit');
    const remaining = num('x-ratelimit-remaining');
    const reset = num('x-ratelimit-reset');
    if (limit !== undefined) this.rest.limit = limit;
    if (remaining !== undefined) this.rest.remaining = remaining;
    if (reset !== undefined) this.rest.resetAt = reset * 1000;
  }

  /** Records a GraphQL `rateLimit { cost remaining limit resetAt }` selection. */
  noteGraphqlRateLimit(rl: { cost?: number; remaining?: number; limit?: number; resetAt?: string } | null | undefined): void {
    if (!rl) return;
    if (typeof rl.cost === 'number') {
      this.stats.graphqlPoints += rl.cost;
      this.graphql.used += rl.cost;
      this.graphql.lastCost = rl.cost;
    }
    if (typeof rl.limit === 'number') this.graphql.limit = rl.limit;
    if (typeof rl.remaining === 'number') this.graphql.remaining = rl.remaining;
    if (typeof rl.resetAt === 'string' && !Number.isNaN(Date.parse(rl.resetAt))) this.graphql.resetAt = Date.parse(rl.resetAt);
  }

  /**
   * How long to wait before retrying a failed request, or undefined when it is not a rate-limit answer.
   * Secondary limits carry `retry-after` (seconds); an exhausted primary budget says remaining 0.
   */
  retryDelay(err: unknown): number | undefined {
    const e = err as { status?: unknown; message?: unknown; response?: { headers?: Record<string, unknown>; data?: unknown } };
    if (e?.status !== 403 && e?.status !== 429) return undefined;
    const headers = e.response?.headers ?? {};
    const retryAfter = Number(headers['retry-after']);
    if (headers['retry-after'] !== undefined && !Number.isNaN(retryAfter)) return retryAfter * 1000;
    if (String(headers['x-ratelimit-remaining']) === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      return Number.isNaN(reset) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, reset * 1000 - this.opts.clock()) + RESET_MARGIN_MS;
    }
    const data = e.response?.data as { message?: unknown } | undefined;
    const message = `${typeof data?.message === 'string' ? data.message : ''} ${typeof e.message === 'string' ? e.message : ''}`;
    if (/secondary rate limit|abuse/i.test(message)) return DEFAULT_RETRY_AFTER_MS;
    return undefined;
  }
}

/** Result of one paced GraphQL query: partial data survives node errors (@octokit/graphql throws on any). */
export interface GraphqlOutcome<T> {
  data: T | undefined;
  errors: GqlError[];
  /** Set when the request itself failed (no data at all). */
  failure?: string;
}

function headersOf(err: unknown): Record<string, unknown> | undefined {
  return (err as { response?: { headers?: Record<string, unknown> } })?.response?.headers;
}

/**
 * The Octokit the sweep (and the collect/github-settings readers it reuses) talks through. It is an
 * `OctokitLike`, so the per-repository readers count and pace their requests like the sweep's own.
 */
export class PacedOctokit implements OctokitLike {
  constructor(
    private readonly inner: SweepOctokit,
    readonly pacer: Pacer,
    private readonly cache: EtagCache | undefined,
    /** Keeps one installation's entries apart from another's in a shared cache (e.g. the organisation login). */
    private readonly cacheScope = '',
    /** Trims a response body to what the caller reads, before it is cached and returned (keeps the cache small). */
    private readonly slim: (route: string, data: unknown) => unknown = (_route, data) => data,
  ) {}

  async request(route: string, params: Record<string, unknown> = {}): Promise<RestResponse> {
    const isGet = /^GET /.test(route);
    const key = isGet ? `${this.cacheScope}|${cacheKey(route, params)}` : undefined;
    for (let attempt = 0; ; attempt++) {
      await this.pacer.before(this.pacer.rest);
      const cached = key ? this.cache?.get(key) : undefined;
      const sent = cached ? { ...params, headers: { ...((params.headers as object | undefined) ?? {}), 'if-none-match': cached.etag } } : params;
      this.pacer.stats.restRequests++;
      try {
        const res = await this.inner.request(route, sent);
        this.pacer.rest.used++;
        this.pacer.noteRestHeaders(res.headers);
        const data = this.slim(route, res.data);
        const etag = res.headers.etag;
        if (key && this.cache && typeof etag === 'string') this.cache.set(key, { etag, data });
        return { status: res.status, data };
      } catch (err) {
        this.pacer.noteRestHeaders(headersOf(err));
        if ((err as { status?: unknown }).status === 304 && cached) {
          // Not modified: free against the rate limit, so it does not count as used.
          this.pacer.stats.notModified++;
          return { status: 200, data: cached.data };
        }
        this.pacer.rest.used++;
        const wait = this.pacer.retryDelay(err);
        if (wait === undefined || attempt >= this.pacer.maxRetries) throw err;
        await this.pacer.pause(wait, `${route} answered ${String((err as { status?: unknown }).status)}`);
      }
    }
  }

  /** OctokitLike's `graphql` (counted and paced); the sweep itself uses `query`, which keeps partial data. */
  async graphql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await this.query<T>(query, variables);
    if (r.failure !== undefined || r.errors.length > 0) throw Object.assign(new Error(r.failure ?? r.errors[0].message), { data: r.data, errors: r.errors });
    return r.data as T;
  }

  /** One GraphQL query; the document must select `rateLimit { cost remaining limit resetAt }`. */
  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlOutcome<T>> {
    for (let attempt = 0; ; attempt++) {
      await this.pacer.before(this.pacer.graphql);
      this.pacer.stats.graphqlRequests++;
      try {
        const data = (await this.inner.graphql(query, variables)) as T;
        this.pacer.noteGraphqlRateLimit((data as { rateLimit?: Parameters<Pacer['noteGraphqlRateLimit']>[0] } | undefined)?.rateLimit);
        return { data, errors: [] };
      } catch (err) {
        const e = err as { errors?: unknown; data?: unknown; message?: unknown; status?: unknown };
        if (Array.isArray(e.errors)) {
          // A GraphqlResponseError: node errors with partial data (a repository not found, a field forbidden).
          const data = (e.data ?? undefined) as T | undefined;
          this.pacer.noteGraphqlRateLimit((data as { rateLimit?: Parameters<Pacer['noteGraphqlRateLimit']>[0] } | undefined)?.rateLimit);
          const rateLimited = (e.errors as GqlError[]).some((x) => x.type === 'RATE_LIMITED');
          if (!rateLimited || attempt >= this.pacer.maxRetries) return { data, errors: e.errors as GqlError[], ...(data ? {} : { failure: String(e.message) }) };
          await this.pacer.pause(DEFAULT_RETRY_AFTER_MS, 'GraphQL RATE_LIMITED');
          continue;
        }
        const wait = this.pacer.retryDelay(err);
        if (wait === undefined || attempt >= this.pacer.maxRetries) {
          const status = typeof e.status === 'number' ? `${e.status} ` : '';
          return { data: undefined, errors: [], failure: `${status}${typeof e.message === 'string' ? e.message.slice(0, 300) : String(err)}` };
        }
        await this.pacer.pause(wait, `GraphQL answered ${String(e.status)}`);
      }
    }
  }
}
