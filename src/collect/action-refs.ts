/**
 * Resolves `uses:` refs (tags or branches of action repositories) to commit SHAs for the
 * unpinned-action fix, through the git refs API (research/github-api.md, catalogue W3):
 *   GET /repos/{o}/{r}/git/matching-refs/tags/{ref}  the tag, and the longer tags of its family
 *   GET /repos/{o}/{r}/git/ref/heads/{ref}           a branch of the same name (both exist: ambiguous)
 *   GET /repos/{o}/{r}/git/tags/{sha}                annotated tags, dereferenced to their commit
 * The comment tag is the most specific tag at the same commit (v4.2.1 over v4.2 over v4). Requests
 * are bounded per ref and cached per action repository; a 40-hex SHA is never looked up; a sub-path
 * (`owner/repo/path@ref`) resolves on owner/repo. Failures become `unresolved` with the reason.
 */
import { isFullSha } from '../workflows/uses.js';
import { pinKey, type PinResolution } from '../fixes/pins.js';
import { describeFailure, type OctokitLike } from './github-rest.js';

export interface ActionRef {
  owner: string;
  repo: string;
  ref: string;
}

/** Annotated tags dereferenced per ref, at most (each is one request). */
const MAX_DEREFS_PER_REF = 6;
/** Distinct refs resolved per call; the rest are reported unresolved. */
const MAX_REFS = 300;
const CONCURRENCY = 4;

interface GitObject {
  type: string;
  sha: string;
}
interface GitRef {
  ref: string;
  object: GitObject;
}

class ResolveError extends Error {}

/** Per action repository: tag objects being or already dereferenced (tag object SHA -> its target). */
type RepoCache = Map<string, Promise<GitObject>>;

function asRefs(data: unknown): GitRef[] {
  if (!Array.isArray(data)) return [];
  return data.filter((r): r is GitRef => typeof r?.ref === 'string' && typeof r?.object?.sha === 'string' && typeof r?.object?.type === 'string');
}

function failure(err: unknown, what: string): ResolveError {
  const f = describeFailure(err);
  if (f.status === 404) return new ResolveError(`${what}: not found (the repository does not exist or the token cannot read it)`);
  if (f.status === 409) return new ResolveError(`${what}: the repository is empty`);
  if (f.rateLimited) return new ResolveError(`${what}: GitHub rate limit reached`);
  return new ResolveError(`${what}: ${f.status ? `HTTP ${f.status} ` : ''}${f.message}`);
}

/** Version numbers and whether it is a pre-release, for ordering candidate tags. */
function versionOf(tag: string): { parts: number[]; pre: boolean } | undefined {
  const m = /^v?(\d+(?:\.\d+)*)([-+][0-9A-Za-z.-]+)?$/.exec(tag);
  return m ? { parts: m[1].split('.').map(Number), pre: !!m[2] } : undefined;
}

/** Tags of the same family more specific than `ref` (`v4` -> `v4.2.1`, `v4.2`), best first. */
function moreSpecific(ref: string, names: string[]): string[] {
  const base = versionOf(ref);
  if (!base) return [];
  return names
    .map((n) => ({ n, v: versionOf(n) }))
    .filter((c): c is { n: string; v: { parts: number[]; pre: boolean } } =>
      !!c.v && c.v.parts.length > base.parts.length && base.parts.every((p, i) => c.v!.parts[i] === p) && (!c.v.pre || base.pre),
    )
    .sort((a, b) => {
      if (a.v.parts.length !== b.v.parts.length) return b.v.parts.length - a.v.parts.length;
      for (let i = 0; i < a.v.parts.length; i++) if (a.v.parts[i] !== b.v.parts[i]) return b.v.parts[i] - a.v.parts[i];
      return Number(a.v.pre) - Number(b.v.pre);
    })
    .map((c) => c.n);
}

class Resolver {
  private readonly caches = new Map<string, RepoCache>();
  constructor(private readonly octokit: OctokitLike) {}

  private cache(owner: string, repo: string): RepoCache {
    const k = `${owner}/${repo}`.toLowerCase();
    let c = this.caches.get(k);
    if (!c) this.caches.set(k, (c = new Map()));
    return c;
  }

  /** The commit an object points at: annotated tags are followed (nested tags too, a few levels). */
  private async commitOf(owner: string, repo: string, obj: GitObject, budget: { left: number }): Promise<string> {
    const cache = this.cache(owner, repo);
    let cur = obj;
    for (let depth = 0; depth < 4; depth++) {
      if (cur.type === 'commit') return cur.sha;
      if (cur.type !== 'tag') throw new ResolveError(`points at a ${cur.type}, not a commit`);
      // The promise is cached, so concurrent resolutions of one repository share a request.
      let pending = cache.get(cur.sha);
      if (!pending) {
        if (budget.left-- <= 0) throw new ResolveError('too many annotated tags to dereference');
        pending = this.fetchTag(owner, repo, cur.sha);
        cache.set(cur.sha, pending);
      }
      cur = await pending;
    }
    throw new ResolveError('tag chain too deep');
  }

  private async fetchTag(owner: string, repo: string, sha: string): Promise<GitObject> {
    let res;
    try {
      res = await this.octokit.request('GET /repos/{owner}/{repo}/git/tags/{tag_sha}', { owner, repo, tag_sha: sha });
    } catch (err) {
      throw failure(err, `tag object ${sha.slice(0, 12)}`);
    }
    const next = (res.data as { object?: GitObject }).object;
    if (!next || typeof next.sha !== 'string' || typeof next.type !== 'string') throw new ResolveError('the tag object has no target');
    return next;
  }

  async resolve({ owner, repo, ref }: ActionRef): Promise<PinResolution> {
    const name = `${owner}/${repo}@${ref}`;
    try {
      let tags: GitRef[];
      try {
        const res = await this.octokit.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { owner, repo, ref: `tags/${ref}` });
        tags = asRefs(res.data);
      } catch (err) {
        throw failure(err, `tags of ${owner}/${repo}`);
      }
      let branch: GitRef | undefined;
      try {
        const res = await this.octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${ref}` });
        branch = asRefs([res.data])[0];
      } catch (err) {
        if (describeFailure(err).status !== 404) throw failure(err, `branch ${ref} of ${owner}/${repo}`);
      }
      const exact = tags.find((t) => t.ref === `refs/tags/${ref}`);
      if (exact && branch) return { status: 'ambiguous', reason: `"${ref}" is both a tag and a branch of ${owner}/${repo}; pin the one you mean by hand` };
      if (!exact && !branch) return { status: 'unresolved', reason: `${owner}/${repo} has no tag or branch named "${ref}"` };
      if (!exact && branch) {
        if (branch.object.type !== 'commit' || !isFullSha(branch.object.sha)) return { status: 'unresolved', reason: `branch ${name} does not point at a commit` };
        return { status: 'pinned', sha: branch.object.sha, from: 'branch' };
      }
      const budget = { left: MAX_DEREFS_PER_REF };
      const sha = await this.commitOf(owner, repo, exact!.object, budget);
      let tag = ref;
      const byName = new Map(tags.map((t) => [t.ref.replace(/^refs\/tags\//, ''), t.object]));
      for (const candidate of moreSpecific(ref, [...byName.keys()])) {
        const obj = byName.get(candidate)!;
        // A lightweight tag costs nothing; an annotated one costs a request from the budget.
        if (obj.type === 'tag' && budget.left <= 0 && !this.cache(owner, repo).has(obj.sha)) break;
        let commit: string;
        try {
          commit = await this.commitOf(owner, repo, obj, budget);
        } catch {
          continue;
        }
        if (commit === sha) {
          tag = candidate;
          break;
        }
      }
      return { status: 'pinned', sha, tag, from: 'tag' };
    } catch (err) {
      if (err instanceof ResolveError) return { status: 'unresolved', reason: `${name}: ${err.message}` };
      throw err;
    }
  }
}

/**
 * Resolves each distinct `owner/repo@ref` (key: `pinKey`) to a commit SHA and its most specific tag,
 * or says why not. Never throws for GitHub failures: they become `unresolved` entries.
 */
export async function resolveActionRefs(octokit: OctokitLike, refs: readonly ActionRef[]): Promise<Map<string, PinResolution>> {
  const out = new Map<string, PinResolution>();
  const todo: ActionRef[] = [];
  const queued = new Set<string>();
  for (const r of refs) {
    if (!r.ref || isFullSha(r.ref)) continue;
    const key = pinKey(r.owner, r.repo, r.ref);
    if (out.has(key) || queued.has(key)) continue;
    if (todo.length >= MAX_REFS) {
      out.set(key, { status: 'unresolved', reason: `more than ${MAX_REFS} distinct action refs; resolve the rest in another run` });
      continue;
    }
    queued.add(key);
    todo.push(r);
  }
  const resolver = new Resolver(octokit);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const r = todo[next++];
      out.set(pinKey(r.owner, r.repo, r.ref), await resolver.resolve(r));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
  return out;
}

/** The refs to resolve for a set of unpinned-action findings (`data.action` = owner/repo[/path], `data.ref`). */
export function refsOfFindings(findings: readonly { checkId: string; data?: Record<string, unknown> }[]): ActionRef[] {
  const out: ActionRef[] = [];
  for (const f of findings) {
    if (f.checkId !== 'unpinned-action') continue;
    const action = typeof f.data?.action === 'string' ? f.data.action : '';
    const ref = typeof f.data?.ref === 'string' ? f.data.ref : '';
    const [owner, repo] = action.split('/');
    if (owner && repo && ref) out.push({ owner, repo, ref });
  }
  return out;
}
