/**
 * `pipeline-guard` command line: `scan` directories or files offline, `audit` a repository on GitHub,
 * `sweep` an organisation.
 */
import path from 'node:path';
import { ALL_CHECKS } from '../checks/registry.js';
import { collectLocal, CollectError } from '../collect/local.js';
import { scanSnapshot } from '../engine/scan.js';
import { DEFAULT_POLICY_PATH, emptyPolicy, PolicyError } from '../policy/config.js';
import { VERSION } from '../version.js';
import { parseArgs, UsageError, USAGE, type ScanArgs } from './args.js';
import { audit, AuditError, makeOctokit } from './audit.js';
import { applyFixes } from '../fixes/engine.js';
import { FIXABLE_CHECK_IDS } from '../fixes/registry.js';
import { PIN_NEEDS_TOKEN } from '../fixes/unpinned-action.js';
import type { FixOptions } from '../fixes/types.js';
import { refsOfFindings, resolveActionRefs } from '../collect/action-refs.js';
import type { OctokitLike } from '../collect/github-rest.js';
import type { Finding } from '../model/types.js';
import { emit, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, loadPolicy, reportFixes, targetResult, tokenOf, writeFixes, type Io, type TargetResult } from './output.js';

export type { Io } from './output.js';

/** What tests inject: an Octokit for `audit` and for `scan --fix` ref resolution (otherwise built from the token). */
export interface MainDeps {
  octokit?: OctokitLike;
}

export async function main(argv: string[], io: Io, deps: MainDeps = {}): Promise<number> {
  try {
    if (argv[0] === 'sweep') return await sweep(argv.slice(1), io);
    const args = parseArgs(argv);
    if (args.command === 'help') {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (args.command === 'version') {
      io.stdout(`pipeline-guard ${VERSION}\n`);
      return EXIT_OK;
    }
    if (args.command === 'audit') return await audit(args, io, deps);
    return await scan(args, io, deps);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`pipeline-guard: ${err.message}\n\n${USAGE}`);
      return EXIT_ERROR;
    }
    if (err instanceof CollectError || err instanceof PolicyError || err instanceof AuditError) {
      io.stderr(`pipeline-guard: ${err.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr(`pipeline-guard: unexpected error: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}

/** `pipeline-guard sweep OWNER`: its own arguments and usage (src/cli/sweep.ts), loaded only when used. */
async function sweep(argv: string[], io: Io): Promise<number> {
  const { parseSweepArgs, runSweep, SweepUsageError, SWEEP_USAGE } = await import('./sweep.js');
  try {
    return await runSweep(parseSweepArgs(argv), io);
  } catch (err) {
    if (!(err instanceof SweepUsageError)) throw err;
    io.stderr(`pipeline-guard: ${err.message}\n\n${SWEEP_USAGE}`);
    return EXIT_ERROR;
  }
}

const PIN_CHECK = 'unpinned-action';

/**
 * `scan --fix` resolves action refs when it has a token (or an injected Octokit); without one the
 * unpinned-action fix is left out, said once. The Octokit is built on first need and reused.
 */
class PinSource {
  private octokit: OctokitLike | undefined;
  private told = false;
  constructor(
    private readonly args: ScanArgs,
    private readonly io: Io,
    private readonly deps: MainDeps,
  ) {}

  async prepare(findings: readonly Finding[]): Promise<{ kinds?: string[]; options: FixOptions }> {
    const kinds = this.args.fix?.kinds;
    const refs = refsOfFindings(findings.filter((f) => f.fixable));
    if ((kinds && !kinds.includes(PIN_CHECK)) || refs.length === 0) return { kinds, options: {} };
    const token = tokenOf(this.args, this.io);
    if (!token && !this.deps.octokit) {
      if (!this.told) this.io.stderr(`note: ${PIN_CHECK} not fixed: ${PIN_NEEDS_TOKEN}\n`);
      this.told = true;
      return { kinds: (kinds ?? [...FIXABLE_CHECK_IDS]).filter((k) => k !== PIN_CHECK), options: {} };
    }
    this.octokit ??= this.deps.octokit ?? (await makeOctokit(token as string, this.io.env));
    return { kinds, options: { pins: await resolveActionRefs(this.octokit, refs) } };
  }
}

async function scan(args: ScanArgs, io: Io, deps: MainDeps): Promise<number> {
  const explicitPolicy = args.config ? await loadPolicy(args.config, true) : undefined;
  const results: TargetResult[] = [];
  const pins = new PinSource(args, io, deps);
  for (const p of args.paths) {
    const target = await collectLocal(p);
    // A directory carries its own policy; a single file is scanned with defaults unless --config says otherwise.
    const policy =
      explicitPolicy ?? (target.kind === 'directory' ? await loadPolicy(path.join(target.root, DEFAULT_POLICY_PATH), false) : emptyPolicy());
    const result = scanSnapshot(target.snapshot, ALL_CHECKS, policy);
    if (!args.fix) {
      results.push(targetResult(target.label, result, args.minSeverity));
      continue;
    }
    const { kinds, options } = await pins.prepare(result.findings);
    const outcomes = applyFixes(target.snapshot, result.findings, policy, kinds, options);
    reportFixes(outcomes, args, io);
    if (args.dryRun) {
      results.push(targetResult(target.label, result, args.minSeverity));
      continue;
    }
    await writeFixes(outcomes, target.root);
    // The report is about what remains once the fixes are on disk.
    const after = outcomes.some((o) => o.status === 'fixed') ? await collectLocal(p) : target;
    results.push(targetResult(target.label, scanSnapshot(after.snapshot, ALL_CHECKS, policy), args.minSeverity));
  }
  if (args.fix && args.dryRun) return results.some((r) => r.shown.length > 0) ? EXIT_FINDINGS : EXIT_OK;
  return emit(results, args, io);
}

