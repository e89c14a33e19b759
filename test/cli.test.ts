/** The `pipeline-guard scan` command: formats, exit codes, thresholds, policy, suppressions. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from './helpers/cli.js';

// A workflow with one known high finding (attacker-controlled expression in run:) and nothing else
// above low: permissions set, actions pinned.
const INJECTABLE = `on:
  issues:
    types: [opened]
permissions:
  contents: read
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.issue.title }}"
`;
const CLEAN = `on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: make test
`;

interface JsonReport {
  targets: { target: string; score: number; grade: string; findings: { checkId: string; severity: string; path: string; region: { line: number; column: number } }[]; suppressed: unknown[]; warnings: string[] }[];
}

describe('pipeline-guard scan', () => {
  it('exits 0 with no findings on a clean repository', async () => {
    const r = await runCli(['scan', makeRepo({ '.github/workflows/ci.yml': CLEAN })]);
    expect(r.stdout).toMatch(/no findings · score 100 \(A\)/);
    expect(r.code).toBe(0);
  });

  it('exits 1 and reports the finding at the exact line and column in JSON', async () => {
    const r = await runCli(['scan', makeRepo({ '.github/workflows/greet.yml': INJECTABLE }), '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    const inj = report.targets[0].findings.filter((f) => f.checkId === 'expression-injection');
    expect(inj).toHaveLength(1);
    expect(inj[0].path).toBe('.github/workflows/greet.yml');
    expect(inj[0].region.line).toBe(10);
    expect(inj[0].region.column).toBe(20); // the `${{` of the span
    expect(report.targets[0].score).toBeLessThan(100);
  });

  it('--min-severity filters what is shown and what sets the exit code', async () => {
    const root = makeRepo({ '.github/workflows/greet.yml': INJECTABLE });
    const all = JSON.parse((await runCli(['scan', root, '-f', 'json', '--min-severity', 'info'])).stdout) as JsonReport;
    const worst = all.targets[0].findings.map((f) => f.severity);
    expect(worst).toContain('high');
    const r = await runCli(['scan', root, '--min-severity', 'critical', '-f', 'json']);
    const shown = (JSON.parse(r.stdout) as JsonReport).targets[0].findings;
    // Nothing in INJECTABLE is critical: the high finding is filtered out and the exit status is 0.
    expect(shown).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('text output is grouped by file, coloured on a TTY and plain when piped or NO_COLOR is set', async () => {
    const root = makeRepo({ '.github/workflows/greet.yml': INJECTABLE });
    const piped = await runCli(['scan', root]);
    expect(piped.stdout).not.toContain('\x1b[');
    expect(piped.stdout).toMatch(/^\.github\/workflows\/greet\.yml$/m);
    expect(piped.stdout).toMatch(/^\s+10:20\s+\S+\s+expression-injection/m);
    const tty = await runCli(['scan', root], { tty: true });
    expect(tty.stdout).toContain('\x1b[');
    const noColour = await runCli(['scan', root], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColour.stdout).not.toContain('\x1b[');
  });

  it('SARIF 2.1.0: ruleId is the check id, rules are described, paths are relative, regions 1-based', async () => {
    const root = makeRepo({ '.github/workflows/greet.yml': INJECTABLE });
    const r = await runCli(['scan', root, '--format', 'sarif']);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; properties: { severity: string }; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number } } }[] }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const result = run.results.find((x) => x.ruleId === 'expression-injection');
    expect(result).toBeDefined();
    expect(run.tool.driver.rules[result!.ruleIndex].id).toBe('expression-injection');
    expect(result!.level).toBe(result!.properties.severity === 'medium' ? 'warning' : 'error');
    const loc = result!.locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toBe('.github/workflows/greet.yml');
    expect(loc.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(loc.region.startLine).toBe(10);
    expect(loc.region.startColumn).toBe(20);
    for (const res of run.results) {
      expect(path.isAbsolute(res.locations[0].physicalLocation.artifactLocation.uri)).toBe(false);
      expect(res.locations[0].physicalLocation.region?.startLine ?? 1).toBeGreaterThanOrEqual(1);
    }
    expect(run.tool.driver.rules.find((x) => x.id === 'expression-injection')!.properties.tags).toContain('CICD-SEC-4');
  });

  it('scans a single workflow file named on the command line', async () => {
    const root = makeRepo({ 'greet.yml': INJECTABLE });
    const r = await runCli(['scan', path.join(root, 'greet.yml'), '-f', 'json']);
    const f = (JSON.parse(r.stdout) as JsonReport).targets[0].findings;
    expect(f.some((x) => x.checkId === 'expression-injection' && x.path === 'greet.yml' && x.region.line === 10)).toBe(true);
  });

  describe('policy', () => {
    it('a check set to off in .github/pipeline-guard.yml reports nothing; a severity replaces the finding\'s own', async () => {
      const root = makeRepo({
        '.github/workflows/greet.yml': INJECTABLE,
        '.github/pipeline-guard.yml': 'checks:\n  expression-injection: off\n',
      });
      const off = JSON.parse((await runCli(['scan', root, '-f', 'json', '--min-severity', 'info'])).stdout) as JsonReport;
      expect(off.targets[0].findings.filter((f) => f.checkId === 'expression-injection')).toEqual([]);
      const root2 = makeRepo({ '.github/workflows/greet.yml': INJECTABLE, 'pol.yml': 'checks:\n  expression-injection: low\n' });
      const low = JSON.parse((await runCli(['scan', root2, '-f', 'json', '--config', path.join(root2, 'pol.yml'), '--min-severity', 'info'])).stdout) as JsonReport;
      expect(low.targets[0].findings.filter((f) => f.checkId === 'expression-injection').map((f) => f.severity)).toEqual(['low']);
    });

    it('path ignores drop findings under the globs', async () => {
      const root = makeRepo({ '.github/workflows/greet.yml': INJECTABLE, '.github/pipeline-guard.yml': 'ignore:\n  - ".github/workflows/gr*.yml"\n' });
      const r = JSON.parse((await runCli(['scan', root, '-f', 'json', '--min-severity', 'info'])).stdout) as JsonReport;
      expect(r.targets[0].findings.filter((f) => f.path === '.github/workflows/greet.yml')).toEqual([]);
    });

    it('an invalid policy is a clear error with the line, exit 2', async () => {
      const root = makeRepo({ '.github/workflows/greet.yml': INJECTABLE, '.github/pipeline-guard.yml': 'checks:\n  expresion-injection: off\n' });
      const r = await runCli(['scan', root]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/pipeline-guard\.yml:2: unknown check id "expresion-injection"/);
      const bad = makeRepo({ '.github/pipeline-guard.yml': 'checks:\n  expression-injection: loud\n' });
      const r2 = await runCli(['scan', bad]);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/must be off, info, low, medium, high or critical/);
    });

    it('an inline suppression with a reason hides the finding; one without a reason is not honoured', async () => {
      const suppressed = INJECTABLE.replace('      - run: echo', '      # pipeline-guard: ignore[expression-injection] title is only echoed in a sandboxed job\n      - run: echo');
      const r = JSON.parse((await runCli(['scan', makeRepo({ '.github/workflows/g.yml': suppressed }), '-f', 'json'])).stdout) as JsonReport;
      expect(r.targets[0].findings.filter((f) => f.checkId === 'expression-injection')).toEqual([]);
      expect(r.targets[0].suppressed).toHaveLength(1);
      const bare = INJECTABLE.replace('      - run: echo', '      # pipeline-guard: ignore[expression-injection]\n      - run: echo');
      const r2 = JSON.parse((await runCli(['scan', makeRepo({ '.github/workflows/g.yml': bare }), '-f', 'json'])).stdout) as JsonReport;
      expect(r2.targets[0].findings.filter((f) => f.checkId === 'expression-injection')).toHaveLength(1);
      expect(r2.targets[0].warnings.join()).toMatch(/without a reason/);
    });
  });

  describe('errors', () => {
    it('a missing path is an I/O error, exit 2, one line', async () => {
      const r = await runCli(['scan', '/nonexistent/pg-test-dir']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot read \/nonexistent\/pg-test-dir: ENOENT/);
    });

    it('usage errors exit 2 with the usage text', async () => {
      for (const argv of [['scan', '--format', 'xml'], ['scan', '--bogus'], ['frobnicate'], ['scan', '--min-severity', 'extreme'], ['scan', '--format']]) {
        const r = await runCli(argv);
        expect(r.code, argv.join(' ')).toBe(2);
        expect(r.stderr).toMatch(/Usage: pipeline-guard scan/);
      }
    });

    it('--help and --version exit 0', async () => {
      expect((await runCli(['--help'])).stdout).toMatch(/Usage/);
      const v = await runCli(['--version']);
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(/^pipeline-guard \d+\.\d+\.\d+\n$/);
    });
  });

  it('the installed bin runs the compiled CLI (what `npx pipeline-guard` runs)', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = path.resolve(import.meta.dirname, '..', pkg.bin['pipeline-guard']);
    const root = makeRepo({ '.github/workflows/greet.yml': INJECTABLE });
    const r = spawnSync(process.execPath, [bin, 'scan', root, '--format', 'json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as JsonReport).targets[0].findings.some((f) => f.checkId === 'expression-injection')).toBe(true);
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toMatch(/^pipeline-guard /);
  });
});

describe('pipeline-guard sweep dispatch', () => {
  it('hands `sweep` to its own parser: --help prints its usage, a usage error exits 2 with it', async () => {
    const help = await runCli(['sweep', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pipeline-guard sweep OWNER/);
    const bad = await runCli(['sweep']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pipeline-guard: sweep takes exactly one OWNER[\s\S]*Usage: pipeline-guard sweep OWNER/);
    const unknown = await runCli(['sweap']);
    expect(unknown.stderr).toContain('unknown command "sweap" (expected scan, audit or sweep)');
  });
});
