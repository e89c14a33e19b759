/**
 * Entry point of the GitHub App: `node dist/app/main.js`. Probot's `run` reads the environment
 * (.env.example lists every variable), starts the HTTP server with the webhook route, `/ping`
 * and our `/healthz`.
 *
 * Jobs go to `createQueue('pipeline-guard', process.env)`: BullMQ on Redis when REDIS_URL is set (every
 * replica runs workers on the same queue and one Redis job scheduler per installation drives the weekly
 * sweep), otherwise an in-process queue and in-process timers. PIPELINE_GUARD_CONCURRENCY sets the jobs
 * run at once per process (default 4).
 */
import { run } from 'probot';
import { collectRepoSnapshot } from '../collect/github.js';
import { recordRequests, type HookableOctokit } from '../collect/record.js';
import { publishWeeklyIssue } from '../publish/weekly-issue.js';
import { createQueue, type QueueLogger } from '../queue/index.js';
import { parseCommand } from '../report/commands.js';
import { renderWeeklyIssue, WeeklyAccumulator } from '../report/weekly.js';
import { sweepOrganization } from '../sweep/sweep.js';
import { createApp, DEFAULT_CONCURRENCY, type AppJob } from './index.js';
import { appOctokit } from './octokit.js';

/** Queue engine messages (Redis connection errors, retries) as JSON lines on stderr, as Probot's own logs go. */
const queueLog: QueueLogger = {
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 40, name: 'queue', msg, ...obj })}\n`),
  error: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 50, name: 'queue', msg, ...obj })}\n`),
};

const concurrency = Number(process.env.PIPELINE_GUARD_CONCURRENCY);

await run(
  createApp({
    collect: (octokit, target) => collectRepoSnapshot(octokit, target),
    // Octokit's hook types are generic over every plugin; the recorder declares the one shape it uses.
    record: (octokit, file) => recordRequests(octokit as unknown as HookableOctokit, file),
    recordFile: process.env.PIPELINE_GUARD_RECORD || undefined,
    queue: createQueue<AppJob>('pipeline-guard', process.env, { log: queueLog }),
    concurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : DEFAULT_CONCURRENCY,
    sweeps: {
      sweep: sweepOrganization,
      newAccumulator: () => new WeeklyAccumulator(),
      render: renderWeeklyIssue,
      publish: publishWeeklyIssue,
      parseCommand,
      scheduleOnStart: true,
    },
  }),
  { Octokit: appOctokit() },
);
