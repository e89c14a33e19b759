/** Over real HTTP: webhook signatures (400 and no GitHub call when missing or wrong) and /healthz. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { sign } from '@octokit/webhooks-methods';
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createApp } from '../../src/app/index.js';
import type { AppJob } from '../../src/app/jobs.js';
import { InProcessQueue } from '../../src/queue/index.js';
import { fakeCollector, fixtureText } from './helpers.js';

const SECRET = 'webhook-secret-for-tests';
let server: Server;
let base: string;
const collected: unknown[] = [];

beforeAll(async () => {
  const probot = new Probot({
    githubToken: 'test',
    secret: SECRET,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  const middleware = await createNodeMiddleware(createApp({ appId: 99, collect: fakeCollector({}, collected), queue: new InProcessQueue<AppJob>('http-test', { attempts: 1 }) }), { probot });
  server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let apiCalls = 0;
function countApi(): void {
  apiCalls = 0;
  // Any GitHub API request would land here (and fail the "no call" assertions).
  nock('https://api.github.com').persist().get(/.*/).reply(() => [++apiCalls && 500, {}]).post(/.*/).reply(() => [++apiCalls && 500, {}]);
}
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}/api/github/webhooks`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', ...headers } });
}

describe('webhook signature', () => {
  test.each([
    ['missing', undefined],
    ['wrong', 'sha256=0000000000000000000000000000000000000000000000000000000000000000'],
    ['signed with another secret', 'other'],
  ])('%s signature → 400 and no GitHub API call', async (_label, sig) => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    countApi();
    const body = fixtureText('push.default-branch.json');
    const signature = sig === 'other' ? await sign('not-the-secret', body) : sig;
    const res = await post(body, signature ? { 'x-hub-signature-256': signature } : {});
    expect(res.status).toBe(400);
    expect(apiCalls).toBe(0);
    expect(collected).toEqual([]);
  });

  test('valid signature → handled (a push to another branch: 200, still no API call)', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    countApi();
    const body = fixtureText('push.other-branch.json');
    const res = await post(body, { 'x-hub-signature-256': await sign(SECRET, body) });
    expect(res.status).toBe(200);
    expect(apiCalls).toBe(0);
  });

  test('valid signature on a default-branch push → the app calls GitHub', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    countApi();
    const body = fixtureText('push.default-branch.json');
    const res = await post(body, { 'x-hub-signature-256': await sign(SECRET, body) });
    // The handler only enqueues: GitHub gets its 200 at once, and the audit job then calls the API.
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(apiCalls).toBeGreaterThan(0));
  });
});

describe('/healthz', () => {
  test('GET answers 200 {"status":"ok"}', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('POST is refused; other paths fall through to 404', async () => {
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/healthzz`)).status).toBe(404);
  });
});
