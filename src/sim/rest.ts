/**
 * The simulator's REST routes: GitHub's templates, status codes and reply shapes (shapes.ts).
 * Reads cover everything src/collect reads; writes cover check runs, issues, labels, pull requests,
 * git data and the repository settings enforcement changes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GitMode } from './git.js';
import * as shape from './shapes.js';
import type { GitHubSimulator } from './server.js';
import type { SimIssue, SimRepo, SimRuleset } from './state.js';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token: string;
  headers: IncomingHttpHeaders;
  url: URL;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** A text body (raw media type) instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  handler: (ctx: RouteContext) => RouteResult;
}

const DOCS = 'https://docs.github.com/rest';
const notFound = (message = 'Not Found'): RouteResult => ({ status: 404, body: { message, documentation_url: DOCS } });
const invalid = (message: string): RouteResult => ({ status: 422, body: { message, documentation_url: DOCS } });
const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

/** Parameters that may contain '/' (sent percent-encoded by Octokit, or raw). */
const GREEDY = new Set(['path', 'ref']);

function compile(method: string, template: string, handler: Route['handler']): Route {
  const names: string[] = [];
  const pattern = template.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, n: string) => {
    names.push(n);
    return GREEDY.has(n) ? '(.+)' : '([^/]+)';
  });
  return { method, template, regex: new RegExp(`^${pattern}/?$`), names, handler };
}

function page<T>(ctx: RouteContext, items: readonly T[], defaultPer = 30): { items: T[]; headers: Record<string, string> } {
  const per = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? defaultPer)));
  const p = Math.max(1, Number(ctx.query.get('page') ?? 1));
  const last = Math.max(1, Math.ceil(items.length / per));
  const link = (n: number) => {
    const u = new URL(ctx.url.toString());
    u.searchParams.set('per_page', String(per));
    u.searchParams.set('page', String(n));
    return `<${u.toString()}>`;
  };
  const rels: string[] = [];
  if (p > 1) rels.push(`${link(p - 1)}; rel="prev"`, `${link(1)}; rel="first"`);
  if (p < last) rels.push(`${link(p + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  return { items: items.slice((p - 1) * per, p * per), headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GitHub's ruleset matching: ~DEFAULT_BRANCH, ~ALL, fnmatch globs on full ref names. */
function refMatches(patterns: string[], repo: SimRepo, branch: string): boolean {
  const ref = `refs/heads/${branch}`;
  return patterns.some((p) => {
    if (p === '~ALL') return true;
    if (p === '~DEFAULT_BRANCH') return branch === repo.defaultBranch;
    const full = p.startsWith('refs/') ? p : `refs/heads/${p}`;
    const re = new RegExp(`^${full.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*').replace(/\?/g, '[^/]')}$`);
    return re.test(ref);
  });
}

type ForkPrivate = { run: boolean; writeTokens: boolean; secrets: boolean; requireApproval: boolean };

function forkPrivateBody(f: ForkPrivate) {
  return { run_workflows_from_fork_pull_requests: f.run, send_write_tokens_to_workflows: f.writeTokens, send_secrets_and_variables: f.secrets, require_approval_for_fork_pr_workflows: f.requireApproval };
}

function forkPrivateFrom(b: Record<string, unknown>, old: ForkPrivate): ForkPrivate {
  const bool = (k: string, d: boolean) => (typeof b[k] === 'boolean' ? (b[k] as boolean) : d);
  return { run: bool('run_workflows_from_fork_pull_requests', old.run), writeTokens: bool('send_write_tokens_to_workflows', old.writeTokens), secrets: bool('send_secrets_and_variables', old.secrets), requireApproval: bool('require_approval_for_fork_pr_workflows', old.requireApproval) };
}

/** The workflow-token default, as an organisation and a repository both hold it. */
type WorkflowDefault = { defaultWorkflowPermissions: 'read' | 'write'; canApprovePullRequestReviews: boolean };

function workflowBody(a: WorkflowDefault) {
  return { default_workflow_permissions: a.defaultWorkflowPermissions, can_approve_pull_request_reviews: a.canApprovePullRequestReviews };
}

/** `PUT …/actions/permissions/workflow` (organisation or repository): updates `a` in place. */
function putWorkflow(body: Record<string, unknown>, a: WorkflowDefault): RouteResult {
  const d = body.default_workflow_permissions;
  if (d !== undefined && d !== 'read' && d !== 'write') return invalid('Invalid request.');
  if (d) a.defaultWorkflowPermissions = d;
  if (typeof body.can_approve_pull_request_reviews === 'boolean') a.canApprovePullRequestReviews = body.can_approve_pull_request_reviews;
  return { status: 204 };
}

export function restRoutes(sim: GitHubSimulator): Route[] {
  const api = () => sim.url;
  const ownerId = (login: string) => sim.org(login)?.id ?? shape.userId(login);
  const R: Route[] = [];
  const on = (method: string, template: string, handler: Route['handler']) => R.push(compile(method, template, handler));
  /** Handler that needs the repository (404 otherwise). */
  const repoRoute = (method: string, template: string, handler: (ctx: RouteContext, r: SimRepo) => RouteResult) =>
    on(method, template, (ctx) => {
      const r = sim.repo(ctx.params.owner, ctx.params.repo);
      return r ? handler(ctx, r) : notFound();
    });
  const appOf = (ctx: RouteContext) => {
    const inst = sim.installationFor(ctx.token);
    return inst ? shape.integration(api(), inst, ownerId(inst.account)) : null;
  };
  const botLogin = (ctx: RouteContext) => `${sim.installationFor(ctx.token)?.appSlug ?? 'pipeline-guard'}[bot]`;
  const commitOf = (r: SimRepo, ref: string) => sim.content(r)?.refs.get(ref.startsWith('refs/') ? ref : `refs/heads/${ref}`);

  // ---- apps and installations ---------------------------------------------------------------
  on('GET', '/app/installations', () => ok([...sim.installations.values()].map((i) => shape.installation(api(), i, ownerId(i.account)))));
  on('POST', '/app/installations/{installation_id}/access_tokens', (ctx) => {
    const inst = sim.installations.get(Number(ctx.params.installation_id));
    if (!inst) return notFound();
    const token = `ghs_sim${inst.id}x${sim.newId()}`;
    sim.tokens.set(token, inst.id);
    return ok({ token, expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: { contents: 'write', metadata: 'read' }, repository_selection: 'selected' }, 201);
  });
  on('GET', '/installation/repositories', (ctx) => {
    const inst = sim.installationFor(ctx.token);
    if (!inst) return notFound();
    const repos = inst.repositories.map((n) => sim.repo(...(n.split('/') as [string, string]))).filter((r): r is SimRepo => r !== undefined);
    const p = page(ctx, repos);
    return { status: 200, body: { total_count: repos.length, repository_selection: 'selected', repositories: p.items.map((r) => shape.repository(api(), r, ownerId(r.owner))) }, headers: p.headers };
  });
  on('GET', '/rate_limit', (ctx) => {
    const core = sim.bucket(ctx.token, 'core');
    const gql = sim.bucket(ctx.token, 'graphql');
    const view = (b: typeof core) => ({ limit: b.limit, used: b.used, remaining: Math.max(0, b.limit - b.used), reset: b.resetAt });
    return ok({ resources: { core: view(core), graphql: view(gql), search: { limit: 30, used: 0, remaining: 30, reset: core.resetAt } }, rate: view(core) });
  });

  // ---- organisations ------------------------------------------------------------------------
  const orgRoute = (method: string, template: string, handler: (ctx: RouteContext, o: NonNullable<ReturnType<typeof sim.org>>) => RouteResult) =>
    on(method, template, (ctx) => {
      const o = sim.org(ctx.params.org);
      return o ? handler(ctx, o) : notFound();
    });
  orgRoute('GET', '/orgs/{org}/memberships/{username}', (ctx, o) => {
    const role = o.members.get(ctx.params.username);
    if (!role) return notFound();
    return ok({
      url: `${api()}/orgs/${o.login}/memberships/${ctx.params.username}`, state: 'active', role,
      organization_url: `${api()}/orgs/${o.login}`,
      organization: { login: o.login, id: o.id, node_id: `O_${o.id}`, url: `${api()}/orgs/${o.login}`, repos_url: `${api()}/orgs/${o.login}/repos`, events_url: `${api()}/orgs/${o.login}/events`, hooks_url: `${api()}/orgs/${o.login}/hooks`, issues_url: `${api()}/orgs/${o.login}/issues`, members_url: `${api()}/orgs/${o.login}/members{/member}`, public_members_url: `${api()}/orgs/${o.login}/public_members{/member}`, avatar_url: `https://avatars.githubusercontent.com/u/${o.id}`, description: null },
      user: shape.simpleUser(api(), ctx.params.username, shape.userId(ctx.params.username)),
    });
  });
  orgRoute('GET', '/orgs/{org}/actions/permissions', (_c, o) => ok({ enabled_repositories: o.actions.enabledRepositories, allowed_actions: o.actions.allowedActions, sha_pinning_required: o.actions.shaPinningRequired }));
  orgRoute('GET', '/orgs/{org}/actions/permissions/workflow', (_c, o) => ok(workflowBody(o.actions)));
  orgRoute('PUT', '/orgs/{org}/actions/permissions/workflow', (ctx, o) => putWorkflow(ctx.body, o.actions));
  orgRoute('GET', '/orgs/{org}/actions/secrets', (ctx, o) => {
    const p = page(ctx, o.secrets);
    return { status: 200, body: { total_count: o.secrets.length, secrets: p.items.map(({ selectedRepositories: _s, ...s }) => ({ ...s, ...(s.visibility === 'selected' ? { selected_repositories_url: `${api()}/orgs/${o.login}/actions/secrets/${s.name}/repositories` } : {}) })) }, headers: p.headers };
  });
  orgRoute('GET', '/orgs/{org}/actions/permissions/fork-pr-contributor-approval', (_c, o) => ok({ approval_policy: o.forkPrApproval ?? 'first_time_contributors' }));
  orgRoute('PUT', '/orgs/{org}/actions/permissions/fork-pr-contributor-approval', (ctx, o) => {
    const p = ctx.body.approval_policy;
    if (p !== 'first_time_contributors_new_to_github' && p !== 'first_time_contributors' && p !== 'all_external_contributors') return invalid('Invalid request.');
    o.forkPrApproval = p;
    return { status: 204 };
  });
  orgRoute('GET', '/orgs/{org}/actions/permissions/fork-pr-workflows-private-repos', (_c, o) => ok(forkPrivateBody(o.forkPrPrivate)));
  orgRoute('PUT', '/orgs/{org}/actions/permissions/fork-pr-workflows-private-repos', (ctx, o) => {
    const b = ctx.body;
    if (typeof b.run_workflows_from_fork_pull_requests !== 'boolean') return invalid('Invalid request.');
    o.forkPrPrivate = forkPrivateFrom(b, o.forkPrPrivate);
    return { status: 204 };
  });
  orgRoute('GET', '/orgs/{org}/actions/secrets/{secret_name}/repositories', (ctx, o) => {
    const s = o.secrets.find((x) => x.name === ctx.params.secret_name);
    if (!s || s.visibility !== 'selected') return notFound();
    const repos = (s.selectedRepositories ?? []).map((n) => sim.repo(o.login, n)).filter((r): r is SimRepo => r !== undefined);
    const p = page(ctx, repos);
    return { status: 200, body: { total_count: repos.length, repositories: p.items.map((r) => shape.repository(api(), r, o.id)) }, headers: p.headers };
  });
  orgRoute('GET', '/orgs/{org}/actions/runner-groups', () => ok({ total_count: 0, runner_groups: [] }));
  orgRoute('GET', '/orgs/{org}/rulesets', (_c, o) => ok(o.rulesets.map((s) => { const { conditions: _x, rules: _y, bypass_actors: _z, ...rest } = shape.ruleset(api(), undefined, o.login, s); return rest; })));

  // ---- repository -----------------------------------------------------------------------------
  repoRoute('GET', '/repos/{owner}/{repo}', (_c, r) => ok(shape.fullRepository(api(), r, ownerId(r.owner))));
  repoRoute('GET', '/repos/{owner}/{repo}/actions/permissions', (_c, r) => ok({
    enabled: r.actions.enabled, allowed_actions: r.actions.allowedActions, sha_pinning_required: r.actions.shaPinningRequired,
    ...(r.actions.allowedActions === 'selected' ? { selected_actions_url: `${api()}/repos/${r.owner}/${r.name}/actions/permissions/selected-actions` } : {}),
  }));
  repoRoute('GET', '/repos/{owner}/{repo}/actions/permissions/workflow', (_c, r) => ok(workflowBody(r.actions)));
  repoRoute('PUT', '/repos/{owner}/{repo}/actions/permissions/workflow', (ctx, r) => putWorkflow(ctx.body, r.actions));
  repoRoute('GET', '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', (_c, r) =>
    r.visibility === 'public' ? ok({ approval_policy: r.actions.forkPrApproval }) : invalid('This setting applies to public repositories only.'));
  repoRoute('PUT', '/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', (ctx, r) => {
    const p = ctx.body.approval_policy;
    if (p !== 'first_time_contributors_new_to_github' && p !== 'first_time_contributors' && p !== 'all_external_contributors') return invalid('Invalid request.');
    r.actions.forkPrApproval = p;
    return { status: 204 };
  });
  repoRoute('GET', '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos', (_c, r) =>
    r.visibility === 'public' ? invalid('This setting applies to private repositories only.') : ok(forkPrivateBody(r.actions.forkPrPrivate)));
  repoRoute('PUT', '/repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos', (ctx, r) => {
    if (r.visibility === 'public') return invalid('This setting applies to private repositories only.');
    if (typeof ctx.body.run_workflows_from_fork_pull_requests !== 'boolean') return invalid('Invalid request.');
    r.actions.forkPrPrivate = forkPrivateFrom(ctx.body, r.actions.forkPrPrivate);
    return { status: 204 };
  });
  repoRoute('PUT', '/repos/{owner}/{repo}/actions/permissions', (ctx, r) => {
    const b = ctx.body as { enabled?: unknown; allowed_actions?: unknown; sha_pinning_required?: unknown };
    if (typeof b.enabled !== 'boolean') return invalid('Invalid request.');
    r.actions.enabled = b.enabled;
    if (b.allowed_actions === 'all' || b.allowed_actions === 'local_only' || b.allowed_actions === 'selected') r.actions.allowedActions = b.allowed_actions;
    if (typeof b.sha_pinning_required === 'boolean') r.actions.shaPinningRequired = b.sha_pinning_required;
    return { status: 204 };
  });
  repoRoute('GET', '/repos/{owner}/{repo}/actions/secrets', (ctx, r) => {
    const p = page(ctx, r.secrets);
    return { status: 200, body: { total_count: r.secrets.length, secrets: p.items }, headers: p.headers };
  });
  repoRoute('GET', '/repos/{owner}/{repo}/actions/organization-secrets', (ctx, r) => {
    const org = sim.org(r.owner);
    const visible = (org?.secrets ?? []).filter((s) => s.visibility === 'all' || (s.visibility === 'private' && r.visibility !== 'public') || (s.visibility === 'selected' && (s.selectedRepositories ?? []).includes(r.name)));
    const p = page(ctx, visible);
    return { status: 200, body: { total_count: visible.length, secrets: p.items.map((s) => ({ name: s.name, created_at: s.created_at, updated_at: s.updated_at })) }, headers: p.headers };
  });
  repoRoute('GET', '/repos/{owner}/{repo}/actions/runners', (_c, r) => ok({
    total_count: r.runners,
    runners: Array.from({ length: r.runners }, (_x, i) => ({ id: r.id * 100 + i, name: `gpu-${i}`, os: 'linux', status: 'online', busy: false, ephemeral: false, labels: [{ id: 1, name: 'self-hosted', type: 'read-only' }, { id: 2, name: 'gpu', type: 'custom' }] })),
  }));
  repoRoute('GET', '/repos/{owner}/{repo}/branches/{branch}/protection', (ctx, r) => {
    const p = r.protection.get(ctx.params.branch);
    if (!p) return notFound('Branch not protected');
    const u = `${api()}/repos/${r.owner}/${r.name}/branches/${encodeURIComponent(ctx.params.branch)}/protection`;
    return ok({
      url: u,
      ...(p.requiredStatusChecks.length > 0 ? { required_status_checks: { url: `${u}/required_status_checks`, strict: false, contexts: p.requiredStatusChecks, contexts_url: `${u}/required_status_checks/contexts`, checks: p.requiredStatusChecks.map((context) => ({ context, app_id: null })) } } : {}),
      ...(p.requiredApprovingReviewCount !== null ? { required_pull_request_reviews: { url: `${u}/required_pull_request_reviews`, dismiss_stale_reviews: p.dismissStaleReviews, require_code_owner_reviews: p.requireCodeOwnerReviews, required_approving_review_count: p.requiredApprovingReviewCount, require_last_push_approval: p.requireLastPushApproval } } : {}),
      enforce_admins: { url: `${u}/enforce_admins`, enabled: p.enforceAdmins },
      required_linear_history: { enabled: false }, allow_force_pushes: { enabled: p.allowForcePushes }, allow_deletions: { enabled: p.allowDeletions },
      required_conversation_resolution: { enabled: false }, lock_branch: { enabled: false }, allow_fork_syncing: { enabled: false },
      required_signatures: { url: `${u}/required_signatures`, enabled: false },
    });
  });
  repoRoute('GET', '/repos/{owner}/{repo}/rules/branches/{branch}', (ctx, r) => {
    const org = sim.org(r.owner);
    const out: unknown[] = [];
    const add = (s: SimRuleset) => {
      if (s.enforcement !== 'active' || s.target !== 'branch') return;
      if (!refMatches(s.include, r, ctx.params.branch) || refMatches(s.exclude, r, ctx.params.branch)) return;
      for (const rule of s.rules) {
        out.push({ type: rule.type, ...(rule.parameters ? { parameters: rule.parameters } : {}), ruleset_source_type: s.sourceType, ruleset_source: s.sourceType === 'Organization' ? r.owner : `${r.owner}/${r.name}`, ruleset_id: s.id });
      }
    };
    r.rulesets.forEach(add);
    org?.rulesets.forEach(add);
    return ok(page(ctx, out).items);
  });
  repoRoute('GET', '/repos/{owner}/{repo}/rulesets', (ctx, r) => {
    const parents = ctx.query.get('includes_parents') !== 'false' ? (sim.org(r.owner)?.rulesets ?? []) : [];
    return ok([...r.rulesets, ...parents].map((s) => { const { conditions: _x, rules: _y, bypass_actors: _z, ...rest } = shape.ruleset(api(), r, r.owner, s); return rest; }));
  });
  repoRoute('GET', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', (ctx, r) => {
    const s = [...r.rulesets, ...(sim.org(r.owner)?.rulesets ?? [])].find((x) => x.id === Number(ctx.params.ruleset_id));
    return s ? ok(shape.ruleset(api(), r, r.owner, s)) : notFound();
  });
  repoRoute('POST', '/repos/{owner}/{repo}/rulesets', (ctx, r) => {
    const b = ctx.body as { name?: string; target?: SimRuleset['target']; enforcement?: SimRuleset['enforcement']; bypass_actors?: SimRuleset['bypassActors']; conditions?: { ref_name?: { include?: string[]; exclude?: string[] } }; rules?: SimRuleset['rules'] };
    if (!b.name || !b.enforcement) return invalid('Invalid request.');
    const s: SimRuleset = { id: sim.newId(), name: b.name, target: b.target ?? 'branch', enforcement: b.enforcement, sourceType: 'Repository', include: b.conditions?.ref_name?.include ?? [], exclude: b.conditions?.ref_name?.exclude ?? [], bypassActors: b.bypass_actors ?? [], rules: b.rules ?? [] };
    r.rulesets.push(s);
    return ok(shape.ruleset(api(), r, r.owner, s), 201);
  });

  // ---- environments -------------------------------------------------------------------------
  const envOf = (ctx: RouteContext, r: SimRepo) => r.environments.find((e) => e.name === ctx.params.environment_name);
  repoRoute('GET', '/repos/{owner}/{repo}/environments', (ctx, r) => {
    const p = page(ctx, r.environments);
    return { status: 200, body: { total_count: r.environments.length, environments: p.items.map((e) => shape.environment(api(), r, e)) }, headers: p.headers };
  });
  repoRoute('GET', '/repos/{owner}/{repo}/environments/{environment_name}', (ctx, r) => {
    const e = envOf(ctx, r);
    return e ? ok(shape.environment(api(), r, e)) : notFound();
  });
  repoRoute('PUT', '/repos/{owner}/{repo}/environments/{environment_name}', (ctx, r) => {
    const b = ctx.body as { wait_timer?: number; prevent_self_review?: boolean; reviewers?: { type: 'User' | 'Team'; id: number }[] | null; deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null };
    let e = envOf(ctx, r);
    if (!e) {
      e = { id: sim.newId(), name: ctx.params.environment_name, reviewers: [], preventSelfReview: false, waitTimer: 0, branchPolicy: null, branchPolicies: [], secrets: [], customRules: [] };
      r.environments.push(e);
    }
    if (b.wait_timer !== undefined) e.waitTimer = b.wait_timer;
    if (b.prevent_self_review !== undefined) e.preventSelfReview = b.prevent_self_review;
    if (b.reviewers !== undefined) e.reviewers = (b.reviewers ?? []).map((x) => ({ type: x.type, id: x.id, login: `${x.type.toLowerCase()}-${x.id}` }));
    if (b.deployment_branch_policy !== undefined) {
      const d = b.deployment_branch_policy;
      if (d && d.protected_branches === d.custom_branch_policies) return invalid('Exactly one of protected_branches and custom_branch_policies must be true.');
      e.branchPolicy = d ? { protectedBranches: d.protected_branches, customBranchPolicies: d.custom_branch_policies } : null;
    }
    return ok(shape.environment(api(), r, e));
  });
  repoRoute('GET', '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', (ctx, r) => {
    const e = envOf(ctx, r);
    if (!e) return notFound();
    return ok({ total_count: e.branchPolicies.length, branch_policies: e.branchPolicies.map((b) => ({ ...b, node_id: `P_${b.id}` })) });
  });
  repoRoute('GET', '/repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules', (ctx, r) => {
    const e = envOf(ctx, r);
    if (!e) return notFound();
    return ok({ total_count: e.customRules.length, custom_deployment_protection_rules: e.customRules.map((slug, i) => ({ id: e.id * 100 + i, node_id: `DPR_${e.id}${i}`, enabled: true, app: { id: 900 + i, node_id: `A_${900 + i}`, slug, integration_url: `${api()}/apps/${slug}` } })) });
  });
  repoRoute('GET', '/repos/{owner}/{repo}/environments/{environment_name}/secrets', (ctx, r) => {
    const e = envOf(ctx, r);
    if (!e) return notFound();
    return ok({ total_count: e.secrets.length, secrets: e.secrets.map((name) => ({ name, created_at: shape.EPOCH, updated_at: shape.EPOCH })) });
  });

  // ---- git data -----------------------------------------------------------------------------
  const gitCommit = (r: SimRepo, sha: string) => {
    const o = sim.content(r)?.git.get(sha);
    if (o?.type !== 'commit') return undefined;
    const u = `${api()}/repos/${r.owner}/${r.name}/git/commits/${sha}`;
    return {
      sha, node_id: `C_${sha}`, url: u, html_url: `${shape.WEB}/${r.owner}/${r.name}/commit/${sha}`, message: o.message,
      author: o.author, committer: o.committer, tree: { sha: o.tree, url: `${api()}/repos/${r.owner}/${r.name}/git/trees/${o.tree}` },
      parents: o.parents.map((p) => ({ sha: p, url: `${api()}/repos/${r.owner}/${r.name}/git/commits/${p}`, html_url: `${shape.WEB}/${r.owner}/${r.name}/commit/${p}` })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    };
  };
  const treeBody = (r: SimRepo, sha: string, recursive: boolean) => {
    const git = sim.content(r)?.git;
    if (git?.get(sha)?.type !== 'tree') return undefined;
    const base = `${api()}/repos/${r.owner}/${r.name}/git`;
    return {
      sha, url: `${base}/trees/${sha}`, truncated: false,
      tree: git.flatten(sha, recursive).map((e) => ({ path: e.path, mode: e.mode, type: e.type, sha: e.sha, ...(e.size !== undefined ? { size: e.size } : {}), url: `${base}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` })),
    };
  };
  const refBody = (r: SimRepo, ref: string, sha: string) => ({
    ref, node_id: `REF_${r.id}_${ref}`, url: `${api()}/repos/${r.owner}/${r.name}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api()}/repos/${r.owner}/${r.name}/git/commits/${sha}` },
  });
  repoRoute('GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}', (ctx, r) => {
    let sha = ctx.params.tree_sha;
    const c = sim.content(r);
    const commit = c?.git.get(sha);
    if (commit?.type === 'commit') sha = commit.tree;
    else if (c && !commit) {
      const head = commitOf(r, sha);
      const o = head ? c.git.get(head) : undefined;
      if (o?.type === 'commit') sha = o.tree;
    }
    const recursive = ctx.query.has('recursive') && !['0', 'false'].includes(ctx.query.get('recursive') ?? '');
    const t = treeBody(r, sha, recursive);
    return t ? ok(t) : notFound();
  });
  repoRoute('GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}', (ctx, r) => {
    const o = sim.content(r)?.git.get(ctx.params.file_sha);
    if (o?.type !== 'blob') return notFound();
    const sha = ctx.params.file_sha;
    return ok({ sha, node_id: `B_${sha}`, size: o.data.length, url: `${api()}/repos/${r.owner}/${r.name}/git/blobs/${sha}`, content: o.data.toString('base64'), encoding: 'base64' });
  });
  repoRoute('POST', '/repos/{owner}/{repo}/git/blobs', (ctx, r) => {
    const { content, encoding } = ctx.body as { content?: unknown; encoding?: unknown };
    if (typeof content !== 'string') return invalid('Invalid request.\n\n"content" wasn\'t supplied.');
    const data = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    const sha = sim.writableContent(r).git.writeBlob(data);
    return ok({ url: `${api()}/repos/${r.owner}/${r.name}/git/blobs/${sha}`, sha }, 201);
  });
  repoRoute('POST', '/repos/{owner}/{repo}/git/trees', (ctx, r) => {
    const b = ctx.body as { base_tree?: string; tree?: { path: string; mode: GitMode; type?: string; sha?: string | null; content?: string }[] };
    if (!Array.isArray(b.tree)) return invalid('Invalid tree info');
    const git = sim.writableContent(r).git;
    if (b.base_tree && git.get(b.base_tree)?.type !== 'tree') return invalid('Invalid tree info: base_tree is not a tree');
    const edits: { path: string; mode: GitMode; sha: string | null }[] = [];
    for (const e of b.tree) {
      if (e.content !== undefined) edits.push({ path: e.path, mode: e.mode, sha: git.writeBlob(Buffer.from(e.content, 'utf8')) });
      else if (e.sha === null) edits.push({ path: e.path, mode: e.mode, sha: null });
      else if (e.sha && git.get(e.sha)) edits.push({ path: e.path, mode: e.mode, sha: e.sha });
      else return invalid(`Invalid tree info: tree.sha ${String(e.sha)} wasn't found`);
    }
    const sha = git.editTree(b.base_tree, edits);
    return ok(treeBody(r, sha, false), 201);
  });
  repoRoute('GET', '/repos/{owner}/{repo}/git/commits/{commit_sha}', (ctx, r) => {
    const c = gitCommit(r, ctx.params.commit_sha);
    return c ? ok(c) : notFound();
  });
  repoRoute('POST', '/repos/{owner}/{repo}/git/commits', (ctx, r) => {
    const b = ctx.body as { message?: string; tree?: string; parents?: string[]; author?: { name: string; email: string; date?: string } };
    const git = sim.writableContent(r).git;
    if (typeof b.message !== 'string' || typeof b.tree !== 'string') return invalid('Invalid request.');
    if (git.get(b.tree)?.type !== 'tree') return invalid('Tree SHA does not exist');
    for (const p of b.parents ?? []) if (git.get(p)?.type !== 'commit') return invalid('Parent SHA does not exist or is not a commit object');
    const author = b.author ? { name: b.author.name, email: b.author.email, date: b.author.date ?? nowIso() } : { name: botLogin(ctx), email: 'bot@users.noreply.github.com', date: nowIso() };
    const sha = git.writeCommit({ tree: b.tree, parents: b.parents ?? [], message: b.message, author });
    return ok(gitCommit(r, sha), 201);
  });
  repoRoute('GET', '/repos/{owner}/{repo}/git/ref/{ref}', (ctx, r) => {
    const ref = `refs/${ctx.params.ref}`;
    const sha = sim.content(r)?.refs.get(ref);
    return sha ? ok(refBody(r, ref, sha)) : notFound();
  });
  repoRoute('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref}', (ctx, r) => {
    const prefix = `refs/${ctx.params.ref}`;
    return ok([...(sim.content(r)?.refs ?? [])].filter(([k]) => k.startsWith(prefix)).sort().map(([k, v]) => refBody(r, k, v)));
  });
  repoRoute('POST', '/repos/{owner}/{repo}/git/refs', (ctx, r) => {
    const { ref, sha } = ctx.body as { ref?: string; sha?: string };
    const c = sim.writableContent(r);
    if (typeof ref !== 'string' || !/^refs\/.+\/.+/.test(ref)) return invalid('Reference name must start with \'refs/\' and have at least two slashes.');
    if (typeof sha !== 'string' || c.git.get(sha)?.type !== 'commit') return invalid('Object does not exist');
    if (c.refs.has(ref)) return invalid('Reference already exists');
    c.refs.set(ref, sha);
    return ok(refBody(r, ref, sha), 201);
  });
  repoRoute('PATCH', '/repos/{owner}/{repo}/git/refs/{ref}', (ctx, r) => {
    const { sha, force } = ctx.body as { sha?: string; force?: boolean };
    const ref = `refs/${ctx.params.ref}`;
    const c = sim.writableContent(r);
    const old = c.refs.get(ref);
    if (!old) return invalid('Reference does not exist');
    if (typeof sha !== 'string' || c.git.get(sha)?.type !== 'commit') return invalid('Object does not exist');
    if (!force) {
      // Fast-forward only: the old head must be an ancestor of the new one.
      const seen = new Set<string>();
      const stack = [sha];
      let ff = false;
      while (stack.length > 0 && !ff) {
        const s = stack.pop() as string;
        if (s === old) ff = true;
        if (seen.has(s)) continue;
        seen.add(s);
        const o = c.git.get(s);
        if (o?.type === 'commit') stack.push(...o.parents);
      }
      if (!ff) return invalid('Update is not a fast forward');
    }
    c.refs.set(ref, sha);
    return ok(refBody(r, ref, sha));
  });
  repoRoute('DELETE', '/repos/{owner}/{repo}/git/refs/{ref}', (ctx, r) => {
    const c = sim.writableContent(r);
    return c.refs.delete(`refs/${ctx.params.ref}`) ? { status: 204 } : invalid('Reference does not exist');
  });
  repoRoute('GET', '/repos/{owner}/{repo}/contents/{path}', (ctx, r) => {
    const c = sim.content(r);
    const head = c ? commitOf(r, ctx.query.get('ref') ?? r.defaultBranch) ?? (c.git.get(ctx.query.get('ref') ?? '')?.type === 'commit' ? ctx.query.get('ref') ?? undefined : undefined) : undefined;
    const commit = head ? c?.git.get(head) : undefined;
    if (!c || commit?.type !== 'commit') return notFound();
    const path = ctx.params.path.replace(/^\/+|\/+$/g, '');
    const e = c.git.lookup(commit.tree, path);
    if (!e) return notFound();
    const base = `${api()}/repos/${r.owner}/${r.name}`;
    const entry = (p: string, sha: string, type: string, size: number) => {
      const self = `${base}/contents/${p}?ref=${ctx.query.get('ref') ?? r.defaultBranch}`;
      const html = `${shape.WEB}/${r.owner}/${r.name}/${type === 'dir' ? 'tree' : 'blob'}/${r.defaultBranch}/${p}`;
      const git = `${base}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
      return { type, size, name: p.split('/').pop() ?? p, path: p, sha, url: self, git_url: git, html_url: html, download_url: type === 'file' ? `https://raw.githubusercontent.com/${r.owner}/${r.name}/${r.defaultBranch}/${p}` : null, _links: { self, git, html } };
    };
    if (e.type === 'tree') {
      const t = c.git.get(e.sha);
      if (t?.type !== 'tree') return notFound();
      return ok(t.entries.map((x) => {
        const o = c.git.get(x.sha);
        return entry(`${path}/${x.name}`, x.sha, x.type === 'tree' ? 'dir' : 'file', o?.type === 'blob' ? o.data.length : 0);
      }));
    }
    const o = c.git.get(e.sha);
    if (o?.type !== 'blob') return notFound();
    if (/raw/.test(String(ctx.headers.accept ?? ''))) return { status: 200, raw: o.data.toString('utf8') };
    return ok({ ...entry(path, e.sha, 'file', o.data.length), encoding: 'base64', content: o.data.toString('base64').replace(/(.{60})/g, '$1\n') });
  });

  // ---- check runs -----------------------------------------------------------------------------
  const checkBody = (ctx: RouteContext, r: SimRepo, c: SimRepo['checkRuns'][number]) => shape.checkRun(api(), r, c, appOf(ctx) ?? shape.integration(api(), { id: 0, account: r.owner, repositories: [], appSlug: 'pipeline-guard', appId: 4242 }, ownerId(r.owner)));
  const applyCheck = (c: SimRepo['checkRuns'][number], b: Record<string, unknown>) => {
    const out = b.output as { title?: string; summary?: string; text?: string; annotations?: unknown[] } | undefined;
    if (out) {
      if (typeof out.title !== 'string' || typeof out.summary !== 'string') return 'output.title and output.summary are required';
      if (out.summary.length > 65535 || (out.text?.length ?? 0) > 65535) return 'Only 65535 characters are allowed';
      if ((out.annotations?.length ?? 0) > 50) return 'Only 50 annotations may be sent per request';
      c.output = { title: out.title, summary: out.summary, text: out.text ?? c.output.text, annotations_count: c.output.annotations_count + (out.annotations?.length ?? 0) };
    }
    if (typeof b.name === 'string') c.name = b.name;
    if (typeof b.external_id === 'string') c.external_id = b.external_id;
    if (typeof b.details_url === 'string') c.details_url = b.details_url;
    if (Array.isArray(b.actions)) c.actions = b.actions;
    if (typeof b.status === 'string') c.status = b.status as typeof c.status;
    if (typeof b.conclusion === 'string') {
      c.conclusion = b.conclusion;
      c.status = 'completed';
    }
    if (c.status === 'completed') c.completed_at = typeof b.completed_at === 'string' ? b.completed_at : (c.completed_at ?? nowIso());
    return undefined;
  };
  repoRoute('POST', '/repos/{owner}/{repo}/check-runs', (ctx, r) => {
    const b = ctx.body;
    if (typeof b.name !== 'string' || typeof b.head_sha !== 'string') return invalid('Invalid request.');
    const c: SimRepo['checkRuns'][number] = { id: sim.newId(), name: b.name, head_sha: b.head_sha, status: 'queued', conclusion: null, external_id: null, details_url: null, started_at: typeof b.started_at === 'string' ? b.started_at : nowIso(), completed_at: null, output: { title: null, summary: null, text: null, annotations_count: 0 }, actions: [] };
    const err = applyCheck(c, b);
    if (err) return invalid(err);
    r.checkRuns.push(c);
    return ok(checkBody(ctx, r, c), 201);
  });
  repoRoute('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}', (ctx, r) => {
    const c = r.checkRuns.find((x) => x.id === Number(ctx.params.check_run_id));
    if (!c) return notFound();
    const err = applyCheck(c, ctx.body);
    return err ? invalid(err) : ok(checkBody(ctx, r, c));
  });
  repoRoute('GET', '/repos/{owner}/{repo}/check-runs/{check_run_id}', (ctx, r) => {
    const c = r.checkRuns.find((x) => x.id === Number(ctx.params.check_run_id));
    return c ? ok(checkBody(ctx, r, c)) : notFound();
  });
  repoRoute('GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', (ctx, r) => {
    const sha = /^[0-9a-f]{40}$/.test(ctx.params.ref) ? ctx.params.ref : commitOf(r, ctx.params.ref);
    const name = ctx.query.get('check_name');
    const all = r.checkRuns.filter((c) => c.head_sha === sha && (!name || c.name === name)).reverse();
    const p = page(ctx, all);
    return { status: 200, body: { total_count: all.length, check_runs: p.items.map((c) => checkBody(ctx, r, c)) }, headers: p.headers };
  });

  // ---- labels, issues, comments -----------------------------------------------------------------
  repoRoute('GET', '/repos/{owner}/{repo}/labels/{name}', (ctx, r) => {
    const l = r.labels.find((x) => x.name.toLowerCase() === ctx.params.name.toLowerCase());
    return l ? ok(shape.label(api(), r, l)) : notFound();
  });
  repoRoute('POST', '/repos/{owner}/{repo}/labels', (ctx, r) => {
    const { name, color, description } = ctx.body as { name?: string; color?: string; description?: string };
    if (typeof name !== 'string' || name === '') return invalid('Validation Failed');
    if (r.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) return invalid('Validation Failed: already_exists');
    const l = { id: sim.newId(), name, color: (color ?? 'ededed').replace(/^#/, ''), description: description ?? null };
    r.labels.push(l);
    return ok(shape.label(api(), r, l), 201);
  });
  const ensureLabels = (r: SimRepo, names: unknown): string[] => {
    const list = Array.isArray(names) ? names.map((n) => (typeof n === 'string' ? n : String((n as { name?: string }).name))) : [];
    for (const n of list) if (!r.labels.some((l) => l.name === n)) r.labels.push({ id: sim.newId(), name: n, color: 'ededed', description: null });
    return list;
  };
  const issueOf = (ctx: RouteContext, r: SimRepo, key = 'issue_number') => r.issues.find((i) => i.number === Number(ctx.params[key]));
  repoRoute('POST', '/repos/{owner}/{repo}/issues', (ctx, r) => {
    const b = ctx.body as { title?: unknown; body?: string; labels?: unknown };
    if (typeof b.title !== 'string' || b.title === '') return invalid('Validation Failed');
    if ((b.body?.length ?? 0) > 65536) return invalid('Validation Failed: body is too long (maximum is 65536 characters)');
    const t = nowIso();
    const i: SimIssue = { number: r.issues.length + 1, id: sim.newId(), title: b.title, body: b.body ?? null, state: 'open', state_reason: null, labels: ensureLabels(r, b.labels), user: botLogin(ctx), created_at: t, updated_at: t, closed_at: null, comments: [] };
    r.issues.push(i);
    return ok(shape.issue(api(), r, i), 201);
  });
  repoRoute('GET', '/repos/{owner}/{repo}/issues/{issue_number}', (ctx, r) => {
    const i = issueOf(ctx, r);
    return i ? ok(shape.issue(api(), r, i)) : notFound();
  });
  repoRoute('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', (ctx, r) => {
    const i = issueOf(ctx, r);
    if (!i) return notFound();
    const b = ctx.body as { title?: string; body?: string | null; state?: 'open' | 'closed'; state_reason?: SimIssue['state_reason']; labels?: unknown };
    if ((b.body?.length ?? 0) > 65536) return invalid('Validation Failed: body is too long (maximum is 65536 characters)');
    if (b.title !== undefined) i.title = b.title;
    if (b.body !== undefined) i.body = b.body;
    if (b.labels !== undefined) i.labels = ensureLabels(r, b.labels);
    if (b.state && b.state !== i.state) {
      i.state = b.state;
      i.closed_at = b.state === 'closed' ? nowIso() : null;
      i.state_reason = b.state === 'closed' ? (b.state_reason ?? 'completed') : 'reopened';
    } else if (b.state_reason !== undefined) i.state_reason = b.state_reason;
    i.updated_at = nowIso();
    return ok(shape.issue(api(), r, i));
  });
  repoRoute('GET', '/repos/{owner}/{repo}/issues', (ctx, r) => {
    const state = ctx.query.get('state') ?? 'open';
    const labels = (ctx.query.get('labels') ?? '').split(',').filter(Boolean);
    const creator = ctx.query.get('creator');
    const all = r.issues
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l.toLowerCase())))
      .filter((i) => !creator || i.user === creator)
      .reverse();
    const p = page(ctx, all);
    return { status: 200, body: p.items.map((i) => shape.issue(api(), r, i)), headers: p.headers };
  });
  repoRoute('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (ctx, r) => {
    const i = issueOf(ctx, r);
    if (!i) return notFound();
    if (typeof ctx.body.body !== 'string') return invalid('Validation Failed');
    const t = nowIso();
    const c = { id: sim.newId(), body: ctx.body.body, user: botLogin(ctx), created_at: t, updated_at: t };
    i.comments.push(c);
    return ok(shape.issueComment(api(), r, i, c), 201);
  });
  repoRoute('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (ctx, r) => {
    const i = issueOf(ctx, r);
    if (!i) return notFound();
    const p = page(ctx, i.comments);
    return { status: 200, body: p.items.map((c) => shape.issueComment(api(), r, i, c)), headers: p.headers };
  });
  repoRoute('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', (ctx, r) => {
    for (const i of r.issues) {
      const c = i.comments.find((x) => x.id === Number(ctx.params.comment_id));
      if (c) {
        if (typeof ctx.body.body !== 'string') return invalid('Validation Failed');
        c.body = ctx.body.body;
        c.updated_at = nowIso();
        return ok(shape.issueComment(api(), r, i, c));
      }
    }
    return notFound();
  });

  repoRoute('POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', (ctx, r) => {
    const content = ctx.body.content;
    if (!['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'].includes(String(content))) return invalid('Validation Failed');
    if (!r.issues.some((i) => i.comments.some((c) => c.id === Number(ctx.params.comment_id)))) return notFound();
    const login = botLogin(ctx);
    const id = sim.newId();
    return ok({ id, node_id: `REA_${id}`, user: shape.simpleUser(api(), login, shape.userId(login), 'Bot'), content, created_at: nowIso() }, 201);
  });
  repoRoute('PUT', '/repos/{owner}/{repo}/rulesets/{ruleset_id}', (ctx, r) => {
    const s = r.rulesets.find((x) => x.id === Number(ctx.params.ruleset_id));
    if (!s) return notFound();
    const b = ctx.body as { name?: string; enforcement?: SimRuleset['enforcement']; bypass_actors?: SimRuleset['bypassActors']; conditions?: { ref_name?: { include?: string[]; exclude?: string[] } }; rules?: SimRuleset['rules'] };
    if (b.name !== undefined) s.name = b.name;
    if (b.enforcement !== undefined) s.enforcement = b.enforcement;
    if (b.bypass_actors !== undefined) s.bypassActors = b.bypass_actors;
    if (b.conditions?.ref_name) {
      s.include = b.conditions.ref_name.include ?? s.include;
      s.exclude = b.conditions.ref_name.exclude ?? s.exclude;
    }
    if (b.rules !== undefined) s.rules = b.rules;
    return ok(shape.ruleset(api(), r, r.owner, s));
  });

  // ---- pull requests --------------------------------------------------------------------------
  const shaOf = (r: SimRepo) => (branch: string) => commitOf(r, branch);
  const pullBody = (r: SimRepo, i: SimIssue) => shape.pullRequest(api(), r, i, ownerId(r.owner), shaOf(r));
  repoRoute('POST', '/repos/{owner}/{repo}/pulls', (ctx, r) => {
    const b = ctx.body as { title?: string; head?: string; base?: string; body?: string; draft?: boolean; maintainer_can_modify?: boolean };
    if (typeof b.head !== 'string' || typeof b.base !== 'string' || typeof b.title !== 'string') return invalid('Validation Failed');
    const head = b.head.includes(':') ? b.head.split(':')[1] : b.head;
    if (!commitOf(r, head)) return invalid(`Validation Failed: head ${head} does not exist`);
    if (!commitOf(r, b.base)) return invalid(`Validation Failed: base ${b.base} does not exist`);
    if (r.issues.some((i) => i.pull && i.state === 'open' && i.pull.head === head && i.pull.base === b.base)) return invalid(`Validation Failed: A pull request already exists for ${r.owner}:${head}.`);
    const t = nowIso();
    const i: SimIssue = { number: r.issues.length + 1, id: sim.newId(), title: b.title, body: b.body ?? null, state: 'open', state_reason: null, labels: [], user: botLogin(ctx), created_at: t, updated_at: t, closed_at: null, comments: [], pull: { head, base: b.base, draft: b.draft ?? false, merged: false, maintainer_can_modify: b.maintainer_can_modify ?? true } };
    r.issues.push(i);
    return ok(pullBody(r, i), 201);
  });
  repoRoute('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx, r) => {
    const i = issueOf(ctx, r, 'pull_number');
    return i?.pull ? ok(pullBody(r, i)) : notFound();
  });
  repoRoute('PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx, r) => {
    const i = issueOf(ctx, r, 'pull_number');
    if (!i?.pull) return notFound();
    const b = ctx.body as { title?: string; body?: string; state?: 'open' | 'closed'; base?: string };
    if (b.title !== undefined) i.title = b.title;
    if (b.body !== undefined) i.body = b.body;
    if (b.base !== undefined) i.pull.base = b.base;
    if (b.state && b.state !== i.state) {
      i.state = b.state;
      i.closed_at = b.state === 'closed' ? nowIso() : null;
    }
    i.updated_at = nowIso();
    return ok(pullBody(r, i));
  });
  repoRoute('GET', '/repos/{owner}/{repo}/pulls', (ctx, r) => {
    const state = ctx.query.get('state') ?? 'open';
    const head = ctx.query.get('head');
    const base = ctx.query.get('base');
    const all = r.issues
      .filter((i) => i.pull && (state === 'all' || i.state === state))
      .filter((i) => !head || `${r.owner}:${i.pull?.head}` === head || i.pull?.head === head)
      .filter((i) => !base || i.pull?.base === base)
      .reverse();
    const p = page(ctx, all);
    return { status: 200, body: p.items.map((i) => pullBody(r, i)), headers: p.headers };
  });

  // ---- search (pull-request counts only: the qualifiers the weekly issue uses) -----------------
  on('GET', '/search/issues', (ctx) => {
    const q = ctx.query.get('q') ?? '';
    const terms = q.split(/\s+/).filter(Boolean);
    const value = (key: string) => terms.find((t) => t.startsWith(`${key}:`))?.slice(key.length + 1);
    const org = value('org');
    if (!org || !terms.includes('is:pr')) return invalid('Validation Failed: only org:ORG is:pr searches are simulated');
    const head = value('head');
    const mergedSince = value('merged')?.replace(/^>=/, '');
    const open = terms.includes('is:open');
    const merged = terms.includes('is:merged');
    let count = 0;
    for (const r of sim.orgRepos(org)) {
      for (const i of r.issues) {
        if (!i.pull || (head && !i.pull.head.startsWith(head))) continue;
        if (open && i.state !== 'open') continue;
        if (merged && (!i.pull.merged || (mergedSince && (i.closed_at ?? '') < mergedSince))) continue;
        count++;
      }
    }
    // Counts only: the items of a real search are not simulated.
    return ok({ total_count: count, incomplete_results: false, items: [], search_type: 'lexical' });
  });

  return R;
}
