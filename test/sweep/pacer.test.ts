import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PacedOctokit, Pacer } from '../../src/sweep/pacer.js';
import { createEtagCache } from '../../src/sweep/etag-cache.js';
import { contractOctokit, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

const T0 = Date.parse('2026-11-27T12:00:00Z');
const ROUTE = '/orgs/{org}/actions/permissions/workflow';
const BODY = { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };

/** A fake clock that a fake sleep advances, and the sleeps it was asked for. */
function fakeTime() {
  let t = T0;
  const sleeps: number[] = [];
  return {
    clock: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

function paced(budgetShare: number, time = fakeTime()) {
  const pacer = new Pacer({ budgetShare, sleep: time.sleep, clock: time.clock });
  return { octokit: new PacedOctokit(contract.octokit, pacer, createEtagCache(10)), pacer, time };
}

describe('Pacer', () => {
  it('sleeps until the reset when the budget share is used up, then carries on', async () => {
    const reset = T0 / 1000 + 600;
    const headers = { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '9', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '1' };
    nock(API).get('/orgs/acme/actions/permissions/workflow').times(3).reply(200, replyChecked('GET', ROUTE, 200, BODY) as nock.Body, headers);
    const { octokit, pacer, time } = paced(0.2); // 20 % of 10 = 2 requests per window
    for (let i = 0; i < 3; i++) expect((await octokit.request(`GET ${ROUTE}`, { org: 'acme' })).data).toEqual(BODY);
    expect(time.sleeps).toEqual([600_000 + 1_000]);
    expect(pacer.stats).toMatchObject({ restRequests: 3, pausedMs: 601_000 });
  });

  it('does not pause while the share has room', async () => {
    nock(API).get('/orgs/acme/actions/permissions/workflow').times(2).reply(200, BODY, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4000', 'x-ratelimit-reset': String(T0 / 1000 + 600) });
    const { octokit, time } = paced(0.5);
    await octokit.request(`GET ${ROUTE}`, { org: 'acme' });
    await octokit.request(`GET ${ROUTE}`, { org: 'acme' });
    expect(time.sleeps).toEqual([]);
  });

  it('waits for retry-after on a secondary rate limit and retries the request', async () => {
    const limited = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' };
    nock(API)
      .get('/orgs/acme/actions/permissions/workflow').reply(403, replyChecked('GET', ROUTE, 403, limited) as nock.Body, { 'retry-after': '7' })
      .get('/orgs/acme/actions/permissions/workflow').reply(200, BODY);
    const { octokit, pacer, time } = paced(0.5);
    expect((await octokit.request(`GET ${ROUTE}`, { org: 'acme' })).data).toEqual(BODY);
    expect(time.sleeps).toEqual([7_000]);
    expect(pacer.stats).toMatchObject({ restRequests: 2, pausedMs: 7_000 });
  });

  it('gives up after a bounded number of retries', async () => {
    const limited = { message: 'You have exceeded a secondary rate limit.', documentation_url: 'https://docs.github.com/rest' };
    nock(API).get('/orgs/acme/actions/permissions/workflow').times(4).reply(429, limited, { 'retry-after': '1' });
    const { octokit, time } = paced(0.5);
    await expect(octokit.request(`GET ${ROUTE}`, { org: 'acme' })).rejects.toMatchObject({ status: 429 });
    expect(time.sleeps).toEqual([1_000, 1_000, 1_000]);
  });

  it('does not retry a 403 that is not a rate limit', async () => {
    nock(API).get('/orgs/acme/actions/permissions/workflow').reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
    const { octokit, time } = paced(0.5);
    await expect(octokit.request(`GET ${ROUTE}`, { org: 'acme' })).rejects.toMatchObject({ status: 403 });
    expect(time.sleeps).toEqual([]);
  });

  it('paces GraphQL by the points rateLimit reports', async () => {
    const q = 'query { rateLimit { cost remaining limit resetAt } viewer { login } }';
    const resetAt = new Date(T0 + 300_000).toISOString();
    nock(API).post('/graphql').times(2).reply(200, { data: { rateLimit: { cost: 3, remaining: 97, limit: 10, resetAt }, viewer: { login: 'x' } } });
    const { octokit, pacer, time } = paced(0.5); // 5 points per window: the second query (3 + 1 > 5) waits
    await octokit.query(q);
    await octokit.query(q);
    expect(time.sleeps).toEqual([300_000 + 1_000]);
    expect(pacer.stats).toMatchObject({ graphqlRequests: 2, graphqlPoints: 6 });
  });
});

describe('conditional requests', () => {
  it('sends If-None-Match on a repeat GET and serves a 304 from the cache, counted as not modified', async () => {
    let sentTag: string | undefined;
    nock(API)
      .get('/orgs/acme/actions/permissions/workflow').reply(200, replyChecked('GET', ROUTE, 200, BODY) as nock.Body, { etag: '"abc"' })
      .get('/orgs/acme/actions/permissions/workflow')
      .reply(function () {
        sentTag = String(this.req.headers['if-none-match']);
        return [304, ''];
      });
    const { octokit, pacer } = paced(0.5);
    await octokit.request(`GET ${ROUTE}`, { org: 'acme' });
    const second = await octokit.request(`GET ${ROUTE}`, { org: 'acme' });
    expect(sentTag).toBe('"abc"');
    expect(second.data).toEqual(BODY);
    expect(pacer.stats).toMatchObject({ restRequests: 2, notModified: 1 });
    expect(pacer.rest.used).toBe(1);
  });

  it('evicts the least recently used entry beyond its size', () => {
    const cache = createEtagCache(2);
    cache.set('a', { etag: '1', data: 1 });
    cache.set('b', { etag: '2', data: 2 });
    cache.get('a');
    cache.set('c', { etag: '3', data: 3 });
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.data).toBe(1);
  });
});
