/**
 * `deployment_protection_rule.requested`: Pipeline Guard as a custom deployment protection rule.
 *
 * 1. Payload: the callback URL must name a run of this repository, and `environment` must be set;
 *    otherwise the event is logged and NO API call is made (we cannot know where to answer). A
 *    payload without `deployment` (id, sha) but with a usable callback is rejected with that reason.
 * 2. Redelivery: one decision per deployment id + environment. An in-process LRU remembers what this
 *    process decided (or is deciding); across restarts, `GET …/runs/{id}/pending_deployments` tells
 *    whether the environment still waits: if not, nothing is posted.
 * 3. Policy (`gate:`): an invalid policy rejects (fail closed); an environment not listed in
 *    `gate.environments` is approved with a comment saying it is not gated (the organisation chose).
 * 4. Facts (collect/deployment) and the decision (gate/decide) run under a deadline (default 25 s,
 *    `deps.gate.deadlineMs`); on timeout or GitHub errors: rejected, or approved when `fail_open`.
 * 5. Answer (publish/deployment), then record the decision as a check run on the deployed SHA.
 * 6. Every decision on a gated environment (reached by the rules, by fail closed/open on a timeout or
 *    error, or a rejection because the policy is unusable) is also appended as a comment to the week's
 *    posture issue in `sweep.issue_repo` (default `.github`; publish/weekly-issue), which the next
 *    weekly issue lists. Approvals of environments the policy does not gate are not recorded (every
 *    staging deployment would flood the issue). A failure to record is logged; the decision already
 *    posted never changes.
 */
import type { Context, Probot } from 'probot';
import type { Check } from '../checks/types.js';
import { loadPolicy } from '../collect/policy.js';
import { collectGateFacts, isStillPending, parseCallbackUrl } from '../collect/deployment.js';
import { digestsFromPayload } from '../gate/digests.js';
import { decide, decideWithoutFacts, notGated, policyUnusable, type Decision } from '../gate/decide.js';
import { gateComment } from '../gate/comment.js';
import { DEFAULT_GATE_POLICY, DEFAULT_SWEEP_POLICY, gatePolicy, sweepPolicy, type GatePolicy, type Policy } from '../policy/config.js';
import { postGateDecision, recordGateDecision } from '../publish/deployment.js';
import { recordGateDecision as recordInWeeklyIssue } from '../publish/weekly-issue.js';
import { isoWeek } from '../report/weekly.js';
import { describeError } from '../publish/check-run.js';
import type { CollectFn, Octokit } from './index.js';

const DEFAULT_GATE_DEADLINE_MS = 25_000;

export interface GateDeps {
  /** Time for one decision, from the event's arrival (GitHub's own limit is generous; webhooks are not). */
  deadlineMs?: number;
  /** How many decided deployments this process remembers. */
  memory?: number;
}

/** A small LRU of keys. */
export class DecidedSet {
  private readonly keys = new Map<string, true>();
  constructor(private readonly max = 1000) {}
  has(k: string): boolean {
    return this.keys.has(k);
  }
  add(k: string): void {
    this.keys.delete(k);
    this.keys.set(k, true);
    while (this.keys.size > this.max) this.keys.delete(this.keys.keys().next().value as string);
  }
  delete(k: string): void {
    this.keys.delete(k);
  }
}

class Timeout extends Error {}

interface HandlerDeps {
  collect: CollectFn;
  checks: readonly Check[];
  now: () => Date;
  octokitOf: (context: Context) => Octokit;
  gate?: GateDeps;
}

interface Payload {
  environment?: unknown;
  deployment_callback_url?: unknown;
  deployment?: { id?: unknown; sha?: unknown; payload?: unknown } | null;
  repository: { name: string; owner: { login: string }; default_branch?: string; html_url?: string };
}

/** One line for the weekly issue: the note, else the failed (or warned) rules, else that all passed. */
function decisionReason(d: Decision): string {
  if (d.note) return d.note;
  const failed = d.rules.filter((r) => r.status === 'fail');
  const shown = failed.length > 0 ? failed : d.rules.filter((r) => r.status === 'warn');
  if (shown.length > 0) return shown.map((r) => `${r.title}: ${r.reason}`).join('; ');
  return d.state === 'approved' ? 'every rule passed' : 'rejected';
}

export function registerGate(app: Probot, deps: HandlerDeps): void {
  const decided = new DecidedSet(deps.gate?.memory ?? 1000);
  const deadlineMs = deps.gate?.deadlineMs ?? DEFAULT_GATE_DEADLINE_MS;

  app.on('deployment_protection_rule.requested', async (context) => {
    // Read as untrusted shapes (every field checked below): a malformed payload must not throw.
    const p = context.payload as unknown as Payload;
    const log = context.log;
    const owner = p.repository.owner.login;
    const repo = p.repository.name;
    const target = parseCallbackUrl(p.deployment_callback_url);
    const environment = typeof p.environment === 'string' && p.environment.trim() !== '' ? p.environment : undefined;
    if (!target || !environment || target.owner.toLowerCase() !== owner.toLowerCase() || target.repo.toLowerCase() !== repo.toLowerCase()) {
      log.warn({ owner, repo, environment, callback: typeof p.deployment_callback_url === 'string' }, 'deployment gate: unusable payload (no callback URL for this repository, or no environment); nothing answered');
      return;
    }
    const deploymentId = typeof p.deployment?.id === 'number' ? p.deployment.id : undefined;
    const sha = typeof p.deployment?.sha === 'string' && /^[0-9a-f]{40}$/i.test(p.deployment.sha) ? p.deployment.sha : undefined;
    const key = `${owner}/${repo}`.toLowerCase() + `#${deploymentId ?? `run-${target.runId}`}@${environment.toLowerCase()}`;
    if (decided.has(key)) {
      log.info({ owner, repo, environment, deploymentId }, 'deployment gate: already decided (redelivery); nothing posted');
      return;
    }
    decided.add(key);
    const octokit = deps.octokitOf(context);

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout()), deadlineMs);
    });
    deadline.catch(() => undefined); // observed below; never an unhandled rejection
    const race = <T>(x: Promise<T>): Promise<T> => Promise.race([x, deadline]);

    let gate: GatePolicy | undefined;
    /** The policy read (the fallback one when unusable): where the weekly issue lives. */
    let policy: Policy | undefined;
    /** Set only when the policy does not list the environment: such an approval is not recorded. */
    let gated = true;
    let decision: Decision;
    try {
      const pending = await race(isStillPending(octokit, target, environment));
      if (pending === false) {
        log.info({ owner, repo, environment, runId: target.runId }, 'deployment gate: the environment no longer waits on this run; nothing posted');
        return;
      }
      decision = await race(
        (async (): Promise<Decision> => {
          const loaded = await loadPolicy(octokit, { owner, repo }).catch((err: unknown) => ({ error: new Error(describeError(err)), policy: undefined }));
          // `sweep` is read from the organisation policy only, which loadPolicy still returns when the
          // repository file is invalid: the unusable-policy rejection is recorded where the org chose.
          policy = loaded.policy;
          if (loaded.error || !loaded.policy) return policyUnusable(loaded.error?.message ?? 'unreadable');
          gate = gatePolicy(loaded.policy);
          if (!gate.environments.some((e) => e.toLowerCase() === environment.toLowerCase())) {
            gated = false;
            return notGated(environment);
          }
          if (deploymentId === undefined || !sha) return decideWithoutFacts(gate, 'the event names no deployment (id and commit SHA)');
          const facts = await collectGateFacts(octokit, {
            target,
            environment,
            deployedSha: sha,
            defaultBranch: p.repository.default_branch ?? 'main',
            digests: digestsFromPayload(p.deployment?.payload),
            policy: loaded.policy,
            checks: deps.checks,
            collect: deps.collect,
          });
          return decide(facts);
        })(),
      );
    } catch (err) {
      const reason = err instanceof Timeout ? `no decision within ${deadlineMs / 1000} s` : `the gate failed: ${describeError(err)}`;
      // Not gated is known before any slow call; should the deadline still win that race, the answer stays "not gated".
      if (!gated) decision = notGated(environment);
      // Before the policy is read nothing says fail_open: the defaults fail closed.
      else decision = decideWithoutFacts(gate ?? DEFAULT_GATE_POLICY, reason);
    } finally {
      clearTimeout(timer);
    }

    const comment = gateComment(decision, environment, sha ?? '');
    try {
      await postGateDecision(octokit, target, environment, decision, comment);
    } catch (err) {
      decided.delete(key); // a redelivery may try again
      log.error({ owner, repo, environment, runId: target.runId, reason: describeError(err) }, 'deployment gate: could not post the decision');
      throw err;
    }
    log.info({ owner, repo, environment, runId: target.runId, deploymentId, state: decision.state }, 'deployment gate: decided');
    if (sha) {
      try {
        await recordGateDecision(octokit, { owner, repo, sha }, { environment, deploymentId: deploymentId ?? 0, runId: target.runId }, decision, comment, deps.now().toISOString());
      } catch (err) {
        log.error({ owner, repo, sha, reason: describeError(err) }, 'deployment gate: decision posted, but its record check run failed');
      }
    }
    // Every gated decision is listed in the next weekly issue (issue #6); not-gated approvals are not.
    if (gated) {
      const issueRepo = policy ? sweepPolicy(policy).issueRepo : DEFAULT_SWEEP_POLICY.issueRepo;
      const now = deps.now();
      const base = typeof p.repository.html_url === 'string' && /^https:\/\/[^\s()<>]+$/.test(p.repository.html_url) ? p.repository.html_url : undefined;
      try {
        await recordInWeeklyIssue(octokit, {
          org: owner,
          issueRepo,
          week: isoWeek(now),
          decision: { repo, environment, decision: decision.state, reason: decisionReason(decision), sha: sha ?? '', at: now.toISOString(), ...(base ? { runUrl: `${base}/actions/runs/${target.runId}` } : {}) },
        });
      } catch (err) {
        log.error({ owner, repo, issueRepo, reason: describeError(err) }, 'deployment gate: decision posted, but recording it in the weekly posture issue failed');
      }
    }
  });
}
