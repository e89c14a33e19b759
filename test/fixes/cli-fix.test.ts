/** `pipeline-guard scan --fix`: in-place writes, --dry-run diffs, --fix=<ids>, rejected files, exit codes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/cli.js';
import { applyUnifiedDiff } from './diff-apply.js';

const WF = '.github/workflows/ci.yml';
// One expression-injection (high) and one spoofable-bot-check; permissions set, actions pinned.
const VULNERABLE = `on: pull_request_target
permissions:
  contents: read
jobs:
  greet:
    runs-on: ubuntu-latest
    if: github.actor == 'dependabot[bot]'
    steps:
      # say hello
      - run: echo "\${{ github.event.pull_request.title }}"
`;

describe('scan --fix', () => {
  it('writes the fixes in place and reports only what remains', async () => {
    const root = makeRepo({ [WF]: VULNERABLE });
    const before = await runCli(['scan', root, '--format', 'json']);
    expect(before.code).toBe(1);
    const r = await runCli(['scan', root, '--fix', '--format', 'json']);
    const fixed = readFileSync(path.join(root, WF), 'utf8');
    expect(fixed).toContain('run: echo "${GITHUB_EVENT_PULL_REQUEST_TITLE}"');
    expect(fixed).toContain("if: github.event.pull_request.user.login == 'dependabot[bot]'");
    expect(fixed).toContain('      # say hello\n');
    expect(r.stderr).toMatch(/fixed \.github\/workflows\/ci\.yml \(expression-injection x1, spoofable-bot-check x1\)/);
    const report = JSON.parse(r.stdout) as { targets: { findings: { checkId: string }[] }[] };
    const remaining = report.targets[0].findings.map((f) => f.checkId);
    // Both findings were the file's only ones: nothing remains, so the exit status is 0.
    expect(remaining).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('--dry-run prints a unified diff that applies, and writes nothing', async () => {
    const root = makeRepo({ [WF]: VULNERABLE });
    const r = await runCli(['scan', root, '--fix', '--dry-run']);
    expect(readFileSync(path.join(root, WF), 'utf8')).toBe(VULNERABLE);
    expect(r.stdout.startsWith(`--- a/${WF}\n+++ b/${WF}\n@@ `)).toBe(true);
    const patched = applyUnifiedDiff(VULNERABLE, r.stdout.split('\n').slice(2).join('\n'));
    expect(patched).toContain('"${GITHUB_EVENT_PULL_REQUEST_TITLE}"');
    expect(r.stderr).toMatch(/would fix \.github\/workflows\/ci\.yml/);
    expect(r.code).toBe(1);
  });

  it('--fix=<id> limits the kinds of fixes', async () => {
    const root = makeRepo({ [WF]: VULNERABLE });
    await runCli(['scan', root, '--fix=spoofable-bot-check']);
    const fixed = readFileSync(path.join(root, WF), 'utf8');
    expect(fixed).toContain("if: github.event.pull_request.user.login == 'dependabot[bot]'");
    expect(fixed).toContain('${{ github.event.pull_request.title }}');
  });

  it('lists files whose fix is not accepted and leaves them untouched', async () => {
    const aliased = VULNERABLE.replace('      - run: echo', '      - run: &r echo') + '      - run: *r\n';
    const root = makeRepo({ [WF]: aliased });
    const r = await runCli(['scan', root, '--fix=expression-injection']);
    expect(readFileSync(path.join(root, WF), 'utf8')).toBe(aliased);
    expect(r.stderr).toMatch(/not fixed \.github\/workflows\/ci\.yml: the fix changed jobs\.greet\.steps\[1\]\.run/);
    expect(r.code).toBe(1);
  });

  it('rejects unknown fix kinds and --dry-run without --fix', async () => {
    const bad = await runCli(['scan', '.', '--fix=unsafe-pickle']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fix takes check ids with a mechanical fix/);
    const dry = await runCli(['scan', '.', '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/--dry-run needs --fix/);
  });
});
