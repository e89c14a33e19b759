/**
 * The organisation sweep's contract, shared by the sweep engine (sweep/), the app and CLI that start it,
 * the weekly-issue publisher that consumes its results, and the simulator benchmark that measures it.
 */
import type { Check } from '../checks/types.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import type { Finding } from '../model/types.js';
import type { Policy } from '../policy/config.js';

/** What the sweep needs from an Octokit: REST `request` and `graphql` (ProbotOctokit and @octokit/core fit). */
export interface SweepOctokit {
  request: (route: string, params?: Record<string, unknown>) => Promise<{ status: number; data: unknown; headers: Record<string, string | number | undefined> }>;
  graphql: (query: string, variables?: Record<string, unknown>) => Promise<unknown>;
}

/** One audited repository, handed to `onRepo` as soon as it is scanned (the sweep keeps nothing after). */
export interface SweptRepo {
  owner: string;
  name: string;
  /** https URL of the repository, from the API. */
  url: string;
  defaultBranch: string;
  /** Default-branch head the files were read at (absent for an empty repository). */
  headSha?: string;
  fork: boolean;
  findings: Finding[];
  /** Why (part of) the repository could not be evaluated, one reason per entry. */
  notEvaluated: string[];
}

export interface SweepStats {
  /** Repositories the installation can see. */
  repositories: number;
  audited: number;
  skippedArchived: number;
  skippedForks: number;
  failed: number;
  restRequests: number;
  graphqlRequests: number;
  /** Sum of `rateLimit.cost` over the sweep's GraphQL queries. */
  graphqlPoints: number;
  /** Conditional requests answered 304 (free against the rate limit). */
  notModified: number;
  /** Time spent waiting for rate-limit budget. */
  pausedMs: number;
  durationMs: number;
}

export interface SweepFailure {
  repo: string;
  reason: string;
}

export interface SweepResult {
  stats: SweepStats;
  failures: SweepFailure[];
}

export interface SweepOptions {
  /** Organisation (or user) login whose repositories the installation can see. */
  org: string;
  octokit: SweepOctokit;
  /** The organisation policy (`sweepPolicy(policy)`: forks, budget share); repository policies are merged per repository. */
  policy: Policy;
  checks?: readonly Check[];
  now?: () => Date;
  /** Repositories per GraphQL query. */
  batchSize?: number;
  /** Called once per audited repository; awaited before the snapshot is dropped (bounded memory). */
  onRepo: (repo: SweptRepo, snapshot: RepoSnapshot) => Promise<void> | void;
  /** Injected for tests; default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export type SweepFn = (opts: SweepOptions) => Promise<SweepResult>;
