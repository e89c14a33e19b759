/**
 * Reads the state of the fix-up pull requests of one repository (reads only; publish/fix-pr writes):
 * - our branches: one `GET git/matching-refs/heads/pipeline-guard/fix/` lists every `pipeline-guard/fix/*`;
 * - a branch head commit (`GET git/commits/{sha}`): author, committer, parents, message;
 * - the pull requests from a branch, open and closed (`GET pulls?head=owner:branch&state=all`), newest first,
 *   with the hidden marker of report/fix-pr read back;
 * - the comments of a PR, to comment only once per human head.
 */
import type { ProbotOctokit } from 'probot';
import { FIX_BRANCH_PREFIX, fixBranch, parseFixMarker, type FixMarker } from '../report/fix-pr.js';

export type RequestOctokit = Pick<InstanceType<typeof ProbotOctokit>, 'request'>;

export interface RepoId {
  owner: string;
  repo: string;
}

/** `kind → head sha` of every `pipeline-guard/fix/<kind>` branch. */
export async function listFixBranches(octokit: RequestOctokit, r: RepoId): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let refs: { ref: string; object: { sha: string; type: string } }[];
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { owner: r.owner, repo: r.repo, ref: `heads/${FIX_BRANCH_PREFIX}` });
    refs = res.data;
  } catch (err) {
    // 409: an empty repository has no refs at all.
    if ((err as { status?: number }).status === 409) return out;
    throw err;
  }
  const prefix = `refs/heads/${FIX_BRANCH_PREFIX}`;
  for (const ref of refs) {
    if (!ref.ref.startsWith(prefix) || ref.object.type !== 'commit') continue;
    out.set(ref.ref.slice(prefix.length), ref.object.sha);
  }
  return out;
}

export interface BranchCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  authorName: string;
  committerName: string;
}

export async function readCommit(octokit: RequestOctokit, r: RepoId, sha: string): Promise<BranchCommit> {
  const res = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { owner: r.owner, repo: r.repo, commit_sha: sha });
  const c = res.data;
  return {
    sha: c.sha,
    tree: c.tree.sha,
    parents: c.parents.map((p) => p.sha),
    message: c.message,
    authorName: c.author.name,
    committerName: c.committer.name,
  };
}

export interface FixPull {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  body: string;
  baseRef: string;
  headSha: string;
  /** Login of the PR's author (our bot for the PRs we opened). */
  author?: string;
  /** Our marker, when the body has one and (if the bot's login is known) the bot opened the PR. */
  marker?: FixMarker;
}

/** The PRs from `pipeline-guard/fix/<kind>` of this repository, newest first (at most 30). */
export async function listFixPulls(octokit: RequestOctokit, r: RepoId, kind: string, botLogin?: string): Promise<FixPull[]> {
  const res = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
    owner: r.owner,
    repo: r.repo,
    head: `${r.owner}:${fixBranch(kind)}`,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: 30,
  });
  return res.data.map((p) => {
    const author = p.user?.login;
    const marker = botLogin === undefined || author === botLogin ? parseFixMarker(p.body) : undefined;
    return {
      number: p.number,
      url: p.html_url,
      state: p.state === 'open' ? 'open' : 'closed',
      merged: Boolean(p.merged_at),
      draft: Boolean(p.draft),
      title: p.title,
      body: p.body ?? '',
      baseRef: p.base.ref,
      headSha: p.head.sha,
      ...(author ? { author } : {}),
      ...(marker && marker.kind === kind ? { marker } : {}),
    };
  });
}

/** Bodies of the first 100 comments of a PR. */
export async function listPullComments(octokit: RequestOctokit, r: RepoId, number: number): Promise<string[]> {
  const res = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: r.owner, repo: r.repo, issue_number: number, per_page: 100 });
  return res.data.map((c) => c.body ?? '');
}

