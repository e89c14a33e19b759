/** Command-line parsing for `pipeline-guard`: no dependency, strict, with clear usage errors. */
import type { Severity } from '../model/types.js';
import { isSeverity } from '../model/types.js';

export class UsageError extends Error {}

export type Format = 'text' | 'json' | 'sarif';

export interface ScanArgs {
  command: 'scan';
  paths: string[];
  format: Format;
  minSeverity: Severity;
  config?: string;
  output?: string;
  colour?: boolean;
}

export type Args = ScanArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: pipeline-guard scan [PATH...] [options]

Scans repositories (directories) or single workflow, action, Dockerfile or model files for
CI/CD and ML pipeline security problems. PATH defaults to the current directory.

Options:
  -f, --format text|json|sarif   output format (default: text)
      --min-severity SEVERITY    report only findings at or above info|low|medium|high|critical (default: low)
      --config FILE              policy file (default: <PATH>/.github/pipeline-guard.yml when present)
  -o, --output FILE              write the report to FILE instead of standard output
      --color, --no-color        force colour on or off (default: on for a terminal, off when piped or NO_COLOR is set)
  -h, --help                     show this help
  -V, --version                  show the version

Exit status: 0 no finding at or above --min-severity, 1 findings, 2 usage or I/O error.
`;

export function parseArgs(argv: string[]): Args {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '-V' || argv[0] === '--version') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command !== 'scan') throw new UsageError(`unknown command "${command}" (expected scan)`);
  const args: ScanArgs = { command: 'scan', paths: [], format: 'text', minSeverity: 'low' };
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
        args.format = v;
        break;
      }
      case '--min-severity': {
        const v = value().toLowerCase();
        if (!isSeverity(v)) throw new UsageError(`--min-severity must be info, low, medium, high or critical, not "${v}"`);
        args.minSeverity = v;
        break;
      }
      case '--config':
        args.config = value();
        break;
      case '-o':
      case '--output':
        args.output = value();
        break;
      case '--color':
      case '--colour':
        args.colour = true;
        break;
      case '--no-color':
      case '--no-colour':
        args.colour = false;
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option "${a}"`);
        args.paths.push(a);
    }
  }
  if (args.paths.length === 0) args.paths.push('.');
  return args;
}
