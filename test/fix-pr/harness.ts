/**
 * A Probot with only `registerFix` loaded (its Octokit from test/app/helpers checkedProbotOctokit: retry
 * and throttling off, every request checked against GitHub's REST description), and a collector that
 * reads the fake repository at the requested commit.
 */
import { Probot } from 'probot';
import type { SentRequest } from '../helpers/github-contract.js';
import { checkedProbotOctokit } from '../app/helpers.js';
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
  const probot = new Probot({ githubToken: 'test', logLevel: 'fatal', Octokit: checkedProbotOctokit(sent, violations) });
  await probot.load((app) => registerFix(app, { collect: fakeRepoCollector(gh, collected), appId: APP_ID, ...deps }));
  return { probot, sent, violations, collected };
}

/** `METHOD /route` of every request, for asserting the flow. */
export function flow(sent: readonly SentRequest[], from = 0): string[] {
  return sent.slice(from).map((r) => `${r.method} ${r.route}`);
}
