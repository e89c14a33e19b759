/** Command-line parsing for `pipeline-guard`: no dependency, strict, with clear usage errors. */
import type { Severity } from '../model/types.js';
import { isSeverity } from '../model/types.js';
import { FIXABLE_CHECK_IDS } from '../fixes/registry.js';

export class UsageError extends Error {}

export type Format = 'text' | 'json' | 'sarif';

/** Options shared by every command that produces a report. */
export interface ReportArgs {
  format: Format;
  minSeverity: Severity;
  config?: string;
  output?: string;
  colour?: boolean;
}

export interface ScanArgs extends ReportArgs {
  command: 'scan';
  paths: string[];
  /** `--fix` / `--fix=<id,...>`: apply mechanical fixes (all kinds, or the listed check ids). */
  fix?: { kinds?: string[] };
  /** `--dry-run` with `--fix`: print a unified diff instead of writing. */
  dryRun?: boolean;
  /** `--token`: GitHub token for resolving action refs (the unpinned-action fix); default $GITHUB_TOKEN. */
  token?: string;
}

export interface AuditArgs extends ReportArgs {
  command: 'audit';
  owner: string;
  repo: string;
  ref?: string;
  token?: string;
}

export type Args = ScanArgs | AuditArgs | { command: 'help' } | { command: 'version' };

/** One argument, read as an option by readOptions. */
export interface CliOption {
  /** The argument as given. */
  arg: string;
  /** The option name (`--format` of `--format=json`), or the whole argument. */
  name: string;
  /** The value after `=`, when the argument had one. */
  inline: string | undefined;
  /** The option's value: the inline one, else the next argument (consumed); a usage error when there is none. */
  value(): string;
  /** A usage error when a flag was given an inline value (`--publish=yes`). */
  flag(): void;
}

/**
 * Walks the arguments of a command as options (`--name=value`, `--name value`, `-f value`) and
 * positionals. `fail` builds the command's usage error. A value may not start with `-` (a missing
 * value followed by another option), except a lone `-` where `dashValue` allows it.
 */
export function* readOptions(argv: readonly string[], fail: (message: string) => Error, dashValue = false): Generator<CliOption> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    yield {
      arg,
      name,
      inline,
      value: () => {
        if (inline !== undefined) return inline;
        const v = argv[++i];
        if (v === undefined || (v.startsWith('-') && !(dashValue && v === '-'))) throw fail(`${name} needs a value`);
        return v;
      },
      flag: () => {
        if (inline !== undefined) throw fail(`${name} takes no value`);
      },
    };
  }
}

/**
 * The options every command with a report shares, read into `into`: `-f`/`--format` (one of
 * `formats`), `--min-severity` (case-insensitive) and `--config`. False for any other option.
 */
export function reportOption<F extends string>(
  opt: CliOption,
  into: { format: F; minSeverity: Severity; config?: string },
  formats: readonly F[],
  fail: (message: string) => Error,
): boolean {
  switch (opt.name) {
    case '-f':
    case '--format': {
      const v = opt.value();
      if (!(formats as readonly string[]).includes(v)) {
        const choices = formats.length > 1 ? `${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}` : formats.join('');
        throw fail(`--format must be ${choices}, not "${v}"`);
      }
      into.format = v as F;
      return true;
    }
    case '--min-severity': {
      const v = opt.value().toLowerCase();
      if (!isSeverity(v)) throw fail(`--min-severity must be info, low, medium, high or critical, not "${v}"`);
      into.minSeverity = v;
      return true;
    }
    case '--config':
      into.config = opt.value();
      return true;
    default:
      return false;
  }
}

/** The fix ids for the usage text, wrapped to its column. */
const FIX_IDS_WRAPPED = [...FIXABLE_CHECK_IDS].reduce<string[]>((lines, id) => {
  const last = lines[lines.length - 1];
  if (last !== undefined && last.length + id.length + 2 <= 70) lines[lines.length - 1] = `${last}, ${id}`;
  else lines.push(id);
  return lines;
}, []).join(',\n                                 ');

export const USAGE = `Usage: pipeline-guard scan [PATH...] [options]
       pipeline-guard audit OWNER/REPO [--ref REF] [--token TOKEN] [options]
       pipeline-guard sweep OWNER [options]      (see pipeline-guard sweep --help)

scan   checks repositories (directories) or single workflow, action, Dockerfile or model files
       offline. PATH defaults to the current directory.
audit  reads a repository from GitHub (files and settings) and runs every check, the settings
       checks included. The token comes from --token or GITHUB_TOKEN; GITHUB_API_URL and
       GITHUB_GRAPHQL_URL select another GitHub (Enterprise Server).

Options:
  -f, --format text|json|sarif   output format (default: text)
      --min-severity SEVERITY    report only findings at or above info|low|medium|high|critical (default: low)
      --config FILE              policy file (default: <PATH>/.github/pipeline-guard.yml when present)
  -o, --output FILE              write the report to FILE instead of standard output
      --color, --no-color        force colour on or off (default: on for a terminal, off when piped or NO_COLOR is set)
      --ref REF                  audit: branch, tag or commit to read files at (default: the default branch)
      --token TOKEN              audit, scan --fix: GitHub token (default: $GITHUB_TOKEN); prefer the variable, it stays
                                 out of shell history. scan --fix uses it only to resolve action tags to commit SHAs
      --fix[=ID,...]             scan: apply the mechanical fixes in place (all kinds, or only these check ids:
                                 ${FIX_IDS_WRAPPED});
                                 a file is written only when the fixed text parses, the fixed findings are gone
                                 and nothing else in the document changed; files that fail
                                 are left untouched and listed on standard error with the reason. unpinned-action
                                 needs a token (without one it is skipped, with a note); static-cloud-credentials
                                 writes the policy's oidc identities, or vars.* placeholders to set up
      --dry-run                  scan --fix: print the fixes as a unified diff (apply with \`git apply\` from the
                                 repository root) instead of writing them; the report is not printed
  -h, --help                     show this help
  -V, --version                  show the version

Exit status: 0 no finding at or above --min-severity, 1 findings, 2 usage or I/O error.
With --fix the report and the exit status are about the findings that remain after the fixes were
written; with --fix --dry-run nothing is written and the exit status is that of a plain scan.
`;

export function parseArgs(argv: string[]): Args {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '-V' || argv[0] === '--version') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command !== 'scan' && command !== 'audit') throw new UsageError(`unknown command "${command}" (expected scan, audit or sweep)`);
  const report: ReportArgs = { format: 'text', minSeverity: 'low' };
  const positional: string[] = [];
  let ref: string | undefined;
  let token: string | undefined;
  let fix: ScanArgs['fix'];
  let dryRun = false;
  const fail = (message: string): Error => new UsageError(message);
  for (const opt of readOptions(rest, fail, true)) {
    if (reportOption(opt, report, ['text', 'json', 'sarif'], fail)) continue;
    const { arg: a, name, inline, value } = opt;
    switch (name) {
      case '-h':
      case '--help':
        return { command: 'help' };
      case '-o':
      case '--output':
        report.output = value();
        break;
      case '--color':
      case '--colour':
        report.colour = true;
        break;
      case '--no-color':
      case '--no-colour':
        report.colour = false;
        break;
      case '--fix': {
        if (command !== 'scan') throw new UsageError('--fix is an option of scan');
        if (inline === undefined || inline === 'all') {
          fix = {};
          break;
        }
        const kinds = inline.split(',').map((k) => k.trim()).filter((k) => k !== '');
        const unknown = kinds.filter((k) => !FIXABLE_CHECK_IDS.has(k));
        if (kinds.length === 0 || unknown.length > 0) {
          throw new UsageError(`--fix takes check ids with a mechanical fix (${[...FIXABLE_CHECK_IDS].join(', ')}), not "${unknown.join(',') || inline}"`);
        }
        fix = { kinds };
        break;
      }
      case '--dry-run':
        if (command !== 'scan') throw new UsageError('--dry-run is an option of scan --fix');
        dryRun = true;
        break;
      case '--ref':
        if (command !== 'audit') throw new UsageError('--ref is an option of audit');
        ref = value();
        break;
      case '--token':
        token = value();
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option "${a}"`);
        positional.push(a);
    }
  }
  if (command === 'scan') {
    if (dryRun && !fix) throw new UsageError('--dry-run needs --fix');
    if (token !== undefined && !fix) throw new UsageError('--token is an option of audit and scan --fix');
    return { command, paths: positional.length > 0 ? positional : ['.'], ...report, ...(fix ? { fix, dryRun } : {}), ...(token !== undefined ? { token } : {}) };
  }
  if (positional.length !== 1) throw new UsageError('audit takes exactly one OWNER/REPO');
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(positional[0]);
  if (!m) throw new UsageError(`"${positional[0]}" is not OWNER/REPO`);
  return { command, owner: m[1], repo: m[2], ref, token, ...report };
}
