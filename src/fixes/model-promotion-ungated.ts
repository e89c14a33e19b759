/**
 * model-promotion-ungated fix (M1): add `environment: <name>` to the promoting job, so the
 * environment's reviewers and branch policy gate the promotion. The name comes from the policy's
 * gate environments (first one), else the finding's suggestion, else `production`.
 */
import { blockMapAt, insertAfterKey, jobOf } from './common.js';
import { pairOf } from './doc.js';
import { yamlScalar } from './text.js';
import type { FixEdit, Fixer, FixerOutput } from './types.js';

const CHECK_ID = 'model-promotion-ungated';

export const modelPromotionUngatedFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings, policy }): FixerOutput {
    const notes: string[] = [];
    const edits: FixEdit[] = [];
    for (const f of findings) {
      const where = `${w.path}:${f.region?.line ?? 1}`;
      const job = jobOf(w, f);
      if (!job || job.environment) {
        notes.push(`${where}: model-promotion-ungated: job not found or it already names an environment; left as is.`);
        continue;
      }
      const located = blockMapAt(w, job.loc.offset);
      if ('error' in located) {
        notes.push(`${where}: model-promotion-ungated: job "${job.id}" cannot be edited: ${located.error}.`);
        continue;
      }
      if (pairOf(located.map, 'environment')) {
        notes.push(`${where}: model-promotion-ungated: job "${job.id}" has an environment key already; left as is.`);
        continue;
      }
      const suggested = typeof f.data?.suggestedEnvironment === 'string' ? f.data.suggestedEnvironment : 'production';
      const name = policy.gate.environments?.[0] ?? suggested;
      const anchor = pairOf(located.map, 'runs-on') ? 'runs-on' : 'name';
      const line = `environment: ${yamlScalar(name)} # pipeline-guard: model promotion waits for this environment's reviewers`;
      edits.push({
        checkId: CHECK_ID,
        splices: [insertAfterKey(w.text, located.map, anchor, [line])],
        targets: [[...located.path, 'environment']],
        findings: [f],
        notes: [`${where}: job "${job.id}" now deploys through environment "${name}"; give it required reviewers (deploy-environment-unprotected).`],
      });
    }
    return { edits, notes };
  },
};
