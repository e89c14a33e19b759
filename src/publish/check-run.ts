/**
 * Writes the "Pipeline Guard" check run (the only code here that writes to GitHub):
 * 1. `start`: reuse the run this app already has on the head SHA (a redelivered webhook must not create
 *    a second one), else create it `in_progress` at once;
 * 2. `complete`: send the output; annotations go 50 per request (GitHub's limit), the earlier batches
 *    with the run still in progress and the last one with the conclusion, the same title and summary
 *    every time (GitHub appends annotations, it replaces title and summary);
 * 3. `withCheckRun`: try/finally around the audit so a run is never left in progress: if anything throws
 *    (after Octokit's own retries), the run is completed `neutral` with the reason.
 */
import type { ProbotOctokit } from 'probot';
import {
  auditFailedOutput,
  CHECK_RUN_NAME,
  MAX_ANNOTATIONS_PER_REQUEST,
  type CheckRunOutput,
} from '../report/check-run.js';

export type RequestOctokit = Pick<InstanceType<typeof ProbotOctokit>, 'request'>;

export interface CheckRunTarget {
  owner: string;
  repo: string;
  headSha: string;
}

export interface StartedCheckRun {
  id: number;
  /** Annotations the run already carries (a reused run): they are not sent again. */
  annotationsSent: number;
  reused: boolean;
}

export interface StartOptions {
  /** The app's id, to reuse only this app's run (another app may use the same name). */
  appId?: number;
  /** `check_run.rerequested`: GitHub expects a new run rather than the old one updated. */
  forceNew?: boolean;
  /** ISO time (the clock is read by the caller). */
  now: string;
}

interface ListedRun {
  id: number;
  status: string;
  app?: { id?: number } | null;
  output?: { annotations_count?: number };
}

async function startCheckRun(octokit: RequestOctokit, target: CheckRunTarget, opts: StartOptions): Promise<StartedCheckRun> {
  if (!opts.forceNew) {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: target.owner,
      repo: target.repo,
      ref: target.headSha,
      check_name: CHECK_RUN_NAME,
      filter: 'latest',
      ...(opts.appId !== undefined ? { app_id: opts.appId } : {}),
      per_page: 10,
    });
    const runs = (res.data.check_runs as ListedRun[]).filter((r) => opts.appId === undefined || r.app?.id === opts.appId);
    const existing = runs[0];
    if (existing) return { id: existing.id, annotationsSent: existing.output?.annotations_count ?? 0, reused: true };
  }
  const created = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: target.owner,
    repo: target.repo,
    name: CHECK_RUN_NAME,
    head_sha: target.headSha,
    status: 'in_progress',
    started_at: opts.now,
  });
  return { id: Number(created.data.id), annotationsSent: 0, reused: false };
}

/**
 * Completes the run with every annotation, 50 per request. With a reused run, the first
 * `annotationsSent` annotations (same audit, same order) are already on it and are skipped.
 */
async function completeCheckRun(
  octokit: RequestOctokit,
  target: CheckRunTarget,
  run: StartedCheckRun,
  output: CheckRunOutput,
  now: string,
): Promise<number> {
  const pending = output.annotations.slice(Math.min(run.annotationsSent, output.annotations.length));
  const batches: (typeof pending)[] = [];
  for (let i = 0; i < pending.length; i += MAX_ANNOTATIONS_PER_REQUEST) batches.push(pending.slice(i, i + MAX_ANNOTATIONS_PER_REQUEST));
  const text = output.text !== undefined ? { text: output.text } : {};
  const base = { owner: target.owner, repo: target.repo, check_run_id: run.id };
  // Earlier batches while the run is in progress; the last (or none) with the conclusion.
  for (const batch of batches.slice(0, -1)) {
    await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      ...base,
      output: { title: output.title, summary: output.summary, ...text, annotations: batch },
    });
  }
  const last = batches[batches.length - 1];
  await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
    ...base,
    status: 'completed',
    conclusion: output.conclusion,
    completed_at: now,
    output: { title: output.title, summary: output.summary, ...text, ...(last ? { annotations: last } : {}) },
    actions: output.actions,
  });
  return Math.max(1, batches.length);
}

/** Completes a run as neutral with the reason; used when the audit failed. */
async function failCheckRun(octokit: RequestOctokit, target: CheckRunTarget, runId: number, reason: string, now: string): Promise<void> {
  const out = auditFailedOutput(reason);
  await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
    owner: target.owner,
    repo: target.repo,
    check_run_id: runId,
    status: 'completed',
    conclusion: out.conclusion,
    completed_at: now,
    output: { title: out.title, summary: out.summary },
    actions: [],
  });
}

/** Error text safe to show: no token-like strings, no URLs with credentials. */
export function describeError(err: unknown): string {
  const e = err as { status?: number; message?: string };
  const msg = (e?.message ?? String(err))
    .replace(/\b(gh[opsur]_|github_pat_)[A-Za-z0-9_]+/g, '[redacted]')
    .replace(/\b(v1\.)[0-9a-f]{20,}/gi, '[redacted]')
    .replace(/(bearer|token)\s+\S+/gi, '$1 [redacted]')
    .replace(/\/\/[^/@\s]+@/g, '//[redacted]@');
  return e?.status ? `GitHub answered ${e.status}: ${msg}` : msg;
}

/**
 * Runs `audit` inside a started check run. Whatever happens, the run ends completed: with the audit's
 * output, or neutral with the reason. Returns the error, if any, for the caller to log.
 */
export async function withCheckRun(
  octokit: RequestOctokit,
  target: CheckRunTarget,
  opts: StartOptions & { clock: () => string },
  audit: (run: StartedCheckRun) => Promise<CheckRunOutput>,
): Promise<{ run: StartedCheckRun; output?: CheckRunOutput; error?: unknown }> {
  const run = await startCheckRun(octokit, target, opts);
  let completed = false;
  let failure: unknown;
  let output: CheckRunOutput | undefined;
  try {
    output = await audit(run);
    await completeCheckRun(octokit, target, run, output, opts.clock());
    completed = true;
  } catch (err) {
    failure = err;
  } finally {
    if (!completed) await failCheckRun(octokit, target, run.id, describeError(failure ?? new Error('the audit was interrupted')), opts.clock());
  }
  return { run, output, error: failure };
}
