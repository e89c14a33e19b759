/**
 * One scratch directory per test run: every temporary repository, record file and sweep output the
 * tests create (they use os.tmpdir()) lands in it, and it is removed when the run ends, so a run
 * leaves nothing behind in the system temp folder. Set before the test workers start, which inherit it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-guard-tests-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
