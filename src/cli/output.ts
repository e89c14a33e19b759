/** What the commands share: the token, policy files, results, and the report in the chosen format. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unifiedDiff } from '../fixes/diff.js';
import type { FileOutcome } from '../fixes/types.js';
import { ALL_CHECKS, CHECK_IDS } from '../checks/registry.js';
import { CollectError } from '../collect/local.js';
import type { ScanResult } from '../engine/scan.js';
import { severityRank, type Finding, type Severity } from '../model/types.js';
import { emptyPolicy, parsePolicy, type Policy } from '../policy/config.js';
import { toSarif } from '../report/sarif.js';
import { renderText } from '../report/text.js';
import { countBySeverity, grade, score } from '../report/score.js';
import { VERSION } from '../version.js';
import type { ReportArgs, ScanArgs } from './args.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTty: boolean;
  env: Record<string, string | undefined>;
}

/** The GitHub token of a command: `--token`, else $GITHUB_TOKEN, else $GH_TOKEN (the gh CLI's). */
export function tokenOf(args: { token?: string }, io: Io): string | undefined {
  return args.token ?? io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export async function loadPolicy(file: string, required: boolean): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return emptyPolicy();
    throw new CollectError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePolicy(text, file, CHECK_IDS);
}

export interface TargetResult {
  label: string;
  result: ScanResult;
  shown: Finding[];
}

export function targetResult(label: string, result: ScanResult, minSeverity: Severity): TargetResult {
  const threshold = severityRank(minSeverity);
  return { label, result, shown: result.findings.filter((f) => severityRank(f.severity) >= threshold) };
}

/** Writes the report in the chosen format; the exit code says whether anything was shown. */
export async function emit(results: TargetResult[], args: ReportArgs, io: Io): Promise<number> {
  let report: string;
  if (args.format === 'sarif') {
    report = JSON.stringify(toSarif(results.map((r) => ({ findings: r.shown, warnings: r.result.warnings, notEvaluated: r.result.notEvaluated })), ALL_CHECKS), null, 2) + '\n';
  } else if (args.format === 'json') {
    report = JSON.stringify(
      {
        tool: 'pipeline-guard',
        version: VERSION,
        minSeverity: args.minSeverity,
        targets: results.map((r) => {
          const s = score(r.result.findings);
          return {
            target: r.label,
            score: s,
            grade: grade(s),
            counts: countBySeverity(r.shown),
            findings: r.shown,
            suppressed: r.result.suppressed,
            notEvaluated: r.result.notEvaluated,
            warnings: r.result.warnings,
          };
        }),
      },
      null,
      2,
    ) + '\n';
  } else {
    const colour = args.colour ?? (io.isTty && !args.output && !io.env.NO_COLOR);
    report = renderText(
      results.map((r) => ({
        label: r.label,
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

/**
 * `scan --fix`: one line per file on standard error (fixed, or not fixed with the reason and notes);
 * with `--dry-run` the accepted fixes go to standard output as one unified diff.
 */
export function reportFixes(outcomes: FileOutcome[], args: ScanArgs, io: Io): void {
  for (const o of outcomes) {
    if (o.status === 'fixed') {
      const what = o.applied.map((a) => `${a.checkId} x${a.findings}`).join(', ');
      io.stderr(`${args.dryRun ? 'would fix' : 'fixed'} ${o.path} (${what})${o.draft ? ' [needs human input before it works: see the notes]' : ''}\n`);
      if (args.dryRun) io.stdout(unifiedDiff(o.path, o.original, o.text));
    } else if (o.status === 'rejected') {
      io.stderr(`not fixed ${o.path}: ${o.reason ?? 'rejected'}\n`);
    } else if (o.notes.length > 0) {
      io.stderr(`not fixed ${o.path}: ${o.reason ?? 'no mechanical fix'}\n`);
    }
    for (const n of o.notes) io.stderr(`  note: ${n}\n`);
  }
}

/** Writes the accepted fixes in place (paths are relative to the scanned root). */
export async function writeFixes(outcomes: FileOutcome[], root: string): Promise<void> {
  for (const o of outcomes) {
    if (o.status !== 'fixed') continue;
    const abs = path.join(root, o.path);
    try {
      await writeFile(abs, o.text);
    } catch (err) {
      throw new CollectError(`cannot write ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
}
