import { describe, expect, it } from 'vitest';
import { expressionInjection, envNameFor } from '../../src/checks/injection/expression-injection.js';
import { distributeGroups } from '../../src/checks/injection/lib-taint.js';
import { payloadVariables, runnerFileWrites } from '../../src/checks/injection/lib-sinks.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(expressionInjection);

describe('expression-injection helpers', () => {
  it('distributes a property access over a parenthesised group', () => {
    expect(distributeGroups('(github.event.pull_request || github.event.issue).number')).toBe(
      'github.event.pull_request.number || github.event.issue.number',
    );
    expect(distributeGroups("fromJSON(steps.a.outputs.b).id")).toBe('fromJSON(steps.a.outputs.b).id');
  });

  it('names the lifted env variable after the context', () => {
    expect(envNameFor('github.event.pull_request.title')).toBe('PULL_REQUEST_TITLE');
    expect(envNameFor('github.head_ref')).toBe('HEAD_REF');
  });

  it('finds writes into the runner files and tells literal from variable payloads', () => {
    const writes = runnerFileWrites('echo "A=$X" >> "$GITHUB_ENV"\necho ok\necho "$HOME/bin" >> $GITHUB_PATH\necho "x=$(date)" >> $env:GITHUB_OUTPUT');
    expect(writes.map((w) => [w.file, w.lineIndex])).toEqual([['GITHUB_ENV', 0], ['GITHUB_PATH', 2], ['GITHUB_OUTPUT', 3]]);
    expect(payloadVariables(writes[0].payload).vars).toEqual(['X']);
    expect(payloadVariables(writes[1].payload)).toEqual({ vars: [], commandSubstitution: false });
    expect(payloadVariables(writes[2].payload).commandSubstitution).toBe(true);
    expect(runnerFileWrites("printf 'A=1\\n' >> \"$GITHUB_ENV\"").length).toBe(1);
  });

  it('marks run: and github-script findings fixable with a suggested env name', async () => {
    const { runFixture, FIXTURES_ROOT } = await import('../helpers/fixtures.js');
    const c = await runFixture(expressionInjection, `${FIXTURES_ROOT}/expression-injection/prt-title.yml`);
    const run = c.findings.find((f) => f.region?.line === 15);
    expect(run?.fixable).toBe(true);
    expect(run?.data?.envName).toBe('PULL_REQUEST_TITLE');
    expect(run?.region?.column).toBe(24);
  });
});
