/**
 * GitHub's GraphQL API over the simulator's state: documents are parsed and validated against
 * GitHub's published schema (@octokit/graphql-schema) and executed by graphql-js over plain resolver
 * objects (a function property is called with the field's arguments; `__typename` picks the type of
 * a union or interface).
 */
import { readFileSync } from 'node:fs';
import { buildSchema, execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GitObject } from './git.js';
import { graphqlCost } from './graphql-cost.js';
import type { RepoContent, SimOrg, SimRepo, SimRuleset } from './state.js';
import { WEB } from './shapes.js';

let schema: GraphQLSchema | undefined;

/** GitHub's schema, built once per process (about a second). */
export function githubSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(new URL('./schema.graphql', import.meta.resolve('@octokit/graphql-schema')), 'utf8'), { assumeValidSDL: true });
  return schema;
}

/** What the resolvers need from the simulator. */
export interface GraphqlBackend {
  repo(owner: string, name: string): SimRepo | undefined;
  repoByNodeId(id: string): SimRepo | undefined;
  org(login: string): SimOrg | undefined;
  orgRepos(login: string): SimRepo[];
  content(repo: SimRepo): RepoContent | undefined;
}

export interface GraphqlBucket {
  limit: number;
  used: number;
  resetAt: number;
}

export interface GraphqlOutcome {
  body: { data?: unknown; errors?: unknown[] };
  /** Points charged (0 for invalid documents and dry runs). */
  cost: number;
  rateLimited: boolean;
}

/** An error GitHub reports with a `type` (NOT_FOUND, FORBIDDEN, ...). */
class TypedError extends Error {
  constructor(readonly ghType: string, message: string) {
    super(message);
  }
}

const NODE_LIMIT = 500_000;
const docCache = new Map<string, { doc?: DocumentNode; errors?: unknown[] }>();

function prepared(query: string): { doc?: DocumentNode; errors?: unknown[] } {
  let entry = docCache.get(query);
  if (entry) return entry;
  try {
    const doc = parse(query);
    const errors = validate(githubSchema(), doc);
    entry = errors.length > 0 ? { errors: errors.map((e) => ({ message: e.message, locations: e.locations })) } : { doc };
  } catch (err) {
    const e = err as GraphQLError;
    entry = { errors: [{ message: e.message, locations: e.locations }] };
  }
  if (docCache.size > 500) docCache.clear();
  docCache.set(query, entry);
  return entry;
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

interface ConnArgs {
  first?: number;
  last?: number;
  after?: string;
}

function connection<T>(items: readonly T[], args: ConnArgs) {
  const start = args.after ? Number(Buffer.from(args.after, 'base64').toString().replace(/^cursor:/, '')) + 1 : 0;
  const count = args.first ?? args.last ?? 100;
  if (count < 0 || count > 100) throw new TypedError('EXCESSIVE_PAGINATION', `Requesting ${count} records on the connection exceeds the \`first\` limit of 100 records.`);
  const page = args.last !== undefined && args.first === undefined ? items.slice(Math.max(0, items.length - count)) : items.slice(start, start + count);
  const cursor = (i: number) => b64(`cursor:${start + i}`);
  return {
    totalCount: items.length,
    nodes: page,
    edges: page.map((node, i) => ({ node, cursor: cursor(i) })),
    pageInfo: {
      hasNextPage: start + page.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length > 0 ? cursor(0) : null,
      endCursor: page.length > 0 ? cursor(page.length - 1) : null,
    },
  };
}

function isBinary(data: Buffer): boolean {
  if (data.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return false;
  } catch {
    return true;
  }
}

/** GraphQL objects for one repository; fields are computed only when selected. */
export class RepoResolver {
  constructor(private readonly b: GraphqlBackend, private readonly r: SimRepo) {}

  private content(): RepoContent | undefined {
    return this.b.content(this.r);
  }

  gitObject(sha: string): Record<string, unknown> | null {
    const c = this.content();
    const obj = c?.git.get(sha);
    return obj ? this.wrap(sha, obj) : null;
  }

  private wrap(sha: string, obj: GitObject): Record<string, unknown> {
    const r = this.r;
    const common = {
      oid: sha, abbreviatedOid: sha.slice(0, 7), id: `GO_${sha}`,
      commitUrl: `${WEB}/${r.owner}/${r.name}/commit/${sha}`, commitResourcePath: `/${r.owner}/${r.name}/commit/${sha}`,
    };
    if (obj.type === 'blob') {
      const binary = isBinary(obj.data);
      return { __typename: 'Blob', ...common, byteSize: obj.data.length, isBinary: binary, isTruncated: false, text: binary ? null : obj.data.toString('utf8') };
    }
    if (obj.type === 'tree') {
      return {
        __typename: 'Tree', ...common,
        entries: () => obj.entries.map((e) => this.treeEntry(e.name, e.name, e.mode, e.type, e.sha)),
      };
    }
    return {
      __typename: 'Commit', ...common,
      message: obj.message, messageHeadline: obj.message.split('\n')[0],
      committedDate: obj.committer.date, authoredDate: obj.author.date,
      tree: () => this.gitObject(obj.tree),
      file: ({ path }: { path: string }) => {
        const e = this.content()?.git.lookup(obj.tree, path);
        if (!e || path.replace(/^\/+|\/+$/g, '') === '') return null;
        return this.treeEntry(e.name, path.replace(/^\/+|\/+$/g, ''), e.mode, e.type, e.sha);
      },
      parents: (args: ConnArgs) => connection(obj.parents.map((p) => this.gitObject(p)), args),
    };
  }

  private treeEntry(name: string, path: string, mode: string, type: string, sha: string) {
    return {
      name, path, type, mode: parseInt(mode, 8), oid: sha, isGenerated: false, nameRaw: b64(name), pathRaw: b64(path),
      extension: name.includes('.') ? name.slice(name.lastIndexOf('.')) : null,
      size: () => {
        const o = this.content()?.git.get(sha);
        return o?.type === 'blob' ? o.data.length : 0;
      },
      object: () => this.gitObject(sha),
    };
  }

  /** A revision (`HEAD`, branch, tag, full commit id) to a commit id. */
  resolveRev(rev: string): string | undefined {
    const c = this.content();
    if (!c) return undefined;
    if (rev === 'HEAD') return c.refs.get(`refs/heads/${this.r.defaultBranch}`);
    if (/^[0-9a-f]{40}$/.test(rev) && c.git.get(rev)) return rev;
    return c.refs.get(rev) ?? c.refs.get(`refs/heads/${rev}`) ?? c.refs.get(`refs/tags/${rev}`);
  }

  private ref(name: string) {
    const sha = this.content()?.refs.get(`refs/heads/${name}`);
    if (!sha) return null;
    return {
      __typename: 'Ref', id: `REF_${this.r.id}_${name}`, name, prefix: 'refs/heads/',
      target: () => this.gitObject(sha),
      branchProtectionRule: () => this.protectionRule(name),
    };
  }

  private protectionRule(branch: string) {
    const p = this.r.protection.get(branch);
    if (!p) return null;
    return {
      id: `BPR_${this.r.id}_${branch}`, databaseId: this.r.id * 10, pattern: branch,
      isAdminEnforced: p.enforceAdmins, requiresApprovingReviews: p.requiredApprovingReviewCount !== null,
      requiredApprovingReviewCount: p.requiredApprovingReviewCount, requiresCodeOwnerReviews: p.requireCodeOwnerReviews,
      dismissesStaleReviews: p.dismissStaleReviews, requireLastPushApproval: p.requireLastPushApproval,
      requiresStatusChecks: p.requiredStatusChecks.length > 0,
      requiredStatusChecks: p.requiredStatusChecks.map((context) => ({ context, app: null })),
      requiresStrictStatusChecks: false, requiresCommitSignatures: false, requiresLinearHistory: false,
      allowsForcePushes: p.allowForcePushes, allowsDeletions: p.allowDeletions, restrictsPushes: false, lockBranch: false,
      requiresDeployments: false, requiredDeploymentEnvironments: [], requiresConversationResolution: false,
      blocksCreations: false, lockAllowsFetchAndMerge: false, restrictsReviewDismissals: false,
      bypassPullRequestAllowances: (args: ConnArgs) => connection([], args),
      bypassForcePushAllowances: (args: ConnArgs) => connection([], args),
    };
  }

  private ruleset(s: SimRuleset) {
    const r = this.r;
    return {
      id: `RRS_${s.id}`, databaseId: s.id, name: s.name, enforcement: s.enforcement.toUpperCase(), target: s.target.toUpperCase(),
      createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
      source: s.sourceType === 'Organization' ? { __typename: 'Organization', login: r.owner } : { __typename: 'Repository', nameWithOwner: `${r.owner}/${r.name}` },
      conditions: { refName: { include: s.include, exclude: s.exclude }, repositoryId: null, repositoryName: null, repositoryProperty: null },
      bypassActors: (args: ConnArgs) =>
        connection(
          s.bypassActors.map((a, i) => ({
            id: `RRSBA_${s.id}_${i}`, bypassMode: a.bypass_mode.toUpperCase(), organizationAdmin: a.actor_type === 'OrganizationAdmin',
            deployKey: a.actor_type === 'DeployKey', enterpriseOwner: false,
            repositoryRoleDatabaseId: a.actor_type === 'RepositoryRole' ? a.actor_id : null,
            repositoryRoleName: a.actor_type === 'RepositoryRole' ? (a.actor_id === 5 ? 'admin' : 'maintain') : null,
            actor: a.actor_type === 'Integration' ? { __typename: 'App', databaseId: a.actor_id, slug: `app-${a.actor_id}` }
              : a.actor_type === 'Team' ? { __typename: 'Team', databaseId: a.actor_id, slug: `team-${a.actor_id}` } : null,
          })),
          args,
        ),
      rules: (args: ConnArgs) =>
        connection(
          s.rules.map((rule, i) => ({ id: `RR_${s.id}_${i}`, databaseId: s.id * 100 + i, type: rule.type.toUpperCase(), parameters: ruleParameters(rule) })),
          args,
        ),
    };
  }

  private environment(e: SimRepo['environments'][number]) {
    const rules: Record<string, unknown>[] = [];
    if (e.reviewers.length > 0) {
      rules.push({
        databaseId: e.id * 10 + 1, type: 'REQUIRED_REVIEWERS', timeout: 0, preventSelfReview: e.preventSelfReview,
        reviewers: (args: ConnArgs) =>
          connection(e.reviewers.map((rv) => (rv.type === 'User' ? { __typename: 'User', login: rv.login } : { __typename: 'Team', slug: rv.login, combinedSlug: `${this.r.owner}/${rv.login}` })), args),
      });
    }
    if (e.waitTimer > 0) rules.push({ databaseId: e.id * 10 + 2, type: 'WAIT_TIMER', timeout: e.waitTimer, preventSelfReview: null, reviewers: (a: ConnArgs) => connection([], a) });
    if (e.branchPolicy) rules.push({ databaseId: e.id * 10 + 3, type: 'BRANCH_POLICY', timeout: 0, preventSelfReview: null, reviewers: (a: ConnArgs) => connection([], a) });
    return { id: `EN_${e.id}`, databaseId: e.id, name: e.name, isPinned: false, pinnedPosition: null, protectionRules: (args: ConnArgs) => connection(rules, args) };
  }

  node(): Record<string, unknown> {
    const r = this.r;
    const org = this.b.org(r.owner);
    return {
      __typename: 'Repository', id: r.nodeId, databaseId: r.id, name: r.name, nameWithOwner: `${r.owner}/${r.name}`,
      url: `${WEB}/${r.owner}/${r.name}`, isArchived: r.archived, isFork: r.fork, isPrivate: r.visibility !== 'public',
      isDisabled: false, isEmpty: () => !this.content(), isLocked: false, isTemplate: false, description: r.description,
      visibility: r.visibility.toUpperCase(), createdAt: r.createdAt, pushedAt: r.createdAt, updatedAt: r.createdAt,
      owner: { __typename: 'Organization', login: r.owner, id: `O_${org?.id ?? 0}`, url: `${WEB}/${r.owner}` },
      planFeatures: { codeowners: true, draftPullRequests: true, maximumAssignees: 10, maximumManualReviewRequests: 15, teamReviewRequests: true },
      defaultBranchRef: () => this.ref(r.defaultBranch),
      ref: ({ qualifiedName }: { qualifiedName: string }) => this.ref(qualifiedName.replace(/^refs\/heads\//, '')),
      branchProtectionRules: (args: ConnArgs) => connection([...r.protection.keys()].map((b) => this.protectionRule(b)), args),
      rulesets: (args: ConnArgs & { includeParents?: boolean }) => {
        const all = [...r.rulesets, ...(args.includeParents === false ? [] : (org?.rulesets ?? []))];
        return connection(all.map((s) => this.ruleset(s)), args);
      },
      environments: (args: ConnArgs) => connection(r.environments.map((e) => this.environment(e)), args),
      object: ({ oid, expression }: { oid?: string; expression?: string }) => {
        if (oid) return this.gitObject(oid);
        if (!expression) return null;
        const colon = expression.indexOf(':');
        const rev = colon < 0 ? expression : expression.slice(0, colon);
        const sha = this.resolveRev(rev);
        if (!sha) return null;
        if (colon < 0) return this.gitObject(sha);
        const commit = this.content()?.git.get(sha);
        if (commit?.type !== 'commit') return null;
        const e = this.content()?.git.lookup(commit.tree, expression.slice(colon + 1));
        return e ? this.gitObject(e.sha) : null;
      },
    };
  }
}

function ruleParameters(rule: { type: string; parameters?: Record<string, unknown> }): Record<string, unknown> | null {
  const p = rule.parameters ?? {};
  switch (rule.type) {
    case 'pull_request':
      return {
        __typename: 'PullRequestParameters', requiredApprovingReviewCount: p.required_approving_review_count ?? 0,
        requireCodeOwnerReview: p.require_code_owner_review ?? false, dismissStaleReviewsOnPush: p.dismiss_stale_reviews_on_push ?? false,
        requireLastPushApproval: p.require_last_push_approval ?? false, requiredReviewThreadResolution: p.required_review_thread_resolution ?? false,
        automaticCopilotCodeReviewEnabled: false, allowedMergeMethods: null, requiredReviewers: null,
      };
    case 'required_status_checks':
      return {
        __typename: 'RequiredStatusChecksParameters', strictRequiredStatusChecksPolicy: p.strict_required_status_checks_policy ?? false,
        doNotEnforceOnCreate: false,
        requiredStatusChecks: ((p.required_status_checks as { context: string; integration_id?: number }[] | undefined) ?? []).map((c) => ({ context: c.context, integrationId: c.integration_id ?? null })),
      };
    default:
      return null;
  }
}

export function runGraphql(
  b: GraphqlBackend,
  body: { query?: unknown; variables?: unknown },
  bucket: GraphqlBucket,
): GraphqlOutcome {
  if (typeof body.query !== 'string') return { body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }, cost: 0, rateLimited: false };
  const prep = prepared(body.query);
  if (!prep.doc) return { body: { errors: prep.errors }, cost: 0, rateLimited: false };
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  const { points, nodes } = graphqlCost(prep.doc, variables);
  if (nodes > NODE_LIMIT) {
    return { body: { errors: [{ type: 'MAX_NODE_LIMIT_EXCEEDED', message: `This query requests up to ${nodes} possible nodes which exceeds the maximum limit of ${NODE_LIMIT}.` }] }, cost: 0, rateLimited: false };
  }
  const dryRun = /rateLimit\s*\(\s*dryRun\s*:\s*true/.test(body.query);
  if (!dryRun && bucket.used + points > bucket.limit) {
    return { body: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.' }] }, cost: 0, rateLimited: true };
  }
  const cost = dryRun ? 0 : points;
  bucket.used += cost;
  const root = {
    rateLimit: () => ({ cost: points, limit: bucket.limit, remaining: Math.max(0, bucket.limit - bucket.used), used: bucket.used, resetAt: new Date(bucket.resetAt * 1000).toISOString(), nodeCount: nodes }),
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const r = b.repo(owner, name);
      if (!r) throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return new RepoResolver(b, r).node();
    },
    organization: ({ login }: { login: string }) => {
      const o = b.org(login);
      if (!o) throw new TypedError('NOT_FOUND', `Could not resolve to an Organization with the login of '${login}'.`);
      return {
        __typename: 'Organization', id: `O_${o.id}`, databaseId: o.id, login: o.login, name: o.login, url: `${WEB}/${o.login}`,
        repositories: (args: ConnArgs) => connection(b.orgRepos(login).map((r) => new RepoResolver(b, r).node()), args),
      };
    },
    nodes: ({ ids }: { ids: string[] }) => {
      if (ids.length > 100) throw new TypedError('EXCESSIVE_PAGINATION', 'You may not request more than 100 node ids at once.');
      return ids.map((id) => {
        const r = b.repoByNodeId(id);
        return r ? new RepoResolver(b, r).node() : null;
      });
    },
    node: ({ id }: { id: string }) => {
      const r = b.repoByNodeId(id);
      return r ? new RepoResolver(b, r).node() : null;
    },
  };
  const result = execute({ schema: githubSchema(), document: prep.doc, rootValue: root, variableValues: variables }) as { data?: unknown; errors?: readonly GraphQLError[] };
  if (result instanceof Promise) throw new Error('resolvers are synchronous');
  const out: GraphqlOutcome['body'] = { data: result.data ?? null };
  if (result.errors?.length) {
    out.errors = result.errors.map((e) => {
      const typed = e.originalError instanceof TypedError ? e.originalError : undefined;
      return { ...(typed ? { type: typed.ghType } : {}), path: e.path, locations: e.locations, message: e.message };
    });
  }
  return { body: out, cost, rateLimited: false };
}
