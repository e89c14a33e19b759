/**
 * `pipeline-guard audit OWNER/REPO`: the same collector and checks as the app, run once from a
 * terminal with a token. Probot and the Octokit plugins are imported only here, so `scan` starts
 * without them.
 */
import { ALL_CHECKS, CHECK_IDS, checkById } from '../checks/registry.js';
import { scanSnapshot } from '../engine/scan.js';
import { parsePolicy } from '../policy/config.js';
import { mergePolicies } from '../policy/merge.js';
import type { AuditArgs } from './args.js';
import type { OctokitLike } from '../collect/github-rest.js';
import { recordFromEnv } from '../collect/record.js';
import { fetchWithTimeout, REQUEST_TIMEOUT_MS, shouldRetryRateLimit } from '../collect/octokit-options.js';
import { emit, loadPolicy, targetResult, tokenOf, type Io } from './output.js';

export class AuditError extends Error {}

/**
 * An Octokit with retries and rate-limit handling, pointed at GITHUB_API_URL when set (GraphQL at
 * GITHUB_GRAPHQL_URL). Shared by `audit` and `scan --fix` (action ref resolution).
 */
export async function makeOctokit(token: string, env: Io['env']) {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const Client = Octokit.plugin(retry, throttling);
  const baseUrl = env.GITHUB_API_URL?.replace(/\/$/, '') || 'https://api.github.com';
  const octokit = new Client({
    auth: token,
    baseUrl,
    userAgent: 'pipeline-guard-cli',
    throttle: {
      onRateLimit: (after: number, _opts: object, _o: object, count: number) => shouldRetryRateLimit('primary', after, count),
      onSecondaryRateLimit: (after: number, _opts: object, _o: object, count: number) => shouldRetryRateLimit('secondary', after, count),
    },
    request: { fetch: fetchWithTimeout(REQUEST_TIMEOUT_MS) },
  });
  // PIPELINE_GUARD_RECORD=<file> appends every request (never headers or the token) as a JSON line.
  recordFromEnv(octokit, env);
  // `url` may not be passed with the variables (@octokit/graphql refuses it): it is a default of the client.
  const graphqlUrl = env.GITHUB_GRAPHQL_URL?.trim();
  const graphql = graphqlUrl ? octokit.graphql.defaults({ url: graphqlUrl }) : octokit.graphql;
  return {
    request: (route: string, params?: Record<string, unknown>) => octokit.request(route, params),
    graphql: <T>(query: string, variables?: Record<string, unknown>) => graphql<T>(query, variables),
  };
}

/** What audit needs from an Octokit: the collector's surface. Tests inject one that checks every request. */
export type AuditOctokit = OctokitLike;

/** `.github/pipeline-guard.yml` of a repository, or undefined when it has none. */
export async function policyText(octokit: AuditOctokit, owner: string, repo: string): Promise<string | undefined> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path: '.github/pipeline-guard.yml',
      mediaType: { format: 'raw' },
    });
    return typeof res.data === 'string' ? res.data : undefined;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) return undefined;
    throw new AuditError(`cannot read ${owner}/${repo}/.github/pipeline-guard.yml: ${(err as Error).message}`);
  }
}

export async function audit(args: AuditArgs, io: Io, deps: { octokit?: AuditOctokit } = {}): Promise<number> {
  const token = tokenOf(args, io);
  if (!token && !deps.octokit) throw new AuditError('audit needs a token: set GITHUB_TOKEN (or pass --token)');
  const octokit = deps.octokit ?? (await makeOctokit(token as string, io.env));
  let policy;
  if (args.config) {
    policy = await loadPolicy(args.config, true);
  } else {
    // The organisation's defaults (its .github repository) and the repository's own file, merged with locks.
    const [orgText, repoText] = await Promise.all([
      args.repo === '.github' ? Promise.resolve(undefined) : policyText(octokit, args.owner, '.github'),
      policyText(octokit, args.owner, args.repo),
    ]);
    const org = orgText === undefined ? undefined : parsePolicy(orgText, `${args.owner}/.github:.github/pipeline-guard.yml`, CHECK_IDS);
    const repo = repoText === undefined ? undefined : parsePolicy(repoText, `${args.owner}/${args.repo}:.github/pipeline-guard.yml`, CHECK_IDS);
    const merged = mergePolicies(org, repo, (id) => checkById(id)?.meta.defaultSeverity);
    for (const note of merged.refused) io.stderr(`warning: ${note}\n`);
    policy = merged.policy;
  }
  const { collectRepoSnapshot } = await import('../collect/github.js');
  let snapshot;
  try {
    snapshot = await collectRepoSnapshot(octokit, { owner: args.owner, repo: args.repo, ref: args.ref });
  } catch (err) {
    throw new AuditError(`cannot audit ${args.owner}/${args.repo}: ${(err as Error).message}`);
  }
  const result = scanSnapshot(snapshot, ALL_CHECKS, policy);
  return emit([targetResult(`${args.owner}/${args.repo}`, result, args.minSeverity)], args, io);
}
