/**
 * A simulator per test file and an @octokit/core client on it whose every request is checked against
 * GitHub's OpenAPI description (checkRequest) and whose replies are checked with responseViolations.
 */
import { Octokit } from '@octokit/core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { checkRequest, responseViolations } from '../helpers/github-contract.js';
import { GitHubSimulator, type SimulatorOptions } from '../../src/sim/index.js';

export interface SimHarness {
  sim: GitHubSimulator;
  octokit: Octokit;
  /** Requests GitHub would refuse. */
  violations: string[];
  /** Sends `METHOD /template` and checks the reply body against GitHub's schema for its status. */
  call(route: string, params?: Record<string, unknown>): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;
}

/** Checks every request `octokit` sends to the simulator at `baseUrl` against GitHub's OpenAPI description. */
export function checkRequests(octokit: Pick<Octokit, 'hook' | 'request'>, baseUrl: string, violations: string[]): void {
  octokit.hook.before('request', (options) => {
    const parsed = octokit.request.endpoint.parse(options) as { method: string; url: string; body?: unknown };
    const body = typeof parsed.body === 'string' ? (JSON.parse(parsed.body) as unknown) : parsed.body;
    // checkRequest reads query parameters from the URL: give it GitHub's host, as a real client would use.
    violations.push(...checkRequest(options as unknown as Record<string, unknown>, { ...parsed, url: parsed.url.replace(baseUrl, 'https://api.github.com'), body }));
  });
}

export function checkedOctokit(baseUrl: string, violations: string[], auth = 'ghs_simTestToken'): Octokit {
  const octokit = new Octokit({ auth, baseUrl });
  checkRequests(octokit, baseUrl, violations);
  return octokit;
}

/** Starts one simulator for the file; `setup` fills it before the tests run. */
export function useSim(setup: (sim: GitHubSimulator) => void, options: SimulatorOptions = {}): SimHarness {
  const h = { violations: [] as string[] } as SimHarness;
  beforeAll(async () => {
    h.sim = new GitHubSimulator(options);
    await h.sim.start();
    setup(h.sim);
    h.octokit = checkedOctokit(h.sim.url, h.violations);
    h.call = async (route, params = {}) => {
      const [method, template] = route.split(' ');
      let res: { status: number; data: unknown; headers: Record<string, unknown> };
      try {
        res = (await h.octokit.request(route, params)) as typeof res;
      } catch (err) {
        const e = err as { status?: number; response?: { data: unknown; headers: Record<string, unknown> } };
        if (!e.response || e.status === undefined) throw err;
        res = { status: e.status, data: e.response.data, headers: e.response.headers };
      }
      // GET /app/installations: the spec's `account` is `nullable` + `anyOf`, a combination Ajv cannot
      // validate (it rejects a valid simple-user); every other reply is checked.
      if (res.status !== 204 && res.status !== 304 && template !== '/app/installations') h.violations.push(...responseViolations(method, template, res.status, res.data));
      return res;
    };
  });
  afterEach(() => {
    const found = h.violations.splice(0);
    expect(found).toEqual([]);
    expect(h.sim.stats.unknownRoutes).toEqual([]);
  });
  afterAll(async () => {
    await h.sim.stop();
  });
  return h;
}
