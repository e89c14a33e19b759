/**
 * A small stateful GitHub for the fix-up PR tests, served through nock: commits, trees and blobs (real
 * git object ids), refs, pull requests, issue comments, one check run and the policy files. It answers
 * the git data API the way GitHub does (422 on an existing ref, a non-fast-forward PATCH without
 * `force` refused), and every reply body is checked against GitHub's response schema (replyChecked).
 * Requests it does not know are answered 404 and listed in `unexpected`.
 */
import { createHash } from 'node:crypto';
import nock from 'nock';
import { replyChecked } from '../helpers/github-repo.js';
import { specExample } from '../helpers/github-contract.js';

export const API = 'https://api.github.com';
export const BOT = 'pipeline-guard[bot]';
const BOT_EMAIL = '99+pipeline-guard[bot]@users.noreply.github.com';

interface Person {
  name: string;
  email: string;
  date: string;
}

interface Commit {
  tree: string;
  parents: string[];
  message: string;
  author: Person;
  committer: Person;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  body: string;
  head: string;
  base: string;
  user: string;
  /** Head sha when the PR was closed (an open PR follows its branch). */
  closedHead?: string;
}

function sha1(type: string, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

function basicError(message: string): { message: string; documentation_url: string } {
  return { message, documentation_url: 'https://docs.github.com/rest' };
}

export class FakeGitHub {
  readonly blobs = new Map<string, Buffer>();
  /** Flat trees: path → blob sha. */
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, Commit>();
  readonly refs = new Map<string, string>();
  readonly pulls: FakePull[] = [];
  readonly comments = new Map<number, { id: number; body: string; user: string }[]>();
  readonly unexpected: string[] = [];
  checkRun = { id: 555, title: 'Pipeline Guard: 4 findings', summary: 'the audit summary', text: null as string | null };
  /** Answers a request with an error instead (e.g. a missing permission). */
  refuse?: (method: string, path: string) => { status: number; message: string } | undefined;
  /** Tags of action repositories (`owner/repo` → tag → commit sha), for the pin resolution of unpinned-action. */
  readonly actionTags = new Map<string, Record<string, string>>();
  /** Text of the repository's `.github/pipeline-guard.yml` (none when undefined). */
  policy?: string;
  private clock = Date.parse('2026-11-27T12:00:00Z');
  private nextComment = 1;

  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly defaultBranch = 'main',
  ) {}

  private date(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  writeTree(files: Map<string, string>): string {
    const body = Buffer.from([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, s]) => `${p}\0${s}`).join('\n'));
    const sha = sha1('tree', body);
    this.trees.set(sha, new Map(files));
    return sha;
  }

  writeBlob(text: string): string {
    const buf = Buffer.from(text, 'utf8');
    const sha = sha1('blob', buf);
    this.blobs.set(sha, buf);
    return sha;
  }

  writeCommit(c: Omit<Commit, 'author' | 'committer'> & { author?: Person }): string {
    const author = c.author ?? { name: BOT, email: BOT_EMAIL, date: this.date() };
    const commit: Commit = { ...c, author, committer: c.author ? author : { name: BOT, email: BOT_EMAIL, date: author.date } };
    const sha = sha1('commit', Buffer.from(JSON.stringify(commit)));
    this.commits.set(sha, commit);
    return sha;
  }

  /** A commit by a person on `branch` with these files replaced (the default branch moving on, or a human push). */
  push(branch: string, files: Record<string, string>, message = 'update', person = 'Ada Lovelace'): string {
    const parent = this.refs.get(`refs/heads/${branch}`);
    const tree = new Map(parent ? this.trees.get(this.commits.get(parent)!.tree)! : []);
    for (const [p, text] of Object.entries(files)) tree.set(p, this.writeBlob(text));
    const sha = this.writeCommit({ tree: this.writeTree(tree), parents: parent ? [parent] : [], message, author: { name: person, email: 'ada@example.com', date: this.date() } });
    this.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  head(branch: string): string | undefined {
    return this.refs.get(`refs/heads/${branch}`);
  }

  /** The files of a commit, as text. */
  filesAt(sha: string): Map<string, string> {
    const tree = this.trees.get(this.commits.get(sha)!.tree)!;
    return new Map([...tree].map(([p, b]) => [p, this.blobs.get(b)!.toString('utf8')]));
  }

  commit(sha: string): Commit {
    return this.commits.get(sha)!;
  }

  private url(path: string): string {
    return `${API}/repos/${this.owner}/${this.repo}${path}`;
  }

  private refBody(full: string, sha: string) {
    return { ref: full, node_id: `REF_${sha.slice(0, 8)}`, url: this.url(`/git/${full.split('/').map(encodeURIComponent).join('/')}`), object: { type: 'commit', sha, url: this.url(`/git/commits/${sha}`) } };
  }

  private commitBody(sha: string) {
    const c = this.commits.get(sha)!;
    return {
      sha,
      node_id: `C_${sha.slice(0, 8)}`,
      url: this.url(`/git/commits/${sha}`),
      html_url: `https://github.com/${this.owner}/${this.repo}/commit/${sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: { sha: c.tree, url: this.url(`/git/trees/${c.tree}`) },
      parents: c.parents.map((p) => ({ sha: p, url: this.url(`/git/commits/${p}`), html_url: `https://github.com/${this.owner}/${this.repo}/commit/${p}` })),
      verification: { verified: c.author.name === BOT, reason: c.author.name === BOT ? 'valid' : 'unsigned', signature: null, payload: null, verified_at: null },
    };
  }

  private headOf(p: FakePull): string {
    return p.state === 'open' ? (this.head(p.head) ?? p.closedHead ?? '0'.repeat(40)) : (p.closedHead ?? '0'.repeat(40));
  }

  private pullBody(p: FakePull, full: boolean): Record<string, unknown> {
    const base = full ? specExample('pull-request') : (specExample('pull-request-simple-items') as unknown as Record<string, unknown>[])[0];
    const html = `https://github.com/${this.owner}/${this.repo}/pull/${p.number}`;
    const head = base.head as Record<string, unknown>;
    const baseRef = base.base as Record<string, unknown>;
    const user = { ...(base.user as Record<string, unknown>), login: p.user, type: p.user.endsWith('[bot]') ? 'Bot' : 'User' };
    return {
      ...base,
      number: p.number,
      id: 1000 + p.number,
      html_url: html,
      url: this.url(`/pulls/${p.number}`),
      state: p.state,
      title: p.title,
      body: p.body,
      draft: p.draft,
      user,
      requested_reviewers: [],
      requested_teams: [],
      merged_at: p.merged ? '2026-11-27T13:00:00Z' : null,
      closed_at: p.state === 'closed' ? '2026-11-27T13:00:00Z' : null,
      head: { ...head, ref: p.head, sha: this.headOf(p), label: `${this.owner}:${p.head}` },
      base: { ...baseRef, ref: p.base, label: `${this.owner}:${p.base}` },
      ...(full ? { merged: p.merged } : {}),
    };
  }

  /** Installs the nock interceptors (persisting, optional: tests assert the request list instead). */
  install(): nock.Scope {
    const scope = nock(API).persist();
    const route = (method: string) => (uri: string, body: unknown) => this.route(method, uri, body);
    for (const m of ['get', 'post', 'patch'] as const) {
      // nock's reply callback takes (uri, body); the router answers [status, body(, headers)].
      scope[m](() => true).optionally().reply((uri, body) => route(m.toUpperCase())(uri, body) as nock.ReplyFnResult);
    }
    return scope;
  }

  private route(method: string, uri: string, rawBody: unknown): [number, unknown] | [number, unknown, Record<string, string>] {
    const u = new URL(uri, API);
    const prefix = `/repos/${this.owner}/${this.repo}`;
    const body = (typeof rawBody === 'string' && rawBody !== '' ? JSON.parse(rawBody) : rawBody) as Record<string, unknown>;
    const path = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : u.pathname;
    const dec = decodeURIComponent;
    const ok = (status: number, route: string, b: unknown): [number, unknown] => [status, replyChecked(method, route, status, b)];
    const notFound = (): [number, unknown] => [404, basicError('Not Found')];
    let m: RegExpExecArray | null;
    const action = /^\/repos\/([^/]+)\/([^/]+)\/git\/(matching-refs|ref)\/(.+)$/.exec(u.pathname);
    const tags = action ? this.actionTags.get(`${action[1]}/${action[2]}`) : undefined;
    if (method === 'GET' && action && tags) {
      const want = `refs/${dec(action[4])}`;
      const url = (r: string) => `${API}/repos/${action[1]}/${action[2]}/git/${r.split('/').map(encodeURIComponent).join('/')}`;
      const refs = Object.entries(tags)
        .map(([t, sha]) => ({ ref: `refs/tags/${t}`, node_id: `REF_${sha.slice(0, 8)}`, url: url(`refs/tags/${t}`), object: { type: 'commit', sha, url: `${API}/repos/${action[1]}/${action[2]}/git/commits/${sha}` } }))
        .filter((r) => (action[3] === 'ref' ? r.ref === want : r.ref.startsWith(want)));
      if (action[3] === 'ref') return refs[0] ? ok(200, '/repos/{owner}/{repo}/git/ref/{ref}', refs[0]) : notFound();
      return ok(200, '/repos/{owner}/{repo}/git/matching-refs/{ref}', refs);
    }
    const refused = this.refuse?.(method, path);
    if (refused) return [refused.status, basicError(refused.message)];

    if (method === 'GET' && /\/contents\/.github%2Fpipeline-guard.yml$/.test(u.pathname)) {
      if (u.pathname.startsWith(prefix + '/') && this.policy !== undefined) return [200, this.policy, { 'content-type': 'text/plain; charset=utf-8' }];
      return notFound();
    }
    if (method === 'GET' && u.pathname === prefix) {
      const repo: Record<string, unknown> = { ...specExample('full-repository-default-response'), language: 'Python', name: this.repo, full_name: `${this.owner}/${this.repo}`, default_branch: this.defaultBranch, archived: false, html_url: `https://github.com/${this.owner}/${this.repo}` };
      for (const k of ['parent', 'source', 'template_repository']) delete repo[k];
      return ok(200, '/repos/{owner}/{repo}', repo);
    }
    if (method === 'GET' && (m = /^\/git\/matching-refs\/(.+)$/.exec(path))) {
      const want = `refs/${dec(m[1])}`;
      const refs = [...this.refs].filter(([r]) => r.startsWith(want)).sort(([a], [b]) => (a < b ? -1 : 1));
      return ok(200, '/repos/{owner}/{repo}/git/matching-refs/{ref}', refs.map(([r, s]) => this.refBody(r, s)));
    }
    if (method === 'GET' && (m = /^\/git\/ref\/(.+)$/.exec(path))) {
      const full = `refs/${dec(m[1])}`;
      const s = this.refs.get(full);
      return s ? ok(200, '/repos/{owner}/{repo}/git/ref/{ref}', this.refBody(full, s)) : notFound();
    }
    if (method === 'GET' && (m = /^\/git\/commits\/([0-9a-f]{40})$/.exec(path))) {
      return this.commits.has(m[1]) ? ok(200, '/repos/{owner}/{repo}/git/commits/{commit_sha}', this.commitBody(m[1])) : notFound();
    }
    if (method === 'POST' && path === '/git/trees') {
      const baseTree = body.base_tree ? this.trees.get(String(body.base_tree)) : new Map<string, string>();
      if (!baseTree) return [422, basicError('base_tree is not a tree')];
      const files = new Map(baseTree);
      for (const e of body.tree as { path: string; content?: string; sha?: string | null }[]) {
        if (e.content !== undefined) files.set(e.path, this.writeBlob(e.content));
        else if (e.sha === null) files.delete(e.path);
        else if (e.sha) files.set(e.path, e.sha);
      }
      const sha = this.writeTree(files);
      const tree = [...files].map(([p, b]) => ({ path: p, mode: '100644', type: 'blob', sha: b, size: this.blobs.get(b)?.length ?? 0, url: this.url(`/git/blobs/${b}`) }));
      return ok(201, '/repos/{owner}/{repo}/git/trees', { sha, url: this.url(`/git/trees/${sha}`), tree, truncated: false });
    }
    if (method === 'POST' && path === '/git/commits') {
      const tree = String(body.tree);
      const parents = (body.parents as string[]) ?? [];
      if (!this.trees.has(tree) || parents.some((p) => !this.commits.has(p))) return [422, basicError('Tree or parent SHA does not exist')];
      const sha = this.writeCommit({ tree, parents, message: String(body.message) });
      return ok(201, '/repos/{owner}/{repo}/git/commits', { ...this.commitBody(sha) });
    }
    if (method === 'POST' && path === '/git/refs') {
      const full = String(body.ref);
      if (this.refs.has(full)) return [422, basicError('Reference already exists')];
      this.refs.set(full, String(body.sha));
      return ok(201, '/repos/{owner}/{repo}/git/refs', this.refBody(full, String(body.sha)));
    }
    if (method === 'PATCH' && (m = /^\/git\/refs\/(.+)$/.exec(path))) {
      const full = `refs/${dec(m[1])}`;
      const old = this.refs.get(full);
      if (!old) return [422, basicError('Reference does not exist')];
      const next = String(body.sha);
      if (!body.force && !this.isAncestor(old, next)) return [422, basicError('Update is not a fast forward')];
      this.refs.set(full, next);
      return ok(200, '/repos/{owner}/{repo}/git/refs/{ref}', this.refBody(full, next));
    }
    if (method === 'GET' && path === '/pulls') {
      const head = u.searchParams.get('head');
      const state = u.searchParams.get('state') ?? 'open';
      const list = this.pulls
        .filter((p) => !head || `${this.owner}:${p.head}` === head)
        .filter((p) => state === 'all' || p.state === state)
        .sort((a, b) => b.number - a.number);
      return ok(200, '/repos/{owner}/{repo}/pulls', list.map((p) => this.pullBody(p, false)));
    }
    if (method === 'POST' && path === '/pulls') {
      const head = String(body.head);
      if (!this.head(head)) return [422, basicError('Validation Failed: head does not exist')];
      if (this.pulls.some((p) => p.state === 'open' && p.head === head)) return [422, basicError(`A pull request already exists for ${this.owner}:${head}.`)];
      const p: FakePull = { number: 40 + this.pulls.length + 1, state: 'open', merged: false, draft: Boolean(body.draft), title: String(body.title), body: String(body.body ?? ''), head, base: String(body.base), user: BOT };
      this.pulls.push(p);
      return ok(201, '/repos/{owner}/{repo}/pulls', this.pullBody(p, true));
    }
    if (method === 'PATCH' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
      const p = this.pulls.find((x) => x.number === Number(m![1]));
      if (!p) return notFound();
      if (body.title !== undefined) p.title = String(body.title);
      if (body.body !== undefined) p.body = String(body.body);
      if (body.base !== undefined) p.base = String(body.base);
      if (body.state === 'closed' && p.state === 'open') this.close(p);
      return ok(200, '/repos/{owner}/{repo}/pulls/{pull_number}', this.pullBody(p, true));
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
      const n = Number(m[1]);
      const list = this.comments.get(n) ?? [];
      const commentBody = (c: { id: number; body: string; user: string }) => ({
        ...specExample('issue-comment'),
        id: c.id,
        body: c.body,
        html_url: `https://github.com/${this.owner}/${this.repo}/pull/${n}#issuecomment-${c.id}`,
        user: { ...(specExample('issue-comment').user as Record<string, unknown>), login: c.user },
      });
      if (method === 'GET') return ok(200, '/repos/{owner}/{repo}/issues/{issue_number}/comments', list.map(commentBody));
      if (method === 'POST') {
        const c = { id: this.nextComment++, body: String(body.body), user: BOT };
        this.comments.set(n, [...list, c]);
        return ok(201, '/repos/{owner}/{repo}/issues/{issue_number}/comments', commentBody(c));
      }
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(path)) && Number(m[1]) === this.checkRun.id) {
      if (method === 'PATCH') {
        const out = body.output as { title: string; summary: string; text?: string };
        this.checkRun = { ...this.checkRun, title: out.title, summary: out.summary, text: out.text ?? this.checkRun.text };
      }
      const run = {
        ...specExample('check-run'),
        id: this.checkRun.id,
        name: 'Pipeline Guard',
        output: { title: this.checkRun.title, summary: this.checkRun.summary, text: this.checkRun.text, annotations_count: 0, annotations_url: this.url(`/check-runs/${this.checkRun.id}/annotations`) },
      };
      return ok(200, method === 'PATCH' ? '/repos/{owner}/{repo}/check-runs/{check_run_id}' : '/repos/{owner}/{repo}/check-runs/{check_run_id}', run);
    }
    this.unexpected.push(`${method} ${u.pathname}${u.search}`);
    return notFound();
  }

  /** A person closes (or the app closes) a PR: it stops following its branch. */
  close(p: FakePull, merged = false): void {
    p.closedHead = this.head(p.head);
    p.state = 'closed';
    p.merged = merged;
  }

  private isAncestor(old: string, next: string): boolean {
    const seen = new Set<string>();
    const stack = [next];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (s === old) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return false;
  }
}
