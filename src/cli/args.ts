/** Command-line parsing for `pipeline-guard`: no dependency, strict, with clear usage errors. */
import type { Severity } from '../model/types.js';
import { isSeverity } from '../model/types.js';

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
}

export interface AuditArgs extends ReportArgs {
  command: 'audit';
  owner: string;
  repo: string;
  ref?: string;
  token?: string;
}

export type Args = ScanArgs | AuditArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: pipeline-guard scan [PATH...] [options]
       pipeline-guard audit OWNER/REPO [--ref REF] [--token TOKEN] [options]

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
      --token TOKEN              audit: GitHub token (default: $GITHUB_TOKEN); prefer the variable, it stays out of shell history
  -h, --help                     show this help
  -V, --version                  show the version

Exit status: 0 no finding at or above --min-severity, 1 findings, 2 usage or I/O error.
`;

export function parseArgs(argv: string[]): Args {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '-V' || argv[0] === '--version') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command !== 'scan' && command !== 'audit') throw new UsageError(`unknown command "${command}" (expected scan or audit)`);
  const report: ReportArgs = { format: 'text', minSeverity: 'low' };
  const positional: string[] = [];
  let ref: string | undefined;
  let token: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined || (v.startsWith('-') && v !== '-')) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '-h':
      case '--help':
        return { command: 'help' };
      case '-f':
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${v}"`);
        report.format = v;
        break;
      }
      case '--min-severity': {
        const v = value().toLowerCase();
        if (!isSeverity(v)) throw new UsageError(`--min-severity must be info, low, medium, high or critical, not "${v}"`);
        report.minSeverity = v;
        break;
      }
      case '--config':
        report.config = value();
        break;
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
      case '--ref':
      case '--token':
        if (command !== 'audit') throw new UsageError(`${name} is an option of audit`);
        if (name === '--ref') ref = value();
        else token = value();
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option "${a}"`);
        positional.push(a);
    }
  }
  if (command === 'scan') return { command, paths: positional.length > 0 ? positional : ['.'], ...report };
  if (positional.length !== 1) throw new UsageError('audit takes exactly one OWNER/REPO');
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(positional[0]);
  if (!m) throw new UsageError(`"${positional[0]}" is not OWNER/REPO`);
  return { command, owner: m[1], repo: m[2], ref, token, ...report };
}
