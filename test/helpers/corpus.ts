/**
 * The peer corpora live in ../shared/corpus (never copied into the project). When the folder is
 * missing the corpus tests fail under CI=true and are skipped, loudly, elsewhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RepoSnapshot } from '../../src/model/snapshot.js';

export const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');
export const corpusPresent = existsSync(path.join(CORPUS, 'zizmor-index.tsv'));

/** Call at the top of a corpus test file: returns true when the tests should run. */
export function requireCorpus(): boolean {
  if (corpusPresent) return true;
  if (process.env.CI === 'true') throw new Error(`peer corpus missing at ${CORPUS}: CI must have ../shared beside the project`);
  console.warn(`\n*** SKIPPING corpus tests: ${CORPUS} not found (they run, and fail without it, under CI=true) ***\n`);
  return false;
}

/** Reads a TSV index, skipping `#` comment lines, keyed by its header row. */
export function readIndex(name: string): Record<string, string>[] {
  const lines = readFileSync(path.join(CORPUS, name), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

export function listFiles(dir: string, pred: (p: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = path.join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (pred(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A snapshot holding one corpus file as a workflow (or an action when `kind` says so). */
export function corpusSnapshot(abs: string, kind: 'workflow' | 'action'): RepoSnapshot {
  const bytes = new Uint8Array(readFileSync(abs));
  const base = path.basename(abs);
  const rel = kind === 'action' ? `action/${base}` : `.github/workflows/${base}`;
  return { source: 'local', files: [{ path: rel, size: bytes.length, bytes, role: kind }], warnings: [] };
}
