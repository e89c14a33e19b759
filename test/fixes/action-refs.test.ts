/**
 * resolveActionRefs against a simulated GitHub: every request valid per the REST description, every
 * reply fixture valid per its response schema, no unused mock.
 */
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { refsOfFindings, resolveActionRefs } from '../../src/collect/action-refs.js';
import { pinKey } from '../../src/fixes/pins.js';
import { contractOctokit, type Contract } from '../helpers/github-contract.js';
import { API, replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';

const C1 = '1111111111111111111111111111111111111111';
const C2 = '2222222222222222222222222222222222222222';
const T1 = 'aaaa000000000000000000000000000000000001';
const T2 = 'aaaa000000000000000000000000000000000002';
const T3 = 'aaaa000000000000000000000000000000000003';
const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/refs#get-a-reference' };

const gitRef = (owner: string, repo: string, name: string, type: 'commit' | 'tag', sha: string) => ({
  ref: name,
  node_id: `REF_${sha.slice(-4)}`,
  url: `${API}/repos/${owner}/${repo}/git/${name}`,
  object: { type, sha, url: `${API}/repos/${owner}/${repo}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
});

const gitTag = (owner: string, repo: string, tag: string, sha: string, commit: string) => ({
  node_id: `TAG_${sha.slice(-4)}`,
  tag,
  sha,
  url: `${API}/repos/${owner}/${repo}/git/tags/${sha}`,
  message: `release ${tag}`,
  tagger: { date: '2026-01-01T00:00:00Z', email: 'rel@example.com', name: 'rel' },
  object: { sha: commit, type: 'commit', url: `${API}/repos/${owner}/${repo}/git/commits/${commit}` },
  verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
});

function mockTags(owner: string, repo: string, prefix: string, refs: unknown[]): void {
  nock(API)
    .get(`/repos/${owner}/${repo}/git/matching-refs/tags%2F${encodeURIComponent(prefix)}`)
    .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref}', 200, refs) as nock.Body);
}

function mockBranch(owner: string, repo: string, name: string, sha?: string): void {
  const scope = nock(API).get(`/repos/${owner}/${repo}/git/ref/heads%2F${encodeURIComponent(name)}`);
  if (sha) scope.reply(200, replyChecked('GET', '/repos/{owner}/{repo}/git/ref/{ref}', 200, gitRef(owner, repo, `refs/heads/${name}`, 'commit', sha)) as nock.Body);
  else scope.reply(404, replyChecked('GET', '/repos/{owner}/{repo}/git/ref/{ref}', 404, notFound) as nock.Body);
}

function mockTagObject(owner: string, repo: string, tag: string, sha: string, commit: string): void {
  nock(API)
    .get(`/repos/${owner}/${repo}/git/tags/${sha}`)
    .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/git/tags/{tag_sha}', 200, gitTag(owner, repo, tag, sha, commit)) as nock.Body);
}

let contract: Contract;
useSimulatedGitHub(() => contract.violations);
beforeEach(() => {
  contract = contractOctokit();
});

describe('resolveActionRefs', () => {
  it('resolves a lightweight tag and names the most specific tag at the same commit', async () => {
    mockTags('actions', 'checkout', 'v4', [
      gitRef('actions', 'checkout', 'refs/tags/v4', 'commit', C1),
      gitRef('actions', 'checkout', 'refs/tags/v4.1.0', 'commit', C2),
      gitRef('actions', 'checkout', 'refs/tags/v4.2', 'commit', C1),
      gitRef('actions', 'checkout', 'refs/tags/v4.2.1', 'commit', C1),
      gitRef('actions', 'checkout', 'refs/tags/v4.2.2-rc.1', 'commit', C1),
      gitRef('actions', 'checkout', 'refs/tags/v40', 'commit', C1),
    ]);
    mockBranch('actions', 'checkout', 'v4');
    const pins = await resolveActionRefs(contract.octokit, [{ owner: 'actions', repo: 'checkout', ref: 'v4' }]);
    expect(pins.get(pinKey('actions', 'checkout', 'v4'))).toEqual({ status: 'pinned', sha: C1, tag: 'v4.2.1', from: 'tag' });
  });

  it('dereferences annotated tags (v1 -> v1.2.0) and caches tag objects per repository', async () => {
    mockTags('acme', 'act', 'v1', [
      gitRef('acme', 'act', 'refs/tags/v1', 'tag', T1),
      gitRef('acme', 'act', 'refs/tags/v1.2.0', 'tag', T2),
      gitRef('acme', 'act', 'refs/tags/v1.1.0', 'tag', T3),
    ]);
    mockBranch('acme', 'act', 'v1');
    mockTagObject('acme', 'act', 'v1', T1, C1);
    mockTagObject('acme', 'act', 'v1.2.0', T2, C1);
    // v1.2 lists v1.2.0 again: its tag object is not fetched a second time.
    mockTags('acme', 'act', 'v1.2.0', [gitRef('acme', 'act', 'refs/tags/v1.2.0', 'tag', T2)]);
    mockBranch('acme', 'act', 'v1.2.0');
    const pins = await resolveActionRefs(contract.octokit, [
      { owner: 'acme', repo: 'act', ref: 'v1' },
      { owner: 'ACME', repo: 'act', ref: 'v1' },
      { owner: 'acme', repo: 'act', ref: 'v1.2.0' },
    ]);
    expect(pins.get(pinKey('acme', 'act', 'v1'))).toEqual({ status: 'pinned', sha: C1, tag: 'v1.2.0', from: 'tag' });
    expect(pins.get(pinKey('acme', 'act', 'v1.2.0'))).toEqual({ status: 'pinned', sha: C1, tag: 'v1.2.0', from: 'tag' });
    expect(pins.size).toBe(2);
    // Each tag object is fetched once (nock would fail a second request); v1.1.0 is never needed.
    expect(contract.sent.filter((r) => r.route === '/repos/{owner}/{repo}/git/tags/{tag_sha}').map((r) => r.url.slice(-4))).toEqual(
      expect.arrayContaining(['0001', '0002']),
    );
    expect(contract.sent.filter((r) => r.route === '/repos/{owner}/{repo}/git/tags/{tag_sha}')).toHaveLength(2);
  });

  it('a name that is both a tag and a branch is ambiguous; a branch alone pins its head; neither is unresolved', async () => {
    mockTags('o', 'both', 'v2', [gitRef('o', 'both', 'refs/tags/v2', 'commit', C1)]);
    mockBranch('o', 'both', 'v2', C2);
    mockTags('o', 'br', 'main', []);
    mockBranch('o', 'br', 'main', C2);
    mockTags('o', 'none', 'v9', [gitRef('o', 'none', 'refs/tags/v9.1', 'commit', C1)]);
    mockBranch('o', 'none', 'v9');
    const pins = await resolveActionRefs(contract.octokit, [
      { owner: 'o', repo: 'both', ref: 'v2' },
      { owner: 'o', repo: 'br', ref: 'main' },
      { owner: 'o', repo: 'none', ref: 'v9' },
    ]);
    expect(pins.get('o/both@v2')).toMatchObject({ status: 'ambiguous', reason: expect.stringContaining('"v2" is both a tag and a branch of o/both') });
    expect(pins.get('o/br@main')).toEqual({ status: 'pinned', sha: C2, from: 'branch' });
    expect(pins.get('o/none@v9')).toEqual({ status: 'unresolved', reason: 'o/none has no tag or branch named "v9"' });
  });

  it('a missing repository is unresolved with the reason; SHAs are not looked up', async () => {
    nock(API)
      .get('/repos/gone/away/git/matching-refs/tags%2Fv1')
      .reply(404, replyChecked('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref}', 404, notFound) as nock.Body);
    const pins = await resolveActionRefs(contract.octokit, [
      { owner: 'gone', repo: 'away', ref: 'v1' },
      { owner: 'actions', repo: 'checkout', ref: C1 },
    ]);
    expect(pins.get('gone/away@v1')).toMatchObject({ status: 'unresolved', reason: expect.stringContaining('not found (the repository does not exist or the token cannot read it)') });
    expect(pins.has(pinKey('actions', 'checkout', C1))).toBe(false);
    expect(contract.sent).toHaveLength(1);
  });

  it('refsOfFindings resolves sub-path actions on owner/repo', () => {
    const refs = refsOfFindings([
      { checkId: 'unpinned-action', data: { action: 'github/codeql-action/init', ref: 'v3' } },
      { checkId: 'unpinned-action', data: { action: 'acme/shared/.github/workflows/r.yml', ref: 'v2' } },
      { checkId: 'unpinned-action', data: { action: 'actions/checkout', ref: '' } },
      { checkId: 'cache-poisoning', data: { action: 'actions/cache', ref: 'v4' } },
    ]);
    expect(refs).toEqual([
      { owner: 'github', repo: 'codeql-action', ref: 'v3' },
      { owner: 'acme', repo: 'shared', ref: 'v2' },
    ]);
  });
});
