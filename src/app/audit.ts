/**
 * The audit workers: one commit → one check run (publish/check-run keeps it from ever being left in
 * progress). Run from the queue with an installation Octokit; nothing here reads the webhook.
 */
import type { Check } from '../checks/types.js';
import { scanSnapshot } from '../engine/scan.js';
import { checkRunPolicy } from '../policy/config.js';
import { buildCheckRunOutput } from '../report/check-run.js';
import { collectTouchedLines, isTouched } from '../collect/pull-request.js';
import { readDefaultBranchHead } from '../collect/default-branch.js';
import { loadPolicy } from '../collect/policy.js';
import { describeError, withCheckRun } from '../publish/check-run.js';
import type { AuditJob, DefaultBranchAuditJob } from './jobs.js';
import type { CollectFn, Octokit } from './index.js';
import { enforceRepository } from './enforce.js';

export interface AuditLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditorDeps {
  collect: CollectFn;
  checks: readonly Check[];
  now: () => Date;
  appId: number | undefined;
  /** Author named in settings-enforcement records (`<app-slug>[bot]`). */
  actor: string;
}

export type AuditTarget = Omit<AuditJob, 'kind' | 'installationId'>;

/** Audits one commit inside a check run. Throws only when the check run itself could not be written. */
export async function auditCommit(deps: AuditorDeps, octokit: Octokit, log: AuditLog, job: AuditTarget): Promise<void> {
  const target = { owner: job.owner, repo: job.repo, headSha: job.headSha };
  log.info({ owner: job.owner, repo: job.repo, sha: job.headSha, pr: job.pullRequest?.number }, 'audit started');
  const clock = () => deps.now().toISOString();
  const result = await withCheckRun(octokit, target, { appId: deps.appId, forceNew: job.forceNew, now: clock(), clock }, async () => {
    const loaded = await loadPolicy(octokit, job);
    const touched = job.pullRequest
      ? await collectTouchedLines(octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullRequest.number })
      : undefined;
    const snapshot = await deps.collect(octokit, { owner: job.owner, repo: job.repo, ref: job.headSha });
    const scan = scanSnapshot(snapshot, deps.checks, loaded.policy);
    // Settings enforcement: default-branch audits only (never a pull request), only what the organisation enforces.
    const onDefaultBranch = !job.pullRequest && snapshot.settings !== undefined && job.branch === snapshot.settings.repo.defaultBranch;
    const enforcement = onDefaultBranch
      ? await enforceRepository(octokit, { owner: job.owner, repo: job.repo }, snapshot.settings, scan.findings, loaded.policy, { actor: deps.actor, now: clock() })
      : undefined;
    if (enforcement) log.info({ owner: job.owner, repo: job.repo, enforcement: enforcement.records.map((r) => `${r.change.checkId}:${r.status}`) }, 'settings enforcement');
    const output = buildCheckRunOutput({
      findings: scan.findings,
      notEvaluated: scan.notEvaluated,
      warnings: scan.warnings,
      refused: loaded.refused,
      policyError: loaded.error?.message,
      policy: checkRunPolicy(loaded.policy),
      pullRequest:
        job.pullRequest && touched
          ? { ...job.pullRequest, isNew: (f) => isTouched(touched, f), truncatedFiles: touched.truncated }
          : undefined,
      repoUrl: job.repoUrl,
      headSha: job.headSha,
      branch: job.branch,
    });
    return enforcement?.section ? { ...output, text: [output.text, enforcement.section].filter(Boolean).join('\n\n') } : output;
  });
  if (result.error) log.error({ owner: job.owner, repo: job.repo, sha: job.headSha, reason: describeError(result.error) }, 'audit failed; check run completed as neutral');
  else log.info({ owner: job.owner, repo: job.repo, sha: job.headSha, conclusion: result.output?.conclusion, reused: result.run.reused }, 'audit finished');
}

/** Audits the default-branch head of a repository (settings events); archived and empty repositories are skipped. */
export async function auditDefaultBranch(deps: AuditorDeps, octokit: Octokit, log: AuditLog, job: Omit<DefaultBranchAuditJob, 'kind' | 'installationId'>): Promise<void> {
  const head = await readDefaultBranchHead(octokit, job);
  if (head.state === 'archived') {
    log.info({ owner: job.owner, repo: job.repo }, 'archived repository: no check run');
    return;
  }
  if (head.state === 'empty') {
    log.info({ owner: job.owner, repo: job.repo }, 'empty repository: nothing to audit');
    return;
  }
  await auditCommit(deps, octokit, log, { owner: job.owner, repo: job.repo, headSha: head.sha, repoUrl: head.repoUrl, branch: head.defaultBranch });
}
