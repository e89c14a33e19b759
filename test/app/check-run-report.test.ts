import { describe, expect, test } from 'vitest';
import type { Finding } from '../../src/model/types.js';
import { DEFAULT_CHECK_RUN_POLICY } from '../../src/policy/config.js';
import { buildCheckRunOutput, conclude, MAX_SUMMARY_BYTES, toAnnotation } from '../../src/report/check-run.js';
import { byteLength } from '../../src/report/markdown.js';

const wf = '.github/workflows/ci.yml';
function f(line: number | undefined, severity: Finding['severity'], checkId = 'unpinned-action', extra: Partial<Finding> = {}): Finding {
  return {
    checkId,
    severity,
    message: `problem at ${line}`,
    path: line === undefined ? '(settings)' : wf,
    ...(line !== undefined ? { region: { line, column: 7, endLine: line, endColumn: 30 } } : {}),
    ...extra,
  };
}
const policy = DEFAULT_CHECK_RUN_POLICY;
const pr = (newLines: number[]) => ({ number: 7, baseRef: 'main', isNew: (x: Finding) => newLines.includes(x.region?.line ?? -1) });

describe('conclusion', () => {
  test('failOn / neutralOn thresholds', () => {
    expect(conclude([f(1, 'high')], policy)).toBe('failure');
    expect(conclude([f(1, 'medium')], policy)).toBe('neutral');
    expect(conclude([f(1, 'low')], policy)).toBe('success');
    expect(conclude([], policy)).toBe('success');
    expect(conclude([f(1, 'medium')], { ...policy, failOn: 'medium' })).toBe('failure');
    expect(conclude([f(1, 'low')], { ...policy, neutralOn: 'low' })).toBe('neutral');
  });

  test('on a PR only touched lines count; settings findings are never new', () => {
    const findings = [f(3, 'critical'), f(undefined, 'critical', 'branch-protection-weak'), f(9, 'low')];
    const out = buildCheckRunOutput({ findings, policy, pullRequest: pr([9]) });
    expect(out.conclusion).toBe('success');
    expect(out.title).toBe('1 new low finding in this PR · repository score 49 (F)');
    expect(out.summary).toContain('| critical | 0 | 1 | 1 |');
    expect(out.summary).toContain('### Settings (not part of this PR)');
    const all = buildCheckRunOutput({ findings, policy: { ...policy, failOnExisting: true }, pullRequest: pr([9]) });
    expect(all.conclusion).toBe('failure');
  });

  test('a push counts every finding, settings included', () => {
    const out = buildCheckRunOutput({ findings: [f(undefined, 'high', 'branch-protection-weak')], policy });
    expect(out.conclusion).toBe('failure');
    expect(out.title).toBe('1 high finding · repository score 90 (A)');
    expect(out.annotations).toEqual([]);
  });

  test('a policy error fails the run whatever the findings', () => {
    const out = buildCheckRunOutput({ findings: [], policy, policyError: '.github/pipeline-guard.yml: unknown key "chekcs"' });
    expect(out.conclusion).toBe('failure');
    expect(out.title).toBe('Invalid Pipeline Guard policy · repository score 100 (A)');
    expect(out.summary.split('\n')[1]).toContain('unknown key "chekcs"');
  });
});

describe('title and summary', () => {
  test('the example: worst new severity in the title, the rest counted', () => {
    const out = buildCheckRunOutput({ findings: [f(1, 'high'), f(2, 'high'), f(3, 'medium'), f(50, 'critical')], policy, pullRequest: pr([1, 2, 3]) });
    expect(out.title).toBe('2 new high findings in this PR (+1 lower) · repository score 52 (D)');
    expect(out.summary).toContain('### New in this PR');
    expect(out.summary).toContain('### Already on `main`');
    expect(out.summary).toMatch(/\| `unpinned-action` \| critical \| 3 \| 4 \|/);
  });

  test('not evaluated items name the permission to grant; refused overrides and warnings are listed', () => {
    const out = buildCheckRunOutput({
      findings: [],
      policy,
      notEvaluated: [
        { checkId: 'branch-protection-weak', kind: 'missing-permission', reason: 'branch protection is not readable', permission: 'administration: read' },
        { checkId: 'default-branch-unprotected', kind: 'no-settings', reason: 'x' },
      ],
      refused: ['"unpinned-action: off" is ignored: the organisation policy locks unpinned-action'],
      warnings: ['big.bin: too large to read'],
    });
    expect(out.summary).toContain('Grant the app **administration: read**');
    expect(out.summary).toContain('`default-branch-unprotected`: the repository settings could not be read.');
    expect(out.summary).toContain('the organisation policy locks unpinned-action');
    expect(out.summary).toContain('big.bin: too large to read');
  });

  test('the Fix it action appears only when a finding is fixable', () => {
    expect(buildCheckRunOutput({ findings: [f(1, 'low')], policy }).actions).toEqual([]);
    const actions = buildCheckRunOutput({ findings: [f(1, 'low', 'unpinned-action', { fixable: true })], policy }).actions;
    expect(actions).toHaveLength(1);
    expect(actions[0].identifier).toBe('fix');
    expect(actions[0].label.length).toBeLessThanOrEqual(20);
    expect(actions[0].description.length).toBeLessThanOrEqual(40);
  });

  test('a huge result stays under 65,535 bytes and says how many were left out', () => {
    const findings = Array.from({ length: 3000 }, (_, i) => f(i + 1, 'medium', 'unpinned-action', { message: `${'long message '.repeat(20)}${i}` }));
    const out = buildCheckRunOutput({ findings, policy, pullRequest: pr(Array.from({ length: 3000 }, (_, i) => i + 1)), repoUrl: 'https://github.com/o/r', headSha: 'a'.repeat(40) });
    expect(byteLength(out.summary)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    const m = /…and (\d+) more new findings not shown/.exec(out.summary);
    expect(m).not.toBeNull();
    const shown = out.summary.split('\n').filter((l) => l.startsWith('- **medium**')).length;
    expect(shown + Number(m![1])).toBe(3000);
    expect(out.annotations).toHaveLength(1000);
    expect(out.summary).toContain('2000 findings are listed above but not annotated');
  });
});

describe('annotations', () => {
  test('levels by severity, columns only on single-line regions', () => {
    expect(toAnnotation(f(4, 'critical'))).toEqual({ path: wf, start_line: 4, end_line: 4, start_column: 7, end_column: 30, annotation_level: 'failure', title: 'unpinned-action', message: 'critical: problem at 4' });
    expect(toAnnotation(f(4, 'medium'))?.annotation_level).toBe('warning');
    expect(toAnnotation(f(4, 'low'))?.annotation_level).toBe('notice');
    expect(toAnnotation(f(4, 'info'))?.annotation_level).toBe('notice');
    const multi = toAnnotation({ ...f(4, 'high'), region: { line: 4, column: 3, endLine: 9, endColumn: 2 } });
    expect(multi).toMatchObject({ start_line: 4, end_line: 9 });
    expect(multi).not.toHaveProperty('start_column');
    expect(multi).not.toHaveProperty('end_column');
    expect(toAnnotation(f(undefined, 'high'))).toBeUndefined();
  });

  test('new findings are annotated first', () => {
    const out = buildCheckRunOutput({ findings: [f(1, 'high'), f(2, 'low')], policy, pullRequest: pr([2]) });
    expect(out.annotations.map((a) => a.start_line)).toEqual([2, 1]);
  });
});
