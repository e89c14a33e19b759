/**
 * A simulated GitHub repository for nock: the GraphQL repository query, the git tree and blobs, and
 * the REST settings routes, built from fixtures/github. Every reply body is validated against
 * GitHub's response schema (replyViolations), so the fixtures stay realistic.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, expect } from 'vitest';
import { responseViolations, specExample } from './github-contract.js';
export const API = 'https://api.github.com';
export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/github');
export const REPO_DIR = path.join(FIXTURES, 'repo');
export const NOW = new Date('2026-11-27T12:00:00Z');
export const now = () => NOW;

export interface RestFixture {
  route: string;
  /** Start from this example of GitHub's description and overlay `body` on it. */
  example?: string;
  /** Keys of the example to leave out (e.g. `parent` and `source`, which only forks have). */
  omit?: string[];
  params?: Record<string, string | number>;
  status?: number;
  body: unknown;
}

export interface RepoFile {
  path: string;
  bytes: Buffer;
  sha: string;
}

export const readJson = <T>(name: string): T => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

export function gitSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function repoFiles(dir = REPO_DIR): RepoFile[] {
  const out: RepoFile[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else {
        const bytes = readFileSync(path.join(dir, r));
        out.push({ path: r, bytes, sha: gitSha(bytes) });
      }
    }
  };
  walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const TREE_OID = 'aaaa000000000000000000000000000000000001';
export const COMMIT_OID = 'c0ffee0000000000000000000000000000000001';

function isText(b: Buffer): boolean {
  if (b.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

function gqlBlob(f: RepoFile) {
  const text = isText(f.bytes);
  return { oid: f.sha, byteSize: f.bytes.length, isBinary: !text, isTruncated: false, text: text ? f.bytes.toString('utf8') : null };
}

function commitNode(files: RepoFile[]) {
  const wf = files.filter((f) => f.path.startsWith('.github/workflows/'));
  return {
    __typename: 'Commit',
    oid: COMMIT_OID,
    tree: { oid: TREE_OID },
    workflowsDir: {
      object: {
        __typename: 'Tree',
        entries: wf.map((f) => ({ name: path.basename(f.path), path: f.path, type: 'blob', mode: 33188, object: gqlBlob(f) })),
      },
    },
  };
}

export function treeBody(files: RepoFile[], truncated = false) {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const entries = [
    ...[...dirs].map((d) => ({ path: d, mode: '040000', type: 'tree', sha: gitSha(Buffer.from(d)), url: `${API}/repos/acme/ml/git/trees/x` })),
    ...files.map((f) => ({ path: f.path, mode: '100644', type: 'blob', sha: f.sha, size: f.bytes.length, url: `${API}/repos/acme/ml/git/blobs/${f.sha}` })),
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  return { sha: TREE_OID, url: `${API}/repos/acme/ml/git/trees/${TREE_OID}`, truncated, tree: entries };
}

/** Every reply body the tests hand to nock, validated against GitHub's response schema. */
const replyViolations: string[] = [];

export function replyChecked(method: string, route: string, status: number, body: unknown): unknown {
  replyViolations.push(...responseViolations(method, route, status, body));
  return body;
}

function mockRest(scope: nock.Scope, fixtures: RestFixture[], owner: string, repo: string): void {
  for (const f of fixtures) {
    const params: Record<string, string | number> = { owner, repo, ...(f.params ?? {}) };
    const query: Record<string, string> = {};
    let p = f.route;
    for (const [k, v] of Object.entries(params)) {
      if (p.includes(`{${k}}`)) p = p.replace(`{${k}}`, encodeURIComponent(String(v)));
      else if (k !== 'owner' && k !== 'repo') query[k] = String(v);
    }
    const status = f.status ?? 200;
    let body = f.body;
    if (f.example) {
      const merged: Record<string, unknown> = { ...specExample(f.example), ...(f.body as Record<string, unknown>) };
      for (const k of f.omit ?? []) delete merged[k];
      body = merged;
    }
    scope.get(p).query(query).reply(status, replyChecked('GET', f.route, status, body) as nock.Body);
  }
}

/** Replace or drop REST fixtures by route (+ environment name), keeping the rest of the base set. */
export function withOverrides(base: RestFixture[], overrides: RestFixture[], drop: string[] = []): RestFixture[] {
  const key = (f: RestFixture) => `${f.route}|${f.params?.environment_name ?? ''}`;
  const over = new Map(overrides.map((o) => [key(o), o]));
  const out = base.filter((f) => !drop.includes(f.route)).map((f) => over.get(key(f)) ?? f);
  for (const o of overrides) if (!base.some((b) => key(b) === key(o))) out.push(o);
  return out;
}

export interface Scenario {
  graphql: { rateLimit?: unknown; repository: Record<string, unknown> | null };
  graphqlErrors?: { type?: string; message: string; path?: (string | number)[] }[];
  rest: RestFixture[];
  files?: RepoFile[];
  tree?: 'ok' | 'truncated' | 'none';
  owner?: string;
  repo?: string;
}

export function mockScenario(s: Scenario): nock.Scope {
  const owner = s.owner ?? 'acme';
  const repo = s.repo ?? 'ml';
  const files = s.files ?? [];
  const scope = nock(API);
  const data = s.graphql.repository ? { ...s.graphql, repository: { ...s.graphql.repository, commit: commitNode(files) } } : s.graphql;
  scope
    .post('/graphql', (b: { query?: string }) => String(b.query).includes('PipelineGuardRepo'))
    .reply(200, s.graphqlErrors ? { data, errors: s.graphqlErrors } : { data });
  if (s.tree !== 'none' && s.graphql.repository) {
    const listed = s.tree === 'truncated' ? files.filter((f) => !f.path.startsWith('.github/')) : files;
    scope.get(`/repos/${owner}/${repo}/git/trees/${TREE_OID}`).query({ recursive: '1' })
      .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}', 200, treeBody(listed, s.tree === 'truncated')) as nock.Body);
  }
  const bySha = new Map(files.map((f) => [f.sha, f]));
  scope
    .post('/graphql', (b: { query?: string }) => String(b.query).includes('PipelineGuardBlobs'))
    .times(10)
    .optionally()
    .reply(200, (_uri, body) => {
      const q = String((body as { query: string }).query);
      const repository: Record<string, unknown> = {};
      for (const m of q.matchAll(/(b\d+): object\(oid: "([0-9a-f]{40})"\)/g)) {
        const f = bySha.get(m[2]);
        repository[m[1]] = f ? gqlBlob(f) : null;
      }
      return { data: { repository } };
    });
  scope
    .get(new RegExp(`^/repos/${owner}/${repo}/git/blobs/[0-9a-f]{40}$`))
    .times(50)
    .optionally()
    .reply((uri) => {
      const sha = uri.split('/').pop() as string;
      const f = bySha.get(sha);
      if (!f) return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }];
      const body = { sha, node_id: `B_${sha.slice(0, 6)}`, size: f.bytes.length, url: `${API}/repos/${owner}/${repo}/git/blobs/${sha}`, content: f.bytes.toString('base64'), encoding: 'base64' };
      return [200, replyChecked('GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}', 200, body) as nock.Body];
    });
  mockRest(scope, s.rest, owner, repo);
  return scope;
}

/**
 * Registers the lifecycle every test against the simulated GitHub shares: no real network, and after
 * each test no request GitHub would refuse (`requestViolations`), no unrealistic reply fixture and no
 * mock left unused. nock is reset before the assertions so one failure does not cascade.
 */
export function useSimulatedGitHub(requestViolations: () => readonly string[]): void {
  beforeEach(() => {
    nock.disableNetConnect();
    replyViolations.length = 0;
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(requestViolations()).toEqual([]);
    expect(replyViolations).toEqual([]);
    expect(pending).toEqual([]);
  });
}
