/**
 * The deployment gate records every decision in the week's posture issue when the organisation
 * policy sets `sweep.issue_repo` (issue #6); a failure to record never changes the decision.
 * Probot end to end: requests checked against GitHub's description (makeProbot), replies validated.
 */
import nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { API, makeProbot, OWNER, REPO, webhook, type Harness } from '../app/helpers.js';
import { replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { specExample } from '../helpers/github-contract.js';
import { GATE_CHECK_RUN_NAME } from '../../src/gate/comment.js';
import { parseDecisionComment, parseIssueMarker } from '../../src/collect/weekly-issue.js';
import { collector, environment, pendingReply, settings } from './helpers.js';

const R = `/repos/${OWNER}/${REPO}`;
const ISSUES = `/repos/${OWNER}/posture`;
const RUN = 7001;
const REPO_POLICY = `${R}/contents/.github%2Fpipeline-guard.yml`;
const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const FIXTURE = 'deployment_protection_rule.requested.json';

let h: Harness;
let reviews: { state: string; comment: string }[];
useSimulatedGitHub(() => h.violations);
beforeEach(async () => {
  reviews = [];
  h = await makeProbot({ collect: collector({}, settings({ status: 'ok', value: [environment('production')] })) });
});

/** Up to the answer and its check run: production is not gated by this policy, so no facts are read. */
function decided(scope: nock.Scope, orgPolicy: string): void {
  scope
    .get(`${R}/actions/runs/${RUN}/pending_deployments`)
    .reply(200, pendingReply('production') as nock.Body)
    .get(REPO_POLICY)
    .reply(200, 'gate:\n  environments: [staging]\n', RAW)
    .get(ORG_POLICY)
    .reply(200, orgPolicy, RAW)
    .post(`${R}/actions/runs/${RUN}/deployment_protection_rule`)
    .reply(204, (_u, body) => {
      reviews.push(body as { state: string; comment: string });
      return '';
    })
    .post(`${R}/check-runs`)
    .reply(201, { id: 77, name: GATE_CHECK_RUN_NAME });
}

function issueReply(number: number, body: string): Record<string, unknown> {
  const { state_reason: _r, ...issue } = specExample('issue');
  return { ...issue, number, body, html_url: `https://github.com/${OWNER}/posture/issues/${number}`, labels: [{ ...specExample('label'), name: 'pipeline-guard' }], user: { ...(issue.user as object), login: 'pipeline-guard[bot]', type: 'Bot' } };
}

describe('deployment gate: the decision in the weekly posture issue', () => {
  test('sweep.issue_repo set: the decision is appended to the week\'s issue (created when missing)', async () => {
    const scope = nock(API);
    decided(scope, 'sweep:\n  issue_repo: posture\n');
    let created: { title: string; body: string; labels: string[] } | undefined;
    let comment: { body: string } | undefined;
    scope
      .get(`${ISSUES}/issues`)
      .query({ labels: 'pipeline-guard', state: 'open', sort: 'created', direction: 'desc', per_page: '100', page: '1' })
      .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/issues', 200, []) as nock.Body)
      .get(`${ISSUES}/labels/pipeline-guard`)
      .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/labels/{name}', 200, { ...specExample('label'), name: 'pipeline-guard' }) as nock.Body)
      .post(`${ISSUES}/issues`)
      .reply(201, (_u, body) => {
        created = body as typeof created;
        return replyChecked('POST', '/repos/{owner}/{repo}/issues', 201, issueReply(12, created?.body ?? '')) as nock.Body;
      })
      .post(`${ISSUES}/issues/12/comments`)
      .reply(201, (_u, body) => {
        comment = body as typeof comment;
        return replyChecked('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 201, { ...specExample('issue-comment'), id: 5, body: comment?.body }) as nock.Body;
      });
    await h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE));
    expect(reviews.map((r) => r.state)).toEqual(['approved']);
    // makeProbot's clock: 2026-11-27, ISO week 48.
    expect(created?.labels).toEqual(['pipeline-guard']);
    expect(parseIssueMarker(created?.body)).toEqual({ week: '2026-W48' });
    expect(parseDecisionComment(comment?.body)).toEqual({
      repo: REPO,
      environment: 'production',
      decision: 'approved',
      reason: "environment production is not listed in the policy's gate.environments: not gated by Pipeline Guard",
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN}`,
      at: '2026-11-27T12:00:00.000Z',
    });
    expect(h.sent.map((s) => `${s.method} ${s.route}`).slice(-5)).toEqual([
      'POST /repos/{owner}/{repo}/check-runs',
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/labels/{name}',
      'POST /repos/{owner}/{repo}/issues',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]);
  });

  test('a failure to record (issue repository missing) is logged; the decision stands and the handler succeeds', async () => {
    const scope = nock(API);
    decided(scope, 'sweep:\n  issue_repo: posture\n');
    scope
      .get(`${ISSUES}/issues`)
      .query(true)
      .reply(404, replyChecked('GET', '/repos/{owner}/{repo}/issues', 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }) as nock.Body);
    await expect(h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE))).resolves.toBeUndefined();
    expect(reviews.map((r) => r.state)).toEqual(['approved']);
    expect(h.sent.at(-1)?.route).toBe('/repos/{owner}/{repo}/issues');
  });

  test('without sweep.issue_repo in the organisation policy nothing is written to an issue', async () => {
    const scope = nock(API);
    decided(scope, 'sweep:\n  forks: true\n');
    await h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE));
    expect(h.sent.some((s) => s.route.includes('/issues'))).toBe(false);
  });
});
