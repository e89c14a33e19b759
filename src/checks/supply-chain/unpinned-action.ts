/**
 * W3 unpinned-action: a `uses:` reference that is not a full 40-hex commit SHA can be moved by whoever
 * controls the action's repository (tj-actions, reviewdog, trivy-action all moved tags).
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import { exposure, privilege } from '../../workflows/context.js';
import { isFullSha } from '../../workflows/uses.js';
import { stepLabel } from '../locs.js';
import type { Check } from '../types.js';
import { contentRegion, isFirstParty, isRemoteAction, isVersionTag, siteLabel, usesSites } from './lib-uses.js';

/** SLSA generator workflows must be referenced by a full semver tag: slsa-verifier checks the tag. */
function isSlsaGeneratorException(owner: string, repo: string, path: string | undefined, ref: string | undefined): boolean {
  return (
    owner.toLowerCase() === 'slsa-framework' &&
    repo.toLowerCase() === 'slsa-github-generator' &&
    !!path && /^\.github\/workflows\/[^/]+_slsa3\.ya?ml$/.test(path) &&
    !!ref && /^v\d+\.\d+\.\d+$/.test(ref)
  );
}

const ORDER: Severity[] = ['low', 'medium', 'high'];
function bump(s: Severity): Severity {
  return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(s) + 1)];
}

export const unpinnedAction: Check = {
  meta: {
    id: 'unpinned-action',
    title: 'Action or reusable workflow not pinned to a commit SHA',
    defaultSeverity: 'medium',
    severityNote:
      'Low for GitHub-owned actions (actions/*, github/*) and medium for third-party ones, one step higher for a branch or ' +
      'missing ref, in a privileged job, or in a workflow outsiders can trigger with base-repository privileges; capped at high.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-3', 'CICD-SEC-8'], slsa: 'future Build L4 (pinned dependencies)', ssdf: ['PW.4.1', 'PW.4.4'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        'A tag or branch is a pointer the action\'s maintainers (or anyone who steals their token) can move. In March 2025 every tag ' +
        'of tj-actions/changed-files was repointed to a commit that dumped runner secrets into public logs of about 23,000 repositories, ' +
        'after reviewdog/action-setup@v1 had been moved the same way; in 2026 most aquasecurity/trivy-action tags were repointed to a ' +
        'credential stealer, and the Ultralytics compromise ran through `ultralytics/actions@main`. A full commit SHA cannot be moved.',
      howToFix:
        'Pin every remote `uses:` to the full 40-character commit SHA of the release and keep the tag as a comment, e.g. ' +
        '`uses: actions/checkout@<sha> # v4.2.2`; let Dependabot (`package-ecosystem: github-actions`) update both. Resolve a tag with ' +
        '`gh api repos/OWNER/REPO/commits/TAG --jq .sha`. Exception: the SLSA ' +
        'generator reusable workflows (`slsa-framework/slsa-github-generator/.github/workflows/*_slsa3.yml`) must be referenced by a ' +
        'full `vX.Y.Z` tag and are not reported.',
      references: [
        'https://docs.github.com/en/actions/reference/security/secure-use#using-third-party-actions',
        'https://github.com/tj-actions/changed-files/issues/2463',
        'https://github.com/slsa-framework/slsa-github-generator#referencing-slsa-builders-and-generators',
        'https://docs.zizmor.sh/audits/#unpinned-uses',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const site of usesSites(input)) {
      const ref = site.ref;
      if (!isRemoteAction(ref)) continue;
      if (isFullSha(ref.ref)) continue;
      if (isSlsaGeneratorException(ref.owner, ref.repo, ref.path, ref.ref)) continue;
      const firstParty = isFirstParty(ref.owner);
      const branchLike = !ref.ref || !isVersionTag(ref.ref);
      let severity: Severity = firstParty ? 'low' : 'medium';
      const reasons: string[] = [];
      if (branchLike) severity = bump(severity);
      if (site.file.kind === 'workflow') {
        const priv = privilege(site.file, site.job, input.options.hostedRunnerLabels);
        if (priv.privileged) {
          severity = bump(severity);
          reasons.push(`the job ${priv.reasons[0]}`);
        }
        if (exposure(site.file) === 'high') {
          severity = bump(severity);
          reasons.push('outsiders can trigger the workflow');
        }
      }
      const action = [ref.owner, ref.repo, ...(ref.path ? [ref.path] : [])].join('/');
      const what = ref.reusableWorkflow ? 'reusable workflow' : 'action';
      const pin = ref.ref ? `${branchLike ? 'branch or ref' : 'tag'} "${ref.ref}"` : 'no ref at all';
      const where = siteLabel(site, stepLabel);
      out.push({
        severity,
        message:
          `${where} uses ${what} "${action}" by ${pin} instead of a full commit SHA` +
          (reasons.length ? ` (${reasons.join('; ')}).` : '.'),
        path: site.file.path,
        region: contentRegion(site.file, site.scalar),
        job: site.file.kind === 'workflow' ? site.job.id : undefined,
        step: site.step ? stepLabel(site.step) : undefined,
        fixable: true,
        data: { action, ref: ref.ref ?? '' },
      });
    }
    return out;
  },
};
