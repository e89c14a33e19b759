/**
 * The head of a repository's default branch (reads only), for the settings-event audit and the fix-up
 * pull requests: `GET /repos/{owner}/{repo}` when the branch name is not known yet (which also says
 * whether the repository is archived), then `GET git/ref/heads/{branch}` (404 or 409: no commits yet).
 */
import type { RequestOctokit } from './fix-pr.js';

export type DefaultBranchHead =
  | { state: 'archived' }
  | { state: 'empty'; defaultBranch: string }
  | { state: 'ok'; defaultBranch: string; repoUrl?: string; sha: string };

export async function readDefaultBranchHead(
  octokit: RequestOctokit,
  target: { owner: string; repo: string; defaultBranch?: string; repoUrl?: string },
): Promise<DefaultBranchHead> {
  const { owner, repo } = target;
  let { defaultBranch, repoUrl } = target;
  if (!defaultBranch) {
    const res = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
    if (res.data.archived) return { state: 'archived' };
    defaultBranch = res.data.default_branch;
    repoUrl ??= res.data.html_url;
  }
  try {
    const ref = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${defaultBranch}` });
    return { state: 'ok', defaultBranch, repoUrl, sha: ref.data.object.sha };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 409) return { state: 'empty', defaultBranch };
    throw err;
  }
}
