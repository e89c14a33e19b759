/**
 * `npm run bench:org`: the organisation sweep against the GitHub simulator at several sizes.
 *   node --expose-gc dist/scripts/bench-org.js [--repos 1000,10000] [--latency 30] [--seed 42]
 * Prints one Markdown table row per size (requests, GraphQL points, 304s, wall time, peak RSS and
 * heap) and the 10,000/1,000 ratios. The simulator runs in this process, so its own memory is
 * measured once after the org is generated (baseline) and the sweep's share is peak minus baseline.
 */
import { Octokit } from '@octokit/core';
import { ALL_CHECKS } from '../checks/registry.js';
import { collectRepoSnapshot } from '../collect/github.js';
import { scanSnapshot } from '../engine/scan.js';
import { emptyPolicy } from '../policy/config.js';
import { generateOrg } from '../sim/org-generator.js';
import { GitHubSimulator } from '../sim/server.js';
import type { SweepFn, SweepOptions, SweepResult } from '../sweep/types.js';

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

/** The sweep if src/sweep/sweep.ts exports it, else a stand-in (collectRepoSnapshot per repository). */
async function loadSweep(): Promise<{ sweep: SweepFn; name: string }> {
  const specifier = '../sweep/sweep.js';
  try {
    const mod = (await import(specifier)) as { sweepOrganization?: SweepFn };
    if (mod.sweepOrganization) return { sweep: mod.sweepOrganization, name: 'sweepOrganization' };
  } catch {
    // not there yet: fall through to the stand-in
  }
  return { sweep: standInSweep, name: 'stand-in (collectRepoSnapshot per repository)' };
}

async function standInSweep(opts: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  const listed: { name: string; owner: { login: string }; archived?: boolean; fork: boolean; html_url: string; default_branch?: string }[] = [];
  for (let page = 1; ; page++) {
    const res = await opts.octokit.request('GET /installation/repositories', { per_page: 100, page });
    const data = res.data as { repositories: typeof listed };
    listed.push(...data.repositories);
    if (data.repositories.length < 100) break;
  }
  let audited = 0;
  let failed = 0;
  const failures: SweepResult['failures'] = [];
  const todo = listed.filter((r) => !r.archived && !r.fork);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < todo.length) {
      const r = todo[next++];
      try {
        const snapshot = await collectRepoSnapshot(opts.octokit as never, { owner: r.owner.login, repo: r.name });
        const scan = scanSnapshot(snapshot, opts.checks ?? ALL_CHECKS, opts.policy);
        await opts.onRepo({ owner: r.owner.login, name: r.name, url: r.html_url, defaultBranch: r.default_branch ?? 'main', fork: r.fork, findings: scan.findings, notEvaluated: scan.notEvaluated.map((n) => `${n.checkId}: ${n.reason}`) }, snapshot);
        audited++;
      } catch (err) {
        failed++;
        failures.push({ repo: r.name, reason: (err as Error).message });
      }
    }
  }));
  return {
    stats: { repositories: listed.length, audited, skippedArchived: listed.filter((r) => r.archived).length, skippedForks: listed.filter((r) => r.fork && !r.archived).length, failed, restRequests: 0, graphqlRequests: 0, graphqlPoints: 0, notModified: 0, pausedMs: 0, durationMs: Date.now() - started },
    failures,
  };
}

interface Accumulator {
  add(repo: { name: string; url: string; findings?: readonly unknown[]; notEvaluated?: readonly string[] }): void;
  input(meta: { org: string; week: string }): unknown;
}

async function loadWeekly(): Promise<{ make: () => Accumulator; render: (input: unknown) => { title: string; body: string } } | undefined> {
  const specifier = '../report/weekly.js';
  try {
    const mod = (await import(specifier)) as { WeeklyAccumulator?: new () => Accumulator; renderWeeklyIssue?: (input: unknown) => { title: string; body: string } };
    const Acc = mod.WeeklyAccumulator;
    const render = mod.renderWeeklyIssue;
    if (Acc && render) return { make: () => new Acc(), render };
  } catch {
    // no accumulator: skip the weekly issue
  }
  return undefined;
}

export interface BenchRow {
  repositories: number;
  audited: number;
  failed: number;
  readRequests: number;
  restRequests: number;
  graphqlRequests: number;
  graphqlPoints: number;
  notModified: number;
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

async function runOnce(size: number, args: Args, sweep: SweepFn, weekly: Awaited<ReturnType<typeof loadWeekly>>): Promise<BenchRow> {
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
  const acc = weekly?.make();
  const started = Date.now();
  let result: SweepResult;
  try {
    try {
    result = await sweep({
      org: org.org.login,
      octokit: octokit as unknown as SweepOptions['octokit'],
      policy: emptyPolicy(),
      onRepo: (repo) => acc?.add({ name: repo.name, url: repo.url, findings: repo.findings, notEvaluated: repo.notEvaluated }),
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
  if (acc && weekly) {
    const t = Date.now();
    try {
      const issue = weekly.render(acc.input({ org: org.org.login, week: '2026-W48' }));
      weeklyOut = { ms: Date.now() - t, bytes: Buffer.byteLength(issue.body) };
    } catch (err) {
      console.error(`weekly issue not rendered: ${(err as Error).message}`);
    }
  }
  const reads = Object.entries(sim.stats.requests).filter(([k]) => k.startsWith('GET ') || k === 'POST /graphql').reduce((s, [, n]) => s + n, 0);
  const row: BenchRow = {
    repositories: size, audited: result.stats.audited, failed: result.stats.failed, readRequests: reads, restRequests: sim.stats.rest,
    graphqlRequests: sim.stats.graphql, graphqlPoints: sim.stats.graphqlPoints, notModified: sim.stats.notModified, wallMs,
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

export function renderTable(rows: BenchRow[], sweepName: string, latency: number): string {
  const lines = [
    `Sweep: ${sweepName}; simulator latency ${latency} ms per request; Node ${process.version}.`,
    '',
    '| repositories | audited | read requests / repo (REST + GraphQL) | GraphQL requests | GraphQL points | 304s | wall time | peak RSS | peak heap (sweep share: peak − heap after generating the org) | heap / repo | retained after the sweep (gc) | weekly issue |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const sweepHeap = r.peakHeapMb - r.baselineHeapMb;
    lines.push(
      `| ${r.repositories.toLocaleString('en')} | ${r.audited.toLocaleString('en')}${r.failed ? ` (${r.failed} failed)` : ''} | ${(r.readRequests / r.repositories).toFixed(2)} (${(r.restRequests / r.repositories).toFixed(2)} + ${(r.graphqlRequests / r.repositories).toFixed(2)}) | ${r.graphqlRequests.toLocaleString('en')} | ${r.graphqlPoints.toLocaleString('en')} | ${r.notModified.toLocaleString('en')} | ${f1(r.wallMs / 1000)} s | ${f1(r.peakRssMb)} MB | ${f1(r.peakHeapMb)} MB (${f1(sweepHeap)} MB) | ${f1((sweepHeap * 1024) / r.repositories)} KB | ${f1(r.retainedHeapMb - r.baselineHeapMb)} MB | ${r.weekly ? `${(r.weekly.bytes / 1024).toFixed(1)} KB in ${r.weekly.ms} ms` : 'n/a'} |`,
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
  const { sweep, name } = await loadSweep();
  const weekly = await loadWeekly();
  const rows: BenchRow[] = [];
  for (const size of args.repos) {
    console.error(`sweeping ${size} repositories...`);
    rows.push(await runOnce(size, args, sweep, weekly));
    gc?.();
  }
  console.log(renderTable(rows, name, args.latency));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
