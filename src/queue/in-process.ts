import {
  checkConcurrency, checkRetryOptions, notifyFailure, retryDelay,
  type FailureListener, type JobHandler, type JobQueue, type QueueLogger, type RetryOptions,
} from './types.js';

interface Entry<T> {
  readonly id: string;
  readonly job: T;
  attempt: number;
  timer?: NodeJS.Timeout;
}

export interface InProcessQueueOptions extends RetryOptions {
  readonly log?: QueueLogger;
}

/**
 * Single-process queue: FIFO, deduplicated by id, bounded concurrency, retries with exponential
 * backoff. Jobs live in memory, so they are lost if the process exits (use Redis for durability).
 */
export class InProcessQueue<T> implements JobQueue<T> {
  readonly engine = 'in-process' as const;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly log: QueueLogger | undefined;
  /** Every job not yet finished: waiting, running or waiting for a retry. Keyed by id. */
  private readonly entries = new Map<string, Entry<T>>();
  private readonly ready: Entry<T>[] = [];
  private readonly listeners: FailureListener<T>[] = [];
  private readonly running = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private handler: JobHandler<T> | undefined;
  private concurrency = 1;
  private closed = false;

  constructor(readonly name: string, opts: InProcessQueueOptions = {}) {
    ({ attempts: this.attempts, backoffMs: this.backoffMs } = checkRetryOptions(opts));
    this.log = opts.log;
  }

  async add(job: T, opts: { id: string }): Promise<void> {
    if (this.closed) throw new Error(`queue ${this.name} is closed`);
    if (this.entries.has(opts.id)) return;
    const entry: Entry<T> = { id: opts.id, job, attempt: 0 };
    this.entries.set(opts.id, entry);
    this.ready.push(entry);
    this.pump();
  }

  process(handler: JobHandler<T>, opts: { concurrency: number }): void {
    checkConcurrency(opts.concurrency);
    if (this.handler) throw new Error(`queue ${this.name} already has a handler`);
    this.handler = handler;
    this.concurrency = opts.concurrency;
    this.pump();
  }

  onFailed(listener: FailureListener<T>): void {
    this.listeners.push(listener);
  }

  whenIdle(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        reject(new Error(`queue ${this.name} not idle after ${opts.timeoutMs} ms (${this.entries.size} jobs left)`));
      }, opts.timeoutMs);
      const done = (): void => { if (timer) clearTimeout(timer); resolve(); };
      this.idleWaiters.push(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
    this.ready.length = 0;
    await Promise.allSettled([...this.running]);
    this.entries.clear();
    this.settleIdle();
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.closed && this.running.size < this.concurrency && this.ready.length > 0) {
      const entry = this.ready.shift() as Entry<T>; // length checked above
      const run = this.runOnce(handler, entry).finally(() => {
        this.running.delete(run);
        this.pump();
        this.settleIdle();
      });
      this.running.add(run);
    }
  }

  private async runOnce(handler: JobHandler<T>, entry: Entry<T>): Promise<void> {
    entry.attempt += 1;
    try {
      // The callback wrapper turns a synchronous throw into a rejection.
      await Promise.resolve().then(() => handler(entry.job, { id: entry.id, attempt: entry.attempt }));
      this.entries.delete(entry.id);
    } catch (error) {
      if (this.closed) return;
      if (entry.attempt < this.attempts) {
        const delay = retryDelay(this.backoffMs, entry.attempt);
        this.log?.warn({ id: entry.id, attempt: entry.attempt, delay, reason: String(error) }, 'queue: job failed, will retry');
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          if (this.closed) return;
          this.ready.push(entry);
          this.pump();
        }, delay);
        return;
      }
      this.entries.delete(entry.id);
      this.log?.error({ id: entry.id, attempts: entry.attempt, reason: String(error) }, 'queue: job failed for good');
      notifyFailure(this.listeners, { id: entry.id, job: entry.job, attempts: entry.attempt, error }, this.log);
    }
  }

  private settleIdle(): void {
    if (this.entries.size > 0 && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
