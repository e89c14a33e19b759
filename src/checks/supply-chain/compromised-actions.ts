/**
 * Shipped list of compromised action releases (catalogue W5 and §5). Only facts the research names are
 * listed; SHAs only where a source gives them. Each record says which refs it matches:
 *   - `shas`: exact commits known to be malicious;
 *   - `tags`: exact tag names that were moved to malicious code;
 *   - `versionTagsUpTo`: every version-looking tag at or below this version (`v45.0.7` covers `v45`, `v1.2.3`…);
 *   - `versionTagsBelow`: every version-looking tag strictly below this version.
 * Tag records describe incidents where tags were repointed: a tag reference in that range ran the malicious
 * code during the window, so the workflow needs a bump and the secrets it saw need rotating.
 */

export interface CompromisedRecord {
  /** `owner/repo[/path]`, lower-case; matches that action and, when `withSubpaths`, its sub-path actions. */
  action: string;
  withSubpaths?: boolean;
  shas?: string[];
  tags?: string[];
  versionTagsUpTo?: string;
  versionTagsBelow?: string;
  /** When the malicious code was live (UTC, as reported). */
  window: string;
  /** One sentence for the finding message. */
  summary: string;
  /** What to move to. */
  remedy: string;
  advisory?: string;
  sources: string[];
}

export const COMPROMISED_ACTIONS: readonly CompromisedRecord[] = [
  {
    action: 'tj-actions/changed-files',
    shas: ['0e58ed8671d6b60d0890c21b07f8835ace038e67'],
    versionTagsUpTo: 'v45.0.7',
    window: '2025-03-14 to 2025-03-15',
    summary:
      'tags v1 to v45.0.7 of tj-actions/changed-files were repointed to malicious commit 0e58ed8 that dumped runner secrets into the build log',
    remedy: 'move to a release published after the incident (v46 or later), pinned by commit SHA, and rotate every secret the job could read',
    advisory: 'CVE-2025-30066',
    sources: [
      'https://github.com/tj-actions/changed-files/issues/2463',
      'https://nvd.nist.gov/vuln/detail/CVE-2025-30066',
      'https://www.cisa.gov/news-events/alerts/2025/03/18/supply-chain-compromise-third-party-github-action-cve-2025-30066',
    ],
  },
  {
    action: 'reviewdog/action-setup',
    tags: ['v1'],
    window: '2025-03-11 18:42 to 20:31 UTC',
    summary: 'reviewdog/action-setup@v1 was moved to a malicious commit that dumped runner secrets into the build log',
    remedy: 'pin reviewdog/action-setup to a commit SHA of a clean release and rotate secrets used by runs in the window',
    advisory: 'CVE-2025-30154',
    sources: ['https://nvd.nist.gov/vuln/detail/CVE-2025-30154'],
  },
  // Actions that ran reviewdog/action-setup@v1 internally during the same window (named in the CVE-2025-30154 description).
  ...['action-shellcheck', 'action-composite-template', 'action-staticcheck', 'action-ast-grep', 'action-typos'].map(
    (name): CompromisedRecord => ({
      action: `reviewdog/${name}`,
      tags: ['v1'],
      window: '2025-03-11 18:42 to 20:31 UTC',
      summary: `reviewdog/${name}@v1 ran the compromised reviewdog/action-setup@v1, which dumped runner secrets into the build log`,
      remedy: `pin reviewdog/${name} to a commit SHA of a clean release and rotate secrets used by runs in the window`,
      advisory: 'CVE-2025-30154',
      sources: ['https://nvd.nist.gov/vuln/detail/CVE-2025-30154'],
    }),
  ),
  {
    action: 'aquasecurity/trivy-action',
    versionTagsBelow: '0.35.0',
    window: '2026-03-19 to 2026-03-20 (reported ~17:00 to 19:15 UTC on 2026-03-19)',
    summary: 'most aquasecurity/trivy-action tags before 0.35.0 were force-pushed to a credential stealer (as reported)',
    remedy: 'move to 0.35.0 or later pinned by commit SHA and rotate secrets used by runs in the window',
    sources: ['https://github.com/aquasecurity/trivy-action/issues/541'],
  },
  {
    action: 'aquasecurity/setup-trivy',
    // Assumption (verify): the 7 repointed tags are the v0.1.x/v0.2.x releases that existed in March 2026.
    versionTagsBelow: 'v0.3.0',
    window: '2026-03-19 to 2026-03-20 (as reported)',
    summary: 'the aquasecurity/setup-trivy tags that existed at the time (7 reported) were repointed to a credential stealer',
    remedy: 'pin aquasecurity/setup-trivy to a commit SHA published after the incident and rotate secrets used by runs in the window',
    sources: ['https://github.com/aquasecurity/trivy-action/issues/541'],
  },
];
