/** `pipeline-guard` command line: `scan` directories or files offline, `audit` a repository on GitHub. */
import path from 'node:path';
import { ALL_CHECKS } from '../checks/registry.js';
import { collectLocal, CollectError } from '../collect/local.js';
import { scanSnapshot } from '../engine/scan.js';
import { DEFAULT_POLICY_PATH, emptyPolicy, PolicyError } from '../policy/config.js';
import { VERSION } from '../version.js';
import { parseArgs, UsageError, USAGE, type ScanArgs } from './args.js';
import { audit, AuditError } from './audit.js';
import { applyFixes } from '../fixes/engine.js';
import { emit, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, loadPolicy, reportFixes, targetResult, writeFixes, type Io, type TargetResult } from './output.js';

export type { Io } from './output.js';

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (args.command === 'version') {
      io.stdout(`pipeline-guard ${VERSION}\n`);
      return EXIT_OK;
    }
    if (args.command === 'audit') return await audit(args, io);
    return await scan(args, io);
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

async function scan(args: ScanArgs, io: Io): Promise<number> {
  const explicitPolicy = args.config ? await loadPolicy(args.config, true) : undefined;
  const results: TargetResult[] = [];
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
    const outcomes = applyFixes(target.snapshot, result.findings, policy, args.fix.kinds);
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

