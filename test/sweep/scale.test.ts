import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSweep } from '../../src/sweep/sweep.js';
import { createEtagCache } from '../../src/sweep/etag-cache.js';
import type { SweepOctokit } from '../../src/sweep/types.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { contractOctokit, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { listedRepo, ORG, prRuleset, RATE_HEADERS, repoNode } from './org-fixture.js';

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

describe('sweeping a larger organisation', () => {
  it('pages the listing, batches GraphQL with at most two batches in flight, and amortises the organisation reads', async () => {
    const N = 130;
    const names = Array.from({ length: N }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
    const scope = nock(API);
    const page = (p: number) => names.slice((p - 1) * 100, p * 100).map((n) => listedRepo(n));
    scope.get('/installation/repositories').query({ per_page: '100', page: '1' })
      .reply(200, replyChecked('GET', '/installation/repositories', 200, { total_count: N, repositories: page(1) }) as nock.Body, RATE_HEADERS);
    scope.get('/installation/repositories').query({ per_page: '100', page: '2' }).reply(200, { total_count: N, repositories: page(2) }, RATE_HEADERS);
    scope.post('/graphql').times(3).delay(20).reply(200, (_uri, body) => {
      const vars = (body as { variables: Record<string, string> }).variables;
      const data: Record<string, unknown> = { rateLimit: { cost: 6, remaining: 4900, limit: 5000, resetAt: '2026-11-27T13:00:00Z' } };
      for (const [k, v] of Object.entries(vars)) if (/^n\d+$/.test(k)) data[`r${k.slice(1)}`] = repoNode({ name: v, rulesets: [prRuleset()] });
      return { data };
    });
    scope.get(`/orgs/${ORG}/actions/permissions`).reply(200, { enabled_repositories: 'all' }, RATE_HEADERS);
    scope.get(`/orgs/${ORG}/actions/permissions/workflow`).reply(200, { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false }, RATE_HEADERS);
    scope.get(/^\/repos\/acme\/svc-\d+\/branches\/main\/protection$/)
      .reply(404, { message: 'Branch not protected', documentation_url: 'https://docs.github.com/rest' }, RATE_HEADERS);

    let inFlight = 0;
    let maxInFlight = 0;
    const octokit: SweepOctokit = {
      request: (route, params) => contract.octokit.request(route, params),
      graphql: async (q, v) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await contract.octokit.graphql(q, v);
        } finally {
          inFlight--;
        }
      },
    };
    const audited = new Set<string>();
    const result = await createSweep({ etagCache: createEtagCache() })({
      org: ORG, octokit, policy: emptyPolicy(), batchSize: 50,
      onRepo: async (repo) => {
        audited.add(repo.name);
        expect(repo.findings.some((f) => f.checkId === 'default-branch-unprotected')).toBe(false);
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    expect(audited.size).toBe(N);
    expect(maxInFlight).toBe(2);
    expect(result.stats).toMatchObject({ repositories: N, audited: N, failed: 0, graphqlRequests: 3, graphqlPoints: 18, restRequests: 5 });
    expect((result.stats.restRequests + result.stats.graphqlRequests) / N).toBeLessThan(0.1);
  });
});
