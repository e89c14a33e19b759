import { describe, expect, it } from 'vitest';
import { selfHostedRunnerSettingsFindings } from '../../src/checks/settings/index.js';
import { buildCheckInput } from '../../src/engine/input.js';
import type { RepoSettings } from '../../src/model/settings.js';
import { NON_OK, noteFor, ok, secureSettings, snapshotWith } from '../helpers/settings.js';

const run = (s: RepoSettings | undefined) => selfHostedRunnerSettingsFindings(buildCheckInput(snapshotWith(s)));
const runners = (count: number, groupsAllowPublicRepos = false) => ok({ count, groupsAllowPublicRepos, ephemeralUnknown: true });

describe('self-hosted-runner-exposure (settings half)', () => {
  it('is critical for a public repository that can use self-hosted runners', () => {
    const out = run(secureSettings({ selfHostedRunners: runners(2, true) }));
    expect(out.notEvaluated).toEqual([]);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'critical', path: '.github', data: { setting: 'actions/runners.total_count', value: 2, runners: 2 } });
    expect(out.findings[0].message).toContain('2 self-hosted runners');
  });

  it('is high (latent) when runner groups accept public repositories but hold no runner it can use yet', () => {
    const out = run(secureSettings({ selfHostedRunners: runners(0, true) }));
    expect(out.findings.map((f) => [f.severity, f.data?.setting])).toEqual([['high', 'orgs/actions/runner-groups.allows_public_repositories']]);
  });

  it('stays quiet with no runners, on private repositories, archived ones, or with Actions disabled', () => {
    expect(run(secureSettings())).toEqual({ findings: [], notEvaluated: [] });
    expect(run(secureSettings({ repo: { visibility: 'private' }, selfHostedRunners: runners(4) })).findings).toEqual([]);
    expect(run(secureSettings({ repo: { archived: true }, selfHostedRunners: runners(4) })).findings).toEqual([]);
    expect(run(secureSettings({ actionsPermissions: ok({ enabled: false }), selfHostedRunners: runners(4) })).findings).toEqual([]);
  });

  for (const n of NON_OK) {
    it(`${n.label} probe gives a ${n.kind} note and no finding`, () => {
      const out = run(secureSettings({ selfHostedRunners: n.probe }));
      expect(out.findings).toEqual([]);
      expect(out.notEvaluated).toEqual([expect.objectContaining(noteFor(n))]);
    });
  }

  it('says no-settings offline', () => {
    expect(run(undefined)).toEqual({ findings: [], notEvaluated: [expect.objectContaining({ kind: 'no-settings' })] });
  });
});
