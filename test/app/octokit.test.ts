/** The production Octokit: bounded rate-limit retries and a deadline on every request, over real HTTP. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { appOctokit, RATE_LIMIT_RETRIES, shouldRetryRateLimit } from '../../src/app/octokit.js';

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A local GitHub stand-in answering with `handler`; returns its base URL and the request count. */
async function server(handler: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ baseUrl: string; count: () => number }> {
  let n = 0;
  const s = createServer((req, res) => handler(++n, req, res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  close = () => {
    s.closeAllConnections();
    s.close();
  };
  return { baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, count: () => n };
}

const silent = { warn: () => undefined };

describe('rate limits', () => {
  it('retries a bounded number of times', () => {
    expect([0, 1, 2, 3].map((c) => shouldRetryRateLimit('secondary', 1, c, silent))).toEqual([true, true, false, false]);
    expect(RATE_LIMIT_RETRIES).toBe(2);
  });

  it('waits out a secondary rate limit and succeeds', async () => {
    const gh = await server((n, _req, res) => {
      if (n === 1) {
        res.writeHead(403, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
    const Octokit = appOctokit(5_000);
    const octokit = new Octokit({ auth: { token: 'test' }, baseUrl: gh.baseUrl, log: { ...console, warn: () => undefined } });
    const res = await octokit.request('GET /rate-limited');
    expect(res.data).toEqual({ ok: true });
    expect(gh.count()).toBe(2);
  });

  it('gives up after the bound on a primary rate limit that does not lift', async () => {
    const gh = await server((_n, _req, res) => {
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)),
      });
      res.end(JSON.stringify({ message: 'API rate limit exceeded' }));
    });
    const Octokit = appOctokit(5_000);
    const octokit = new Octokit({ auth: { token: 'test' }, baseUrl: gh.baseUrl, log: { ...console, warn: () => undefined } });
    await expect(octokit.request('GET /limited')).rejects.toMatchObject({ status: 403 });
    expect(gh.count()).toBe(1 + RATE_LIMIT_RETRIES);
  });
});

describe('timeouts', () => {
  it('a request GitHub never answers fails at the deadline instead of hanging', async () => {
    const gh = await server(() => undefined); // accepts, never answers
    const Octokit = appOctokit(300);
    const octokit = new Octokit({ auth: { token: 'test' }, baseUrl: gh.baseUrl, retry: { enabled: false }, log: { ...console, warn: () => undefined } });
    const start = Date.now();
    await expect(octokit.request('GET /slow')).rejects.toThrow();
    expect(Date.now() - start).toBeLessThan(5_000);
  });
});
