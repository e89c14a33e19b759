import { describe, expect, it } from 'vitest';
import { enforcementDriftLines, renderEnforcementSection } from '../../src/report/enforcement.js';
import type { EnforcementRecord, SettingChange } from '../../src/enforce/types.js';

const HOSTILE = 'prod</summary><img src=x onerror=alert(1)> [x](https://evil.example) @acme/admins\n# heading';

function envChange(name: string): SettingChange {
  return {
    checkId: 'deploy-environment-unprotected',
    target: { kind: 'environment', environment: name },
    label: `environment "${name}"`,
    before: { summary: 'no required reviewers; self-review allowed; any branch may deploy', value: {} },
    after: { summary: 'reviewers team acme/release; self-review prevented; any branch may deploy', value: {} },
    request: { method: 'PUT', route: '/repos/{owner}/{repo}/environments/{environment_name}', params: { environment_name: name }, body: {} },
    permission: 'administration: write',
  };
}

const tokenChange: SettingChange = {
  checkId: 'default-token-write',
  target: { kind: 'workflow-token' },
  label: 'workflow token',
  before: { summary: 'default GITHUB_TOKEN read/write', value: {} },
  after: { summary: 'default GITHUB_TOKEN read-only', value: {} },
  request: { method: 'PUT', route: '/repos/{owner}/{repo}/actions/permissions/workflow', params: {}, body: {} },
  permission: 'administration: write',
};

const record = (change: SettingChange, over: Partial<EnforcementRecord> = {}): EnforcementRecord => ({
  change,
  status: 'applied',
  before: change.before,
  after: change.after,
  actor: 'pipeline-guard[bot]',
  at: '2026-11-27T10:00:00Z',
  ...over,
});

describe('renderEnforcementSection', () => {
  it('is empty when there is nothing to report', () => {
    expect(renderEnforcementSection([], [])).toBe('');
  });

  it('shows what changed, before → after, by whom and when', () => {
    const md = renderEnforcementSection([record(tokenChange)]);
    expect(md.split('\n')[0]).toBe('### Settings enforcement');
    expect(md).toContain(
      '- **changed** workflow token (`default-token-write`): default GITHUB\\_TOKEN read/write → default GITHUB\\_TOKEN read-only. By pipeline-guard\\[bot\\] at 2026-11-27T10:00:00Z.',
    );
    expect(md).toContain('1 of 1 change applied');
  });

  it('says what would have been done and which permission is missing', () => {
    const md = renderEnforcementSection([record(tokenChange, { status: 'would-apply', reason: 'needs administration: write', missingPermission: 'administration: write' })]);
    expect(md).toContain('- **would change** workflow token');
    expect(md).toContain('the app lacks **administration: write**');
    expect(md).toContain('nothing was changed');
    expect(md).not.toContain('By pipeline-guard');
  });

  it('shows failures with GitHub\'s reason, and notes', () => {
    const md = renderEnforcementSection(
      [record(tokenChange, { status: 'failed', reason: 'GitHub answered 409: organisation policy' })],
      [{ checkId: 'deploy-environment-unprotected', label: 'environment "prod"', reason: 'no reviewers in enforce.reviewers' }],
    );
    expect(md).toContain('- **failed to change** workflow token');
    expect(md).toContain('GitHub refused: GitHub answered 409: organisation policy.');
    expect(md).toContain('- environment "prod" (`deploy-environment-unprotected`): no reviewers in enforce.reviewers.');
  });

  it('escapes a hostile environment name: no HTML, link, heading or mention, one line per record', () => {
    const md = renderEnforcementSection([record(envChange(HOSTILE))], [{ checkId: 'deploy-environment-unprotected', label: `environment "${HOSTILE}"`, reason: 'x' }]);
    expect(md).not.toMatch(/<img|<\/summary>|\]\(https:|@acme/);
    expect(md).not.toMatch(/^# heading/m);
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).toContain('@\u200dacme/admins');
    const items = md.split('\n').filter((l) => l.startsWith('- '));
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('no required reviewers; self-review allowed; any branch may deploy → reviewers team acme/release; self-review prevented');
  });
});

describe('enforcementDriftLines', () => {
  it('one plain line per record, with the repository, who and before → after', () => {
    const lines = enforcementDriftLines('acme/models', [
      record(tokenChange),
      record(envChange(`a\nb`), { status: 'would-apply', reason: 'needs administration: write', missingPermission: 'administration: write' }),
    ]);
    expect(lines).toEqual([
      'acme/models: workflow token changed by pipeline-guard[bot] at 2026-11-27T10:00:00Z: default GITHUB_TOKEN read/write → default GITHUB_TOKEN read-only',
      'acme/models: environment "a b" would change: no required reviewers; self-review allowed; any branch may deploy → reviewers team acme/release; self-review prevented; any branch may deploy (needs administration: write)',
    ]);
  });
});
