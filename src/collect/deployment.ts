/**
 * Reads what the deployment gate decides on (research/github-api.md §2.1), all read-only:
 *
 *   GET /repos/{o}/{r}/actions/runs/{run_id}/pending_deployments   is the environment still waiting? (redelivery)
 *   GET /repos/{o}/{r}/actions/runs/{run_id}                       the requesting workflow: path, head_sha, head_branch
 *   GET /repos/{o}/{r}/contents/{path}?ref={head_sha}              its blob SHA at the run's commit
 *   GET /repos/{o}/{r}/contents/{path}?ref={default branch}        ... and on the default branch
 *   the collector (collectRepoSnapshot) at the deployed SHA        findings (rule 1) and environments (rule 4)
 *   GET /repos/{o}/{r}/actions/runs/{run_id}/artifacts             only when the payload names no digest: the run's
 *                                                                  artifacts and their sha256 digests (upload-artifact v4+)
 *   GET /repos/{o}/{r}/attestations/{sha256:…}                     one per digest (payload, else run artifacts)
 *
 * Each fact is `{ ok: false, reason }` when GitHub could not give it, so the decision can fail closed
 * (or open) per rule instead of throwing away the others.
 */
import type { Check } from '../checks/types.js';
import { scanSnapshot } from '../engine/scan.js';
import type { RepoSnapshot } from '../model/snapshot.js';
import type { Policy } from '../policy/config.js';
import { gatePolicy } from '../policy/config.js';
import { decodeText } from '../files/text.js';
import { parseWorkflow } from '../workflows/parse.js';
import { readAttestation, type Signer } from '../gate/attestation.js';
import { digestsFromPayload, MAX_DIGESTS } from '../gate/digests.js';
import type { AttestationFact, Fact, GateFacts } from '../gate/decide.js';
import { describeFailure, type OctokitLike } from './github-rest.js';

export interface CallbackTarget {
  owner: string;
  repo: string;
  runId: number;
}

/** `https://api.github.com/repos/{o}/{r}/actions/runs/{id}/deployment_protection_rule` → its parts (GHES: `/api/v3` prefix). */
export function parseCallbackUrl(url: unknown): CallbackTarget | undefined {
  if (typeof url !== 'string') return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const m = /^(?:\/api\/v3)?\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d{1,18})\/deployment_protection_rule\/?$/.exec(u.pathname);
  if (!m) return undefined;
  const runId = Number(m[3]);
  if (!Number.isSafeInteger(runId) || runId <= 0) return undefined;
  try {
    return { owner: decodeURIComponent(m[1]), repo: decodeURIComponent(m[2]), runId };
  } catch {
    return undefined; // a malformed percent sequence: not a callback URL GitHub would send
  }
}

const failText = (err: unknown): string => {
  const f = describeFailure(err);
  return f.status !== undefined ? `GitHub answered ${f.status} ${f.message}` : `GitHub unreachable: ${f.message}`;
};

/**
 * True when the run still waits on `environment`, false when it does not (already decided, by us
 * or someone else), undefined when GitHub could not tell (the gate then decides anyway).
 */
export async function isStillPending(octokit: OctokitLike, t: CallbackTarget, environment: string): Promise<boolean | undefined> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', { owner: t.owner, repo: t.repo, run_id: t.runId });
    const list = res.data as { environment?: { name?: string } }[];
    return list.some((p) => p.environment?.name?.toLowerCase() === environment.toLowerCase());
  } catch {
    return undefined;
  }
}

async function blobSha(octokit: OctokitLike, owner: string, repo: string, path: string, ref: string): Promise<string | null> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref });
    const data = res.data as { type?: string; sha?: string } | unknown[];
    if (Array.isArray(data) || data.type !== 'file' || typeof data.sha !== 'string') return null;
    return data.sha;
  } catch (err) {
    if (describeFailure(err).status === 404) return null;
    throw err;
  }
}

/** The workflow file and the local reusable workflows / composite actions it calls (two levels, at most 10 files). */
function deployingFiles(snapshot: RepoSnapshot, workflowPath: string): string[] {
  const byPath = new Map(snapshot.files.map((f) => [f.path, f]));
  const out: string[] = [workflowPath];
  let frontier = [workflowPath];
  for (let depth = 0; depth < 2 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const path of frontier) {
      const text = decodeText(byPath.get(path)?.bytes);
      if (!text) continue;
      const parsed = parseWorkflow(path, text, path.startsWith('.github/workflows/') ? 'workflow' : 'action');
      if (!parsed.ok) continue;
      const uses = parsed.workflow.jobs.flatMap((j) => [j.uses, ...j.steps.map((s) => s.uses)]);
      for (const u of uses) {
        if (u?.ref.kind !== 'local') continue;
        const local = u.ref.path.replace(/\/$/, '');
        const target = /\.ya?ml$/.test(local) ? local : [`${local}/action.yml`, `${local}/action.yaml`].find((p) => byPath.has(p));
        if (target && byPath.has(target) && !out.includes(target) && out.length < 10) {
          out.push(target);
          next.push(target);
        }
      }
    }
    frontier = next;
  }
  return out;
}

export interface GateCollectInput<O extends OctokitLike = OctokitLike> {
  target: CallbackTarget;
  environment: string;
  deployedSha: string;
  defaultBranch: string;
  digests: string[];
  policy: Policy;
  checks: readonly Check[];
  collect: (octokit: O, target: { owner: string; repo: string; ref?: string }) => Promise<RepoSnapshot>;
}

export async function collectGateFacts<O extends OctokitLike>(octokit: O, input: GateCollectInput<O>): Promise<GateFacts> {
  const { owner, repo, runId } = input.target;
  const gate = gatePolicy(input.policy);
  const base = { owner, repo, environment: input.environment, policy: gate };

  // The run first: rules 1 and 2 need its workflow path.
  let run: { path: string; head_sha: string; head_branch: string | null; event: string } | undefined;
  let runFailure: string | undefined;
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: runId, exclude_pull_requests: true });
    run = res.data as typeof run;
  } catch (err) {
    runFailure = `workflow run ${runId}: ${failText(err)}`;
  }
  // `path` may carry `@ref` for runs of reusable or dynamic workflows: the file is the part before it.
  const workflowPath = run?.path.split('@')[0];
  const noWorkflow = runFailure ?? 'the workflow run names no workflow file';

  const workflowP = (async (): Promise<GateFacts['workflow']> => {
    if (!run || !workflowPath) return { ok: false, reason: noWorkflow };
    try {
      const [runBlob, defaultBlob] = await Promise.all([
        blobSha(octokit, owner, repo, workflowPath, run.head_sha),
        blobSha(octokit, owner, repo, workflowPath, input.defaultBranch),
      ]);
      return { ok: true, value: { path: workflowPath, headBranch: run.head_branch ?? undefined, runBlob: runBlob ?? undefined, defaultBlob, defaultBranch: input.defaultBranch } };
    } catch (err) {
      return { ok: false, reason: `${workflowPath}: ${failText(err)}` };
    }
  })();

  const snapshotP = input.collect(octokit, { owner, repo, ref: input.deployedSha }).then(
    (s): Fact<RepoSnapshot> => ({ ok: true, value: s }),
    (err: unknown): Fact<RepoSnapshot> => ({ ok: false, reason: `cannot read the deployed commit: ${err instanceof Error && !('status' in err) ? err.message : failText(err)}` }),
  );

  // Environments in a workflow job create their deployment with an empty payload, so the run's own
  // artifacts are the other place a digest can come from: upload-artifact v4 records each one's sha256,
  // and attest-build-provenance can sign exactly that digest (`subject-digest`).
  const digestsP = input.digests.length > 0
    ? Promise.resolve<Fact<{ source: GateFacts['digestSource']; digests: string[]; names: Record<string, string> }>>({ ok: true, value: { source: 'payload', digests: input.digests, names: {} } })
    : runArtifactDigests(octokit, input.target);

  const attestationsP = (async (): Promise<GateFacts['attestations']> => {
    const found = await digestsP;
    if (!found.ok) return found;
    const facts: AttestationFact[] = [];
    for (const digest of found.value.digests) {
      try {
        const res = await octokit.request('GET /repos/{owner}/{repo}/attestations/{subject_digest}', { owner, repo, subject_digest: digest, per_page: 30 });
        const list = (res.data as { attestations?: unknown[] }).attestations ?? [];
        const signers: Signer[] = [];
        const problems: string[] = [];
        for (const a of list) {
          const r = readAttestation(a, digest);
          if (r.signer) signers.push(r.signer);
          else if (r.problem) problems.push(r.problem);
        }
        facts.push({ digest, signers, problems });
      } catch (err) {
        if (describeFailure(err).status === 404) facts.push({ digest, signers: [], problems: [] });
        else return { ok: false, reason: `attestations of ${digest.slice(0, 19)}…: ${failText(err)}` };
      }
    }
    return { ok: true, value: facts };
  })();

  const [workflow, snapshot, attestations, digests] = await Promise.all([workflowP, snapshotP, attestationsP, digestsP]);
  const digestFacts = digests.ok
    ? { digests: digests.value.digests, digestSource: digests.value.source, artifactNames: digests.value.names }
    : { digests: [], digestSource: 'run-artifacts' as const, artifactNames: {} };

  let findings: GateFacts['findings'];
  let environmentProtection: GateFacts['environmentProtection'];
  if (!snapshot.ok) {
    findings = { ok: false, reason: snapshot.reason };
    environmentProtection = { ok: false, reason: snapshot.reason };
  } else {
    if (!workflowPath) findings = { ok: false, reason: noWorkflow };
    else if (!snapshot.value.files.some((f) => f.path === workflowPath && f.bytes)) findings = { ok: false, reason: `${workflowPath} is not readable at ${input.deployedSha.slice(0, 12)}` };
    else {
      const files = deployingFiles(snapshot.value, workflowPath);
      // Settings findings are about the repository, not about this workflow: only file findings count.
      const scan = scanSnapshot(snapshot.value, input.checks, input.policy);
      findings = { ok: true, value: { files, findings: scan.findings.filter((f) => files.includes(f.path)) } };
    }
    const envs = snapshot.value.settings?.environments;
    if (!envs) environmentProtection = { ok: false, reason: 'repository settings were not collected' };
    else if (envs.status !== 'ok') environmentProtection = { ok: false, reason: envs.status === 'forbidden' ? `needs the ${envs.permission} permission` : envs.reason };
    else environmentProtection = { ok: true, value: envs.value.find((e) => e.name.toLowerCase() === input.environment.toLowerCase()) };
  }
  return { ...base, ...digestFacts, workflow, findings, attestations, environmentProtection };
}

/** Most artifacts of one run the gate looks at (one page; a release run has a handful). */
const MAX_RUN_ARTIFACTS = 100;

/** The sha256 digests of a run's unexpired artifacts, by digest → artifact name. */
async function runArtifactDigests(octokit: OctokitLike, t: CallbackTarget): Promise<Fact<{ source: 'run-artifacts'; digests: string[]; names: Record<string, string> }>> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', { owner: t.owner, repo: t.repo, run_id: t.runId, per_page: MAX_RUN_ARTIFACTS });
    const list = (res.data as { artifacts?: { name?: unknown; digest?: unknown; expired?: unknown }[] }).artifacts ?? [];
    const names: Record<string, string> = {};
    for (const a of list) {
      if (a.expired === true || typeof a.digest !== 'string') continue;
      const [digest] = digestsFromPayload(a.digest);
      if (digest && !(digest in names) && Object.keys(names).length < MAX_DIGESTS) names[digest] = typeof a.name === 'string' ? a.name : '(unnamed)';
    }
    return { ok: true, value: { source: 'run-artifacts', digests: Object.keys(names), names } };
  } catch (err) {
    return { ok: false, reason: `artifacts of workflow run ${t.runId}: ${failText(err)}` };
  }
}
