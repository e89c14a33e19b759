import { describe, expect, it } from 'vitest';
import { collectRepoSnapshot } from '../../src/collect/github.js';
import { REPO_QUERY } from '../../src/collect/github-query.js';
import { graphqlCost } from '../helpers/graphql-cost.js';
import { batchQuery, type SweepBatchResponse, type SweepRepository } from '../../src/sweep/query.js';
import { environmentsFromGraphql } from '../../src/sweep/environments.js';
import { useSim } from './helpers.js';
import { CI, EVIL_PICKLE, acme } from './fixtures.js';

const h = useSim(acme);
const NOW = new Date('2026-11-27T12:00:00Z');

describe('simulator GraphQL', () => {
  it('answers REPO_QUERY so that collectRepoSnapshot builds a full snapshot', async () => {
    const snap = await collectRepoSnapshot(h.octokit, { owner: 'acme', repo: 'ml' }, { now: () => NOW });
    expect(snap.repo).toEqual({ owner: 'acme', name: 'ml', defaultBranch: 'main', visibility: 'public', archived: false });
    expect(snap.ref).toMatch(/^[0-9a-f]{40}$/);
    expect(snap.warnings).toEqual([]);
    expect(snap.files.map((f) => f.path)).toEqual(['.github/workflows/ci.yml', 'README.md', 'models/evil.pkl', 'requirements.txt']);
    const byPath = new Map(snap.files.map((f) => [f.path, f]));
    expect(Buffer.from(byPath.get('.github/workflows/ci.yml')?.bytes ?? []).toString()).toBe(CI);
    expect(Buffer.from(byPath.get('models/evil.pkl')?.bytes ?? [])).toEqual(EVIL_PICKLE);
    const s = snap.settings;
    expect(s?.classicProtection).toEqual({ status: 'ok', value: { enforceAdmins: true, allowForcePushes: false, allowDeletions: false, requiredStatusChecks: ['test'], requiredPullRequestReviews: { requiredApprovingReviewCount: 2, dismissStaleReviews: true, requireCodeOwnerReviews: false, requireLastPushApproval: false, bypassAllowances: 0 } } });
    expect(s?.rulesets).toMatchObject({ status: 'ok', value: [{ id: 42, sourceType: 'Organization', enforcement: 'active', ruleTypes: ['deletion'] }] });
    expect(s?.environments).toMatchObject({ status: 'ok', value: [{ name: 'production', reviewers: 1, waitTimer: 30, branchPolicies: ['main'] }, { name: 'staging', reviewers: 0, customRules: ['policy-gate'] }] });
    expect(s?.workflowPermissions).toEqual({ status: 'ok', value: { defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: false } });
    expect(s?.secrets).toMatchObject({ status: 'ok', value: [{ name: 'HF_TOKEN', scope: 'repository' }, { name: 'PYPI_TOKEN', scope: 'organization' }, { name: 'AWS_SECRET_ACCESS_KEY', scope: 'environment' }] });
    expect(s?.selfHostedRunners).toMatchObject({ status: 'ok', value: { count: 1 } });
  });

  it('charges GitHub\'s cost formula and reports it in rateLimit', async () => {
    const before = h.sim.stats.graphqlPoints;
    const res = (await h.octokit.graphql(REPO_QUERY, { owner: 'acme', name: 'ml', ref: 'HEAD' })) as { rateLimit: { cost: number; remaining: number } };
    const expected = graphqlCost(REPO_QUERY).points;
    expect(expected).toBe(2);
    expect(res.rateLimit.cost).toBe(expected);
    expect(h.sim.stats.graphqlPoints - before).toBe(expected);
    const dry = (await h.octokit.graphql('query { rateLimit(dryRun: true) { cost remaining } }')) as { rateLimit: { cost: number; remaining: number } };
    expect(dry.rateLimit).toEqual({ cost: 1, remaining: res.rateLimit.remaining });
  });

  it('answers the sweep batch with environment protection rules and reviewer counts, at the computed cost', async () => {
    const { query, variables } = batchQuery('acme', ['ml']);
    const res = (await h.octokit.graphql(query, variables)) as SweepBatchResponse;
    const envs = environmentsFromGraphql((res.r0 as SweepRepository).environments);
    expect(envs).toEqual({
      status: 'ok',
      value: [
        { name: 'production', reviewers: 1, preventSelfReview: true, waitTimer: 30, canAdminsBypass: true, deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true }, customRules: [] },
        { name: 'staging', reviewers: 0, preventSelfReview: false, waitTimer: 0, canAdminsBypass: true, deploymentBranchPolicy: null, customRules: [] },
      ],
    });
    expect(res.rateLimit?.cost).toBe(graphqlCost(query, variables).points);
  });

  it('a missing repository is NOT_FOUND with partial data; an invalid document is GitHub\'s error shape', async () => {
    const res = await fetch(`${h.sim.url}/graphql`, { method: 'POST', headers: { authorization: 'token t' }, body: JSON.stringify({ query: 'query { a: repository(owner: "acme", name: "ml") { name } b: repository(owner: "acme", name: "gone") { name } }' }) });
    const body = (await res.json()) as { data: unknown; errors: { type: string; path: string[]; message: string }[] };
    expect(res.status).toBe(200);
    expect(body.data).toEqual({ a: { name: 'ml' }, b: null });
    expect(body.errors).toMatchObject([{ type: 'NOT_FOUND', path: ['b'], message: "Could not resolve to a Repository with the name 'acme/gone'." }]);
    const bad = await fetch(`${h.sim.url}/graphql`, { method: 'POST', body: JSON.stringify({ query: 'query { repository(owner: "acme", name: "ml") { noSuchField } }' }) });
    const badBody = (await bad.json()) as { data?: unknown; errors: { message: string; locations: unknown[] }[] };
    expect(bad.status).toBe(200);
    expect(badBody.data).toBeUndefined();
    expect(badBody.errors[0].message).toMatch(/Cannot query field "noSuchField" on type "Repository"/);
    expect(badBody.errors[0].locations).toEqual([{ line: 1, column: 49 }]);
  });

  it('pages organization repositories and resolves nodes by id', async () => {
    const q = 'query($after: String) { organization(login: "acme") { repositories(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id name isPrivate } } } }';
    type Page = { organization: { repositories: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string; name: string; isPrivate: boolean }[] } } };
    const p1 = (await h.octokit.graphql(q)) as Page;
    expect(p1.organization.repositories.nodes.map((n) => n.name)).toEqual(['ml', 'private-ml']);
    const p2 = (await h.octokit.graphql(q, { after: p1.organization.repositories.pageInfo.endCursor })) as Page;
    expect([p2.organization.repositories.nodes.map((n) => n.name), p2.organization.repositories.pageInfo.hasNextPage]).toEqual([['empty'], false]);
    const ids = p1.organization.repositories.nodes.map((n) => n.id);
    const nodes = (await h.octokit.graphql('query($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository { nameWithOwner isPrivate } } }', { ids })) as { nodes: unknown[] };
    expect(nodes.nodes).toEqual([{ nameWithOwner: 'acme/ml', isPrivate: false }, { nameWithOwner: 'acme/private-ml', isPrivate: true }]);
  });

  it('an empty repository has no default branch ref', async () => {
    const snap = await collectRepoSnapshot(h.octokit, { owner: 'acme', repo: 'empty' }, { now: () => NOW });
    expect(snap.files).toEqual([]);
    expect(snap.warnings).toEqual(['acme/empty has no commits yet; no files to scan']);
  });
});
