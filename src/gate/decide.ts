/**
 * The deployment gate's decision: pure (no network, no clock). The collector (collect/deployment)
 * gathers `GateFacts`; each rule is a small function of them; `decide` approves only when no rule
 * fails. A fact GitHub could not give us (`{ ok: false }`) fails its rule, or only warns when the
 * policy says `fail_open: true`.
 *
 * Rules:
 * 1. findings   — no open finding at or above `gate.severity` in the workflow that runs the deployment
 *                 (its file, plus local reusable workflows and composite actions it calls).
 * 2. workflow   — the requesting workflow file is the default branch's version (same git blob).
 * 3. attestation— every digest named in the deployment payload has an attestation signed by an
 *                 allowed workflow (`gate.signer_workflows`; empty: any workflow of this repository).
 *                 No digest: fail when `require_attestation`, else a warning.
 * 4. environment— the environment has reviewers or a deployment branch policy; fails only when
 *                 `require_protected_environment`, else informs.
 */
import type { GatePolicy } from '../policy/config.js';
import type { Finding } from '../model/types.js';
import { severityRank } from '../model/types.js';
import type { EnvironmentProtection } from '../model/settings.js';
import { normaliseAllowEntry, signerKey, type Signer } from './attestation.js';

export type Fact<T> = { ok: true; value: T } | { ok: false; reason: string };

export type RuleId = 'findings' | 'workflow' | 'attestation' | 'environment';
export type RuleStatus = 'pass' | 'fail' | 'warn';

export interface RuleResult {
  id: RuleId;
  title: string;
  status: RuleStatus;
  /** One line, plain text (the comment escapes it). */
  reason: string;
}

export interface AttestationFact {
  digest: string;
  /** Signers read from the attestations of this digest (none: no usable attestation). */
  signers: Signer[];
  /** Attestations found but unreadable, with why. */
  problems: string[];
}

export interface GateFacts {
  owner: string;
  repo: string;
  environment: string;
  policy: GatePolicy;
  /** The requesting workflow file (the run's path) and the default branch. */
  workflow: Fact<{ path: string; headBranch?: string; runBlob?: string; defaultBlob?: string | null; defaultBranch: string }>;
  /** Findings of the deployed commit in the files that run the deployment. */
  findings: Fact<{ files: string[]; findings: Finding[] }>;
  digests: string[];
  /**
   * Where the digests came from: the deployment payload (each must be attested), or, when the payload
   * names none, the run's artifacts (at least one must be attested by an allowed workflow, none by
   * another; unattested ones such as test reports are listed, not held against the deployment).
   */
  digestSource?: 'payload' | 'run-artifacts';
  /** Artifact name per digest, for run artifacts. */
  artifactNames?: Record<string, string>;
  attestations: Fact<AttestationFact[]>;
  environmentProtection: Fact<EnvironmentProtection | undefined>;
}

export interface Decision {
  state: 'approved' | 'rejected';
  rules: RuleResult[];
  /** Set when the decision was not reached from the facts (timeout, policy error, not gated). */
  note?: string;
}

const TITLES: Record<RuleId, string> = {
  findings: 'No open finding in the deploying workflow',
  workflow: 'Workflow is the default branch version',
  attestation: 'Artifact attested by an allowed workflow',
  environment: 'Environment protected',
};

function unknown(id: RuleId, policy: GatePolicy, reason: string): RuleResult {
  return { id, title: TITLES[id], status: policy.failOpen ? 'warn' : 'fail', reason: `could not check: ${reason}${policy.failOpen ? ' (fail_open: passed)' : ''}` };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function ruleFindings(f: GateFacts): RuleResult {
  if (!f.findings.ok) return unknown('findings', f.policy, f.findings.reason);
  const min = severityRank(f.policy.severity);
  const bad = f.findings.value.findings.filter((x) => severityRank(x.severity) >= min);
  const files = f.findings.value.files.join(', ');
  if (bad.length === 0) return { id: 'findings', title: TITLES.findings, status: 'pass', reason: `no finding at or above ${f.policy.severity} in ${files}` };
  const worst = [...bad].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
  const where = `${worst.path}${worst.region ? `:${worst.region.line}` : ''}`;
  return {
    id: 'findings',
    title: TITLES.findings,
    status: 'fail',
    reason: `${plural(bad.length, 'finding')} at or above ${f.policy.severity}; worst: ${worst.checkId} (${worst.severity}) at ${where}`,
  };
}

function ruleWorkflow(f: GateFacts): RuleResult {
  if (!f.workflow.ok) return unknown('workflow', f.policy, f.workflow.reason);
  const w = f.workflow.value;
  const from = w.headBranch && w.headBranch !== w.defaultBranch ? ` (run from branch ${w.headBranch})` : '';
  let status: RuleStatus;
  let reason: string;
  if (w.defaultBlob === null) {
    status = 'fail';
    reason = `${w.path} does not exist on ${w.defaultBranch}${from}`;
  } else if (!w.runBlob || !w.defaultBlob) {
    return unknown('workflow', f.policy, `${w.path} could not be read`);
  } else if (w.runBlob === w.defaultBlob) {
    status = 'pass';
    reason = `${w.path} is identical to ${w.defaultBranch}${from}`;
  } else {
    status = 'fail';
    reason = `${w.path} differs from the ${w.defaultBranch} version${from}`;
  }
  if (status === 'fail' && !f.policy.requireDefaultBranchWorkflow) return { id: 'workflow', title: TITLES.workflow, status: 'warn', reason: `${reason} (not required by policy)` };
  return { id: 'workflow', title: TITLES.workflow, status, reason };
}

function ruleAttestation(f: GateFacts): RuleResult {
  const id: RuleId = 'attestation';
  const title = TITLES.attestation;
  const fromRun = f.digestSource === 'run-artifacts';
  if (fromRun && !f.attestations.ok) return unknown(id, f.policy, f.attestations.reason);
  if (f.digests.length === 0) {
    const reason = fromRun ? 'no sha256 digest named in the deployment payload, and the run has no artifact with a digest' : 'no sha256 digest named in the deployment payload';
    return f.policy.requireAttestation ? { id, title, status: 'fail', reason: `${reason} (require_attestation)` } : { id, title, status: 'warn', reason: `${reason}; not required by policy` };
  }
  if (!f.attestations.ok) return unknown(id, f.policy, f.attestations.reason);
  const allowed = f.policy.signerWorkflows.map(normaliseAllowEntry);
  const ownRepo = `${f.owner}/${f.repo}`.toLowerCase();
  const isAllowed = (s: Signer) => (allowed.length > 0 ? allowed.includes(signerKey(s)) : s.repository === ownRepo);
  const failures: string[] = [];
  const passes: string[] = [];
  const unattested: string[] = [];
  for (const a of f.attestations.value) {
    const name = f.artifactNames?.[a.digest];
    const short = `${name ? `artifact ${name} ` : ''}${a.digest.slice(0, 19)}…`;
    const ok = a.signers.find(isAllowed);
    if (ok) {
      passes.push(`${short} signed by ${signerKey(ok)}${ok.ref ? `@${ok.ref}` : ''}`);
    } else if (a.signers.length > 0) {
      failures.push(`${short} signed by ${signerKey(a.signers[0])}, not in ${allowed.length > 0 ? 'signer_workflows' : `a workflow of ${ownRepo}`}`);
    } else if (fromRun) {
      unattested.push(short);
    } else {
      failures.push(`${short} has no attestation${a.problems.length > 0 ? ` we could read (${a.problems[0]})` : ''}`);
    }
  }
  if (fromRun) {
    if (passes.length === 0 && failures.length === 0) failures.push(`none of the run's ${plural(unattested.length, 'artifact')} is attested (${unattested.join(', ')}) and the deployment payload names no digest`);
    else if (unattested.length > 0) passes.push(`not attested, not counted: ${unattested.join(', ')}`);
  }
  const status: RuleStatus = failures.length > 0 ? (f.policy.requireAttestation ? 'fail' : 'warn') : 'pass';
  const reason = failures.length > 0 ? failures.join('; ') + (status === 'warn' ? ' (not required by policy)' : '') : passes.join('; ');
  return { id, title, status, reason };
}

function ruleEnvironment(f: GateFacts): RuleResult {
  const id: RuleId = 'environment';
  const title = TITLES.environment;
  if (!f.environmentProtection.ok) {
    if (!f.policy.requireProtectedEnvironment) return { id, title, status: 'warn', reason: `could not check: ${f.environmentProtection.reason} (not required by policy)` };
    return unknown(id, f.policy, f.environmentProtection.reason);
  }
  const env = f.environmentProtection.value;
  const controls: string[] = [];
  if (env && env.reviewers > 0) controls.push(plural(env.reviewers, 'required reviewer'));
  if (env?.deploymentBranchPolicy) controls.push(env.deploymentBranchPolicy.protectedBranches ? 'protected branches only' : 'a deployment branch policy');
  if (controls.length > 0) return { id, title, status: 'pass', reason: `${f.environment} has ${controls.join(' and ')}` };
  const reason = `${f.environment} has no required reviewers and no deployment branch policy: the gate is its only control`;
  return f.policy.requireProtectedEnvironment ? { id, title, status: 'fail', reason } : { id, title, status: 'warn', reason: `${reason} (not required by policy)` };
}

export function decide(f: GateFacts): Decision {
  const rules = [ruleFindings(f), ruleWorkflow(f), ruleAttestation(f), ruleEnvironment(f)];
  return { state: rules.some((r) => r.status === 'fail') ? 'rejected' : 'approved', rules };
}

/** Every rule unknown for one reason (timeout, GitHub unreachable before any fact): fail closed unless fail_open. */
export function decideWithoutFacts(policy: GatePolicy, reason: string): Decision {
  const state = policy.failOpen ? 'approved' : 'rejected';
  return { state, rules: [], note: `${reason}; ${policy.failOpen ? 'approved because the policy says fail_open' : 'rejected (fail closed)'}` };
}

/** The environment is not listed in `gate.environments`: the organisation chose not to gate it. */
export function notGated(environment: string): Decision {
  return { state: 'approved', rules: [], note: `environment ${environment} is not listed in the policy's gate.environments: not gated by Pipeline Guard` };
}

/** The policy file could not be read or is invalid: nothing is known about the gate, so it fails closed. */
export function policyUnusable(reason: string): Decision {
  return { state: 'rejected', rules: [], note: `the Pipeline Guard policy could not be used (${reason}); rejected (fail closed)` };
}
