/**
 * The deployment gate records every decision on a gated environment in the week's posture issue
 * (issue #6), in `sweep.issue_repo` of the organisation policy (default `.github`); approvals of
 * environments the policy does not gate are not recorded; a failure to record never changes the
 * decision. Probot end to end: requests checked against GitHub's description (makeProbot), replies validated.
 */
import nock from 'nock';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { API, makeProbot, OWNER, REPO, webhook, type Harness } from '../app/helpers.js';
import { replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { specExample } from '../helpers/github-contract.js';
import { GATE_CHECK_RUN_NAME } from '../../src/gate/comment.js';
import { parseDecisionComment, parseIssueMarker } from '../../src/collect/weekly-issue.js';
import { attestation, attestationsReply, collector, environment, issueReply, pendingReply, settings } from './helpers.js';

const R = `/repos/${OWNER}/${REPO}`;
const RUN = 7001;
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REPO_POLICY = `${R}/contents/.github%2Fpipeline-guard.yml`;
const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const FIXTURE = 'deployment_protection_rule.requested.json';
const GATES_PRODUCTION = 'gate:\n  environments: [production]\n';
const GATES_STAGING = 'gate:\n  environments: [staging]\n';

let h: Harness;
let reviews: { state: string; comment: string }[];
useSimulatedGitHub(() => h.violations);
beforeEach(async () => {
  reviews = [];
  h = await makeProbot({ collect: collector({}, settings({ status: 'ok', value: [environment('production')] })) });
});

/**
 * Up to the answer and its check run. When the repository policy gates production, the facts are
 * read and the workflow run answers 500: the rules that need it fail, so the gate rejects.
 */
function decided(scope: nock.Scope, o: { repoPolicy: string; orgPolicy: string }): void {
  scope
    .get(`${R}/actions/runs/${RUN}/pending_deployments`)
    .reply(200, pendingReply('production') as nock.Body)
    .get(REPO_POLICY)
    .reply(200, o.repoPolicy, RAW)
    .get(ORG_POLICY)
    .reply(200, o.orgPolicy, RAW);
  if (o.repoPolicy === GATES_PRODUCTION) {
    scope
      .get(`${R}/actions/runs/${RUN}`)
      .query(true)
      .reply(500, { message: 'Server Error' })
      .get(`${R}/attestations/${encodeURIComponent(DIGEST)}`)
      .query(true)
      .reply(200, attestationsReply([attestation({ digest: DIGEST, provenanceWorkflow: `${OWNER}/${REPO}/.github/workflows/release.yml` })]) as nock.Body);
  }
  scope
    .post(`${R}/actions/runs/${RUN}/deployment_protection_rule`)
    .reply(204, (_u, body) => {
      reviews.push(body as { state: string; comment: string });
      return '';
    })
    .post(`${R}/check-runs`)
    .reply(201, { id: 77, name: GATE_CHECK_RUN_NAME });
}

interface Recorded {
  created?: { title: string; body: string; labels: string[] };
  comment?: { body: string };
}

/** The week has no issue yet in `issueRepo`: it is created (label present), then the decision commented. */
function recording(scope: nock.Scope, issueRepo: string): Recorded {
  const at = `/repos/${OWNER}/${issueRepo}`;
  const out: Recorded = {};
  scope
    .get(`${at}/issues`)
    .query({ labels: 'pipeline-guard', state: 'open', sort: 'created', direction: 'desc', per_page: '100', page: '1' })
    .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/issues', 200, []) as nock.Body)
    .get(`${at}/labels/pipeline-guard`)
    .reply(200, replyChecked('GET', '/repos/{owner}/{repo}/labels/{name}', 200, { ...specExample('label'), name: 'pipeline-guard' }) as nock.Body)
    .post(`${at}/issues`)
    .reply(201, (_u, body) => {
      out.created = body as Recorded['created'];
      return replyChecked('POST', '/repos/{owner}/{repo}/issues', 201, issueReply(issueRepo, 12, out.created?.body ?? '')) as nock.Body;
    })
    .post(`${at}/issues/12/comments`)
    .reply(201, (_u, body) => {
      out.comment = body as Recorded['comment'];
      return replyChecked('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 201, { ...specExample('issue-comment'), id: 5, body: out.comment?.body }) as nock.Body;
    });
  return out;
}

const RECORD_SEQUENCE = [
  'POST /repos/{owner}/{repo}/check-runs',
  'GET /repos/{owner}/{repo}/issues',
  'GET /repos/{owner}/{repo}/labels/{name}',
  'POST /repos/{owner}/{repo}/issues',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
];

describe('deployment gate: the decision in the weekly posture issue', () => {
  test('a gated decision is appended to the week\'s issue in sweep.issue_repo (created when missing)', async () => {
    const scope = nock(API);
    decided(scope, { repoPolicy: GATES_PRODUCTION, orgPolicy: 'sweep:\n  issue_repo: posture\n' });
    const rec = recording(scope, 'posture');
    await h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE));
    expect(reviews.map((r) => r.state)).toEqual(['rejected']);
    // makeProbot's clock: 2026-11-27, ISO week 48.
    expect(rec.created?.labels).toEqual(['pipeline-guard']);
    expect(parseIssueMarker(rec.created?.body)).toEqual({ week: '2026-W48' });
    const d = parseDecisionComment(rec.comment?.body);
    expect(d).toMatchObject({
      repo: REPO,
      environment: 'production',
      decision: 'rejected',
      sha: SHA,
      runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN}`,
      at: '2026-11-27T12:00:00.000Z',
    });
    // The reason names the failed rules (the workflow run could not be read), not an "all passed".
    expect(d?.reason).toMatch(/^No open finding in the deploying workflow: could not check: workflow run 7001: GitHub answered 500/);
    expect(d?.reason).toContain('; Workflow is the default branch version: could not check: workflow run 7001');
    expect(rec.comment?.body).toMatch(/^❌ Rejected: deployment of trainer to production at commit a1b2c3d4e5f6/);
    expect(h.sent.map((s) => `${s.method} ${s.route}`).slice(-5)).toEqual(RECORD_SEQUENCE);
  });

  test('without sweep.issue_repo the gated decision goes to the organisation\'s .github repository', async () => {
    const scope = nock(API);
    decided(scope, { repoPolicy: GATES_PRODUCTION, orgPolicy: 'sweep:\n  forks: true\n' });
    const rec = recording(scope, '.github');
    await h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE));
    expect(reviews.map((r) => r.state)).toEqual(['rejected']);
    expect(parseDecisionComment(rec.comment?.body)).toMatchObject({ environment: 'production', decision: 'rejected' });
    expect(h.sent.slice(-4).map((s) => s.url.split('?')[0])).toEqual([
      `${API}/repos/${OWNER}/.github/issues`,
      `${API}/repos/${OWNER}/.github/labels/pipeline-guard`,
      `${API}/repos/${OWNER}/.github/issues`,
      `${API}/repos/${OWNER}/.github/issues/12/comments`,
    ]);
  });

  test('a rejection because the repository policy is unusable is recorded where the organisation policy says', async () => {
    const scope = nock(API);
    decided(scope, { repoPolicy: 'gate:\n  enviroments: [production]\n', orgPolicy: 'sweep:\n  issue_repo: posture\n' });
    const rec = recording(scope, 'posture');
    await h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE));
    expect(reviews.map((r) => r.state)).toEqual(['rejected']);
    const d = parseDecisionComment(rec.comment?.body);
    expect(d).toMatchObject({ environment: 'production', decision: 'rejected' });
    expect(d?.reason).toMatch(/^the Pipeline Guard policy could not be used .*gate\.enviroments.*; rejected \(fail closed\)$/);
  });

  test('an environment the policy does not gate is approved and nothing is written to an issue', async () => {
    const scope = nock(API);
    decided(scope, { repoPolicy: GATES_STAGING, orgPolicy: 'sweep:\n  issue_repo: posture\n' });
    await h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE));
    expect(reviews.map((r) => r.state)).toEqual(['approved']);
    expect(reviews[0].comment).toContain('not gated by Pipeline Guard');
    expect(h.sent.at(-1)?.route).toBe('/repos/{owner}/{repo}/check-runs');
    expect(h.sent.some((s) => s.route.includes('/issues') || s.route.includes('/labels'))).toBe(false);
  });

  test('a failure to record (issue repository missing) is logged; the decision stands and the handler succeeds', async () => {
    const scope = nock(API);
    decided(scope, { repoPolicy: GATES_PRODUCTION, orgPolicy: 'sweep:\n  issue_repo: posture\n' });
    scope
      .get(`/repos/${OWNER}/posture/issues`)
      .query(true)
      .reply(404, replyChecked('GET', '/repos/{owner}/{repo}/issues', 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }) as nock.Body);
    const errors = vi.spyOn(h.probot.log, 'error');
    await expect(h.probot.receive(webhook('deployment_protection_rule.requested', FIXTURE))).resolves.toBeUndefined();
    expect(reviews.map((r) => r.state)).toEqual(['rejected']);
    expect(h.sent.at(-1)?.route).toBe('/repos/{owner}/{repo}/issues');
    const logged = errors.mock.calls.filter((c) => String(c[1]).includes('weekly posture issue'));
    expect(logged).toHaveLength(1);
    expect(logged[0][0]).toMatchObject({ owner: OWNER, repo: REPO, issueRepo: 'posture' });
    expect(String((logged[0][0] as unknown as { reason: unknown }).reason)).toMatch(/posture does not exist/);
  });
});
