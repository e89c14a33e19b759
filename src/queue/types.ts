/**
 * The job queue the app handlers enqueue into (DESIGN.md, `queue/`). Two engines share this
 * interface: `InProcessQueue` (default, nothing to install) and `BullMqQueue` (Redis, when
 * `REDIS_URL` is set, so several app replicas share the work).
 *
 * Deduplication: `add(job, { id })` with an id that is already waiting, running or waiting for a
 * retry is ignored, so one repository + commit yields one job at a time. Once the job has finished
 * (completed or failed for good) the id can be queued again.
 */

export interface JobContext {
  /** The deduplication id given to `add`. */
  readonly id: string;
  /** 1 for the first run, 2 for the first retry, ... */
  readonly attempt: number;
}

export type JobHandler<T> = (job: T, ctx: JobContext) => Promise<void>;

export interface JobFailure<T> {
  readonly id: string;
  readonly job: T;
  /** How many times the handler ran (equals the configured attempts unless the job stalled out). */
  readonly attempts: number;
  readonly error: unknown;
}

export type FailureListener<T> = (failure: JobFailure<T>) => void;

/** Logger subset (Probot's pino logger fits). */
export interface QueueLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RetryOptions {
  /** Total runs per job, first run included (>= 1). Default 3. */
  readonly attempts?: number;
  /** Exponential backoff base: retry n waits backoffMs * 2^(n-1). Default 5000. */
  readonly backoffMs?: number;
}

export interface JobQueue<T> {
  readonly engine: 'in-process' | 'bullmq';
  readonly name: string;
  /** Enqueue; ignored while a job with the same id is waiting or running. */
  add(job: T, opts: { id: string }): Promise<void>;
  /** Start consuming with at most `concurrency` handlers running at once (in this process). */
  process(handler: JobHandler<T>, opts: { concurrency: number }): void;
  /** Called once per job whose attempts are exhausted. Listener errors are swallowed. */
  onFailed(listener: FailureListener<T>): void;
  /** Resolves when nothing is waiting, running or waiting for a retry (tests, graceful shutdown). */
  whenIdle(opts?: { timeoutMs?: number }): Promise<void>;
  /** Stop taking work; waits for running handlers (in-process) / closes the Redis connections. */
  close(): Promise<void>;
}

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 5_000;

export function retryDelay(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1);
}

export function checkRetryOptions(opts: RetryOptions): { attempts: number; backoffMs: number } {
  const attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
  const backoffMs = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  if (!Number.isFinite(backoffMs) || backoffMs < 0) throw new RangeError(`backoffMs must be >= 0, got ${backoffMs}`);
  return { attempts, backoffMs };
}

export function checkConcurrency(concurrency: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
}

export function notifyFailure<T>(listeners: readonly FailureListener<T>[], failure: JobFailure<T>, log: QueueLogger | undefined): void {
  for (const listener of listeners) {
    try {
      listener(failure);
    } catch (err) {
      log?.error({ id: failure.id, reason: String(err) }, 'queue: failure listener threw');
    }
  }
}
