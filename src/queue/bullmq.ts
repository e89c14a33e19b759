import { Queue, Worker, type Job } from 'bullmq';
import {
  checkConcurrency, checkRetryOptions, notifyFailure,
  type FailureListener, type JobHandler, type JobQueue, type QueueLogger, type RetryOptions,
} from './types.js';

export interface StalledJobOptions {
  /** How long a worker's lock on a running job lasts; renewed every lockDuration/2 while alive. Default 30000. */
  readonly lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired (their worker died). Default 30000. */
  readonly stalledIntervalMs?: number;
  /** How many times a job may stall and be re-queued before it fails. Default 1. */
  readonly maxStalledCount?: number;
}

export interface BullMqQueueOptions extends RetryOptions, StalledJobOptions {
  readonly url: string;
  /** Redis key prefix (default "pipeline-guard"). */
  readonly prefix?: string;
  readonly log?: QueueLogger;
}

export interface SchedulerInfo {
  readonly id: string;
  readonly pattern: string | undefined;
  readonly tz: string | undefined;
  /** Epoch ms of the next run. */
  readonly next: number | undefined;
}

/**
 * BullMQ doesn't accept ':' in custom job ids (it separates Redis key parts); '/', '@' are fine.
 * The mapping is injective because '%' is escaped first.
 */
export function toBullJobId(id: string): string {
  return id.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/**
 * Redis-backed queue (BullMQ). Every replica that calls `process` runs a Worker on the same queue,
 * so the replicas share the work. Jobs survive a crashed replica: its lock expires and another
 * worker's stalled-job check puts the job back in the wait list.
 */
export class BullMqQueue<T> implements JobQueue<T> {
  readonly engine = 'bullmq' as const;
  private readonly queue: Queue<Job<T, void, string>>;
  private worker: Worker<T, void, string> | undefined;
  private readonly listeners: FailureListener<T>[] = [];
  private readonly connection: { url: string; maxRetriesPerRequest: null };
  private readonly prefix: string;
  private readonly log: QueueLogger | undefined;
  private readonly stalled: StalledJobOptions;

  constructor(readonly name: string, opts: BullMqQueueOptions) {
    const { attempts, backoffMs } = checkRetryOptions(opts);
    this.connection = { url: opts.url, maxRetriesPerRequest: null };
    this.prefix = opts.prefix ?? 'pipeline-guard';
    this.log = opts.log;
    this.stalled = opts;
    this.queue = new Queue<Job<T, void, string>>(name, {
      connection: this.connection,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts,
        backoff: { type: 'exponential', delay: backoffMs },
        // Removing finished jobs frees their id: dedup holds while a job waits or runs only.
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.queue.on('error', (err) => this.log?.error({ queue: name, reason: String(err) }, 'queue: redis error'));
  }

  async add(job: T, opts: { id: string }): Promise<void> {
    // With an existing jobId BullMQ returns the existing job and adds nothing.
    await this.queue.add(this.name, job, { jobId: toBullJobId(opts.id) });
  }

  process(handler: JobHandler<T>, opts: { concurrency: number }): void {
    checkConcurrency(opts.concurrency);
    if (this.worker) throw new Error(`queue ${this.name} already has a worker`);
    const idOf = (job: Job<T, void, string>): string => job.id === undefined ? '' : decodeURIComponent(job.id);
    const worker = new Worker<T, void, string>(
      this.name,
      async (job) => handler(job.data, { id: idOf(job), attempt: job.attemptsMade + 1 }),
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: opts.concurrency,
        ...(this.stalled.lockDurationMs === undefined ? {} : { lockDuration: this.stalled.lockDurationMs }),
        ...(this.stalled.stalledIntervalMs === undefined ? {} : { stalledInterval: this.stalled.stalledIntervalMs }),
        ...(this.stalled.maxStalledCount === undefined ? {} : { maxStalledCount: this.stalled.maxStalledCount }),
      },
    );
    // Without an 'error' listener an EventEmitter error would crash the process.
    worker.on('error', (err) => this.log?.error({ queue: this.name, reason: String(err) }, 'queue: worker error'));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      // 'failed' fires for every failed attempt; report only the last one (or a stalled-out job).
      if (job.attemptsMade < attempts && !/stalled/i.test(error.message)) {
        this.log?.warn({ id: idOf(job), attempt: job.attemptsMade, reason: error.message }, 'queue: job failed, will retry');
        return;
      }
      this.log?.error({ id: idOf(job), attempts: job.attemptsMade, reason: error.message }, 'queue: job failed for good');
      notifyFailure(this.listeners, { id: idOf(job), job: job.data, attempts: job.attemptsMade, error }, this.log);
    });
    this.worker = worker;
  }

  onFailed(listener: FailureListener<T>): void {
    this.listeners.push(listener);
  }

  /**
   * Polls Redis until nothing is waiting, running or delayed (retries wait as delayed jobs).
   * Note: a job scheduler keeps one delayed job, so a queue with a schedule never becomes idle.
   */
  async whenIdle(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const counts = await this.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      const left = Object.values(counts).reduce((a, b) => a + b, 0);
      if (left === 0) return;
      if (Date.now() > deadline) throw new Error(`queue ${this.name} not idle: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Registers (or updates) a repeating job with a cron pattern in a time zone. Idempotent across
   * replicas: BullMQ stores one scheduler per `name`, so N replicas calling this yield one schedule.
   */
  async scheduleWeekly(name: string, cron: string, tz: string, data: T): Promise<void> {
    if (cron.trim().split(/\s+/).length < 5) throw new RangeError(`not a cron pattern: ${cron}`);
    await this.queue.upsertJobScheduler(name, { pattern: cron, tz }, { name: this.name, data });
  }

  /** Removes a scheduler registered with `scheduleWeekly` (uninstalled or suspended installation). */
  async removeScheduler(name: string): Promise<boolean> {
    return this.queue.removeJobScheduler(name);
  }

  async listSchedulers(): Promise<SchedulerInfo[]> {
    const all = await this.queue.getJobSchedulers();
    return all.map((s) => ({ id: s.key, pattern: s.pattern ?? undefined, tz: s.tz ?? undefined, next: s.next ?? undefined }));
  }

  /** Removes the queue's data from Redis (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  /**
   * `force: true` abandons running jobs without waiting (as a crashed replica would); they are
   * picked up again by another worker once their lock expires.
   */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    await this.worker?.close(opts.force ?? false);
    await this.queue.close();
  }
}
