/**
 * `pipeline-guard sweep OWNER`: the organisation sweep the app runs weekly, once, from a terminal with a
 * token. Prints a scoreboard (text) or JSON (per repository score, grade and counts; the sweep's
 * request statistics) and, with `--publish`, writes the weekly posture issue as the app would.
 *
 * Memory stays bounded: per repository only a summary is kept (and, with --publish, the weekly
 * accumulator's summary); findings are dropped as soon as they are counted.
 *
 * Exit status: 0 nothing at or above --min-severity, 1 findings, 2 usage error, a repository that could
 * not be audited, or GitHub / publication failure (an incomplete sweep must not pass a CI gate).
 */
import { CHECK_IDS } from '../checks/registry.js';
import type { OctokitLike } from '../collect/github-rest.js';
import { severityRank, type Severity } from '../model/types.js';
import { emptyPolicy, parsePolicy, PolicyError, sweepPolicy, type Policy } from '../policy/config.js';
import { oneLine } from '../report/markdown.js';
import { countBySeverity, countsInOrgScore, grade, orgScore, score, type Grade } from '../report/score.js';
import type { GateDecision, PreviousState, WeeklyInput, WeeklyIssue } from '../report/weekly.js';
import type { SweepFn, SweepOctokit, SweepResult, SweptRepo } from '../sweep/types.js';
import { VERSION } from '../version.js';
import { readOptions, reportOption } from './args.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, loadPolicy as loadPolicyFile, tokenOf, type Io } from './output.js';

export class SweepUsageError extends Error {}

export interface SweepArgs {
  command: 'sweep';
  owner: string;
  token?: string;
  format: 'text' | 'json';
  minSeverity: Severity;
  publish: boolean;
  issueRepo?: string;
  config?: string;
}

export const SWEEP_USAGE = `Usage: pipeline-guard sweep OWNER [--token TOKEN] [--format text|json] [--min-severity SEVERITY]
                            [--config FILE] [--publish] [--issue-repo REPO]

sweep  audits every repository the token can see in the organisation (or user) OWNER, files and
       settings, with the organisation policy (OWNER/.github/.github/pipeline-guard.yml, or --config),
       and prints a scoreboard, worst first. The token comes from --token or GITHUB_TOKEN;
       GITHUB_API_URL and GITHUB_GRAPHQL_URL select another GitHub (Enterprise Server).

Options:
  -f, --format text|json       output format (default: text)
      --min-severity SEVERITY  count findings at or above info|low|medium|high|critical (default: low)
      --config FILE            organisation policy file instead of OWNER/.github's
      --publish                also open or update this week's posture issue (needs issues: write)
      --issue-repo REPO        repository of the posture issue (default: the policy's sweep.issue_repo, else .github)
      --token TOKEN            GitHub token (default: $GITHUB_TOKEN)
  -h, --help                   show this help

Exit status: 0 no finding at or above --min-severity, 1 findings, 2 usage error, a repository that
could not be audited, or a GitHub error.
`;

const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_RE = /^[A-Za-z0-9._-]{1,100}$/;

/** Parses the arguments after `sweep`. `{ command: 'help' }` for -h/--help. */
export function parseSweepArgs(argv: string[]): SweepArgs | { command: 'help' } {
  const args: SweepArgs = { command: 'sweep', owner: '', format: 'text', minSeverity: 'low', publish: false };
  const positional: string[] = [];
  const fail = (message: string): Error => new SweepUsageError(message);
  for (const opt of readOptions(argv, fail)) {
    if (reportOption(opt, args, ['text', 'json'], fail)) continue;
    const { arg: a, name, value, flag } = opt;
    switch (name) {
      case '-h':
      case '--help':
        return { command: 'help' };
      case '--token':
        args.token = value();
        break;
      case '--publish':
        flag();
        args.publish = true;
        break;
      case '--issue-repo': {
        const v = value();
        if (!REPO_RE.test(v)) throw new SweepUsageError(`--issue-repo must be a repository name in OWNER, not "${v}"`);
        args.issueRepo = v;
        break;
      }
      default:
        if (a.startsWith('-')) throw new SweepUsageError(`unknown option "${a}"`);
        positional.push(a);
    }
  }
  if (positional.length !== 1) throw new SweepUsageError('sweep takes exactly one OWNER (an organisation or user login)');
  if (!OWNER_RE.test(positional[0])) throw new SweepUsageError(`"${positional[0]}" is not an organisation or user login`);
  if (args.issueRepo && !args.publish) throw new SweepUsageError('--issue-repo needs --publish');
  args.owner = positional[0];
  return args;
}

export interface PublishedIssue {
  number: number;
  url: string;
  action: string;
  closedPrevious?: number;
}

/** What `--publish` needs (report/weekly and publish/weekly-issue; injected in tests). */
export interface WeeklyPublishing {
  newAccumulator: () => { add(repo: SweptRepo): void; input(meta: { org: string; week: string; previous?: PreviousState; gateDecisions?: readonly GateDecision[] }): WeeklyInput };
  render: (input: WeeklyInput) => WeeklyIssue;
  isoWeek: (d: Date) => string;
  publish: (
    octokit: OctokitLike,
    opts: { org: string; issueRepo: string; week: string; render: (state: { previous?: PreviousState; gateDecisions?: readonly GateDecision[] }) => WeeklyIssue },
  ) => Promise<PublishedIssue>;
}

/** What the sweep and the publisher need: REST and GraphQL (cli/audit `makeOctokit` and @octokit/core fit). */
export type SweepCliOctokit = OctokitLike & SweepOctokit;

export interface SweepCliDeps {
  /** Tests inject one that checks every request; otherwise built from the token (cli/audit `makeOctokit`). */
  octokit?: SweepCliOctokit;
  sweep?: SweepFn;
  publishing?: WeeklyPublishing;
  now?: () => Date;
}

export interface ScoreRow {
  name: string;
  url: string;
  score: number;
  grade: Grade;
  counts: Record<Severity, number>;
  /** Findings at or above --min-severity. */
  shown: number;
  notEvaluated: number;
}

async function orgPolicy(args: SweepArgs, octokit: OctokitLike): Promise<Policy> {
  if (args.config) return loadPolicyFile(args.config, true);
  const { policyText } = await import('./audit.js');
  const text = await policyText(octokit, args.owner, '.github');
  return text === undefined ? emptyPolicy() : parsePolicy(text, `${args.owner}/.github:.github/pipeline-guard.yml`, CHECK_IDS);
}

async function defaultPublishing(): Promise<WeeklyPublishing> {
  const [{ WeeklyAccumulator, renderWeeklyIssue, isoWeek }, { publishWeeklyIssue }] = await Promise.all([
    import('../report/weekly.js'),
    import('../publish/weekly-issue.js'),
  ]);
  return { newAccumulator: () => new WeeklyAccumulator(), render: renderWeeklyIssue, isoWeek, publish: publishWeeklyIssue };
}

export async function runSweep(args: SweepArgs | { command: 'help' }, io: Io, deps: SweepCliDeps = {}): Promise<number> {
  if (args.command === 'help') {
    io.stdout(SWEEP_USAGE);
    return EXIT_OK;
  }
  const token = tokenOf(args, io);
  if (!token && !deps.octokit) {
    io.stderr('pipeline-guard: sweep needs a token: set GITHUB_TOKEN (or pass --token)\n');
    return EXIT_ERROR;
  }
  try {
    let octokit: SweepCliOctokit;
    if (deps.octokit) octokit = deps.octokit;
    else {
      // Imported when needed, as audit does: `scan` starts without the Octokit plugins.
      const { makeOctokit } = await import('./audit.js');
      octokit = await makeOctokit(token as string, io.env);
    }
    const policy = await orgPolicy(args, octokit);
    const sweep = deps.sweep ?? (await import('../sweep/sweep.js')).sweepOrganization;
    const publishing = args.publish ? deps.publishing ?? (await defaultPublishing()) : undefined;
    const acc = publishing?.newAccumulator();
    const threshold = severityRank(args.minSeverity);
    const rows: ScoreRow[] = [];
    const result = await sweep({
      org: args.owner,
      octokit,
      policy,
      now: deps.now,
      onRepo: (repo) => {
        acc?.add(repo);
        const s = score(repo.findings);
        rows.push({
          name: repo.name,
          url: repo.url,
          score: s,
          grade: grade(s),
          counts: countBySeverity(repo.findings),
          shown: repo.findings.filter((f) => severityRank(f.severity) >= threshold).length,
          notEvaluated: repo.notEvaluated.length,
        });
      },
    });
    rows.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));

    let issue: PublishedIssue | undefined;
    if (publishing && acc) {
      const week = publishing.isoWeek((deps.now ?? (() => new Date()))());
      issue = await publishing.publish(octokit, {
        org: args.owner,
        issueRepo: args.issueRepo ?? sweepPolicy(policy).issueRepo,
        week,
        render: ({ previous, gateDecisions }) => publishing.render(acc.input({ org: args.owner, week, previous, gateDecisions })),
      });
    }

    io.stdout(args.format === 'json' ? json(args, rows, result, issue) : text(args, rows, result, issue));
    for (const f of result.failures) io.stderr(`pipeline-guard: could not audit ${oneLine(f.repo, 200)}: ${oneLine(f.reason, 500)}\n`);
    if (result.failures.length > 0 || result.stats.failed > 0) return EXIT_ERROR;
    return rows.some((r) => r.shown > 0) ? EXIT_FINDINGS : EXIT_OK;
  } catch (err) {
    const message = err instanceof PolicyError ? err.message : oneLine((err as Error).message ?? String(err), 1000);
    io.stderr(`pipeline-guard: sweep of ${args.owner} failed: ${message}\n`);
    return EXIT_ERROR;
  }
}

function json(args: SweepArgs, rows: ScoreRow[], result: SweepResult, issue: PublishedIssue | undefined): string {
  return `${JSON.stringify(
    {
      tool: 'pipeline-guard',
      version: VERSION,
      owner: args.owner,
      minSeverity: args.minSeverity,
      repositories: rows,
      stats: result.stats,
      failures: result.failures,
      ...(issue ? { issue } : {}),
    },
    null,
    2,
  )}\n`;
}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

function text(args: SweepArgs, rows: ScoreRow[], result: SweepResult, issue: PublishedIssue | undefined): string {
  const s = result.stats;
  const lines: string[] = [];
  lines.push(`Pipeline Guard sweep of ${args.owner}: ${s.audited} of ${s.repositories} repositories audited` +
    `${s.skippedArchived + s.skippedForks > 0 ? ` (${s.skippedArchived} archived and ${s.skippedForks} forks skipped)` : ''}` +
    `${s.failed > 0 ? `, ${s.failed} failed` : ''}`);
  if (rows.length > 0) {
    // The weekly issue's organisation score: repositories with nothing evaluable and no finding are left out.
    const counted = rows.filter((r) => countsInOrgScore(r.notEvaluated, Object.values(r.counts).reduce((n, c) => n + c, 0)));
    const mean = orgScore(counted.map((r) => r.score));
    const left = rows.length - counted.length;
    lines.push(`${mean === undefined ? 'No organisation score (nothing could be evaluated)' : `Organisation score ${mean} (${grade(mean)})`}` +
      `${left > 0 ? `, ${left} ${left === 1 ? 'repository' : 'repositories'} with nothing evaluable left out` : ''}; worst first:`, '');
    lines.push(`${'score'.padStart(5)}  grade  ${SEVERITIES.map((v) => v.padStart(8)).join('')}  not evaluated  repository`);
    for (const r of rows) {
      lines.push(`${String(r.score).padStart(5)}  ${r.grade.padEnd(5)}  ${SEVERITIES.map((v) => String(r.counts[v]).padStart(8)).join('')}  ${String(r.notEvaluated).padStart(13)}  ${oneLine(`${args.owner}/${r.name}`, 200)}`);
    }
  }
  const shown = rows.reduce((n, r) => n + r.shown, 0);
  lines.push('', `${shown} finding${shown === 1 ? '' : 's'} at or above ${args.minSeverity} in ${rows.filter((r) => r.shown > 0).length} repositories.`);
  lines.push(`Requests: ${s.restRequests} REST (${s.notModified} not modified), ${s.graphqlRequests} GraphQL (${s.graphqlPoints} points); ${(s.durationMs / 1000).toFixed(1)} s` +
    `${s.pausedMs > 0 ? `, ${(s.pausedMs / 1000).toFixed(1)} s waiting for rate-limit budget` : ''}.`);
  if (issue) lines.push(`Weekly issue ${issue.action}: ${issue.url}${issue.closedPrevious ? ` (closed #${issue.closedPrevious})` : ''}`);
  return `${lines.join('\n')}\n`;
}
