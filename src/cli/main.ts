/** `pipeline-guard` command line: scan directories or files offline, text / JSON / SARIF out. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ALL_CHECKS, CHECK_IDS } from '../checks/registry.js';
import { collectLocal, CollectError, type LocalTarget } from '../collect/local.js';
import { scanSnapshot, type ScanResult } from '../engine/scan.js';
import { severityRank, type Finding } from '../model/types.js';
import { DEFAULT_POLICY_PATH, emptyPolicy, parsePolicy, PolicyError, type Policy } from '../policy/config.js';
import { toSarif } from '../report/sarif.js';
import { renderText } from '../report/text.js';
import { countBySeverity, grade, score } from '../report/score.js';
import { VERSION } from '../version.js';
import { parseArgs, UsageError, USAGE, type ScanArgs } from './args.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTty: boolean;
  env: Record<string, string | undefined>;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

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
    return await scan(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`pipeline-guard: ${err.message}\n\n${USAGE}`);
      return EXIT_ERROR;
    }
    if (err instanceof CollectError || err instanceof PolicyError) {
      io.stderr(`pipeline-guard: ${err.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr(`pipeline-guard: unexpected error: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}

async function loadPolicy(file: string, required: boolean): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return emptyPolicy();
    throw new CollectError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePolicy(text, file, CHECK_IDS);
}

interface TargetResult {
  target: LocalTarget;
  result: ScanResult;
  shown: Finding[];
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
    const threshold = severityRank(args.minSeverity);
    results.push({ target, result, shown: result.findings.filter((f) => severityRank(f.severity) >= threshold) });
  }

  let report: string;
  if (args.format === 'sarif') {
    report = JSON.stringify(toSarif(results.map((r) => ({ findings: r.shown, warnings: r.result.warnings, notEvaluated: r.result.notEvaluated })), ALL_CHECKS), null, 2) + '\n';
  } else if (args.format === 'json') {
    report = JSON.stringify(
      {
        tool: 'pipeline-guard',
        version: VERSION,
        minSeverity: args.minSeverity,
        targets: results.map((r) => ({
          target: r.target.label,
          score: score(r.result.findings),
          grade: grade(score(r.result.findings)),
          counts: countBySeverity(r.shown),
          findings: r.shown,
          suppressed: r.result.suppressed,
          notEvaluated: r.result.notEvaluated,
          warnings: r.result.warnings,
        })),
      },
      null,
      2,
    ) + '\n';
  } else {
    const colour = args.colour ?? (io.isTty && !args.output && !io.env.NO_COLOR);
    report = renderText(
      results.map((r) => ({
        label: r.target.label,
        findings: r.shown,
        warnings: r.result.warnings,
        suppressed: r.result.suppressed.length,
        allFindings: r.result.findings,
        notEvaluated: r.result.notEvaluated,
      })),
      colour,
    );
  }
  if (args.output) {
    try {
      await writeFile(args.output, report);
    } catch (err) {
      throw new CollectError(`cannot write ${args.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else {
    io.stdout(report);
  }
  if (args.format !== 'text') for (const r of results) for (const w of r.result.warnings) io.stderr(`warning: ${w}\n`);
  return results.some((r) => r.shown.length > 0) ? EXIT_FINDINGS : EXIT_OK;
}
