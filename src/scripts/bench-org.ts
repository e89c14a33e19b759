/**
 * `npm run bench:org`: the organisation sweep against the GitHub simulator at several sizes.
 *   node --expose-gc dist/scripts/bench-org.js [--repos 1000,10000] [--latency 30] [--seed 42]
 * Prints one Markdown table row per size (requests, GraphQL points, 304s, the most requests the
 * simulator had in flight at once, wall time, peak RSS and heap) and the 10,000/1,000 ratios. The
 * simulator runs in this process, so its own memory is measured once after the org is generated
 * (baseline) and the sweep's share is peak minus baseline.
 */
import { Octokit } from '@octokit/core';
import { emptyPolicy } from '../policy/config.js';
import { WeeklyAccumulator, renderWeeklyIssue } from '../report/weekly.js';
import { generateOrg } from '../sim/org-generator.js';
import { GitHubSimulator } from '../sim/server.js';
import { sweepOrganization } from '../sweep/sweep.js';
import type { SweepOptions, SweepResult } from '../sweep/types.js';

interface Args {
  repos: number[];
  latency: number;
  seed: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { repos: [1000, 10000], latency: 30, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = () => inline ?? argv[++i];
    if (flag === '--repos') args.repos = value().split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
    else if (flag === '--latency') args.latency = Number(value());
    else if (flag === '--seed') args.seed = Number(value());
    else throw new Error(`unknown flag ${flag} (use --repos 1000,10000 --latency 30 --seed 42)`);
  }
  return args;
}

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

interface BenchRow {
  repositories: number;
  audited: number;
  failed: number;
  readRequests: number;
  restRequests: number;
  graphqlRequests: number;
  graphqlPoints: number;
  notModified: number;
  /** Most requests the simulator had in flight at once. */
  peakConcurrency: number;
  wallMs: number;
  pausedMs: number;
  peakRssMb: number;
  peakHeapMb: number;
  baselineHeapMb: number;
  retainedHeapMb: number;
  weekly?: { ms: number; bytes: number };
  unknownRoutes: number;
  readsByRoute: Record<string, number>;
}

async function runOnce(size: number, args: Args): Promise<BenchRow> {
  // Limits far above GitHub's so the benchmark measures the sweep, not an hour of pacing.
  const sim = new GitHubSimulator({ latencyMs: args.latency, restLimit: 10_000_000, graphqlLimit: 1_000_000, seed: args.seed });
  await sim.start();
  const org = generateOrg(sim, { repos: size, seed: args.seed });
  const octokit = new Octokit({ auth: 'ghs_benchmark', baseUrl: sim.url });
  // Build GitHub's GraphQL schema before timing (once per process).
  await octokit.graphql('query { rateLimit(dryRun: true) { cost } }');
  sim.resetStats();
  gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 100);
  const acc = new WeeklyAccumulator();
  const started = Date.now();
  let result: SweepResult;
  try {
    try {
      result = await sweepOrganization({
        org: org.org.login,
        octokit: octokit as unknown as SweepOptions['octokit'],
        policy: emptyPolicy(),
        onRepo: (repo) => acc.add(repo),
      });
    } finally {
      clearInterval(timer);
    }
  } catch (err) {
    await sim.stop();
    throw err;
  }
  const wallMs = Date.now() - started;
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  // What is still held once garbage is collected (the weekly summaries, the simulator's new state):
  // the peak above also counts garbage V8 had not collected yet, which grows with the heap it is given.
  gc?.();
  const retainedHeapMb = process.memoryUsage().heapUsed / MB;
  let weeklyOut: BenchRow['weekly'];
  const t = Date.now();
  try {
    const issue = renderWeeklyIssue(acc.input({ org: org.org.login, week: '2026-W48' }));
    weeklyOut = { ms: Date.now() - t, bytes: Buffer.byteLength(issue.body) };
  } catch (err) {
    console.error(`weekly issue not rendered: ${(err as Error).message}`);
  }
  const reads = Object.entries(sim.stats.requests).filter(([k]) => k.startsWith('GET ') || k === 'POST /graphql').reduce((s, [, n]) => s + n, 0);
  const row: BenchRow = {
    repositories: size, audited: result.stats.audited, failed: result.stats.failed, readRequests: reads, restRequests: sim.stats.rest,
    graphqlRequests: sim.stats.graphql, graphqlPoints: sim.stats.graphqlPoints, notModified: sim.stats.notModified,
    peakConcurrency: sim.stats.peakConcurrency, wallMs,
    pausedMs: result.stats.pausedMs, peakRssMb: peakRss / MB, peakHeapMb: peakHeap / MB, baselineHeapMb: baseline.heapUsed / MB, retainedHeapMb,
    ...(weeklyOut ? { weekly: weeklyOut } : {}), unknownRoutes: sim.stats.unknownRoutes.length,
    readsByRoute: Object.fromEntries(Object.entries(sim.stats.requests).filter(([k]) => k.startsWith('GET ') || k === 'POST /graphql')),
  };
  if (result.failures.length > 0) console.error(`${size}: ${result.failures.length} failures, first: ${result.failures.slice(0, 3).map((f) => `${f.repo}: ${f.reason}`).join('; ')}`);
  if (sim.stats.unknownRoutes.length > 0) console.error(`${size}: unknown routes: ${[...new Set(sim.stats.unknownRoutes)].slice(0, 5).join(', ')}`);
  await sim.stop();
  return row;
}

const f1 = (n: number) => n.toFixed(1);

function renderTable(rows: BenchRow[], sweepName: string, latency: number): string {
  const lines = [
    `Sweep: ${sweepName}; simulator latency ${latency} ms per request; Node ${process.version}.`,
    '',
    '| repositories | audited | read requests / repo (REST + GraphQL) | GraphQL requests | GraphQL points | 304s | peak requests in flight | wall time | peak RSS | peak heap (sweep share: peak − heap after generating the org) | heap / repo | retained after the sweep (gc) | weekly issue |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const sweepHeap = r.peakHeapMb - r.baselineHeapMb;
    lines.push(
      `| ${r.repositories.toLocaleString('en')} | ${r.audited.toLocaleString('en')}${r.failed ? ` (${r.failed} failed)` : ''} | ${(r.readRequests / r.repositories).toFixed(2)} (${(r.restRequests / r.repositories).toFixed(2)} + ${(r.graphqlRequests / r.repositories).toFixed(2)}) | ${r.graphqlRequests.toLocaleString('en')} | ${r.graphqlPoints.toLocaleString('en')} | ${r.notModified.toLocaleString('en')} | ${r.peakConcurrency} | ${f1(r.wallMs / 1000)} s | ${f1(r.peakRssMb)} MB | ${f1(r.peakHeapMb)} MB (${f1(sweepHeap)} MB) | ${f1((sweepHeap * 1024) / r.repositories)} KB | ${f1(r.retainedHeapMb - r.baselineHeapMb)} MB | ${r.weekly ? `${(r.weekly.bytes / 1024).toFixed(1)} KB in ${r.weekly.ms} ms` : 'n/a'} |`,
    );
  }
  // Where the reads go: per repository, by route, for the largest size (the routes are the same at every size).
  const last = rows.at(-1);
  if (last) {
    lines.push('', `Read requests per repository by route (${last.repositories.toLocaleString('en')} repositories):`, '', '| route | requests | per repository |', '|---|---:|---:|');
    for (const [route, n] of Object.entries(last.readsByRoute).sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      lines.push(`| \`${route}\` | ${n.toLocaleString('en')} | ${(n / last.repositories).toFixed(2)} |`);
    }
  }
  const small = rows.find((r) => r.repositories === 1000);
  const large = rows.find((r) => r.repositories === 10000);
  if (small && large) {
    lines.push('', `Ratio 10,000 / 1,000: wall time ${(large.wallMs / small.wallMs).toFixed(2)}x, peak heap ${(large.peakHeapMb / small.peakHeapMb).toFixed(2)}x (sweep share ${((large.peakHeapMb - large.baselineHeapMb) / Math.max(0.1, small.peakHeapMb - small.baselineHeapMb)).toFixed(2)}x).`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!gc) console.error('note: run with --expose-gc for a clean baseline (npm run bench:org does)');
  const rows: BenchRow[] = [];
  for (const size of args.repos) {
    console.error(`sweeping ${size} repositories...`);
    rows.push(await runOnce(size, args));
    gc?.();
  }
  console.log(renderTable(rows, 'sweepOrganization', args.latency));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
