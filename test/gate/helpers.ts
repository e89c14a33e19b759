/** Builders for the deployment gate tests: snapshots with settings, replies checked against GitHub's description. */
import type { EnvironmentProtection, RepoSettings } from '../../src/model/settings.js';
import type { AppDeps } from '../../src/app/index.js';
import { gitSha, replyChecked } from '../helpers/github-repo.js';
import { specExample } from '../helpers/github-contract.js';
import { fakeCollector, OWNER } from '../app/helpers.js';

const enc = new TextEncoder();

export function environment(name: string, extra: Partial<EnvironmentProtection> = {}): EnvironmentProtection {
  return { name, reviewers: 1, preventSelfReview: true, waitTimer: 0, canAdminsBypass: false, deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false }, customRules: ['Pipeline Guard'], ...extra };
}

export function settings(environments: RepoSettings['environments']): RepoSettings {
  const na = { status: 'unavailable', reason: 'not part of this test' } as const;
  return {
    collectedAt: '2026-11-27T12:00:00Z',
    repo: { visibility: 'private', archived: false, fork: false, defaultBranch: 'main', ownerIsOrg: true },
    classicProtection: na,
    branchRules: na,
    rulesets: na,
    environments,
    actionsPermissions: na,
    workflowPermissions: na,
    forkPrApproval: na,
    forkPrPrivate: na,
    secrets: na,
    securityAndAnalysis: na,
    selfHostedRunners: na,
  };
}

/** fakeCollector's snapshot of these files at any ref, with these settings. */
export function collector(files: Record<string, string>, repoSettings: RepoSettings): NonNullable<AppDeps['collect']> {
  const collect = fakeCollector(files);
  return async (octokit, target) => ({ ...(await collect(octokit, target)), settings: repoSettings });
}

export function pendingReply(envName: string): unknown {
  const item = (specExample('pending-deployment-items') as unknown as Record<string, unknown>[])[0];
  const env = { ...(item.environment as Record<string, unknown>), name: envName };
  return replyChecked('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', 200, [{ ...item, environment: env, reviewers: [] }]);
}

export function runReply(extra: Record<string, unknown>): unknown {
  return replyChecked('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}', 200, { ...specExample('workflow-run'), ...extra });
}

export function contentReply(path: string, text: string): unknown {
  const body = { ...specExample('content-file-response-if-content-is-a-file'), path, name: path.split('/').pop(), sha: gitSha(Buffer.from(text)), size: text.length, content: Buffer.from(text).toString('base64') };
  return replyChecked('GET', '/repos/{owner}/{repo}/contents/{path}', 200, body);
}

// DER of OID 1.3.6.1.4.1.57264.1.9 (Fulcio Build Signer URI).
const OID = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x09];

/** A certificate-shaped DER fragment carrying the Build Signer URI extension (enough for the parser; not a real certificate). */
export function certWithSigner(uri: string): string {
  const value = [...enc.encode(uri)];
  const utf8 = [0x0c, value.length, ...value];
  const octet = [0x04, utf8.length, ...utf8];
  const ext = [0x30, OID.length + octet.length, ...OID, ...octet];
  return Buffer.from([0x30, 0x03, 0x02, 0x01, 0x02, ...ext]).toString('base64');
}

export interface BundleOptions {
  digest: string;
  /** Workflow named by the SLSA provenance predicate (`owner/repo/path`). */
  provenanceWorkflow?: string;
  /** Build Signer URI in the certificate. */
  certificateSigner?: string;
}

/** One attestation as `GET …/attestations/{digest}` returns it: a Sigstore bundle with a DSSE in-toto statement. */
export function attestation(o: BundleOptions): Record<string, unknown> {
  const [owner, repo, ...path] = (o.provenanceWorkflow ?? 'x/y/z').split('/');
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model.safetensors', digest: { sha256: o.digest.replace('sha256:', '') } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: o.provenanceWorkflow
      ? { buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1', externalParameters: { workflow: { ref: 'refs/heads/main', repository: `https://github.com/${owner}/${repo}`, path: path.join('/') } } } }
      : {},
  };
  return {
    repository_id: 1296269,
    bundle_url: 'https://example.invalid/bundle.json',
    bundle: {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: o.certificateSigner ? { certificate: { rawBytes: certWithSigner(o.certificateSigner) } } : {},
      dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64'), payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'MEUCIQ==' }] },
    },
  };
}

export function attestationsReply(list: unknown[]): unknown {
  return replyChecked('GET', '/repos/{owner}/{repo}/attestations/{subject_digest}', 200, { attestations: list });
}

/** `GET .../actions/runs/{run_id}/artifacts` with the given name → digest (null: uploaded before v4). */
export function artifactsReply(list: { name: string; digest: string | null; expired?: boolean }[]): unknown {
  const base = specExample('artifact');
  const artifacts = list.map((a, i) => ({ ...base, id: 100 + i, name: a.name, digest: a.digest, expired: a.expired ?? false }));
  return replyChecked('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', 200, { total_count: artifacts.length, artifacts });
}

/** An issue of the weekly posture issue's shape (label, bot author) in `issueRepo` of OWNER. */
export function issueReply(issueRepo: string, number: number, body: string): Record<string, unknown> {
  const { state_reason: _r, ...issue } = specExample('issue');
  return { ...issue, number, body, html_url: `https://github.com/${OWNER}/${issueRepo}/issues/${number}`, labels: [{ ...specExample('label'), name: 'pipeline-guard' }], user: { ...(issue.user as object), login: 'pipeline-guard[bot]', type: 'Bot' } };
}
