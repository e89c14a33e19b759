/**
 * The organisation sweep (issue #5): lists the installation's repositories page by page, reads them in
 * batches with one GraphQL query each (sweep/query.ts), completes the settings with as few REST reads
 * as possible (sweep/settings.ts, sweep/org-settings.ts), scans each repository under its merged
 * policy, hands it to `onRepo` and drops it. At most MAX_BATCHES_IN_FLIGHT batches are held at once,
 * so memory does not grow with the size of the organisation. Every request is paced (sweep/pacer.ts).
 */
import { ALL_CHECKS, CHECK_IDS, checkById } from '../checks/registry.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import { scanSnapshot } from '../engine/scan.js';
import { DEFAULT_POLICY_PATH, parsePolicy, PolicyError, sweepPolicy, type Policy } from '../policy/config.js';
import { mergePolicies } from '../policy/merge.js';
import { describeFailure } from '../collect/github-rest.js';
import type { GqlError } from '../collect/github-settings.js';
import type { SweepFailure, SweepFn, SweepOptions, SweepResult, SweptRepo } from './types.js';
import { createEtagCache, type EtagCache } from './etag-cache.js';
import { PacedOctokit, Pacer } from './pacer.js';
import { batchQuery, DEFAULT_BATCH_SIZE, type SweepBatchResponse, type SweepRepository } from './query.js';
import { OrgSettings } from './org-settings.js';
import { ProtectionVisibility, sweepSettings } from './settings.js';
import { sweptFiles } from './snapshot.js';

/** GraphQL batches read and processed at the same time. */
export const MAX_BATCHES_IN_FLIGHT = 2;
/** Repositories of one batch whose REST reads, scan and `onRepo` run at the same time. */
export const REPO_CONCURRENCY = 4;
/** GitHub's largest page. */
const PER_PAGE = 100;
/** Largest batch: keeps one answer (up to 50 repositories' workflow texts and trees) small and well inside GitHub's query timeout. */
const MAX_BATCH_SIZE = 50;

/** One repository of `GET /installation/repositories` (the fields the sweep reads). */
interface ListedRepo {
  name: string;
  full_name: string;
  owner: { login: string; type?: string };
  archived?: boolean;
  fork: boolean;
  html_url: string;
  default_branch?: string;
  security_and_analysis?: { advanced_security?: { status?: string }; secret_scanning?: { status?: string }; secret_scanning_push_protection?: { status?: string } } | null;
}

export interface SweepInternals {
  /** Conditional-request cache shared by sweeps of this process (default: one per process). */
  etagCache?: EtagCache;
}

const sharedCache = createEtagCache();

const LISTING_ROUTE = 'GET /installation/repositories';
/**
 * A personal token (the CLI) cannot list an installation's repositories (403): it lists the
 * organisation's, or the user's, instead. Those answer a bare array.
 */
const ORG_LISTING_ROUTE = 'GET /orgs/{org}/repos';
const USER_LISTING_ROUTE = 'GET /users/{username}/repos';
const LISTING_ROUTES = new Set([LISTING_ROUTE, ORG_LISTING_ROUTE, USER_LISTING_ROUTE]);

/** A listing page keeps only the fields the sweep reads (~0.2 KB a repository instead of ~6 KB) before it is cached. */
function slimResponse(route: string, data: unknown): unknown {
  if (!LISTING_ROUTES.has(route)) return data;
  if (Array.isArray(data)) return (data as ListedRepo[]).map(slimRepo);
  const page = data as { total_count: number; repositories: ListedRepo[] };
  return { total_count: page.total_count, repositories: page.repositories.map(slimRepo) };
}

function slimRepo(r: ListedRepo): ListedRepo {
  return {
    name: r.name,
      full_name: r.full_name,
      owner: { login: r.owner.login, ...(r.owner.type !== undefined ? { type: r.owner.type } : {}) },
      archived: r.archived ?? false,
      fork: r.fork,
      html_url: r.html_url,
      ...(r.default_branch !== undefined ? { default_branch: r.default_branch } : {}),
      ...(r.security_and_analysis !== undefined ? { security_and_analysis: r.security_and_analysis } : {}),
  };
}

/** A short reason from anything thrown: GitHub's message or the error's, never a stack or a header. */
function reasonOf(err: unknown): string {
  const f = describeFailure(err);
  return (f.status !== undefined ? `${f.status} ${f.message}` : f.message).replace(/\s+/g, ' ').slice(0, 300);
}

function defaultSeverityOf(id: string) {
  return checkById(id)?.meta.defaultSeverity;
}

/**
 * The organisation policy merged with the repository's own file from the batch. An unreadable or
 * invalid file leaves the organisation policy in force, with a note saying so.
 */
export function repositoryPolicy(org: Policy, repo: string, file: SweepRepository['policyFile']): { policy: Policy; notes: string[] } {
  if (repo === '.github' || !file) return { policy: org, notes: [] };
  if (typeof file.text !== 'string' || file.isTruncated) {
    return { policy: org, notes: [`policy: ${DEFAULT_POLICY_PATH} could not be read in the batch; the organisation policy applies`] };
  }
  try {
    const merged = mergePolicies(org, parsePolicy(file.text, DEFAULT_POLICY_PATH, CHECK_IDS), defaultSeverityOf);
    const notes = merged.refused.map((r) => `policy: ${r}`);
    if (/^_extends\s*:/m.test(file.text)) notes.push('policy: `_extends` is not followed by the organisation sweep; the file was merged with the organisation policy as it is');
    return { policy: merged.policy, notes };
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    return { policy: org, notes: [`policy: invalid repository policy (${err.message}); the organisation policy applies`] };
  }
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

export function createSweep(internals: SweepInternals = {}): SweepFn {
  return (opts) => runSweep(opts, internals.etagCache ?? sharedCache);
}

/** The sweep with the process-wide ETag cache. */
export const sweepOrganization: SweepFn = createSweep();

async function runSweep(opts: SweepOptions, cache: EtagCache): Promise<SweepResult> {
  const now = opts.now ?? (() => new Date());
  const clock = () => now().getTime();
  const started = clock();
  const sp = sweepPolicy(opts.policy);
  const checks = opts.checks ?? ALL_CHECKS;
  const batchSize = Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE)));
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pacer = new Pacer({ budgetShare: sp.budgetShare, sleep, clock, ...(opts.log ? { log: opts.log } : {}) });
  const octokit = new PacedOctokit(opts.octokit, pacer, cache, opts.org.toLowerCase(), slimResponse);
  const protection = new ProtectionVisibility();
  const failures: SweepFailure[] = [];
  const counts = { repositories: 0, audited: 0, skippedArchived: 0, skippedForks: 0 };
  let org: OrgSettings | undefined;

  const auditOne = async (listed: ListedRepo, gql: SweepRepository, gqlErrors: GqlError[]): Promise<void> => {
    const owner = listed.owner.login;
    const files = sweptFiles(gql);
    const warnings = [...files.warnings, ...gqlErrors.map((e) => `GitHub GraphQL: ${e.message}${e.path ? ` (at ${e.path.join('.')})` : ''}`)];
    const { policy, notes } = repositoryPolicy(opts.policy, gql.name, gql.policyFile);
    const settings = await sweepSettings({
      octokit,
      org: org as OrgSettings,
      protection,
      owner,
      repo: gql.name,
      gql,
      gqlErrors,
      collectedAt: now().toISOString(),
      warnings,
      hasWorkflows: files.hasWorkflows,
      needs: files.needs,
      ...(listed.security_and_analysis !== undefined ? { securityAndAnalysis: listed.security_and_analysis } : {}),
    });
    const headSha = gql.defaultBranchRef?.target?.oid;
    if (!gql.defaultBranchRef) warnings.push(`${gql.nameWithOwner} has no commits yet; no files to scan`);
    const snapshot: RepoSnapshot = {
      source: 'github',
      repo: {
        owner,
        name: gql.name,
        ...(gql.defaultBranchRef ? { defaultBranch: gql.defaultBranchRef.name } : {}),
        visibility: gql.visibility.toLowerCase() as 'public' | 'private' | 'internal',
        archived: gql.isArchived,
      },
      ...(headSha ? { ref: headSha } : {}),
      files: files.files,
      warnings,
      settings,
    };
    const scan = scanSnapshot(snapshot, checks, policy);
    const swept: SweptRepo = {
      owner,
      name: gql.name,
      url: gql.url || listed.html_url,
      defaultBranch: gql.defaultBranchRef?.name ?? listed.default_branch ?? '',
      ...(headSha ? { headSha } : {}),
      fork: gql.isFork,
      findings: scan.findings,
      notEvaluated: [...notes, ...scan.notEvaluated.map((n) => `${n.checkId}: ${n.reason}`)],
    };
    await opts.onRepo(swept, snapshot);
    counts.audited++;
  };

  const runBatch = async (repos: ListedRepo[]): Promise<void> => {
    const { query, variables } = batchQuery(opts.org, repos.map((r) => r.name));
    const q = await octokit.query<SweepBatchResponse>(query, variables);
    await pool(repos, REPO_CONCURRENCY, async (listed, i) => {
      const alias = `r${i}`;
      const errors = q.errors.filter((e) => e.path?.[0] === alias).map((e) => ({ ...e, path: ['repository', ...(e.path ?? []).slice(1)] }));
      const gql = q.data?.[alias] as SweepRepository | null | undefined;
      if (!gql) {
        const reason = q.data === undefined ? `GraphQL batch failed: ${q.failure ?? 'no data'}` : (errors[0]?.message ?? 'GraphQL returned no repository');
        failures.push({ repo: listed.full_name, reason: reason.slice(0, 300) });
        return;
      }
      try {
        await auditOne(listed, gql, errors);
      } catch (err) {
        failures.push({ repo: listed.full_name, reason: reasonOf(err) });
      }
    });
  };

  const inFlight: Promise<void>[] = [];
  let pending: ListedRepo[] = [];
  const dispatch = async (): Promise<void> => {
    if (pending.length === 0) return;
    inFlight.push(runBatch(pending));
    pending = [];
    if (inFlight.length >= MAX_BATCHES_IN_FLIGHT) await inFlight.shift();
  };

  /** One page of the listing, whichever route answers, as `{ total_count, repositories }`. */
  const listPage = async (route: string, page: number): Promise<{ total_count: number; repositories: ListedRepo[] }> => {
    if (route === LISTING_ROUTE) return (await octokit.request(route, { per_page: PER_PAGE, page })).data as { total_count: number; repositories: ListedRepo[] };
    const params = route === ORG_LISTING_ROUTE ? { org: opts.org, type: 'all' } : { username: opts.org, type: 'owner' };
    const list = (await octokit.request(route, { ...params, per_page: PER_PAGE, page })).data as ListedRepo[];
    // A bare array has no total: the loop below ends the listing at a short page.
    return { total_count: Number.MAX_SAFE_INTEGER, repositories: list };
  };

  let listingError: Error | undefined;
  try {
    let seen = 0;
    let route = LISTING_ROUTE;
    for (let page = 1; ; page++) {
      let data: { total_count: number; repositories: ListedRepo[] };
      try {
        data = await listPage(route, page);
      } catch (err) {
        const status = describeFailure(err).status;
        // Not an installation token (403), or no such organisation (404 from /orgs): try the next kind of owner.
        const next = page === 1 && route === LISTING_ROUTE && status === 403 ? ORG_LISTING_ROUTE : page === 1 && route === ORG_LISTING_ROUTE && status === 404 ? USER_LISTING_ROUTE : undefined;
        if (next) {
          route = next;
          page--;
          continue;
        }
        throw new Error(`cannot list the repositories of ${opts.org} (page ${page}): ${reasonOf(err)}`);
      }
      for (const listed of data.repositories) {
        counts.repositories++;
        if (listed.owner.login.toLowerCase() !== opts.org.toLowerCase()) {
          failures.push({ repo: listed.full_name, reason: `not owned by ${opts.org}` });
          continue;
        }
        if (listed.archived) {
          counts.skippedArchived++;
          continue;
        }
        if (listed.fork && !sp.forks) {
          counts.skippedForks++;
          continue;
        }
        org ??= new OrgSettings(octokit, opts.org, listed.owner.type === 'Organization');
        pending.push(listed);
        if (pending.length >= batchSize) await dispatch();
      }
      seen += data.repositories.length;
      if (data.repositories.length < PER_PAGE || seen >= data.total_count) break;
    }
    await dispatch();
  } catch (err) {
    listingError = err as Error;
  }
  await Promise.all(inFlight);
  if (listingError) throw listingError;

  const result: SweepResult = {
    stats: {
      ...counts,
      failed: failures.length,
      restRequests: pacer.stats.restRequests,
      graphqlRequests: pacer.stats.graphqlRequests,
      graphqlPoints: pacer.stats.graphqlPoints,
      notModified: pacer.stats.notModified,
      pausedMs: pacer.stats.pausedMs,
      durationMs: clock() - started,
    },
    failures,
  };
  opts.log?.info({ org: opts.org, ...result.stats }, 'organisation sweep finished');
  return result;
}
