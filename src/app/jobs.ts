/**
 * What the webhook handlers enqueue and the workers run. Plain data only (it is stored in Redis with
 * BullMQ): the worker gets its installation Octokit from `app.auth(installationId)`.
 *
 * Job ids deduplicate: a job whose id is already waiting or running is not added again, so a webhook
 * redelivery does not audit twice, while a push audit and a PR audit of the same commit both run.
 */
import { repoCommitJobId } from '../queue/index.js';

/** Audit one commit and record a check run on it. */
export interface AuditJob {
  kind: 'audit';
  installationId: number;
  owner: string;
  repo: string;
  headSha: string;
  /** `https://github.com/owner/repo` from the webhook, for file:line links. */
  repoUrl?: string;
  branch?: string;
  pullRequest?: { number: number; baseRef: string };
  /** A new check run even if one exists (re-run requested). */
  forceNew?: boolean;
}

/** Audit the current default-branch head (settings events: the commit is not in the payload). */
export interface DefaultBranchAuditJob {
  kind: 'audit-default-branch';
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch?: string;
  repoUrl?: string;
}

export type SweepReason = 'installed' | 'permissions-accepted' | 'repositories-added' | 'weekly' | 'command';

/** Sweep every repository of the installation and publish the weekly issue. */
export interface SweepJob {
  kind: 'sweep';
  installationId: number;
  org: string;
  reason: SweepReason;
}

export type AppJob = AuditJob | DefaultBranchAuditJob | SweepJob;

/** `owner/repo@sha`, `…#pr-N` for a pull-request audit, `…#rerun-<check run id>` for a re-run. */
export function auditJobId(job: Omit<AuditJob, 'kind' | 'installationId'>, rerunOf?: number): string {
  const base = repoCommitJobId(job.owner, job.repo, job.headSha);
  if (rerunOf !== undefined) return `${base}#rerun-${rerunOf}`;
  return job.pullRequest ? `${base}#pr-${job.pullRequest.number}` : base;
}

/** `owner/repo@default-branch#settings`: one pending settings re-audit per repository. */
export function defaultBranchJobId(owner: string, repo: string): string {
  return `${repoCommitJobId(owner, repo, 'default-branch')}#settings`;
}

/** `yyyy-mm-dd` (UTC). */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** On-demand sweeps: one per installation per 10 minutes (`2026-11-27T12:10Z`), so repeated commands coalesce. */
export function onDemandBucket(d: Date): string {
  const bucket = new Date(Math.floor(d.getTime() / 600_000) * 600_000);
  return `${bucket.toISOString().slice(0, 16)}Z`;
}

/** `sweep:<installationId>:<day or bucket>`. */
export function sweepJobId(installationId: number, when: string): string {
  return `sweep:${installationId}:${when}`;
}

/** Loggable fields of a job (never a token: jobs carry none). */
export function describeJob(job: AppJob): Record<string, unknown> {
  if (job.kind === 'sweep') return { kind: job.kind, installation: job.installationId, org: job.org, trigger: job.reason };
  if (job.kind === 'audit') return { kind: job.kind, owner: job.owner, repo: job.repo, sha: job.headSha, pr: job.pullRequest?.number };
  return { kind: job.kind, owner: job.owner, repo: job.repo };
}
