/**
 * A small simulated organisation for the sweep tests: installation listing entries (built on GitHub's
 * own example), batched GraphQL repository nodes, and the file trees the batch query would return.
 */
import { specExample } from '../helpers/github-contract.js';
import { TREE_DEPTH } from '../../src/sweep/query.js';

export const ORG = 'acme';
export const RATE_HEADERS = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4990', 'x-ratelimit-reset': '1795780800', 'x-ratelimit-used': '10' };

export function listedRepo(name: string, o: { archived?: boolean; fork?: boolean; visibility?: 'public' | 'private' } = {}): Record<string, unknown> {
  const base = (specExample('repository-paginated').repositories as Record<string, unknown>[])[0];
  const owner = { ...(base.owner as Record<string, unknown>), login: ORG, type: 'Organization' };
  const visibility = o.visibility ?? 'public';
  return {
    ...base,
    name,
    full_name: `${ORG}/${name}`,
    owner,
    html_url: `https://github.com/${ORG}/${name}`,
    archived: o.archived ?? false,
    fork: o.fork ?? false,
    private: visibility === 'private',
    visibility,
    default_branch: 'main',
  };
}

interface TreeEntry {
  name: string;
  type: 'blob' | 'tree';
  mode: number;
  object: { byteSize?: number; entries?: TreeEntry[] } | Record<string, never>;
}

/** The `tree` selection's answer: entries down to TREE_DEPTH levels, deeper trees without entries. */
export function treeOf(files: Record<string, number>): { entries: TreeEntry[] } {
  const root: TreeEntry[] = [];
  for (const [path, size] of Object.entries(files)) {
    const parts = path.split('/');
    let level = root;
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      let e = level.find((x) => x.name === parts[i]);
      if (!e) {
        e = last ? { name: parts[i], type: 'blob', mode: 33188, object: { byteSize: size } } : { name: parts[i], type: 'tree', mode: 16384, object: i + 1 < TREE_DEPTH ? { entries: [] } : {} };
        level.push(e);
      }
      if (last || !('entries' in e.object) || !e.object.entries) break;
      level = e.object.entries;
    }
  }
  return { entries: root };
}

export interface RepoNodeOptions {
  name: string;
  visibility?: 'PUBLIC' | 'PRIVATE';
  workflows?: Record<string, string>;
  policy?: string;
  files?: Record<string, number>;
  protection?: Record<string, unknown> | null;
  rulesets?: Record<string, unknown>[];
  /** A count (no nodes: more than the batch read) or the environment nodes (envNode). */
  environments?: number | Record<string, unknown>[];
}

export interface EnvNodeOptions {
  reviewers?: number;
  preventSelfReview?: boolean;
  waitTimer?: number;
  branchPolicy?: boolean;
}

/** An environment node as the batch query selects it (protection rules in GitHub's GraphQL shape). */
export function envNode(name: string, o: EnvNodeOptions = {}, databaseId = 7): Record<string, unknown> {
  const rules: Record<string, unknown>[] = [];
  if (o.reviewers) rules.push({ type: 'REQUIRED_REVIEWERS', timeout: 0, preventSelfReview: o.preventSelfReview ?? false, reviewers: { totalCount: o.reviewers } });
  if (o.waitTimer) rules.push({ type: 'WAIT_TIMER', timeout: o.waitTimer, preventSelfReview: null, reviewers: { totalCount: 0 } });
  if (o.branchPolicy) rules.push({ type: 'BRANCH_POLICY', timeout: 0, preventSelfReview: null, reviewers: { totalCount: 0 } });
  return { name, databaseId, protectionRules: { totalCount: rules.length, nodes: rules } };
}

export function repoNode(o: RepoNodeOptions): Record<string, unknown> {
  const wf = Object.entries(o.workflows ?? {});
  const files: Record<string, number> = { 'README.md': 120, ...(o.files ?? {}) };
  for (const [name, text] of wf) files[`.github/workflows/${name}`] = Buffer.byteLength(text);
  if (o.policy !== undefined) files['.github/pipeline-guard.yml'] = Buffer.byteLength(o.policy);
  return {
    name: o.name,
    nameWithOwner: `${ORG}/${o.name}`,
    url: `https://github.com/${ORG}/${o.name}`,
    isArchived: false,
    isFork: false,
    isPrivate: o.visibility === 'PRIVATE',
    visibility: o.visibility ?? 'PUBLIC',
    owner: { __typename: 'Organization', login: ORG },
    planFeatures: { codeowners: true, draftPullRequests: true },
    defaultBranchRef: { name: 'main', target: { oid: `${o.name.length}`.padStart(40, 'a') }, branchProtectionRule: o.protection ?? null },
    rulesets: { totalCount: (o.rulesets ?? []).length, nodes: o.rulesets ?? [] },
    environments: Array.isArray(o.environments)
      ? { totalCount: o.environments.length, nodes: o.environments }
      : { totalCount: o.environments ?? 0, nodes: [] },
    workflows: wf.length > 0
      ? { entries: wf.map(([name, text]) => ({ name, type: 'blob', mode: 33188, object: { oid: 'b'.repeat(40), byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false, text } })) }
      : null,
    policyFile: o.policy !== undefined ? { byteSize: Buffer.byteLength(o.policy), isTruncated: false, text: o.policy } : null,
    tree: treeOf(files),
  };
}

/** An org ruleset requiring pull requests on the default branch, as GraphQL returns it. */
export function prRuleset(enforcement = 'ACTIVE'): Record<string, unknown> {
  return {
    databaseId: 42,
    name: 'protect default',
    enforcement,
    target: 'BRANCH',
    source: { __typename: 'Organization', login: ORG },
    conditions: { refName: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    bypassActors: { totalCount: 0, nodes: [] },
    rules: {
      totalCount: 2,
      nodes: [
        { type: 'PULL_REQUEST', parameters: { __typename: 'PullRequestParameters', requiredApprovingReviewCount: 1, requireCodeOwnerReview: false, dismissStaleReviewsOnPush: true, requireLastPushApproval: true } },
        { type: 'NON_FAST_FORWARD', parameters: null },
      ],
    },
  };
}

export const PR_TARGET_WORKFLOW = `name: pr
on: pull_request_target
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: make test
`;

/** A workflow that reads a repository secret on push (no fork pull-request trigger). */
export const SECRET_PUSH_WORKFLOW = `name: upload
on: push
permissions: {}
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - run: ./upload.sh
        env:
          TOKEN: \${{ secrets.HF_TOKEN }}
`;
