/**
 * Writes a deployment gate decision to GitHub:
 * 1. the answer: `POST /repos/{o}/{r}/actions/runs/{run_id}/deployment_protection_rule`
 *    `{ environment_name, state, comment }` (Deployments: write; GitHub answers 204);
 * 2. the record: a completed check run "Pipeline Guard deployment gate" on the deployed SHA, with
 *    `external_id` `deployment-gate:{deployment id}:{environment}`, its conclusion (success =
 *    approved, failure = rejected) and the comment as summary. The weekly issue reads decisions back
 *    from these check runs: the state lives in GitHub, not in the app.
 */
import type { Decision } from '../gate/decide.js';
import { gateCheckRunOutput, GATE_CHECK_RUN_NAME, gateExternalId, type GateRecord } from '../gate/comment.js';
import type { RequestOctokit } from './check-run.js';

export async function postGateDecision(octokit: RequestOctokit, t: { owner: string; repo: string; runId: number }, environment: string, decision: Decision, comment: string): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule', {
    owner: t.owner,
    repo: t.repo,
    run_id: t.runId,
    environment_name: environment,
    state: decision.state,
    comment,
  });
}

export async function recordGateDecision(
  octokit: RequestOctokit,
  t: { owner: string; repo: string; sha: string },
  record: GateRecord,
  decision: Decision,
  comment: string,
  now: string,
): Promise<void> {
  const out = gateCheckRunOutput(decision, record, comment);
  await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: t.owner,
    repo: t.repo,
    name: GATE_CHECK_RUN_NAME,
    head_sha: t.sha,
    external_id: gateExternalId(record),
    status: 'completed',
    conclusion: out.conclusion,
    started_at: now,
    completed_at: now,
    output: { title: out.title, summary: out.summary },
  });
}
