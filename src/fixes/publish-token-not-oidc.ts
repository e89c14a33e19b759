/**
 * publish-token-not-oidc fix (W11), PyPI only: drop the API token (`password:`, and `user:`, which
 * must be the default `__token__` for trusted publishing) from pypa/gh-action-pypi-publish and give
 * the publishing job `id-token: write`. Publishing fails until the PyPI project registers this
 * workflow as a trusted publisher, so the edit is always a draft and the note says what to register.
 */
import type { Pair } from 'yaml';
import type { Finding } from '../model/types.js';
import type { WorkflowFile } from '../workflows/model.js';
import { isReusableOnly, jobOf } from './common.js';
import { pairOf } from './doc.js';
import { grantIdToken, keysOf, replaceEntry, stepEditSite } from './oidc.js';
import { offsetOf } from './text.js';
import type { FixEdit, Fixer, FixerOutput, FixOptions, Splice } from './types.js';

const CHECK_ID = 'publish-token-not-oidc';
const TOKEN_INPUTS = ['password', 'user'];

function fixOne(w: WorkflowFile, f: Finding, options: FixOptions): FixEdit | string {
  const where = `${w.path}:${f.region?.line ?? 1}`;
  const refuse = (why: string) => `${where}: publish-token-not-oidc: ${why}; switch to trusted publishing by hand.`;
  if (f.data?.registry !== 'pypi' || f.data?.via !== 'action') return refuse('only pypa/gh-action-pypi-publish is rewritten');
  if (w.kind === 'action') return refuse('a composite action cannot grant its caller `id-token: write`');
  if (isReusableOnly(w)) return refuse('PyPI does not accept a reusable workflow as a trusted publisher; the calling workflow must publish');
  const job = jobOf(w, f);
  const off = f.region ? offsetOf(w.text, f.region.line, f.region.column) : -1;
  const step = job?.steps.find((s) => s.uses?.loc.offset === off);
  if (!job || !step) return refuse('the publishing step was not found');
  const site = stepEditSite(w, job, step);
  if ('error' in site) return refuse(site.error);
  const { step: stepLoc, job: jobLoc, withMap } = site;
  const withPair = pairOf(stepLoc.map, 'with');
  if (!withPair) return refuse('the step has no block `with:` mapping');
  const removed = TOKEN_INPUTS.map((k) => pairOf(withMap, k)).filter((p): p is Pair => p !== undefined);
  const splices: Splice[] = [];
  if (keysOf(withMap).every((k) => TOKEN_INPUTS.includes(k))) {
    // Nothing else under `with:`: the whole entry goes.
    const s = replaceEntry(w.text, stepLoc.map, withPair, []);
    if ('error' in s) return refuse(`\`with:\` ${s.error}`);
    splices.push(s);
  } else {
    for (const p of removed) {
      const s = replaceEntry(w.text, withMap, p, []);
      if ('error' in s) return refuse(`the token input ${s.error}`);
      splices.push(s);
    }
  }
  const grant = grantIdToken(w, job, jobLoc.map, jobLoc.path, 'PyPI trusted publishing');
  if ('error' in grant) return refuse(grant.error);
  const password = pairOf(withMap, 'password')?.value as { range?: [number, number, number] } | null | undefined;
  const secret = password?.range ? /secrets\.([A-Za-z_][A-Za-z0-9_]*)/.exec(w.text.slice(password.range[0], password.range[1]))?.[1] : undefined;
  const url = String((pairOf(withMap, 'repository-url')?.value as { value?: unknown } | null | undefined)?.value ?? '');
  const index = /test\.pypi\.org/i.test(url) ? 'TestPyPI' : 'PyPI';
  const [owner, repo] = (options.repository ?? 'OWNER/REPO').split('/');
  const env = job.environment && !job.environment.isExpression ? job.environment.name : undefined;
  return {
    checkId: CHECK_ID,
    splices: [...splices, ...grant.splices],
    targets: [[...stepLoc.path, 'with'], ...grant.targets],
    findings: [f],
    notes: [
      `${where}: job "${job.id}" now publishes with ${index} trusted publishing (id-token: write on this job only). Before merging, add a trusted ` +
        `publisher to the ${index} project: owner "${owner}", repository "${repo}", workflow "${w.path.split('/').pop()}", environment ` +
        `${env ? `"${env}"` : '(none; a protected environment such as "pypi" is recommended)'}. ` +
        `Then delete the API token${secret ? ` and the secret ${secret}` : ''}.`,
    ],
    draft: true,
  };
}

export const publishTokenNotOidcFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings, options }): FixerOutput {
    const edits: FixEdit[] = [];
    const notes: string[] = [];
    for (const f of findings) {
      const r = fixOne(w, f, options);
      if (typeof r === 'string') notes.push(r);
      else edits.push(r);
    }
    return { edits, notes };
  },
};
