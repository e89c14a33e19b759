/**
 * The lines a pull request touched, from `GET /repos/{owner}/{repo}/pulls/{pull_number}/files`.
 * Only added or changed lines of the head version count (a removed line cannot carry a finding).
 * Files GitHub sends without a `patch` (binary, or a diff too large to show, or a pure rename) count
 * as wholly touched: we cannot tell which of their lines changed, so every finding in them is "new".
 * GitHub lists at most 3,000 files per pull request; a longer list is flagged `truncated`.
 */
import type { ProbotOctokit } from 'probot';
import type { Finding } from '../model/types.js';

export type RequestOctokit = Pick<InstanceType<typeof ProbotOctokit>, 'request'>;

export interface TouchedLines {
  /** Path in the head commit → the added/changed line numbers there, or 'all' when unknown. */
  files: Map<string, ReadonlySet<number> | 'all'>;
  /** GitHub stopped listing files (3,000 maximum): files beyond the list are not known to be touched. */
  truncated: boolean;
}

/** Line numbers (1-based, head side) added or changed by a unified-diff patch. */
export function addedLines(patch: string): Set<number> {
  const added = new Set<number>();
  let line = 0;
  let inHunk = false;
  for (const raw of patch.split('\n')) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      line = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    const mark = raw[0];
    if (mark === '+') added.add(line++);
    else if (mark === ' ' || raw === '') line++;
    // '-' lines exist only on the base side; '\' is "No newline at end of file".
  }
  return added;
}

interface PrFile {
  filename: string;
  status: string;
  patch?: string;
  previous_filename?: string;
}

const PER_PAGE = 100;
/** GitHub's own cap: 3,000 files, i.e. 30 pages of 100. */
const MAX_PAGES = 30;

export async function collectTouchedLines(
  octokit: RequestOctokit,
  target: { owner: string; repo: string; pullNumber: number },
): Promise<TouchedLines> {
  const files = new Map<string, ReadonlySet<number> | 'all'>();
  let truncated = false;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      owner: target.owner,
      repo: target.repo,
      pull_number: target.pullNumber,
      per_page: PER_PAGE,
      page,
    });
    const list = res.data as PrFile[];
    for (const f of list) {
      if (f.status === 'removed') continue;
      files.set(f.filename, typeof f.patch === 'string' && f.patch !== '' ? addedLines(f.patch) : 'all');
    }
    if (list.length < PER_PAGE) break;
    if (page === MAX_PAGES) truncated = true;
  }
  return { files, truncated };
}

/** Whether a finding sits on a line the pull request touched. Settings findings (no region) never do. */
export function isTouched(touched: TouchedLines, finding: Pick<Finding, 'path' | 'region'>): boolean {
  if (!finding.region) return false;
  const lines = touched.files.get(finding.path);
  if (lines === undefined) return false;
  if (lines === 'all') return true;
  const end = Math.max(finding.region.line, finding.region.endLine);
  for (let l = finding.region.line; l <= end; l++) if (lines.has(l)) return true;
  return false;
}
