import { describe, expect, it } from 'vitest';
import { useSim } from './helpers.js';
import { acme } from './fixtures.js';

const h = useSim((sim) => {
  acme(sim);
  for (let i = 0; i < 120; i++) sim.addRepo('acme', `r${String(i).padStart(3, '0')}`);
});
const o = { owner: 'acme', repo: 'ml' };

describe('simulator REST: what collect/ reads, in GitHub shapes', () => {
  it('repository and Actions settings', async () => {
    const repo = await h.call('GET /repos/{owner}/{repo}', o);
    expect(repo.status).toBe(200);
    expect(repo.data).toMatchObject({ full_name: 'acme/ml', default_branch: 'main', visibility: 'public', security_and_analysis: { secret_scanning: { status: 'enabled' } } });
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions', o)).data).toMatchObject({ enabled: true, allowed_actions: 'all' });
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions/workflow', o)).data).toEqual({ default_workflow_permissions: 'write', can_approve_pull_request_reviews: false });
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', o)).data).toEqual({ approval_policy: 'first_time_contributors' });
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions/fork-pr-workflows-private-repos', { owner: 'acme', repo: 'private-ml' })).data).toMatchObject({ require_approval_for_fork_pr_workflows: true });
    // The public-only setting on a private repository (and the reverse) is a 422, as on GitHub.
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', { owner: 'acme', repo: 'private-ml' })).status).toBe(422);
    expect((await h.call('GET /repos/{owner}/{repo}/actions/runners', { ...o, per_page: 100 })).data).toMatchObject({ total_count: 1 });
  });

  it('protection, rules, environments and secret names', async () => {
    const p = await h.call('GET /repos/{owner}/{repo}/branches/{branch}/protection', { ...o, branch: 'main' });
    expect(p.data).toMatchObject({ required_pull_request_reviews: { required_approving_review_count: 2 }, enforce_admins: { enabled: true } });
    const none = await h.call('GET /repos/{owner}/{repo}/branches/{branch}/protection', { owner: 'acme', repo: 'private-ml', branch: 'main' });
    expect([none.status, (none.data as { message: string }).message]).toEqual([404, 'Branch not protected']);
    const rules = await h.call('GET /repos/{owner}/{repo}/rules/branches/{branch}', { ...o, branch: 'main', per_page: 100 });
    expect(rules.data).toEqual([{ type: 'deletion', ruleset_source_type: 'Organization', ruleset_source: 'acme', ruleset_id: 42 }]);
    expect((await h.call('GET /repos/{owner}/{repo}/rules/branches/{branch}', { ...o, branch: 'dev', per_page: 100 })).data).toEqual([]);
    const envs = await h.call('GET /repos/{owner}/{repo}/environments', { ...o, per_page: 100 });
    expect(envs.data).toMatchObject({ total_count: 2, environments: [{ name: 'production', deployment_branch_policy: { custom_branch_policies: true } }, { name: 'staging', deployment_branch_policy: null }] });
    const env = { ...o, environment_name: 'production' };
    expect((await h.call('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies', { ...env, per_page: 100 })).data).toMatchObject({ total_count: 1, branch_policies: [{ name: 'main', type: 'branch' }] });
    expect((await h.call('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { ...env, per_page: 100 })).data).toMatchObject({ secrets: [{ name: 'AWS_SECRET_ACCESS_KEY' }] });
    expect((await h.call('GET /repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules', { ...o, environment_name: 'staging' })).data).toMatchObject({ custom_deployment_protection_rules: [{ app: { slug: 'policy-gate' } }] });
    expect((await h.call('GET /repos/{owner}/{repo}/actions/secrets', { ...o, per_page: 100 })).data).toMatchObject({ total_count: 1, secrets: [{ name: 'HF_TOKEN' }] });
    expect((await h.call('GET /repos/{owner}/{repo}/actions/organization-secrets', { ...o, per_page: 100 })).data).toMatchObject({ total_count: 1, secrets: [{ name: 'PYPI_TOKEN' }] });
    expect((await h.call('GET /orgs/{org}/actions/secrets', { org: 'acme' })).data).toMatchObject({ secrets: [{ name: 'PYPI_TOKEN', visibility: 'all' }] });
    expect((await h.call('GET /orgs/{org}/actions/permissions', { org: 'acme' })).data).toMatchObject({ enabled_repositories: 'all' });
    expect((await h.call('GET /orgs/{org}/actions/permissions/workflow', { org: 'acme' })).data).toMatchObject({ default_workflow_permissions: 'read' });
    expect((await h.call('GET /orgs/{org}/actions/runner-groups', { org: 'acme', visible_to_repository: 'ml', per_page: 100 })).data).toEqual({ total_count: 0, runner_groups: [] });
  });

  it('installation repositories page with Link headers; tokens and installations', async () => {
    const first = await h.call('GET /installation/repositories', { per_page: 50 });
    expect((first.data as { total_count: number }).total_count).toBe(123);
    expect(String(first.headers.link)).toMatch(/page=2>; rel="next".*page=3>; rel="last"/);
    const last = await h.call('GET /installation/repositories', { per_page: 50, page: 3 });
    expect((last.data as { repositories: unknown[] }).repositories).toHaveLength(23);
    expect(String(last.headers.link)).not.toContain('rel="next"');
    const token = await h.call('POST /app/installations/{installation_id}/access_tokens', { installation_id: 77 });
    expect(token.status).toBe(201);
    expect((await h.call('GET /app/installations')).data).toMatchObject([{ id: 77, account: { login: 'acme' } }]);
    expect((await h.call('GET /orgs/{org}/memberships/{username}', { org: 'acme', username: 'octo-admin' })).data).toMatchObject({ role: 'admin', state: 'active' });
    expect((await h.call('GET /orgs/{org}/memberships/{username}', { org: 'acme', username: 'nobody' })).status).toBe(404);
    expect((await h.call('GET /rate_limit')).data).toMatchObject({ resources: { core: { limit: 5000 } } });
  });

  it('check runs: create, update, get, list for a ref', async () => {
    const head = (await h.call('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...o, ref: 'heads/main' })).data as { object: { sha: string } };
    // Created completed: an in-progress run's `conclusion: null` is GitHub's answer, but the spec's enum lacks null.
    const created = await h.call('POST /repos/{owner}/{repo}/check-runs', { ...o, name: 'Pipeline Guard', head_sha: head.object.sha, conclusion: 'neutral', output: { title: 'queued', summary: '…' } });
    expect(created.status).toBe(201);
    const id = (created.data as { id: number }).id;
    const done = await h.call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...o, check_run_id: id, conclusion: 'failure', output: { title: 't', summary: 's' } });
    expect(done.data).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 't', summary: 's' } });
    expect((await h.call('GET /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...o, check_run_id: id })).data).toMatchObject({ id, conclusion: 'failure' });
    const list = await h.call('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...o, ref: 'main', check_name: 'Pipeline Guard' });
    expect(list.data).toMatchObject({ total_count: 1, check_runs: [{ id }] });
    // More than 50 annotations in one request is refused (sent raw: the client-side contract refuses it too).
    const tooMany = await fetch(`${h.sim.url}/repos/acme/ml/check-runs/${id}`, { method: 'PATCH', body: JSON.stringify({ output: { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => ({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'm' })) } }) });
    expect(tooMany.status).toBe(422);
  });

  it('issues, labels and comments with filters', async () => {
    expect((await h.call('GET /repos/{owner}/{repo}/labels/{name}', { ...o, name: 'pipeline-guard' })).status).toBe(404);
    expect((await h.call('POST /repos/{owner}/{repo}/labels', { ...o, name: 'pipeline-guard', color: '5319e7' })).status).toBe(201);
    expect((await h.call('GET /repos/{owner}/{repo}/labels/{name}', { ...o, name: 'pipeline-guard' })).data).toMatchObject({ name: 'pipeline-guard', color: '5319e7' });
    const issue = await h.call('POST /repos/{owner}/{repo}/issues', { ...o, title: 'Weekly posture', body: '<!-- marker -->', labels: ['pipeline-guard'] });
    expect(issue.status).toBe(201);
    const n = (issue.data as { number: number; user: { login: string } }).number;
    const creator = (issue.data as { user: { login: string } }).user.login;
    expect(creator).toBe('pipeline-guard[bot]');
    await h.call('POST /repos/{owner}/{repo}/issues', { ...o, title: 'unrelated' });
    const found = await h.call('GET /repos/{owner}/{repo}/issues', { ...o, labels: 'pipeline-guard', state: 'open', creator });
    expect((found.data as { number: number }[]).map((i) => i.number)).toEqual([n]);
    const closed = await h.call('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...o, issue_number: n, state: 'closed', state_reason: 'not_planned' });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect((await h.call('GET /repos/{owner}/{repo}/issues', { ...o, labels: 'pipeline-guard' })).data).toEqual([]);
    const c = await h.call('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...o, issue_number: n, body: 'first' });
    await h.call('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...o, comment_id: (c.data as { id: number }).id, body: 'edited' });
    expect((await h.call('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...o, issue_number: n })).data).toMatchObject([{ body: 'edited' }]);
    expect((await h.call('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...o, issue_number: n })).data).toMatchObject({ comments: 1 });
  });

  it('settings writes enforcement uses', async () => {
    expect((await h.call('PUT /repos/{owner}/{repo}/actions/permissions/workflow', { ...o, default_workflow_permissions: 'read' })).status).toBe(204);
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions/workflow', o)).data).toMatchObject({ default_workflow_permissions: 'read' });
    expect((await h.call('PUT /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', { ...o, approval_policy: 'all_external_contributors' })).status).toBe(204);
    expect((await h.call('GET /repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval', o)).data).toEqual({ approval_policy: 'all_external_contributors' });
    const rs = await h.call('POST /repos/{owner}/{repo}/rulesets', { ...o, name: 'main', target: 'branch', enforcement: 'active', conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } }, rules: [{ type: 'non_fast_forward' }] });
    expect(rs.status).toBe(201);
    const ids = ((await h.call('GET /repos/{owner}/{repo}/rulesets', { ...o, includes_parents: true })).data as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual([(rs.data as { id: number }).id, 42]);
    expect((await h.call('GET /repos/{owner}/{repo}/rules/branches/{branch}', { ...o, branch: 'main' })).data).toHaveLength(2);
    const env = await h.call('PUT /repos/{owner}/{repo}/environments/{environment_name}', { ...o, environment_name: 'staging', reviewers: [{ type: 'Team', id: 9 }], deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } });
    expect(env.data).toMatchObject({ name: 'staging', protection_rules: [{ type: 'required_reviewers' }, { type: 'branch_policy' }] });
  });

  it('unknown routes are a JSON 404 and are counted', async () => {
    const res = await fetch(`${h.sim.url}/repos/acme/ml/not-a-route`);
    expect([res.status, await res.json()]).toEqual([404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }]);
    expect(h.sim.stats.unknownRoutes).toEqual(['GET /repos/acme/ml/not-a-route']);
    h.sim.stats.unknownRoutes.length = 0;
  });
});
