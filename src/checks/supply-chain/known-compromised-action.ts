/**
 * W5 known-compromised-action: a `uses:` that names a release or commit from the shipped list of
 * compromised actions (./compromised-actions.ts).
 */
import type { FindingDraft } from '../../model/types.js';
import { isFullSha } from '../../workflows/uses.js';
import { stepLabel } from '../locs.js';
import type { Check } from '../types.js';
import { COMPROMISED_ACTIONS, type CompromisedRecord } from './compromised-actions.js';
import { compareVersions, contentRegion, isRemoteAction, siteLabel, usesSites, versionParts } from './lib-uses.js';

/** The record a reference matches, if any. `name` is `owner/repo[/path]` lower-cased. */
export function matchCompromised(name: string, ref: string | undefined, records: readonly CompromisedRecord[] = COMPROMISED_ACTIONS): CompromisedRecord | undefined {
  if (!ref) return undefined;
  for (const r of records) {
    if (name !== r.action && !(r.withSubpaths && name.startsWith(`${r.action}/`))) continue;
    if (isFullSha(ref)) {
      if (r.shas?.some((s) => s.toLowerCase() === ref.toLowerCase())) return r;
      continue;
    }
    if (r.tags?.includes(ref)) return r;
    const v = versionParts(ref);
    if (!v) continue;
    if (r.versionTagsUpTo) {
      const max = versionParts(r.versionTagsUpTo);
      if (max && compareVersions(v, max) <= 0) return r;
    }
    if (r.versionTagsBelow) {
      const min = versionParts(r.versionTagsBelow);
      if (min && compareVersions(v, min) < 0) return r;
    }
  }
  return undefined;
}

export const knownCompromisedAction: Check = {
  meta: {
    id: 'known-compromised-action',
    title: 'Action reference from a known compromised release',
    defaultSeverity: 'critical',
    severityNote: 'Always critical: the referenced code stole or could have stolen the job\'s secrets.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-3', 'CICD-SEC-8'], ssdf: ['RV.1.1', 'PW.4.4'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        'These references resolved to malicious code during a known incident: tj-actions/changed-files tags v1 to v45.0.7 and commit ' +
        '0e58ed8 (CVE-2025-30066, March 2025), reviewdog/action-setup@v1 and the reviewdog actions built on it (CVE-2025-30154, ' +
        'March 2025), and the aquasecurity/trivy-action and setup-trivy tags force-pushed in March 2026. The payloads read secrets ' +
        'from runner memory and printed or exfiltrated them, so any run in the window must be treated as a secret leak.',
      howToFix:
        'Move to a clean release pinned by full commit SHA (the message names the safe version where known), then rotate every ' +
        'secret and token the affected jobs could read and check the workflow run logs from the incident window.',
      references: [
        'https://github.com/tj-actions/changed-files/issues/2463',
        'https://nvd.nist.gov/vuln/detail/CVE-2025-30066',
        'https://nvd.nist.gov/vuln/detail/CVE-2025-30154',
        'https://github.com/aquasecurity/trivy-action/issues/541',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const site of usesSites(input)) {
      const ref = site.ref;
      if (!isRemoteAction(ref)) continue;
      const name = [ref.owner, ref.repo, ...(ref.path ? [ref.path] : [])].join('/').toLowerCase();
      const record = matchCompromised(name, ref.ref);
      if (!record) continue;
      const action = [ref.owner, ref.repo, ...(ref.path ? [ref.path] : [])].join('/');
      out.push({
        severity: 'critical',
        message:
          `${siteLabel(site, stepLabel)} uses "${action}@${ref.ref}", a compromised release: ${record.summary}` +
          `${record.advisory ? ` (${record.advisory})` : ''} during ${record.window}; ${record.remedy}.`,
        path: site.file.path,
        region: contentRegion(site.file, site.scalar),
        job: site.file.kind === 'workflow' ? site.job.id : undefined,
        step: site.step ? stepLabel(site.step) : undefined,
        fixable: true,
        data: { action, ref: ref.ref ?? '', ...(record.advisory ? { advisory: record.advisory } : {}) },
      });
    }
    return out;
  },
};
