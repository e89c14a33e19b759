/**
 * REST reply bodies in GitHub's shapes (api.github.com, API version 2022-11-28). Tests validate them
 * against GitHub's OpenAPI description, so each builder fills every required property.
 */
import type { SimCheckRun, SimEnvironment, SimInstallation, SimIssue, SimLabel, SimRepo, SimRuleset } from './state.js';

export const WEB = 'https://github.com';
export const EPOCH = '2026-01-01T00:00:00Z';

export function simpleUser(api: string, login: string, id: number, type: 'User' | 'Organization' | 'Bot' = 'User') {
  const u = `${api}/users/${encodeURIComponent(login)}`;
  return {
    login, id, node_id: `U_${id}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`, gravatar_id: '',
    url: u, html_url: type === 'Bot' ? `${WEB}/apps/${login.replace(/\[bot\]$/, '')}` : `${WEB}/${login}`, followers_url: `${u}/followers`, following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`, starred_url: `${u}/starred{/owner}{/repo}`, subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`, repos_url: `${u}/repos`, events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`, type, site_admin: false,
  };
}

/** A stable numeric id for a login (users are not stored). */
export function userId(login: string): number {
  let h = 2166136261;
  for (let i = 0; i < login.length; i++) h = Math.imul(h ^ login.charCodeAt(i), 16777619);
  return (h >>> 0) % 100_000_000 + 1000;
}

function repoUrls(api: string, r: SimRepo) {
  const u = `${api}/repos/${r.owner}/${r.name}`;
  return {
    url: u, html_url: `${WEB}/${r.owner}/${r.name}`, forks_url: `${u}/forks`, keys_url: `${u}/keys{/key_id}`,
    collaborators_url: `${u}/collaborators{/collaborator}`, teams_url: `${u}/teams`, hooks_url: `${u}/hooks`,
    issue_events_url: `${u}/issues/events{/number}`, events_url: `${u}/events`, assignees_url: `${u}/assignees{/user}`,
    branches_url: `${u}/branches{/branch}`, tags_url: `${u}/tags`, blobs_url: `${u}/git/blobs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`, git_refs_url: `${u}/git/refs{/sha}`, trees_url: `${u}/git/trees{/sha}`,
    statuses_url: `${u}/statuses/{sha}`, languages_url: `${u}/languages`, stargazers_url: `${u}/stargazers`,
    contributors_url: `${u}/contributors`, subscribers_url: `${u}/subscribers`, subscription_url: `${u}/subscription`,
    commits_url: `${u}/commits{/sha}`, git_commits_url: `${u}/git/commits{/sha}`, comments_url: `${u}/comments{/number}`,
    issue_comment_url: `${u}/issues/comments{/number}`, contents_url: `${u}/contents/{+path}`,
    compare_url: `${u}/compare/{base}...{head}`, merges_url: `${u}/merges`, archive_url: `${u}/{archive_format}{/ref}`,
    downloads_url: `${u}/downloads`, issues_url: `${u}/issues{/number}`, pulls_url: `${u}/pulls{/number}`,
    milestones_url: `${u}/milestones{/number}`, notifications_url: `${u}/notifications{?since,all,participating}`,
    labels_url: `${u}/labels{/name}`, releases_url: `${u}/releases{/id}`, deployments_url: `${u}/deployments`,
  };
}

/** The `repository` schema (installation repositories, pull request head/base). */
export function repository(api: string, r: SimRepo, ownerId: number) {
  return {
    id: r.id, node_id: r.nodeId, name: r.name, full_name: `${r.owner}/${r.name}`,
    owner: simpleUser(api, r.owner, ownerId, 'Organization'), private: r.visibility !== 'public', visibility: r.visibility,
    description: r.description, fork: r.fork, ...repoUrls(api, r),
    git_url: `git://github.com/${r.owner}/${r.name}.git`, ssh_url: `git@github.com:${r.owner}/${r.name}.git`,
    clone_url: `${WEB}/${r.owner}/${r.name}.git`, svn_url: `${WEB}/${r.owner}/${r.name}`, mirror_url: null, homepage: null,
    language: 'Python', forks: 0, forks_count: 0, stargazers_count: 0, watchers_count: 0, watchers: 0, size: 100,
    default_branch: r.defaultBranch, open_issues: 0, open_issues_count: 0, is_template: false, topics: [],
    has_issues: true, has_projects: true, has_wiki: false, has_pages: false, has_downloads: true, has_discussions: false,
    archived: r.archived, disabled: false, license: null,
    pushed_at: r.createdAt, created_at: r.createdAt, updated_at: r.createdAt,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    allow_forking: true, web_commit_signoff_required: false,
  };
}

/** The `full-repository` schema (GET /repos/{owner}/{repo}). */
export function fullRepository(api: string, r: SimRepo, ownerId: number) {
  const scan = { status: r.secretScanning };
  return {
    ...repository(api, r, ownerId),
    network_count: 0, subscribers_count: 0,
    organization: simpleUser(api, r.owner, ownerId, 'Organization'),
    security_and_analysis: {
      advanced_security: { status: r.visibility === 'public' ? 'enabled' : 'disabled' },
      secret_scanning: scan,
      secret_scanning_push_protection: scan,
    },
  };
}

export function checkRun(api: string, r: SimRepo, c: SimCheckRun, app: ReturnType<typeof integration>) {
  return {
    id: c.id, node_id: `CR_${c.id}`, head_sha: c.head_sha, name: c.name, external_id: c.external_id,
    url: `${api}/repos/${r.owner}/${r.name}/check-runs/${c.id}`, html_url: `${WEB}/${r.owner}/${r.name}/runs/${c.id}`,
    details_url: c.details_url, status: c.status, conclusion: c.conclusion, started_at: c.started_at, completed_at: c.completed_at,
    output: { ...c.output, annotations_url: `${api}/repos/${r.owner}/${r.name}/check-runs/${c.id}/annotations` },
    check_suite: { id: c.id }, app, pull_requests: [],
  };
}

export function integration(api: string, inst: SimInstallation, ownerId: number) {
  return {
    id: inst.appId, slug: inst.appSlug, node_id: `A_${inst.appId}`, owner: simpleUser(api, inst.account, ownerId, 'Organization'),
    name: inst.appSlug, description: null, external_url: `https://example.com/${inst.appSlug}`,
    html_url: `${WEB}/apps/${inst.appSlug}`, created_at: EPOCH, updated_at: EPOCH,
    permissions: { checks: 'write', contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write' },
    events: ['push', 'pull_request'],
  };
}

export function label(api: string, r: SimRepo, l: SimLabel) {
  return {
    id: l.id, node_id: `LA_${l.id}`, url: `${api}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name, description: l.description, color: l.color, default: false,
  };
}

export function issue(api: string, r: SimRepo, i: SimIssue) {
  const u = `${api}/repos/${r.owner}/${r.name}/issues/${i.number}`;
  const labels = i.labels.map((name) => r.labels.find((l) => l.name === name)).filter((l): l is SimLabel => l !== undefined).map((l) => label(api, r, l));
  return {
    id: i.id, node_id: `I_${i.id}`, url: u, repository_url: `${api}/repos/${r.owner}/${r.name}`, labels_url: `${u}/labels{/name}`,
    comments_url: `${u}/comments`, events_url: `${u}/events`, html_url: `${WEB}/${r.owner}/${r.name}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    // state_reason is null on GitHub until an issue is closed; the spec's enum lacks null, so it is left out then.
    number: i.number, state: i.state, ...(i.state_reason ? { state_reason: i.state_reason } : {}), title: i.title, body: i.body,
    user: simpleUser(api, i.user, userId(i.user), i.user.endsWith('[bot]') ? 'Bot' : 'User'), labels, assignee: null, assignees: [],
    milestone: null, locked: false, active_lock_reason: null, comments: i.comments.length,
    ...(i.pull ? { pull_request: { url: `${api}/repos/${r.owner}/${r.name}/pulls/${i.number}`, html_url: `${WEB}/${r.owner}/${r.name}/pull/${i.number}`, diff_url: null, patch_url: null } } : {}),
    closed_at: i.closed_at, created_at: i.created_at, updated_at: i.updated_at, author_association: 'NONE',
  };
}

export function issueComment(api: string, r: SimRepo, i: SimIssue, c: SimIssue['comments'][number]) {
  return {
    id: c.id, node_id: `IC_${c.id}`, url: `${api}/repos/${r.owner}/${r.name}/issues/comments/${c.id}`,
    html_url: `${WEB}/${r.owner}/${r.name}/issues/${i.number}#issuecomment-${c.id}`, body: c.body,
    user: simpleUser(api, c.user, userId(c.user), c.user.endsWith('[bot]') ? 'Bot' : 'User'),
    created_at: c.created_at, updated_at: c.updated_at, issue_url: `${api}/repos/${r.owner}/${r.name}/issues/${i.number}`,
    author_association: 'NONE',
  };
}

export function pullRequest(api: string, r: SimRepo, i: SimIssue, ownerId: number, shaOf: (branch: string) => string | undefined) {
  const p = i.pull;
  if (!p) throw new Error('not a pull request');
  const base = issue(api, r, i);
  const u = `${api}/repos/${r.owner}/${r.name}/pulls/${i.number}`;
  const side = (ref: string) => ({
    label: `${r.owner}:${ref}`, ref, sha: shaOf(ref) ?? '0'.repeat(40),
    user: simpleUser(api, r.owner, ownerId, 'Organization'), repo: repository(api, r, ownerId),
  });
  return {
    url: u, id: i.id, node_id: `PR_${i.id}`, html_url: `${WEB}/${r.owner}/${r.name}/pull/${i.number}`,
    diff_url: `${WEB}/${r.owner}/${r.name}/pull/${i.number}.diff`, patch_url: `${WEB}/${r.owner}/${r.name}/pull/${i.number}.patch`,
    issue_url: base.url, commits_url: `${u}/commits`, review_comments_url: `${u}/comments`,
    review_comment_url: `${api}/repos/${r.owner}/${r.name}/pulls/comments{/number}`, comments_url: base.comments_url,
    statuses_url: `${api}/repos/${r.owner}/${r.name}/statuses/${shaOf(p.head) ?? ''}`,
    number: i.number, state: i.state, locked: false, title: i.title, user: base.user, body: i.body, labels: base.labels,
    milestone: null, active_lock_reason: null, created_at: i.created_at, updated_at: i.updated_at, closed_at: i.closed_at,
    merged_at: null, merge_commit_sha: null, assignee: null, assignees: [], requested_reviewers: [], requested_teams: [],
    head: side(p.head), base: side(p.base),
    _links: {
      self: { href: u }, html: { href: base.html_url }, issue: { href: base.url }, comments: { href: base.comments_url },
      review_comments: { href: `${u}/comments` }, review_comment: { href: `${api}/repos/${r.owner}/${r.name}/pulls/comments{/number}` },
      commits: { href: `${u}/commits` }, statuses: { href: `${api}/repos/${r.owner}/${r.name}/statuses/${shaOf(p.head) ?? ''}` },
    },
    author_association: 'NONE', auto_merge: null, draft: p.draft, merged: p.merged, mergeable: null, rebaseable: null,
    mergeable_state: 'unknown', merged_by: null, comments: i.comments.length, review_comments: 0,
    maintainer_can_modify: p.maintainer_can_modify, commits: 1, additions: 0, deletions: 0, changed_files: 0,
  };
}

export function environment(api: string, r: SimRepo, e: SimEnvironment) {
  const rules: Record<string, unknown>[] = [];
  if (e.reviewers.length > 0) {
    rules.push({
      id: e.id * 10 + 1, node_id: `GA_${e.id}1`, type: 'required_reviewers', prevent_self_review: e.preventSelfReview,
      reviewers: e.reviewers.map((rv) =>
        rv.type === 'User'
          ? { type: 'User', reviewer: simpleUser(api, rv.login, rv.id) }
          : { type: 'Team', reviewer: team(api, r.owner, rv.login, rv.id) },
      ),
    });
  }
  if (e.waitTimer > 0) rules.push({ id: e.id * 10 + 2, node_id: `GA_${e.id}2`, type: 'wait_timer', wait_timer: e.waitTimer });
  if (e.branchPolicy) rules.push({ id: e.id * 10 + 3, node_id: `GA_${e.id}3`, type: 'branch_policy' });
  return {
    id: e.id, node_id: `EN_${e.id}`, name: e.name, url: `${api}/repos/${r.owner}/${r.name}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${WEB}/${r.owner}/${r.name}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: EPOCH, updated_at: EPOCH, can_admins_bypass: true, protection_rules: rules,
    deployment_branch_policy: e.branchPolicy ? { protected_branches: e.branchPolicy.protectedBranches, custom_branch_policies: e.branchPolicy.customBranchPolicies } : null,
  };
}

export function team(api: string, org: string, slug: string, id: number) {
  return {
    id, node_id: `T_${id}`, name: slug, slug, description: null, privacy: 'closed', permission: 'pull',
    url: `${api}/teams/${id}`, html_url: `${WEB}/orgs/${org}/teams/${slug}`, members_url: `${api}/teams/${id}/members{/member}`,
    repositories_url: `${api}/teams/${id}/repos`, type: 'organization', parent: null,
  };
}

export function ruleset(api: string, r: SimRepo | undefined, org: string, s: SimRuleset) {
  const source = s.sourceType === 'Organization' || !r ? org : `${r.owner}/${r.name}`;
  return {
    id: s.id, name: s.name, target: s.target, source_type: s.sourceType, source, enforcement: s.enforcement,
    bypass_actors: s.bypassActors, conditions: { ref_name: { include: s.include, exclude: s.exclude } }, rules: s.rules,
    node_id: `RRS_${s.id}`, created_at: EPOCH, updated_at: EPOCH,
    _links: { self: { href: r ? `${api}/repos/${r.owner}/${r.name}/rulesets/${s.id}` : `${api}/orgs/${org}/rulesets/${s.id}` } },
  };
}

export function installation(api: string, inst: SimInstallation, ownerId: number) {
  return {
    id: inst.id, app_id: inst.appId, app_slug: inst.appSlug, target_id: ownerId, target_type: 'Organization',
    account: simpleUser(api, inst.account, ownerId, 'Organization'), repository_selection: 'selected',
    access_tokens_url: `${api}/app/installations/${inst.id}/access_tokens`, repositories_url: `${api}/installation/repositories`,
    html_url: `${WEB}/organizations/${inst.account}/settings/installations/${inst.id}`, single_file_name: null,
    events: ['push', 'pull_request', 'check_run', 'repository_ruleset'],
    permissions: { checks: 'write', contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', administration: 'read', actions: 'read', secrets: 'read' },
    created_at: EPOCH, updated_at: EPOCH, suspended_by: null, suspended_at: null,
  };
}
