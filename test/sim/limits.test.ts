import { Octokit } from '@octokit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubSimulator, type SimulatorOptions } from '../../src/sim/index.js';

let sim: GitHubSimulator | undefined;
afterEach(async () => {
  expect(sim?.stats.unknownRoutes ?? []).toEqual([]);
  await sim?.stop();
  sim = undefined;
});

async function start(opts: SimulatorOptions): Promise<{ sim: GitHubSimulator; octokit: Octokit }> {
  sim = new GitHubSimulator(opts);
  await sim.start();
  sim.addRepo('acme', 'ml', { files: { 'README.md': 'x\n' } });
  return { sim, octokit: new Octokit({ auth: 'ghs_limits', baseUrl: sim.url }) };
}

const repo = { owner: 'acme', repo: 'ml' };
const statusOf = async (p: Promise<unknown>) => p.then(() => 200, (e: { status: number }) => e.status);

describe('simulator rate limits, ETags, latency and errors', () => {
  it('counts REST requests per token in the x-ratelimit headers and answers 403 when the bucket is empty', async () => {
    let clock = 1_000_000_000_000;
    const { octokit } = await start({ restLimit: 3, windowSeconds: 60, now: () => clock });
    const r1 = await octokit.request('GET /repos/{owner}/{repo}', repo);
    expect([r1.headers['x-ratelimit-limit'], r1.headers['x-ratelimit-remaining'], r1.headers['x-ratelimit-used'], r1.headers['x-ratelimit-resource']]).toEqual(['3', '2', '1', 'core']);
    const r2 = await octokit.request('GET /repos/{owner}/{repo}/actions/permissions', repo);
    expect(r2.headers['x-ratelimit-remaining']).toBe('1');
    await octokit.request('GET /repos/{owner}/{repo}/actions/permissions/workflow', repo);
    const err = (await octokit.request('GET /repos/{owner}/{repo}', repo).catch((e: unknown) => e)) as { status: number; message: string; response: { headers: Record<string, string> } };
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/API rate limit exceeded/);
    expect(err.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(err.response.headers['x-ratelimit-reset'])).toBe(Math.floor(clock / 1000) + 60);
    // Another token has its own bucket; /rate_limit is free; the window resets.
    const other = new Octokit({ auth: 'ghs_other', baseUrl: sim?.url });
    expect(await statusOf(other.request('GET /repos/{owner}/{repo}', repo))).toBe(200);
    expect(await statusOf(octokit.request('GET /rate_limit'))).toBe(200);
    clock += 61_000;
    expect((await octokit.request('GET /repos/{owner}/{repo}', repo)).headers['x-ratelimit-remaining']).toBe('2');
  });

  it('answers If-None-Match with a free 304', async () => {
    const { sim: s, octokit } = await start({ restLimit: 10 });
    const first = await octokit.request('GET /repos/{owner}/{repo}', repo);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const status = await statusOf(octokit.request('GET /repos/{owner}/{repo}', { ...repo, headers: { 'if-none-match': etag } }));
    expect(status).toBe(304);
    expect(s.stats.notModified).toBe(1);
    expect(s.bucket('ghs_limits', 'core').used).toBe(1);
    // A changed resource gets a new ETag and a full answer.
    s.repo('acme', 'ml')!.archived = true;
    const changed = await octokit.request('GET /repos/{owner}/{repo}', { ...repo, headers: { 'if-none-match': etag } });
    expect([changed.status, changed.headers.etag === etag]).toEqual([200, false]);
  });

  it('charges GraphQL points to their own bucket and answers RATE_LIMITED when it is empty', async () => {
    const { sim: s, octokit } = await start({ graphqlLimit: 2 });
    const q = 'query { repository(owner: "acme", name: "ml") { name } }';
    const res = await octokit.request('POST /graphql', { query: q });
    expect([res.headers['x-ratelimit-resource'], res.headers['x-ratelimit-used']]).toEqual(['graphql', '1']);
    await octokit.graphql(q);
    const err = (await octokit.graphql(q).catch((e: unknown) => e)) as { errors: { type: string }[] };
    expect(err.errors[0].type).toBe('RATE_LIMITED');
    expect([s.stats.graphqlPoints, s.stats.rateLimited]).toEqual([2, 1]);
    expect(s.bucket('ghs_limits', 'core').used).toBe(0);
  });

  it('applies the configured latency, and records the most requests in flight at once', async () => {
    const { sim: s, octokit } = await start({ latencyMs: 60 });
    const t = Date.now();
    await Promise.all([octokit.request('GET /repos/{owner}/{repo}', repo), octokit.request('GET /repos/{owner}/{repo}', repo)]);
    const elapsed = Date.now() - t;
    expect(elapsed).toBeGreaterThanOrEqual(58);
    // Concurrent requests wait in parallel, not one after the other.
    expect(elapsed).toBeLessThan(1000);
    // bench:org reports this figure: two overlapping requests, then one alone, leave it at two.
    expect(s.stats.peakConcurrency).toBe(2);
    await octokit.request('GET /repos/{owner}/{repo}', repo);
    expect(s.stats.peakConcurrency).toBe(2);
    s.resetStats();
    await octokit.request('GET /repos/{owner}/{repo}', repo);
    expect(s.stats.peakConcurrency).toBe(1);
  });

  it('injects 5xx at the configured rate, the same ones for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const { sim: s, octokit } = await start({ errorRate: 0.3, seed });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push(await statusOf(octokit.request('GET /repos/{owner}/{repo}', repo)));
      const injected = s.stats.errorsInjected;
      await s.stop();
      sim = undefined;
      return { out, injected };
    };
    const a = await outcomes(7);
    const b = await outcomes(7);
    const c = await outcomes(8);
    expect(a.out).toEqual(b.out);
    expect(a.out).not.toEqual(c.out);
    expect(a.out.filter((x) => x === 502)).toHaveLength(a.injected);
    expect(a.injected).toBeGreaterThan(4);
    expect(a.injected).toBeLessThan(24);
  });

  it('answers a secondary-limit 403 with retry-after beyond the concurrency limit', async () => {
    const { sim: s, octokit } = await start({ maxConcurrent: 2, latencyMs: 50, retryAfterSeconds: 7 });
    const results = await Promise.all(Array.from({ length: 5 }, () => octokit.request('GET /repos/{owner}/{repo}', repo).then(() => undefined, (e: { status: number; response: { headers: Record<string, string> } }) => e)));
    const refused = results.filter((r) => r !== undefined);
    expect(refused.length).toBe(3);
    expect(refused.map((r) => [r?.status, r?.response.headers['retry-after']])).toEqual([[403, '7'], [403, '7'], [403, '7']]);
    expect(s.stats.secondaryLimited).toBe(3);
  });
});
