/** Hostile or broken input gives a clear finding or a one-line warning, and the scan goes on. */
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from './helpers/cli.js';
import { parseWorkflow } from '../src/workflows/parse.js';

const GOOD = 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n';

async function scanJson(root: string): Promise<{ findings: { checkId: string; path: string; message: string; region?: { line: number } }[]; warnings: string[]; stderr: string; code: number }> {
  const r = await runCli(['scan', root, '--format', 'json', '--min-severity', 'info']);
  expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  const report = JSON.parse(r.stdout) as { targets: { findings: never[]; warnings: string[] }[] };
  return { ...report.targets[0], stderr: r.stderr, code: r.code };
}

function invalidFor(findings: { checkId: string; path: string; message: string }[], file: string): string[] {
  return findings.filter((f) => f.checkId === 'workflow-invalid' && f.path === `.github/workflows/${file}`).map((f) => f.message);
}

describe('bad input', () => {
  it('malformed YAML is a workflow-invalid finding at the broken line, and the other files are still scanned', async () => {
    const root = makeRepo({ '.github/workflows/bad.yml': 'on: push\njobs:\n  a: [unclosed\n', '.github/workflows/good.yml': GOOD });
    const { findings } = await scanJson(root);
    const bad = findings.filter((f) => f.path === '.github/workflows/bad.yml');
    expect(bad).toHaveLength(1);
    expect(bad[0].checkId).toBe('workflow-invalid');
    expect(bad[0].region?.line).toBeGreaterThanOrEqual(3);
    expect(findings.filter((f) => f.path === '.github/workflows/good.yml' && f.checkId === 'workflow-invalid')).toEqual([]);
  });

  it('duplicate keys are reported (GitHub rejects them; a later key would silently win)', async () => {
    const root = makeRepo({ '.github/workflows/dup.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    runs-on: self-hosted\n    steps:\n      - run: x\n' });
    const msgs = invalidFor((await scanJson(root)).findings, 'dup.yml');
    expect(msgs.join()).toMatch(/unique/i);
  });

  it('a YAML alias bomb is refused quickly with a clear message', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const p = String.fromCharCode(97 + i - 1);
      const n = String.fromCharCode(97 + i);
      levels.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    // The bomb sits where the model walks: in a step's env, reached through an alias chain.
    const text = `on: push\n${levels.map((l) => `# ${l}`).join('\n')}\njobs:\n  x:\n    runs-on: ubuntu-latest\n    env: &e {A: 1}\n    steps:\n${Array.from({ length: 30_000 }, () => '      - {run: x, env: *e}').join('\n')}\n`;
    const start = Date.now();
    const r = parseWorkflow('.github/workflows/bomb.yml', text, 'workflow');
    expect(Date.now() - start).toBeLessThan(10_000);
    // 30,000 steps that each resolve an alias exceed the node budget: refused, never expanded.
    expect(r.ok).toBe(false);
    expect(r.problems[0].message).toMatch(/alias/);
  });

  it('a 5 MB workflow is reported as too large, not parsed', async () => {
    const big = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n' + '      - run: echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(75_000);
    expect(big.length).toBeGreaterThan(5_000_000);
    const root = makeRepo({ '.github/workflows/big.yml': big });
    const msgs = invalidFor((await scanJson(root)).findings, 'big.yml');
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/\d+\.\d MiB, above the 1 MiB/);
  });

  it('binary junk named .yml is reported, not parsed', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256);
    const root = makeRepo({ '.github/workflows/junk.yml': junk });
    expect(invalidFor((await scanJson(root)).findings, 'junk.yml')[0]).toMatch(/NUL bytes|binary/);
  });

  it('non-UTF-8 bytes are reported', async () => {
    const latin1 = Buffer.from('on: push\nname: caf\xe9\njobs: {}\n', 'latin1');
    const root = makeRepo({ '.github/workflows/latin1.yml': latin1 });
    expect(invalidFor((await scanJson(root)).findings, 'latin1.yml')[0]).toMatch(/UTF-8/);
  });

  it('a symlink pointing outside the directory is not followed and is named in a warning', async () => {
    const outside = makeRepo({ 'secret.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n' });
    const root = makeRepo({ '.github/workflows/good.yml': GOOD });
    symlinkSync(path.join(outside, 'secret.yml'), path.join(root, '.github/workflows/linked.yml'));
    const { findings, warnings, stderr } = await scanJson(root);
    expect(findings.filter((f) => f.path.includes('linked'))).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/linked\.yml: symbolic link points outside/)]);
    expect(stderr).toMatch(/warning: .*linked\.yml/);
  });

  it('an empty workflow file is invalid, not a crash', async () => {
    const root = makeRepo({ '.github/workflows/empty.yml': '' });
    expect(invalidFor((await scanJson(root)).findings, 'empty.yml')[0]).toMatch(/empty/);
  });
});
