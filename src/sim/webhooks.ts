/**
 * Webhook payloads built from the simulator's state, in the shapes of GitHub's webhook schema
 * (@octokit/openapi-webhooks; test/sim validates them), and their delivery: signed with the webhook
 * secret and POSTed to a URL, or returned for `probot.receive()`.
 */
import { sign } from '@octokit/webhooks-methods';
import * as shape from './shapes.js';
import type { GitHubSimulator } from './server.js';
import type { SimInstallation, SimIssue, SimRepo, SimRuleset } from './state.js';

export interface WebhookEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

const API = 'https://api.github.com';
let deliveries = 0;

/** The `repository` of a webhook payload (REST repository shape plus what webhooks add). */
function repoPayload(sim: GitHubSimulator, r: SimRepo, timestamps: 'iso' | 'unix' = 'iso') {
  const base = shape.repository(sim.url || API, r, sim.org(r.owner)?.id ?? shape.userId(r.owner));
  const secs = Math.floor(new Date(r.createdAt).getTime() / 1000);
  return {
    ...base,
    ...(timestamps === 'unix' ? { created_at: secs, pushed_at: secs } : {}),
    owner: { ...base.owner, name: r.owner, email: null },
    stargazers: 0, master_branch: r.defaultBranch, custom_properties: {},
    allow_squash_merge: true, allow_merge_commit: true, allow_rebase_merge: true, allow_auto_merge: false, delete_branch_on_merge: false,
  };
}

function installationRef(inst: SimInstallation | undefined) {
  return { id: inst?.id ?? 1, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${inst?.id ?? 1}` };
}

function sender(sim: GitHubSimulator, login: string) {
  return shape.simpleUser(sim.url || API, login, shape.userId(login));
}

function installationOf(sim: GitHubSimulator, owner: string): SimInstallation | undefined {
  return [...sim.installations.values()].find((i) => i.account === owner);
}

export function pushEvent(sim: GitHubSimulator, r: SimRepo, opts: { ref?: string; before: string; after: string; pusher?: string }): WebhookEvent {
  const ref = opts.ref ?? `refs/heads/${r.defaultBranch}`;
  const git = sim.content(r)?.git;
  const c = git?.get(opts.after);
  const headCommit = c?.type === 'commit'
    ? {
        id: opts.after, tree_id: c.tree, distinct: true, message: c.message, timestamp: c.committer.date,
        url: `${shape.WEB}/${r.owner}/${r.name}/commit/${opts.after}`,
        author: { name: c.author.name, email: c.author.email }, committer: { name: c.committer.name, email: c.committer.email },
        added: [], removed: [], modified: [],
      }
    : null;
  const zero = /^0{40}$/;
  const pusher = opts.pusher ?? 'octo-admin';
  return {
    id: `sim-${++deliveries}`, name: 'push',
    payload: {
      ref, before: opts.before, after: opts.after, created: zero.test(opts.before), deleted: zero.test(opts.after), forced: false, base_ref: null,
      compare: `${shape.WEB}/${r.owner}/${r.name}/compare/${opts.before.slice(0, 12)}...${opts.after.slice(0, 12)}`,
      commits: headCommit ? [headCommit] : [], head_commit: headCommit,
      repository: repoPayload(sim, r, 'unix'), pusher: { name: pusher, email: `${pusher}@example.com` },
      sender: sender(sim, pusher), installation: installationRef(installationOf(sim, r.owner)),
    },
  };
}

export function installationCreatedEvent(sim: GitHubSimulator, inst: SimInstallation): WebhookEvent {
  const ownerId = sim.org(inst.account)?.id ?? shape.userId(inst.account);
  return {
    id: `sim-${++deliveries}`, name: 'installation',
    payload: {
      action: 'created', installation: shape.installation(sim.url || API, inst, ownerId),
      repositories: inst.repositories.map((full) => {
        const [o, n] = full.split('/');
        const r = sim.repo(o, n);
        return { id: r?.id ?? 0, node_id: r?.nodeId ?? '', name: n, full_name: full, private: r ? r.visibility !== 'public' : false };
      }),
      sender: sender(sim, 'octo-admin'),
    },
  };
}

export function issueCommentCreatedEvent(sim: GitHubSimulator, r: SimRepo, issue: SimIssue, comment: SimIssue['comments'][number]): WebhookEvent {
  const api = sim.url || API;
  const i = shape.issue(api, r, issue);
  const c = shape.issueComment(api, r, issue, comment);
  return {
    id: `sim-${++deliveries}`, name: 'issue_comment',
    payload: {
      action: 'created',
      issue: { ...i, state_reason: issue.state_reason, reactions: reactions(i.url), timeline_url: `${i.url}/timeline`, performed_via_github_app: null },
      comment: { ...c, reactions: reactions(c.url), performed_via_github_app: null },
      repository: repoPayload(sim, r), sender: c.user, installation: installationRef(installationOf(sim, r.owner)),
    },
  };
}

function reactions(url: string) {
  return { url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
}

export function rulesetEditedEvent(sim: GitHubSimulator, r: SimRepo, ruleset: SimRuleset, changes: Record<string, unknown> = {}): WebhookEvent {
  return {
    id: `sim-${++deliveries}`, name: 'repository_ruleset',
    payload: {
      action: 'edited', repository_ruleset: shape.ruleset(sim.url || API, r, r.owner, ruleset), changes,
      repository: repoPayload(sim, r), sender: sender(sim, 'octo-admin'), installation: installationRef(installationOf(sim, r.owner)),
    },
  };
}

/**
 * Delivers an event: POSTed to `url` with GitHub's headers and an `x-hub-signature-256` made with
 * `secret` (answers the HTTP status), or, without a URL, returned for `probot.receive(event)`.
 */
export async function deliver(event: WebhookEvent, target: { url?: string; secret: string }): Promise<{ event: WebhookEvent; status?: number }> {
  if (!target.url) return { event };
  const body = JSON.stringify(event.payload);
  const res = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'x-github-event': event.name, 'x-github-delivery': event.id,
      'x-hub-signature-256': await sign(target.secret, body), 'user-agent': 'GitHub-Hookshot/sim',
    },
    body,
  });
  await res.arrayBuffer();
  return { event, status: res.status };
}
