import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useSim } from './helpers.js';
import { acme } from './fixtures.js';

const h = useSim(acme);
const o = { owner: 'acme', repo: 'ml' };

/** git hash-object, computed here independently of the simulator's store. */
const gitBlobSha = (text: string) => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');

describe('simulator git data', () => {
  it('uses real git object ids', async () => {
    const blob = await h.call('POST /repos/{owner}/{repo}/git/blobs', { ...o, content: 'hello\n', encoding: 'utf-8' });
    // `printf 'hello\n' | git hash-object --stdin`
    expect(blob.data).toMatchObject({ sha: 'ce013625030ba8dba906f756967f9e9ca394464a' });
    const empty = await h.call('POST /repos/{owner}/{repo}/git/trees', { ...o, tree: [] });
    // git's well-known empty tree
    expect(empty.data).toMatchObject({ sha: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' });
  });

  it('blob -> tree (base_tree) -> commit -> ref update, then contents and GraphQL see the file', async () => {
    const ref = (await h.call('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...o, ref: 'heads/main' })).data as { object: { sha: string } };
    const head = (await h.call('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { ...o, commit_sha: ref.object.sha })).data as { tree: { sha: string } };
    const text = 'name: New\non: push\njobs: {}\n';
    const blob = (await h.call('POST /repos/{owner}/{repo}/git/blobs', { ...o, content: Buffer.from(text).toString('base64'), encoding: 'base64' })).data as { sha: string };
    expect(blob.sha).toBe(gitBlobSha(text));
    const tree = await h.call('POST /repos/{owner}/{repo}/git/trees', { ...o, base_tree: head.tree.sha, tree: [{ path: '.github/workflows/new.yml', mode: '100644', type: 'blob', sha: blob.sha }, { path: 'README.md', mode: '100644', type: 'blob', sha: null }] });
    expect(tree.status).toBe(201);
    const treeSha = (tree.data as { sha: string }).sha;
    const commit = await h.call('POST /repos/{owner}/{repo}/git/commits', { ...o, message: 'Add workflow', tree: treeSha, parents: [ref.object.sha] });
    const commitSha = (commit.data as { sha: string }).sha;
    expect(commit.data).toMatchObject({ tree: { sha: treeSha }, parents: [{ sha: ref.object.sha }] });
    // A commit that does not descend from the head is refused without force.
    const orphan = (await h.call('POST /repos/{owner}/{repo}/git/commits', { ...o, message: 'orphan', tree: treeSha, parents: [] })).data as { sha: string };
    expect((await h.call('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...o, ref: 'heads/main', sha: orphan.sha })).status).toBe(422);
    expect((await h.call('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...o, ref: 'heads/main', sha: commitSha })).data).toMatchObject({ object: { sha: commitSha } });

    const file = await h.call('GET /repos/{owner}/{repo}/contents/{path}', { ...o, path: '.github/workflows/new.yml' });
    expect(Buffer.from((file.data as { content: string }).content, 'base64').toString()).toBe(text);
    expect((await h.call('GET /repos/{owner}/{repo}/contents/{path}', { ...o, path: 'README.md' })).status).toBe(404);
    // Probot's config loader asks for the raw media type and expects text.
    const raw = await h.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...o, path: '.github/workflows/new.yml', mediaType: { format: 'raw' } });
    expect(raw.data).toBe(text);
    const gql = (await h.octokit.graphql(`query($o: String!, $n: String!) { repository(owner: $o, name: $n) { object(expression: "main:.github/workflows/new.yml") { ... on Blob { oid text } } } }`, { o: 'acme', n: 'ml' })) as { repository: { object: { oid: string; text: string } } };
    expect(gql.repository.object).toEqual({ oid: blob.sha, text });
    const listing = (await h.call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { ...o, tree_sha: treeSha, recursive: '1' })).data as { tree: { path: string }[] };
    expect(listing.tree.map((e) => e.path)).toContain('.github/workflows/new.yml');
    expect(listing.tree.map((e) => e.path)).not.toContain('README.md');
  });

  it('a branch and a pull request from it, found by head and state', async () => {
    const main = (await h.call('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...o, ref: 'heads/main' })).data as { object: { sha: string } };
    expect((await h.call('POST /repos/{owner}/{repo}/git/refs', { ...o, ref: 'refs/heads/pipeline-guard/fix/pin', sha: main.object.sha })).status).toBe(201);
    expect((await h.call('POST /repos/{owner}/{repo}/git/refs', { ...o, ref: 'refs/heads/pipeline-guard/fix/pin', sha: main.object.sha })).status).toBe(422);
    const pr = await h.call('POST /repos/{owner}/{repo}/pulls', { ...o, title: 'Pin actions', head: 'pipeline-guard/fix/pin', base: 'main', body: 'fix' });
    expect(pr.status).toBe(201);
    const n = (pr.data as { number: number }).number;
    expect((await h.call('POST /repos/{owner}/{repo}/pulls', { ...o, title: 'again', head: 'pipeline-guard/fix/pin', base: 'main' })).status).toBe(422);
    const open = await h.call('GET /repos/{owner}/{repo}/pulls', { ...o, head: 'acme:pipeline-guard/fix/pin', state: 'open' });
    expect((open.data as { number: number; head: { sha: string } }[]).map((p) => [p.number, p.head.sha])).toEqual([[n, main.object.sha]]);
    await h.call('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...o, pull_number: n, state: 'closed' });
    expect((await h.call('GET /repos/{owner}/{repo}/pulls', { ...o, head: 'acme:pipeline-guard/fix/pin', state: 'open' })).data).toEqual([]);
    expect((await h.call('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...o, pull_number: n })).data).toMatchObject({ state: 'closed', base: { ref: 'main' } });
  });
});
