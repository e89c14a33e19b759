/**
 * Fixture-driven check tests. Layout: `fixtures/checks/<check-id>/<fixture>` where a fixture is
 *   - `name.yml` / `name.yaml`: a workflow, scanned as `.github/workflows/name.yml`;
 *   - `name.action.yml`: a composite action, scanned as `name/action.yml`;
 *   - any other file: scanned at the repository root under its own name (Dockerfile, .py, .ipynb…);
 *   - a directory: a whole repository root.
 * Expectations live in the fixture text: a line containing `expect: <check-id>` must carry a finding
 * of that check (optionally `expect: <check-id> <severity>`), and no other line may. A fixture with
 * no `expect:` marker must say why it must stay quiet with `no-finding: <reason>`.
 * Binary fixtures put their markers in a sidecar `<fixture>.expect` file (`line <n> [severity]`
 * per line, or `no-finding: <reason>`).
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../src/checks/types.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { collectLocal } from '../../src/collect/local.js';
import type { RepoSnapshot, SnapshotFile } from '../../src/model/snapshot.js';
import type { Finding } from '../../src/model/types.js';

export const FIXTURES_ROOT = path.resolve(import.meta.dirname, '../../fixtures/checks');

interface Expectation {
  line: number;
  severity?: string;
  /** For directory fixtures: the repository path the line belongs to. */
  file?: string;
}

function markersIn(text: string, checkId: string): { expected: Expectation[]; reason?: string } {
  const expected: Expectation[] = [];
  let reason: string | undefined;
  const re = new RegExp(`expect:\\s*${checkId.replace(/[-]/g, '\\-')}(?![\\w-])(?:\\s+(critical|high|medium|low|info)\\b)?`);
  text.split('\n').forEach((line, i) => {
    const m = re.exec(line);
    if (m) expected.push({ line: i + 1, severity: m[1] });
    const r = /no-finding:\s*(.+)/.exec(line);
    if (r) reason = r[1].trim();
  });
  return { expected, reason };
}

function sidecar(file: string): { expected: Expectation[]; reason?: string } | undefined {
  const side = `${file}.expect`;
  if (!existsSync(side)) return undefined;
  const expected: Expectation[] = [];
  let reason: string | undefined;
  for (const raw of readFileSync(side, 'utf8').split('\n')) {
    const line = raw.trim();
    const m = /^line\s+(\d+)(?:\s+(critical|high|medium|low|info))?/.exec(line);
    if (m) expected.push({ line: Number(m[1]), severity: m[2] });
    const r = /^no-finding:\s*(.+)/.exec(line);
    if (r) reason = r[1].trim();
  }
  return { expected, reason };
}

export function snapshotOfFile(file: string): RepoSnapshot {
  const base = path.basename(file);
  const bytes = new Uint8Array(readFileSync(file));
  let rel = base;
  if (/\.action\.ya?ml$/.test(base)) rel = `${base.replace(/\.action\.ya?ml$/, '')}/action.yml`;
  else if (/\.ya?ml$/.test(base)) rel = `.github/workflows/${base}`;
  const f: SnapshotFile = { path: rel, size: bytes.length, bytes };
  return { source: 'local', files: [f], warnings: [] };
}

export interface FixtureCase {
  name: string;
  findings: Finding[];
  expected: Expectation[];
  reason?: string;
  warnings: string[];
}

export async function runFixture(check: Check, fixture: string): Promise<FixtureCase> {
  const name = path.basename(fixture);
  let snapshot: RepoSnapshot;
  const expected: Expectation[] = [];
  let reason: string | undefined;
  if (statSync(fixture).isDirectory()) {
    snapshot = (await collectLocal(fixture)).snapshot;
    for (const f of snapshot.files) {
      const side = sidecar(path.join(fixture, f.path));
      const m = side ?? (f.bytes ? markersIn(Buffer.from(f.bytes).toString('utf8'), check.meta.id) : { expected: [] });
      // In a directory fixture, expectations are per file: encode the path in the line key.
      for (const e of m.expected) expected.push({ ...e, file: f.path });
      reason ??= m.reason;
    }
  } else {
    snapshot = snapshotOfFile(fixture);
    const m = sidecar(fixture) ?? markersIn(readFileSync(fixture, 'utf8'), check.meta.id);
    expected.push(...m.expected);
    reason = m.reason;
  }
  const result = scanSnapshot(snapshot, [check]);
  return { name, findings: result.findings, expected, reason, warnings: result.warnings };
}

/** One `it` per fixture of the check: the check fires exactly on the marked lines. */
export function describeFixtures(check: Check): void {
  const dir = path.join(FIXTURES_ROOT, check.meta.id);
  const entries = existsSync(dir) ? readdirSync(dir).filter((n) => !n.endsWith('.expect')).sort() : [];
  // Each fixture is scanned once: the census below and the fixture's own test share the result.
  const runs = new Map<string, Promise<FixtureCase>>();
  const run = (e: string): Promise<FixtureCase> => {
    let r = runs.get(e);
    if (!r) runs.set(e, (r = runFixture(check, path.join(dir, e))));
    return r;
  };
  describe(`${check.meta.id} fixtures`, () => {
    it('has fixtures that fire and fixtures that must stay quiet', async () => {
      let fire = 0;
      let quiet = 0;
      for (const e of entries) {
        const c = await run(e);
        if (c.expected.length > 0) fire++;
        else quiet++;
      }
      expect(fire, `fixtures/checks/${check.meta.id} needs a fixture that fires`).toBeGreaterThan(0);
      expect(quiet, `fixtures/checks/${check.meta.id} needs a fixture that must not fire`).toBeGreaterThan(0);
    });
    for (const e of entries) {
      it(e, async () => {
        const c = await run(e);
        const key = (x: Expectation): string => `${x.file ?? ''}:${x.line}`;
        const isDir = statSync(path.join(dir, e)).isDirectory();
        const got = c.findings.map((f) => ({ line: f.region?.line ?? 0, file: isDir ? f.path : undefined, severity: f.severity }));
        if (c.expected.length === 0) {
          expect(c.reason, `${e}: a quiet fixture must say why with "no-finding: <reason>"`).toBeTruthy();
          expect(c.findings.map((f) => `${f.path}:${f.region?.line} ${f.message}`)).toEqual([]);
          return;
        }
        expect(got.map(key).sort()).toEqual(c.expected.map(key).sort());
        for (const x of c.expected) {
          if (!x.severity) continue;
          const hit = got.find((g) => key(g) === key(x) && g.severity === x.severity);
          expect(hit, `${e}:${x.line} should be ${x.severity}, got ${got.filter((g) => g.line === x.line).map((g) => g.severity).join(',')}`).toBeTruthy();
        }
      });
    }
  });
}

/** Scans text files (path -> content) with the given checks; a check that throws fails the test. */
export function scanFiles(files: Record<string, string>, checks: readonly Check[]): Finding[] {
  const snapshot: RepoSnapshot = {
    source: 'local',
    files: Object.entries(files).map(([path, text]) => {
      const bytes = new TextEncoder().encode(text);
      return { path, size: bytes.length, bytes };
    }),
    warnings: [],
  };
  const result = scanSnapshot(snapshot, checks);
  expect(result.warnings).toEqual([]);
  return result.findings;
}

/** Scans one workflow text with the given checks. */
export function scanWorkflow(yaml: string, checks: readonly Check[], path = '.github/workflows/w.yml'): Finding[] {
  return scanFiles({ [path]: yaml }, checks);
}
