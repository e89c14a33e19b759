/**
 * The deployment gate end to end through Probot: a `deployment_protection_rule.requested` webhook
 * (fixture validated against GitHub's webhook schema), every request checked against the REST
 * description (makeProbot), every nock reply validated against the response schema (replyChecked),
 * the real engine and checks on the deployed workflow.
 */
import nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { API, HEAD, makeProbot, OWNER, REPO, webhook, type Harness } from '../app/helpers.js';
import { replyChecked, useSimulatedGitHub } from '../helpers/github-repo.js';
import { specExample } from '../helpers/github-contract.js';
import { parseDecisionComment } from '../../src/collect/weekly-issue.js';
import type { AppDeps } from '../../src/app/index.js';
import type { RepoSettings } from '../../src/model/settings.js';
import { GATE_CHECK_RUN_NAME } from '../../src/gate/comment.js';
import { artifactsReply, attestation, attestationsReply, collector, contentReply, environment, issueReply, pendingReply, runReply, settings } from './helpers.js';
import { CLEAN_RELEASE, INJECTED_ACTION, PUSH_MODEL_ACTION, RELEASE } from './workflows.js';

const R = `/repos/${OWNER}/${REPO}`;
const RUN = 7001;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SIGNER = `${OWNER}/${REPO}/${RELEASE}`;
const ACTION = '.github/actions/push-model/action.yml';
const REPO_POLICY = `${R}/contents/.github%2Fpipeline-guard.yml`;
const ORG_POLICY = `/repos/${OWNER}/.github/contents/.github%2Fpipeline-guard.yml`;
const RAW = { 'content-type': 'text/plain; charset=utf-8' };
const FIXTURE = 'deployment_protection_rule.requested.json';

const POLICY = `gate:
  environments: [production]
  signer_workflows: [${SIGNER}]
  require_protected_environment: true
`;

interface Review {
  environment_name: string;
  state: 'approved' | 'rejected';
  comment: string;
}
interface CheckRunBody {
  name: string;
  head_sha: string;
  external_id: string;
  status: string;
  conclusion: string;
  output: { title: string; summary: string };
}

let h: Harness;
let reviews: Review[];
let records: CheckRunBody[];
/** Bodies of the decision comments on the weekly posture issue. */
let issueComments: string[];

useSimulatedGitHub(() => h.violations);
beforeEach(() => {
  reviews = [];
  records = [];
  issueComments = [];
});

interface Setup {
  files?: Record<string, string>;
  environments?: RepoSettings['environments'];
  deps?: Partial<AppDeps>;
}

async function setup(o: Setup = {}): Promise<void> {
  const files = o.files ?? { [RELEASE]: CLEAN_RELEASE, [ACTION]: PUSH_MODEL_ACTION };
  h = await makeProbot({ collect: collector(files, settings(o.environments ?? { status: 'ok', value: [environment('production')] })), ...o.deps });
}

/** The requests that open every decision: still pending? and the policy. */
function opening(scope: nock.Scope, policy = POLICY): void {
  scope
    .get(`${R}/actions/runs/${RUN}/pending_deployments`)
    .reply(200, pendingReply('production') as nock.Body)
    .get(REPO_POLICY)
    .reply(200, policy, RAW)
    .get(ORG_POLICY)
    .reply(404, { message: 'Not Found' });
}

interface Facts {
  run?: Record<string, unknown>;
  /** The workflow text on the default branch (undefined: same as at the run's head). */
  defaultWorkflow?: string | null;
  attestations?: unknown[] | 'none';
  /** The run's artifacts, read when the payload names no digest (`attestations: 'none'`). */
  artifacts?: { name: string; digest: string | null; expired?: boolean }[] | 'error';
}

function facts(scope: nock.Scope, f: Facts = {}): void {
  scope
    .get(`${R}/actions/runs/${RUN}`)
    .query({ exclude_pull_requests: 'true' })
    .reply(200, runReply({ id: RUN, path: RELEASE, head_sha: HEAD, head_branch: 'main', event: 'workflow_dispatch', ...f.run }) as nock.Body);
  const headSha = String(f.run?.head_sha ?? HEAD);
  scope.get(`${R}/contents/.github%2Fworkflows%2Frelease.yml`).query({ ref: headSha }).reply(200, contentReply(RELEASE, CLEAN_RELEASE) as nock.Body);
  if (f.defaultWorkflow === null) scope.get(`${R}/contents/.github%2Fworkflows%2Frelease.yml`).query({ ref: 'main' }).reply(404, { message: 'Not Found' });
  else scope.get(`${R}/contents/.github%2Fworkflows%2Frelease.yml`).query({ ref: 'main' }).reply(200, contentReply(RELEASE, f.defaultWorkflow ?? CLEAN_RELEASE) as nock.Body);
  if (f.attestations === 'none') {
    const artifacts = scope.get(`${R}/actions/runs/${RUN}/artifacts`).query({ per_page: '100' });
    if (f.artifacts === 'error') artifacts.reply(502, { message: 'Bad Gateway' });
    else artifacts.reply(200, artifactsReply(f.artifacts ?? []) as nock.Body);
    return;
  }
  scope
    .get(`${R}/attestations/${encodeURIComponent(DIGEST)}`)
    .query({ per_page: '30' })
    .reply(200, attestationsReply(f.attestations ?? [attestation({ digest: DIGEST, certificateSigner: `https://github.com/${SIGNER}@refs/heads/main`, provenanceWorkflow: SIGNER })]) as nock.Body);
}

const ISSUES = `/repos/${OWNER}/.github`;

/**
 * The answer, its check run and (unless `record: false`, for an environment that is not gated) the
 * decision's comment on the week's posture issue in the organisation's `.github` repository (no policy
 * names another): no issue yet, so one is created, then commented.
 */
function answer(scope: nock.Scope, o: { times?: number; record?: boolean } = {}): void {
  const times = o.times ?? 1;
  if (o.record !== false) {
    scope
      .get(`${ISSUES}/issues`)
      .times(times)
      .query({ labels: 'pipeline-guard', state: 'open', sort: 'created', direction: 'desc', per_page: '100', page: '1' })
      .reply(200, () => replyChecked('GET', '/repos/{owner}/{repo}/issues', 200, []) as nock.Body)
      .get(`${ISSUES}/labels/pipeline-guard`)
      .times(times)
      .reply(200, () => replyChecked('GET', '/repos/{owner}/{repo}/labels/{name}', 200, { ...specExample('label'), name: 'pipeline-guard' }) as nock.Body)
      .post(`${ISSUES}/issues`)
      .times(times)
      .reply(201, (_u, body) => replyChecked('POST', '/repos/{owner}/{repo}/issues', 201, issueReply('.github', 12, (body as { body: string }).body)) as nock.Body)
      .post(`${ISSUES}/issues/12/comments`)
      .times(times)
      .reply(201, (_u, body) => {
        issueComments.push((body as { body: string }).body);
        return replyChecked('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 201, { ...specExample('issue-comment'), id: 5, body: (body as { body: string }).body }) as nock.Body;
      });
  }
  scope
    .post(`${R}/actions/runs/${RUN}/deployment_protection_rule`)
    .times(times)
    .reply(204, (_u, body) => {
      reviews.push(body as Review);
      return '';
    })
    .post(`${R}/check-runs`)
    .times(times)
    .reply(201, (_u, body) => {
      records.push(body as CheckRunBody);
      return { id: 77, head_sha: HEAD, name: GATE_CHECK_RUN_NAME };
    });
}

/** The comment as a reader sees it: Markdown escapes and mention breakers removed. */
function plain(markdown: string): string {
  return markdown.replace(/\\(.)/g, '$1').replaceAll('\u200d', '');
}

function only(): Review {
  expect(reviews).toHaveLength(1);
  return { ...reviews[0], comment: plain(reviews[0].comment) };
}

/** The fixture with changes (still valid against the webhook schema: `webhook()` checks). */
function event(change: (p: Record<string, unknown> & { deployment: Record<string, unknown> }) => void = () => {}, id = 'delivery-1') {
  const e = webhook('deployment_protection_rule.requested', FIXTURE, id);
  const payload = structuredClone(e.payload) as unknown as Record<string, unknown> & { deployment: Record<string, unknown> };
  change(payload);
  return { ...e, payload } as unknown as typeof e;
}

interface Decide extends Setup {
  /** The repository policy (default POLICY). */
  policy?: string;
  facts?: Facts;
  /** Replies beyond `facts` (attestations of run artifacts). */
  more?: (scope: nock.Scope) => void;
  /** Changes to the event's payload. */
  change?: Parameters<typeof event>[0];
}

/** One decision end to end: the app, the opening requests, the facts, the answer; returns the only answer posted. */
async function decideOnce(o: Decide = {}): Promise<Review> {
  await setup(o);
  const scope = nock(API);
  opening(scope, o.policy);
  facts(scope, o.facts);
  o.more?.(scope);
  answer(scope);
  await h.probot.receive(event(o.change));
  return only();
}

describe('deployment gate: decisions', () => {
  test('approves when every rule passes, and records the decision as a check run on the deployed SHA', async () => {
    const r = await decideOnce();
    expect(r).toMatchObject({ environment_name: 'production', state: 'approved' });
    expect(r.comment).toMatch(/^✅ Approved by Pipeline Guard for production \(commit a1b2c3d4e5f6\)/);
    expect(r.comment).toContain('✅ No open finding in the deploying workflow');
    expect(r.comment).toContain('✅ Workflow is the default branch version');
    expect(r.comment).toContain(`✅ Artifact attested by an allowed workflow: sha256:abababababab… signed by ${SIGNER}@refs/heads/main`);
    expect(r.comment).toContain('✅ Environment protected: production has 1 required reviewer and protected branches only');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ name: GATE_CHECK_RUN_NAME, head_sha: HEAD, status: 'completed', conclusion: 'success', external_id: 'deployment-gate:145988746:production' });
    expect(records[0].output.summary).toContain(reviews[0].comment);
    // The request sequence of one decision.
    expect(h.sent.map((s) => `${s.method} ${s.route}`)).toEqual([
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/attestations/{subject_digest}',
      'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule',
      'POST /repos/{owner}/{repo}/check-runs',
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/labels/{name}',
      'POST /repos/{owner}/{repo}/issues',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]);
    // …the last four in the organisation's .github repository, the decision listed for the weekly issue.
    expect(h.sent.slice(-4).every((s) => s.url.startsWith(`${API}${ISSUES}/`))).toBe(true);
    expect(issueComments.map(parseDecisionComment)).toEqual([
      { repo: REPO, environment: 'production', decision: 'approved', reason: 'every rule passed', sha: HEAD, runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN}`, at: '2026-11-27T12:00:00.000Z' },
    ]);
  });

  test('rule 1: a high finding in a composite action the deploying workflow calls rejects', async () => {
    const r = await decideOnce({ files: { [RELEASE]: CLEAN_RELEASE, [ACTION]: INJECTED_ACTION } });
    expect(r.state).toBe('rejected');
    expect(r.comment).toMatch(/❌ No open finding in the deploying workflow: 1 finding at or above high; worst: expression-injection \(high\) at \.github\/actions\/push-model\/action\.yml:6$/m);
    expect(r.comment).toContain('✅ Workflow is the default branch version');
    expect(records[0].conclusion).toBe('failure');
  });

  test('rule 1: the same finding below the gate severity (gate.severity: critical) approves', async () => {
    const r = await decideOnce({ files: { [RELEASE]: CLEAN_RELEASE, [ACTION]: INJECTED_ACTION }, policy: `${POLICY}  severity: critical\n` });
    expect(r.state).toBe('approved');
    expect(r.comment).toContain('✅ No open finding in the deploying workflow: no finding at or above critical');
  });

  test('rule 2: a workflow file that differs from the default branch rejects', async () => {
    const r = await decideOnce({ facts: { run: { head_branch: 'try-release' }, defaultWorkflow: `${CLEAN_RELEASE}# older\n` } });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('❌ Workflow is the default branch version: .github/workflows/release.yml differs from the main version (run from branch try-release)');
    expect(r.comment).toContain('✅ No open finding');
  });

  test('rule 2: a workflow that does not exist on the default branch rejects', async () => {
    const r = await decideOnce({ facts: { run: { head_branch: 'new-release' }, defaultWorkflow: null } });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('release.yml does not exist on main (run from branch new-release)');
  });

  test('rule 3: a digest with no attestation rejects (the worked example of the README)', async () => {
    const r = await decideOnce({ facts: { attestations: [] } });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('❌ Artifact attested by an allowed workflow: sha256:abababababab… has no attestation');
  });

  test('rule 3: signed by a workflow outside the allow-list rejects', async () => {
    const other = `${OWNER}/${REPO}/.github/workflows/experiment.yml`;
    const r = await decideOnce({ facts: { attestations: [attestation({ digest: DIGEST, certificateSigner: `https://github.com/${other}@refs/heads/exp`, provenanceWorkflow: other })] } });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('signed by acme-ml/trainer/.github/workflows/experiment.yml, not in signer_workflows');
  });

  test('rule 3: an attestation for another digest (statement subject mismatch) does not count', async () => {
    const r = await decideOnce({ facts: { attestations: [attestation({ digest: `sha256:${'cd'.repeat(32)}`, provenanceWorkflow: SIGNER })] } });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('has no attestation we could read (the attested statement does not name this digest)');
  });

  test('rule 3: no digest in the payload + require_attestation (default) rejects', async () => {
    const r = await decideOnce({ facts: { attestations: 'none' }, change: (p) => void (p.deployment.payload = { model: 'acme-ml/classifier', version: '3' }) });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('❌ Artifact attested by an allowed workflow: no sha256 digest named in the deployment payload, and the run has no artifact with a digest (require_attestation)');
  });

  const MODEL = `sha256:${'12'.repeat(32)}`;
  const REPORT = `sha256:${'34'.repeat(32)}`;
  const noPayloadDigest: Decide['change'] = (p) => void (p.deployment.payload = {});

  test('rule 3: without a payload digest, the run\'s attested artifact approves and an unattested test report is only listed', async () => {
    const r = await decideOnce({
      facts: { attestations: 'none', artifacts: [{ name: 'model', digest: MODEL }, { name: 'coverage', digest: REPORT }, { name: 'old', digest: null }] },
      more: (scope) => {
        scope.get(`${R}/attestations/${encodeURIComponent(MODEL)}`).query({ per_page: '30' }).reply(200, attestationsReply([attestation({ digest: MODEL, provenanceWorkflow: SIGNER })]) as nock.Body);
        scope.get(`${R}/attestations/${encodeURIComponent(REPORT)}`).query({ per_page: '30' }).reply(404, { message: 'Not Found' });
      },
      change: noPayloadDigest,
    });
    expect(r.state).toBe('approved');
    expect(r.comment).toContain(`✅ Artifact attested by an allowed workflow: artifact model ${MODEL.slice(0, 19)}… signed by ${SIGNER}`);
    expect(r.comment).toContain(`not attested, not counted: artifact coverage ${REPORT.slice(0, 19)}…`);
  });

  test('rule 3: without a payload digest, a run whose artifacts are all unattested rejects', async () => {
    const r = await decideOnce({
      facts: { attestations: 'none', artifacts: [{ name: 'model', digest: MODEL }] },
      more: (scope) => void scope.get(`${R}/attestations/${encodeURIComponent(MODEL)}`).query({ per_page: '30' }).reply(200, attestationsReply([]) as nock.Body),
      change: noPayloadDigest,
    });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain(`❌ Artifact attested by an allowed workflow: none of the run's 1 artifact is attested (artifact model ${MODEL.slice(0, 19)}…)`);
  });

  test('rule 3: a run artifact attested by a workflow outside the allow-list rejects', async () => {
    const other = `${OWNER}/${REPO}/.github/workflows/experiment.yml`;
    const r = await decideOnce({
      facts: { attestations: 'none', artifacts: [{ name: 'model', digest: MODEL }] },
      more: (scope) => void scope.get(`${R}/attestations/${encodeURIComponent(MODEL)}`).query({ per_page: '30' }).reply(200, attestationsReply([attestation({ digest: MODEL, provenanceWorkflow: other })]) as nock.Body),
      change: noPayloadDigest,
    });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain(`artifact model ${MODEL.slice(0, 19)}… signed by ${other}, not in signer_workflows`);
  });

  test('rule 3: the run\'s artifacts unreadable fails closed with the reason', async () => {
    const r = await decideOnce({ facts: { attestations: 'none', artifacts: 'error' }, change: noPayloadDigest });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain(`❌ Artifact attested by an allowed workflow: could not check: artifacts of workflow run ${RUN}: GitHub answered 502`);
  });

  test('rule 3: no digest with require_attestation: false approves with a warning line', async () => {
    const r = await decideOnce({ policy: `${POLICY}  require_attestation: false\n`, facts: { attestations: 'none' }, change: noPayloadDigest });
    expect(r.state).toBe('approved');
    expect(r.comment).toContain('⚠️ Artifact attested by an allowed workflow: no sha256 digest named in the deployment payload, and the run has no artifact with a digest; not required by policy');
  });

  const UNPROTECTED: RepoSettings['environments'] = { status: 'ok', value: [environment('production', { reviewers: 0, deploymentBranchPolicy: null })] };

  test('rule 4: an environment without reviewers or branch policy rejects when the policy requires protection', async () => {
    const r = await decideOnce({ environments: UNPROTECTED });
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('❌ Environment protected: production has no required reviewers and no deployment branch policy');
  });

  test('rule 4: without require_protected_environment an unprotected environment only warns', async () => {
    const r = await decideOnce({ environments: UNPROTECTED, policy: POLICY.replace('  require_protected_environment: true\n', '') });
    expect(r.state).toBe('approved');
    expect(r.comment).toContain('⚠️ Environment protected: production has no required reviewers');
  });
});

describe('deployment gate: failures, redelivery, payloads', () => {
  test('a timeout rejects with the reason (fail closed)', async () => {
    await setup({ deps: { gate: { deadlineMs: 100 } } });
    const scope = nock(API);
    opening(scope);
    scope.get(`${R}/actions/runs/${RUN}`).query(true).delay(400).reply(200, runReply({ id: RUN, path: RELEASE, head_sha: HEAD, head_branch: 'main' }) as nock.Body);
    scope.get(`${R}/contents/.github%2Fworkflows%2Frelease.yml`).query(true).times(2).optionally().reply(200, contentReply(RELEASE, CLEAN_RELEASE) as nock.Body);
    scope.get(`${R}/attestations/${encodeURIComponent(DIGEST)}`).query(true).optionally().reply(200, attestationsReply([]) as nock.Body);
    answer(scope);
    await h.probot.receive(event());
    expect(only().state).toBe('rejected');
    expect(only().comment).toContain('no decision within 0.1 s; rejected (fail closed)');
    expect(issueComments.map((c) => parseDecisionComment(c)?.reason)).toEqual(['no decision within 0.1 s; rejected (fail closed)']);
    await new Promise((r) => setTimeout(r, 500)); // let the late reply land before nock is cleaned
  });

  test('a timeout approves when the policy says fail_open, and says so', async () => {
    await setup({ deps: { gate: { deadlineMs: 100 } } });
    const scope = nock(API);
    opening(scope, `${POLICY}  fail_open: true\n`);
    scope.get(`${R}/actions/runs/${RUN}`).query(true).delay(400).reply(200, runReply({ id: RUN, path: RELEASE, head_sha: HEAD, head_branch: 'main' }) as nock.Body);
    scope.get(`${R}/contents/.github%2Fworkflows%2Frelease.yml`).query(true).times(2).optionally().reply(200, contentReply(RELEASE, CLEAN_RELEASE) as nock.Body);
    scope.get(`${R}/attestations/${encodeURIComponent(DIGEST)}`).query(true).optionally().reply(200, attestationsReply([]) as nock.Body);
    answer(scope);
    await h.probot.receive(event());
    expect(only().state).toBe('approved');
    expect(only().comment).toContain('no decision within 0.1 s; approved because the policy says fail_open');
    await new Promise((r) => setTimeout(r, 500));
  });

  test('GitHub 500 on the workflow run rejects, naming the reason for the rules that needed it', async () => {
    await setup();
    const scope = nock(API);
    opening(scope);
    scope.get(`${R}/actions/runs/${RUN}`).query(true).reply(500, { message: 'Server Error' });
    scope.get(`${R}/attestations/${encodeURIComponent(DIGEST)}`).query(true).reply(200, attestationsReply([attestation({ digest: DIGEST, provenanceWorkflow: SIGNER })]) as nock.Body);
    answer(scope);
    await h.probot.receive(event());
    const r = only();
    expect(r.state).toBe('rejected');
    expect(r.comment).toContain('❌ No open finding in the deploying workflow: could not check: workflow run 7001: GitHub answered 500 Server Error');
    expect(r.comment).toContain('❌ Workflow is the default branch version: could not check: workflow run 7001: GitHub answered 500');
    // The provenance alone (no certificate) names an allowed signer.
    expect(r.comment).toContain('✅ Artifact attested by an allowed workflow');
  });

  test('a redelivery of a decided deployment posts nothing the second time', async () => {
    await setup();
    const scope = nock(API);
    opening(scope);
    facts(scope);
    answer(scope);
    await h.probot.receive(event(undefined, 'delivery-1'));
    const before = h.sent.length;
    await h.probot.receive(event(undefined, 'delivery-2'));
    expect(reviews).toHaveLength(1);
    expect(h.sent.length).toBe(before); // no API call at all for the redelivery
  });

  test('after a restart, a deployment no longer pending is not decided again', async () => {
    await setup();
    nock(API).get(`${R}/actions/runs/${RUN}/pending_deployments`).reply(200, pendingReply('staging') as nock.Body);
    await h.probot.receive(event());
    expect(reviews).toEqual([]);
    expect(h.sent.map((s) => s.route)).toEqual(['/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments']);
  });

  test('a payload without callback URL or environment makes no API call', async () => {
    await setup();
    await h.probot.receive(webhook('deployment_protection_rule.requested', 'deployment_protection_rule.requested.bad-payload.json'));
    expect(h.sent).toEqual([]);
  });

  test('a callback URL pointing at another repository makes no API call', async () => {
    await setup();
    await h.probot.receive(event((p) => void (p.deployment_callback_url = `${API}/repos/evil/elsewhere/actions/runs/${RUN}/deployment_protection_rule`)));
    expect(h.sent).toEqual([]);
  });

  test('an environment the policy does not gate is approved with a comment saying so', async () => {
    await setup();
    const scope = nock(API);
    scope
      .get(`${R}/actions/runs/${RUN}/pending_deployments`).reply(200, pendingReply('staging') as nock.Body)
      .get(REPO_POLICY).reply(200, POLICY, RAW)
      .get(ORG_POLICY).reply(404, { message: 'Not Found' });
    answer(scope, { record: false });
    await h.probot.receive(event((p) => void (p.environment = 'staging')));
    expect(only()).toMatchObject({ environment_name: 'staging', state: 'approved' });
    expect(only().comment).toContain("environment staging is not listed in the policy's gate.environments: not gated by Pipeline Guard");
    expect(records[0].conclusion).toBe('success');
    // Not gated: not a decision of the gate, so the weekly posture issue is not touched.
    expect(h.sent.at(-1)?.route).toBe('/repos/{owner}/{repo}/check-runs');
    expect(issueComments).toEqual([]);
  });

  test('an invalid policy rejects (fail closed) without reading anything else', async () => {
    await setup();
    const scope = nock(API);
    scope
      .get(`${R}/actions/runs/${RUN}/pending_deployments`).reply(200, pendingReply('production') as nock.Body)
      .get(REPO_POLICY).reply(200, 'gate:\n  enviroments: [production]\n', RAW)
      .get(ORG_POLICY).reply(404, { message: 'Not Found' });
    answer(scope);
    await h.probot.receive(event());
    expect(only().state).toBe('rejected');
    expect(only().comment).toMatch(/the Pipeline Guard policy could not be used .*unknown key "gate\.enviroments"/);
    expect(issueComments.map((c) => parseDecisionComment(c)?.decision)).toEqual(['rejected']);
  });
});
