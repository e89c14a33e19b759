/**
 * A stateful GitHub simulator: an in-process HTTP server (127.0.0.1, random port) that answers
 * GitHub's REST and GraphQL APIs closely enough for Octokit (`baseUrl` = `sim.url`) to work
 * unchanged. Rate limits per token (REST and GraphQL buckets), ETags and free 304s, a secondary
 * limit on concurrency, latency and seeded 5xx injection, and per-route statistics.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitStore } from './git.js';
import { mulberry32 } from './rng.js';
import { runGraphql, type GraphqlBackend, type GraphqlBucket } from './graphql.js';
import { restRoutes, type Route, type RouteContext, type RouteResult } from './rest.js';
import { DEFAULT_AUTHOR, defaultActions, type RepoContent, type SimInstallation, type SimOrg, type SimRepo } from './state.js';
import { userId } from './shapes.js';
import { deliver, type WebhookEvent } from './webhooks.js';

export interface SimulatorOptions {
  /** Delay added to every response, in milliseconds (default 0). */
  latencyMs?: number;
  /** Share of requests answered with a 5xx (0..1, default 0), drawn from a seeded RNG. */
  errorRate?: number;
  seed?: number;
  /** Requests per window per token for REST (default 5,000). */
  restLimit?: number;
  /** GraphQL points per window per token (default 5,000). */
  graphqlLimit?: number;
  /** Rate-limit window in seconds (default 3,600). */
  windowSeconds?: number;
  /** More requests in flight than this (across tokens) get a secondary-limit 403 (default: no limit). */
  maxConcurrent?: number;
  /** `retry-after` seconds of a secondary-limit 403 (default 60). */
  retryAfterSeconds?: number;
  /** Generated repositories whose content stays in memory when not written to (default 64). */
  cachedRepos?: number;
  /** Webhook secret and target for `deliver` (without a URL, deliver returns the event). */
  webhookSecret?: string;
  webhookUrl?: string;
  /** Clock (ms since epoch) for rate-limit windows; default Date.now. */
  now?: () => number;
}

export interface SimStats {
  /** `METHOD /route/{template}` -> count (GraphQL as `POST /graphql`). */
  requests: Record<string, number>;
  rest: number;
  graphql: number;
  graphqlPoints: number;
  notModified: number;
  errorsInjected: number;
  rateLimited: number;
  secondaryLimited: number;
  /** `METHOD path` of every request no route matched. */
  unknownRoutes: string[];
  /** Most requests in flight at once. */
  peakConcurrency: number;
}

interface Bucket {
  limit: number;
  used: number;
  /** Epoch seconds. */
  resetAt: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class GitHubSimulator implements GraphqlBackend {
  readonly orgs = new Map<string, SimOrg>();
  readonly repos = new Map<string, SimRepo>();
  readonly installations = new Map<number, SimInstallation>();
  readonly stats: SimStats = emptyStats();
  /** Issued installation tokens -> installation id. */
  readonly tokens = new Map<string, number>();
  private readonly byNodeId = new Map<string, SimRepo>();
  private readonly byOrg = new Map<string, SimRepo[]>();
  private readonly cached = new Map<string, SimRepo>();
  private readonly buckets = new Map<string, { rest: Bucket; graphql: Bucket }>();
  private readonly rng: () => number;
  private readonly routes: Route[];
  private server: Server | undefined;
  private inflight = 0;
  private nextId = 10_000;
  url = '';
  opts: Required<Omit<SimulatorOptions, 'maxConcurrent' | 'webhookUrl'>> & Pick<SimulatorOptions, 'maxConcurrent' | 'webhookUrl'>;

  constructor(options: SimulatorOptions = {}) {
    this.opts = {
      latencyMs: 0, errorRate: 0, seed: 1, restLimit: 5000, graphqlLimit: 5000, windowSeconds: 3600,
      retryAfterSeconds: 60, cachedRepos: 64, webhookSecret: 'development', now: Date.now, ...options,
    };
    this.rng = mulberry32(this.opts.seed);
    this.routes = restRoutes(this);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  resetStats(): void {
    Object.assign(this.stats, emptyStats());
  }

  /**
   * Sends a webhook event (built with the helpers of sim/webhooks.ts) to `webhookUrl`, signed with
   * `webhookSecret`; without a URL it returns the event for `probot.receive(event)`.
   */
  async deliver(event: WebhookEvent): Promise<{ event: WebhookEvent; status?: number }> {
    return deliver(event, { secret: this.opts.webhookSecret, ...(this.opts.webhookUrl ? { url: this.opts.webhookUrl } : {}) });
  }

  // ---- state --------------------------------------------------------------------------------

  newId(): number {
    return this.nextId++;
  }

  addOrg(login: string, init: Partial<Omit<SimOrg, 'login'>> = {}): SimOrg {
    const org: SimOrg = {
      login, id: init.id ?? userId(login), members: init.members ?? new Map([['octo-admin', 'admin']]),
      actions: init.actions ?? { enabledRepositories: 'all', allowedActions: 'all', shaPinningRequired: false, defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false },
      secrets: init.secrets ?? [], rulesets: init.rulesets ?? [],
      forkPrPrivate: init.forkPrPrivate ?? { run: false, writeTokens: false, secrets: false, requireApproval: true },
      ...(init.forkPrApproval ? { forkPrApproval: init.forkPrApproval } : {}),
    };
    this.orgs.set(login, org);
    this.byOrg.set(login, this.byOrg.get(login) ?? []);
    return org;
  }

  addInstallation(account: string, init: Partial<Omit<SimInstallation, 'account'>> = {}): SimInstallation {
    const inst: SimInstallation = { id: init.id ?? this.newId(), account, repositories: init.repositories ?? [], appSlug: init.appSlug ?? 'pipeline-guard', appId: init.appId ?? 4242 };
    this.installations.set(inst.id, inst);
    return inst;
  }

  /**
   * Adds a repository. `files` makes its first commit now (and pins it); `generate` makes it on first
   * access. Neither: an empty repository. The org and every installation on the owner see it.
   */
  addRepo(owner: string, name: string, init: Partial<Omit<SimRepo, 'owner' | 'name'>> & { files?: Record<string, string | Buffer> } = {}): SimRepo {
    if (!this.orgs.has(owner)) this.addOrg(owner);
    const id = init.id ?? this.newId();
    const { files, ...rest } = init;
    const repo: SimRepo = {
      id, nodeId: `R_kgDO${id.toString(36).padStart(6, '0')}`, visibility: 'public', archived: false, fork: false, defaultBranch: 'main',
      createdAt: '2026-01-01T00:00:00Z', description: null, protection: new Map(), rulesets: [], environments: [], actions: defaultActions(),
      secrets: [], runners: 0, secretScanning: 'enabled', pinned: false, checkRuns: [], issues: [], labels: [],
      ...rest, owner, name,
    };
    if (files) {
      repo.generate = () => new Map(Object.entries(files).map(([p, v]) => [p, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
      this.content(repo);
      repo.pinned = true;
    }
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    this.byNodeId.set(repo.nodeId, repo);
    this.byOrg.get(owner)?.push(repo);
    for (const inst of this.installations.values()) if (inst.account === owner) inst.repositories.push(`${owner}/${name}`);
    return repo;
  }

  repo(owner: string, name: string): SimRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoByNodeId(id: string): SimRepo | undefined {
    return this.byNodeId.get(id);
  }

  org(login: string): SimOrg | undefined {
    return this.orgs.get(login);
  }

  orgRepos(login: string): SimRepo[] {
    return this.byOrg.get(login) ?? [];
  }

  /**
   * The repository's git data, generated on first access. Generated content of repositories nobody
   * wrote to is dropped least-recently-used beyond `cachedRepos` and regenerated identically later.
   */
  content(repo: SimRepo): RepoContent | undefined {
    const key = `${repo.owner}/${repo.name}`;
    if (repo.content) {
      if (!repo.pinned) {
        this.cached.delete(key);
        this.cached.set(key, repo);
      }
      return repo.content;
    }
    if (!repo.generate) return undefined;
    const git = new GitStore();
    const files = repo.generate();
    const tree = git.writeFiles([...files].map(([path, data]) => ({ path, sha: git.writeBlob(data) })));
    const commit = git.writeCommit({ tree, parents: [], message: 'Initial commit', author: { ...DEFAULT_AUTHOR, date: repo.createdAt } });
    repo.content = { git, refs: new Map([[`refs/heads/${repo.defaultBranch}`, commit]]) };
    if (!repo.pinned) {
      this.cached.set(key, repo);
      for (const [k, r] of this.cached) {
        if (this.cached.size <= this.opts.cachedRepos) break;
        this.cached.delete(k);
        if (!r.pinned) r.content = undefined;
      }
    }
    return repo.content;
  }

  /** Content for writing: materialised and pinned (never dropped), created empty if needed. */
  writableContent(repo: SimRepo): RepoContent {
    const c = this.content(repo) ?? (repo.content = { git: new GitStore(), refs: new Map() });
    repo.pinned = true;
    this.cached.delete(`${repo.owner}/${repo.name}`);
    return c;
  }

  installationFor(token: string | undefined): SimInstallation | undefined {
    const id = token ? this.tokens.get(token) : undefined;
    if (id !== undefined) return this.installations.get(id);
    return this.installations.values().next().value;
  }

  /** Rate-limit state of a token (REST and GraphQL), for tests and benchmarks. */
  bucket(token: string, resource: 'core' | 'graphql'): Bucket {
    const b = this.bucketsOf(token);
    return resource === 'core' ? b.rest : b.graphql;
  }

  private bucketsOf(token: string): { rest: Bucket; graphql: Bucket } {
    const nowS = Math.floor(this.opts.now() / 1000);
    let b = this.buckets.get(token);
    const fresh = (limit: number): Bucket => ({ limit, used: 0, resetAt: nowS + this.opts.windowSeconds });
    if (!b) {
      b = { rest: fresh(this.opts.restLimit), graphql: fresh(this.opts.graphqlLimit) };
      this.buckets.set(token, b);
    }
    if (nowS >= b.rest.resetAt) b.rest = fresh(this.opts.restLimit);
    if (nowS >= b.graphql.resetAt) b.graphql = fresh(this.opts.graphqlLimit);
    return b;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inflight++;
    this.stats.peakConcurrency = Math.max(this.stats.peakConcurrency, this.inflight);
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      if (this.opts.latencyMs > 0) await sleep(this.opts.latencyMs);
      this.respond(req, res, raw);
    } catch (err) {
      send(res, 500, { message: `simulator error: ${(err as Error).message}` }, {});
    } finally {
      this.inflight--;
    }
  }

  private respond(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.url);
    const auth = String(req.headers.authorization ?? '');
    const token = auth.replace(/^(token|bearer)\s+/i, '') || 'anonymous';
    const isGraphql = url.pathname === '/graphql' && method === 'POST';

    if (this.opts.maxConcurrent !== undefined && this.inflight > this.opts.maxConcurrent) {
      this.stats.secondaryLimited++;
      send(res, 403, {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      }, { 'retry-after': String(this.opts.retryAfterSeconds) });
      return;
    }
    if (this.opts.errorRate > 0 && this.rng() < this.opts.errorRate) {
      this.stats.errorsInjected++;
      send(res, 502, { message: 'Server Error' }, {});
      return;
    }

    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        send(res, 400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest' }, {});
        return;
      }
    }

    const buckets = this.bucketsOf(token);
    if (isGraphql) {
      this.count('POST /graphql');
      this.stats.graphql++;
      const b: GraphqlBucket = buckets.graphql;
      const out = runGraphql(this, body, b);
      this.stats.graphqlPoints += out.cost;
      if (out.rateLimited) this.stats.rateLimited++;
      send(res, 200, out.body, rateHeaders(buckets.graphql, 'graphql'));
      return;
    }

    const match = this.match(method, url.pathname);
    if (!match) {
      this.stats.unknownRoutes.push(`${method} ${url.pathname}`);
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }, {});
      return;
    }
    const [route, params] = match;
    this.count(`${method} ${route.template}`);
    this.stats.rest++;
    const free = route.template === '/rate_limit' || route.template.startsWith('/app/');
    const bucket = buckets.rest;
    if (!free && bucket.used >= bucket.limit) {
      this.stats.rateLimited++;
      send(res, 403, {
        message: 'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      }, rateHeaders(bucket, 'core'));
      return;
    }
    const ctx: RouteContext = { params, query: url.searchParams, body, token, headers: req.headers, url };
    let result: RouteResult;
    try {
      result = route.handler(ctx);
    } catch (err) {
      result = { status: 500, body: { message: (err as Error).message } };
    }
    const headers: Record<string, string> = { ...(result.headers ?? {}) };
    const text = result.raw !== undefined ? result.raw : JSON.stringify(result.body ?? null);
    if (method === 'GET' && result.status === 200) {
      const etag = `"${createHash('sha1').update(text).digest('hex')}"`;
      headers.etag = etag;
      if (req.headers['if-none-match'] === etag) {
        this.stats.notModified++;
        sendRaw(res, 304, '', { ...headers, ...rateHeaders(bucket, 'core') });
        return;
      }
    }
    if (!free) bucket.used++;
    sendRaw(res, result.status, result.status === 204 ? '' : text, {
      'content-type': result.raw !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...headers,
      ...rateHeaders(bucket, 'core'),
    });
  }

  private match(method: string, path: string): [Route, Record<string, string>] | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return [r, params];
    }
    return undefined;
  }

  private count(key: string): void {
    this.stats.requests[key] = (this.stats.requests[key] ?? 0) + 1;
  }
}

function emptyStats(): SimStats {
  return { requests: {}, rest: 0, graphql: 0, graphqlPoints: 0, notModified: 0, errorsInjected: 0, rateLimited: 0, secondaryLimited: 0, unknownRoutes: [], peakConcurrency: 0 };
}

function rateHeaders(b: Bucket, resource: string): Record<string, string> {
  return {
    'x-ratelimit-limit': String(b.limit),
    'x-ratelimit-remaining': String(Math.max(0, b.limit - b.used)),
    'x-ratelimit-used': String(b.used),
    'x-ratelimit-reset': String(b.resetAt),
    'x-ratelimit-resource': resource,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  sendRaw(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

function sendRaw(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
