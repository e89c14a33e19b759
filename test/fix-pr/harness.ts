/**
 * A Probot with only `registerFix` loaded (the way test/app/helpers makeProbot builds its Probot: retry
 * and throttling off, every request checked against GitHub's REST description), and a collector that
 * reads the fake repository at the requested commit.
 */
import { Probot, ProbotOctokit } from 'probot';
import { checkRequest, type SentRequest } from '../helpers/github-contract.js';
import { registerFix, type FixDeps } from '../../src/app/fix.js';
import type { CollectFn } from '../../src/app/index.js';
import type { RepoSnapshot } from '../../src/model/snapshot.js';
import type { FakeGitHub } from './fake-github.js';

export const APP_ID = 99;

export interface FixHarness {
  probot: Probot;
  sent: SentRequest[];
  violations: string[];
  collected: string[];
}

export function fakeRepoCollector(gh: FakeGitHub, collected: string[]): CollectFn {
  return async (_octokit, target) => {
    const sha = target.ref ?? gh.head(gh.defaultBranch)!;
    collected.push(sha);
    const enc = new TextEncoder();
    const snapshot: RepoSnapshot = {
      source: 'github',
      repo: { owner: target.owner, name: target.repo, defaultBranch: gh.defaultBranch },
      ref: sha,
      files: [...gh.filesAt(sha)].map(([path, text]) => ({ path, size: enc.encode(text).length, bytes: enc.encode(text) })),
      warnings: [],
    };
    return snapshot;
  };
}

export async function fixProbot(gh: FakeGitHub, deps: Partial<FixDeps> = {}): Promise<FixHarness> {
  const sent: SentRequest[] = [];
  const violations: string[] = [];
  const collected: string[] = [];
  gh.install();
  const contract = (octokit: InstanceType<typeof ProbotOctokit>): void => {
    octokit.hook.before('request', (options) => {
      const o = options as unknown as Record<string, unknown>;
      const parsed = octokit.request.endpoint.parse(options) as { method: string; url: string; body?: unknown };
      let body = parsed.body;
      if (typeof body === 'string') body = JSON.parse(body);
      sent.push({ method: parsed.method, route: String(o.url), url: parsed.url, ...(body !== undefined ? { body } : {}) });
      violations.push(...checkRequest(o, { ...parsed, body }));
    });
  };
  // Same construction as test/app/helpers makeProbot (callback form, so throttling really is off).
  const Octokit = ProbotOctokit.plugin(contract as unknown as Parameters<typeof ProbotOctokit.plugin>[0]).defaults((o: Record<string, unknown>) => ({
    ...o,
    retry: { enabled: false },
    throttle: { enabled: false },
  }));
  const probot = new Probot({ githubToken: 'test', logLevel: 'fatal', Octokit: Octokit as typeof ProbotOctokit });
  await probot.load((app) => registerFix(app, { collect: fakeRepoCollector(gh, collected), appId: APP_ID, ...deps }));
  return { probot, sent, violations, collected };
}

/** `METHOD /route` of every request, for asserting the flow. */
export function flow(sent: readonly SentRequest[], from = 0): string[] {
  return sent.slice(from).map((r) => `${r.method} ${r.route}`);
}
