/**
 * The 74 real ML workflows of ../shared/corpus/realworld, one repository per folder, scanned with
 * every check. The findings are pinned in realworld-findings.txt, which was reviewed by hand (false
 * positives found there were fixed in the checks, not in this file). A change in what we report on
 * real workflows must show up here and be reviewed again: regenerate with
 * `UPDATE_REALWORLD=1 npx vitest run test/corpus/realworld.test.ts` and read the diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { RepoSnapshot } from '../../src/model/snapshot.js';
import { CORPUS, readIndex, requireCorpus } from '../helpers/corpus.js';

const PINNED = path.join(import.meta.dirname, 'realworld-findings.txt');
const run = requireCorpus();

/** One snapshot per source repository, each file at the path it has there (from the index). */
function repoSnapshots(): Map<string, RepoSnapshot> {
  const byRepo = new Map<string, RepoSnapshot>();
  for (const row of readIndex('realworld-index.tsv')) {
    const bytes = new Uint8Array(readFileSync(path.join(CORPUS, row.local_file)));
    let snap = byRepo.get(row.repo);
    if (!snap) byRepo.set(row.repo, (snap = { source: 'local', files: [], warnings: [] }));
    snap.files.push({ path: row.path, size: bytes.length, bytes });
  }
  return byRepo;
}

describe.runIf(run)('realworld ML workflows', () => {
  it('report exactly the reviewed findings', () => {
    const lines: string[] = [];
    const snapshots = repoSnapshots();
    expect(snapshots.size).toBeGreaterThan(5);
    for (const [repo, snapshot] of [...snapshots].sort(([a], [b]) => a.localeCompare(b))) {
      const result = scanSnapshot(snapshot, ALL_CHECKS);
      expect(result.warnings, repo).toEqual([]);
      for (const f of result.findings) lines.push(`${repo}/${f.path}:${f.region?.line ?? 0}\t${f.checkId}\t${f.severity}\t${f.message}`);
    }
    const actual = lines.join('\n') + '\n';
    if (process.env.UPDATE_REALWORLD === '1') writeFileSync(PINNED, actual);
    expect(actual).toBe(readFileSync(PINNED, 'utf8'));
  });
});
