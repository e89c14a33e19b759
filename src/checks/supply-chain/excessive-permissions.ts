/**
 * W6 excessive-permissions: GITHUB_TOKEN permissions broader than the jobs need: no permissions block at
 * all (the repository default applies, often write), `write-all`/`read-all`, and write scopes granted at
 * workflow level, where they reach every job.
 */
import type { FindingDraft, Region, Severity } from '../../model/types.js';
import type { Job, Permissions, WorkflowFile } from '../../workflows/model.js';
import { exposure, type Exposure } from '../../workflows/context.js';
import { mapperFor } from '../../workflows/expressions.js';
import { pointRegion, region } from '../locs.js';
import type { Check } from '../types.js';
import { jobNeedsWrite } from './lib-permissions.js';

/** Where the workflow's content starts (its first key, after leading comments): the anchor for a missing block. */
function documentStart(w: WorkflowFile): Region {
  const contents = w.doc.contents as { range?: [number, number, number] } | null;
  const start = contents?.range?.[0];
  if (start === undefined) return region(w.rootLoc);
  const p = mapperFor(w).pos(start);
  return pointRegion(p.line, p.column);
}

/** Only `workflow_call`: callers decide the token, so the callee's own jobs need no block. */
function reusableOnly(w: WorkflowFile): boolean {
  return w.triggers.length > 0 && w.triggers.every((t) => t.event === 'workflow_call');
}

function missingSeverity(exp: Exposure): Severity {
  return exp === 'high' ? 'high' : 'medium';
}

function writeAllSeverity(exp: Exposure): Severity {
  return exp === 'low' ? 'medium' : 'high';
}

function list(ids: string[]): string {
  const q = ids.map((i) => `"${i}"`);
  return q.length > 4 ? `${q.slice(0, 4).join(', ')} and ${q.length - 4} more` : q.join(', ');
}

export const excessivePermissions: Check = {
  meta: {
    id: 'excessive-permissions',
    title: 'GITHUB_TOKEN permissions broader than the jobs need',
    defaultSeverity: 'medium',
    severityNote:
      'High for `write-all` or workflow-level `id-token: write` in workflows pull requests can trigger, and for any finding in a ' +
      'workflow outsiders can trigger with base-repository privileges; medium otherwise; low for `read-all`.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-5'], slsa: 'Build L3', ssdf: ['PO.5.1'], atlas: [] },
    docs: {
      why:
        'Every job gets a GITHUB_TOKEN. Without a `permissions:` block it gets the repository default, which is read/write on older ' +
        'repositories and organisations; `write-all` or write scopes at workflow level hand that power to every job, including the ones ' +
        'that build untrusted code or run third-party actions. A stolen write token can push commits, move release tags or publish ' +
        'packages (the PyTorch runner and nx "s1ngularity" attacks both used the default write token); `id-token: write` at workflow ' +
        'level lets every job mint cloud OIDC tokens.',
      howToFix:
        'Add `permissions: {}` (or `contents: read`) at the top of the workflow and grant each job only the scopes it uses, e.g. ' +
        '`contents: write` on the release job, `id-token: write` on the publishing job, `security-events: write` on the SARIF upload ' +
        'job. Reusable-workflow call jobs should state their permissions too.',
      references: [
        'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token',
        'https://github.com/ossf/scorecard/blob/main/docs/checks.md#token-permissions',
        'https://docs.zizmor.sh/audits/#excessive-permissions',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      const exp = exposure(w);
      const push = (severity: Severity, message: string, r: Region, job?: Job): void => {
        out.push({ severity, message, path: w.path, region: r, job: job?.id, fixable: true });
      };
      const reusable = reusableOnly(w);
      const top = w.permissions;

      if (!top) {
        // Jobs that get the repository default token. In a reusable-only workflow ordinary jobs inherit the
        // caller's token; nested reusable-workflow calls still should say what they pass on.
        const bare = w.jobs.filter((j) => !j.permissions && (!reusable || !!j.uses));
        const workflowLevel = bare.length > 0 && !reusable && w.jobs.length > 1;
        if (workflowLevel) {
          push(
            missingSeverity(exp),
            `workflow has no top-level permissions block, so ${list(bare.map((j) => j.id))} get the repository's default GITHUB_TOKEN permissions.`,
            documentStart(w),
          );
        }
        for (const job of bare) {
          // The workflow-level finding carries the weight; the per-job ones only point at where to add a block.
          push(
            workflowLevel ? 'low' : missingSeverity(exp),
            `${job.uses ? 'reusable-workflow call job' : 'job'} "${job.id}" sets no permissions and the workflow has no permissions block, ` +
              `so it runs with the repository's default GITHUB_TOKEN permissions.`,
            region(job.idLoc),
            job,
          );
        }
      } else {
        checkBlock(top, undefined);
      }
      for (const job of w.jobs) if (job.permissions) checkBlock(job.permissions, job);

      function checkBlock(p: Permissions, job: Job | undefined): void {
        const where = job ? `job "${job.id}"` : 'workflow';
        if (p.kind === 'write-all') {
          push(writeAllSeverity(exp), `${where} grants "permissions: write-all": every scope of the GITHUB_TOKEN is writable.`, region(p.loc), job);
          return;
        }
        if (p.kind === 'read-all') {
          push('low', `${where} grants "permissions: read-all": the token can read every scope instead of only what the jobs use.`, region(p.loc), job);
          return;
        }
        if (p.kind !== 'map' || job) return;
        // Workflow-level write scopes reach every job that does not set its own block.
        const inheriting = w.jobs.filter((j) => !j.permissions);
        for (const [scope, s] of p.scopes) {
          if (s.level !== 'write') continue;
          let severity: Severity;
          if (scope === 'id-token') severity = exp === 'low' ? 'medium' : 'high';
          else severity = exp === 'high' ? 'high' : 'medium';
          const needs = inheriting.map((j) => ({ id: j.id, need: jobNeedsWrite(j, scope) }));
          const needing = needs.filter((n) => n.need === 'yes').map((n) => n.id);
          const maybe = needs.filter((n) => n.need === 'maybe').map((n) => n.id);
          // Every job that inherits the scope uses it: the grant is as narrow as the jobs, nothing to report.
          if (inheriting.length > 0 && needing.length === inheriting.length) continue;
          let why: string;
          if (inheriting.length === 0) why = 'but every job sets its own permissions, so it only invites copy-paste; remove it';
          else if (needing.length > 0) why = `which reaches every job (${list(inheriting.map((j) => j.id))}) though only ${list(needing)} need${needing.length > 1 ? '' : 's'} it; move it there`;
          else if (maybe.length > 0) {
            why = `which reaches every job (${list(inheriting.map((j) => j.id))}); only ${list(maybe)} might need it (GitHub API calls), so grant it there after review`;
            if (inheriting.length === 1) severity = 'low';
          } else why = `which reaches every job (${list(inheriting.map((j) => j.id))}) and no step appears to need it`;
          push(
            severity,
            `workflow grants "${scope}: write" at workflow level, ${why}.`,
            region(s.keyLoc),
          );
        }
      }
    }
    return out;
  },
};
