import { BullMqQueue, type StalledJobOptions } from './bullmq.js';
import { InProcessQueue } from './in-process.js';
import type { JobQueue, QueueLogger, RetryOptions } from './types.js';

export * from './types.js';
export { InProcessQueue, type InProcessQueueOptions } from './in-process.js';
export { BullMqQueue, toBullJobId, type BullMqQueueOptions, type SchedulerInfo, type StalledJobOptions } from './bullmq.js';

export interface CreateQueueOptions extends RetryOptions, StalledJobOptions {
  readonly log?: QueueLogger;
  readonly prefix?: string;
}

/** Redis (BullMQ) when REDIS_URL is set and non-empty, otherwise the in-process queue. */
export function createQueue<T>(
  name: string,
  env: { readonly REDIS_URL?: string | undefined },
  opts: CreateQueueOptions = {},
): InProcessQueue<T> | BullMqQueue<T> {
  const url = env.REDIS_URL?.trim();
  if (url) return new BullMqQueue<T>(name, { ...opts, url });
  return new InProcessQueue<T>(name, opts);
}

/** Dedup id for "this repository at this commit". */
export function repoCommitJobId(owner: string, repo: string, sha: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}@${sha}`;
}

export type { JobQueue };
