/**
 * The weekly sweep, one schedule per installation, from the organisation policy's `sweep.schedule`
 * (five-field cron, UTC).
 *
 * - BullMQ (REDIS_URL): one Redis job scheduler per installation, id `weekly-sweep:<installationId>`.
 *   `upsertJobScheduler` is idempotent, so every replica may (re)register it and exactly one sweep job
 *   is produced per occurrence, whichever replica runs it.
 * - In-process: a timer per installation armed for `nextRun(cron, now)`; when it fires it enqueues the
 *   sweep (id `sweep:<installationId>:<yyyy-mm-dd>`) and re-arms itself. Timers are unref'd: they
 *   never keep the process alive on their own.
 */
import type { JobQueue } from '../queue/index.js';
import { nextRun, parseCron } from '../sweep/cron.js';
import { sweepJobId, utcDay, type AppJob } from './jobs.js';

export interface SweepScheduler {
  /** Registers or replaces the installation's weekly sweep. Throws RangeError on an invalid cron. */
  schedule(installationId: number, org: string, cron: string): Promise<void>;
  /** Removes it (installation deleted or suspended). */
  unschedule(installationId: number): Promise<void>;
  /** Stops the in-process timers (no-op for Redis: the schedules live there). */
  close(): void;
}

function schedulerId(installationId: number): string {
  return `weekly-sweep:${installationId}`;
}

/** What the BullMQ engine offers beyond JobQueue (see queue/bullmq). */
export interface SchedulingQueue {
  scheduleWeekly(name: string, cron: string, tz: string, data: AppJob): Promise<void>;
  removeScheduler?(name: string): Promise<unknown>;
}

export function canSchedule(queue: JobQueue<AppJob>): queue is JobQueue<AppJob> & SchedulingQueue {
  return typeof (queue as Partial<SchedulingQueue>).scheduleWeekly === 'function';
}

export function redisScheduler(queue: SchedulingQueue): SweepScheduler {
  return {
    async schedule(installationId, org, cron) {
      parseCron(cron); // refuse what our own timer would refuse, before Redis sees it
      await queue.scheduleWeekly(schedulerId(installationId), cron, 'UTC', { kind: 'sweep', installationId, org, reason: 'weekly' });
    },
    async unschedule(installationId) {
      await queue.removeScheduler?.(schedulerId(installationId));
    },
    close() {},
  };
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): { unref?: () => unknown };
  clearTimeout(handle: unknown): void;
}

/** setTimeout takes at most 2^31-1 ms (~24.8 days); a longer wait is done in steps. */
const MAX_DELAY = 2 ** 31 - 1;

export function inProcessScheduler(
  queue: Pick<JobQueue<AppJob>, 'add'>,
  opts: { now: () => Date; log: { warn(obj: object, msg: string): void }; timers?: Timers },
): SweepScheduler {
  const timers: Timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const armed = new Map<number, unknown>();

  function arm(installationId: number, org: string, cron: string, from?: Date): void {
    const now = opts.now();
    // A timer may fire a little early: never answer the occurrence that just fired again.
    const at = nextRun(cron, from && from > now ? from : now);
    const wait = at.getTime() - now.getTime();
    const handle = timers.setTimeout(() => {
      if (wait > MAX_DELAY) return arm(installationId, org, cron, new Date(at.getTime() - 60_000)); // not there yet: wait again
      queue
        .add({ kind: 'sweep', installationId, org, reason: 'weekly' }, { id: sweepJobId(installationId, utcDay(at)) })
        .catch((err: unknown) => opts.log.warn({ installation: installationId, org, reason: String(err) }, 'weekly sweep: could not enqueue'));
      arm(installationId, org, cron, at);
    }, Math.min(wait, MAX_DELAY));
    handle.unref?.();
    armed.set(installationId, handle);
  }

  return {
    async schedule(installationId, org, cron) {
      parseCron(cron);
      if (armed.has(installationId)) timers.clearTimeout(armed.get(installationId));
      arm(installationId, org, cron);
    },
    async unschedule(installationId) {
      if (armed.has(installationId)) timers.clearTimeout(armed.get(installationId));
      armed.delete(installationId);
    },
    close() {
      for (const h of armed.values()) timers.clearTimeout(h);
      armed.clear();
    },
  };
}
