/**
 * Policy from `.github/pipeline-guard.yml` (a repository's, or the organisation's in its `.github`
 * repository):
 *
 *   checks:            # per check: off, or a severity that replaces the finding's own
 *     unpinned-action: high
 *     remote-script-exec: off
 *   ignore:            # paths (globs) whose findings are dropped
 *     - tests/fixtures/**
 *   runners:
 *     hosted: [big-gpu-runner]   # runner labels that are GitHub-hosted larger runners
 *   lock: [unpinned-action]      # organisation file only: settings a repository cannot loosen ("all" locks every check)
 *   check_run:                   # how the app concludes its check run
 *     fail_on: high              # a finding at or above this severity fails the check (default high)
 *     neutral_on: medium         # ... at or above this one makes it neutral (default medium)
 *     fail_on_existing: false    # on a PR, findings on lines the PR did not touch fail too (default false)
 *   gate:                        # the deployment gate (deployment protection rule)
 *     environments: [production] # environments the app decides for (none: the gate approves nothing it is not asked about)
 *     severity: high             # reject when the deployed commit has a finding at or above this in the deploying workflow
 *     require_default_branch_workflow: true  # the requesting workflow must be the default branch's version
 *     require_attestation: true  # reject when no attested digest can be found
 *     signer_workflows: [acme/ml/.github/workflows/release.yml]  # attestation signers allowed (owner/repo/path)
 *     require_protected_environment: false   # reject when the environment has no reviewers and no branch policy
 *     fail_open: false           # on GitHub errors or timeouts: reject (default) or approve
 *
 * Validation is strict: an unknown key, check id or severity is an error naming the line, so a typo
 * never silently turns a check off.
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Severity } from '../model/types.js';
import { isSeverity } from '../model/types.js';
import { globToRegExp } from './glob.js';

export type CheckSetting = 'off' | Severity;

export interface Policy {
  checks: Map<string, CheckSetting>;
  ignorePaths: string[];
  ignoreRegexps: RegExp[];
  /** Path ignores that came from a repository under an organisation lock: they spare locked checks. */
  unlockedOnlyIgnoreRegexps: RegExp[];
  hostedRunnerLabels: string[];
  /** Check ids whose setting a repository policy may not loosen; `*` locks every check. */
  locked: Set<string>;
  /** Only what the file sets; `checkRunPolicy()` fills in the defaults. */
  checkRun: Partial<CheckRunPolicy>;
  /** Only what the file sets; `gatePolicy()` fills in the defaults. */
  gate: Partial<GatePolicy>;
  /** `autofix`: whether the weekly sweep opens fix-up pull requests (`pr`) or only reports (`off`, default). */
  autofix?: AutofixMode;
  /** `oidc`: the cloud identities the static-cloud-credentials fix rewrites to. */
  oidc: OidcPolicy;
  /** `enforce`: settings remediation; only an organisation policy can turn it on. */
  enforce: Partial<EnforcePolicy>;
  /** `sweep`: schedule and scope of the organisation sweep; read from the organisation policy only. */
  sweep: Partial<SweepPolicy>;
}

export type AutofixMode = 'off' | 'pr';

export interface OidcPolicy {
  aws?: { role: string; region?: string };
  gcp?: { workloadIdentityProvider: string; serviceAccount: string };
  azure?: { clientId: string; tenantId: string; subscriptionId: string };
}

export interface EnforcePolicy {
  /** Settings checks whose findings are remediated through the API. */
  checks: string[];
  /** Required reviewers added to unprotected deployment environments (`user` or `org/team`). */
  reviewers: string[];
}

/** Settings checks with an "api" fix that enforcement knows how to apply. */
export const ENFORCEABLE_CHECKS: readonly string[] = ['default-branch-unprotected', 'default-token-write', 'fork-pr-approval-weak', 'deploy-environment-unprotected'];

export function enforcePolicy(policy: Policy): EnforcePolicy {
  return { checks: policy.enforce.checks ?? [], reviewers: policy.enforce.reviewers ?? [] };
}

export interface SweepPolicy {
  /** Five-field cron in UTC. Default Monday 06:00. */
  schedule: string;
  /** Whether forks are audited (default false). */
  forks: boolean;
  /** Repository (in the organisation) that holds the weekly issue. Default `.github`. */
  issueRepo: string;
  /** Largest share of the installation's hourly rate-limit budget one sweep may use, (0, 1]. Default 0.5. */
  budgetShare: number;
}

export const DEFAULT_SWEEP_POLICY: SweepPolicy = { schedule: '0 6 * * 1', forks: false, issueRepo: '.github', budgetShare: 0.5 };

export function sweepPolicy(policy: Policy): SweepPolicy {
  return { ...DEFAULT_SWEEP_POLICY, ...policy.sweep };
}

export interface GatePolicy {
  environments: string[];
  severity: Severity;
  requireDefaultBranchWorkflow: boolean;
  requireAttestation: boolean;
  signerWorkflows: string[];
  requireProtectedEnvironment: boolean;
  failOpen: boolean;
}

export const DEFAULT_GATE_POLICY: GatePolicy = {
  environments: [],
  severity: 'high',
  requireDefaultBranchWorkflow: true,
  requireAttestation: true,
  signerWorkflows: [],
  requireProtectedEnvironment: false,
  failOpen: false,
};

export function gatePolicy(policy: Policy): GatePolicy {
  return { ...DEFAULT_GATE_POLICY, ...policy.gate };
}

export interface CheckRunPolicy {
  failOn: Severity;
  neutralOn: Severity;
  failOnExisting: boolean;
}

export const DEFAULT_CHECK_RUN_POLICY: CheckRunPolicy = { failOn: 'high', neutralOn: 'medium', failOnExisting: false };

export function checkRunPolicy(policy: Policy): CheckRunPolicy {
  return { ...DEFAULT_CHECK_RUN_POLICY, ...policy.checkRun };
}

export const DEFAULT_POLICY_PATH = '.github/pipeline-guard.yml';

export function emptyPolicy(): Policy {
  return { checks: new Map(), ignorePaths: [], ignoreRegexps: [], unlockedOnlyIgnoreRegexps: [], hostedRunnerLabels: [], locked: new Set(), checkRun: {}, gate: {}, oidc: {}, enforce: {}, sweep: {} };
}

export class PolicyError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly line?: number,
  ) {
    super(`${source}${line ? `:${line}` : ''}: ${message}`);
  }
}

const TOP_KEYS = ['checks', 'ignore', 'runners', 'lock', 'check_run', 'gate', 'autofix', 'oidc', 'enforce', 'sweep'];

/** Finds the line of a value in the source, when the policy came from text. */
type LineOf = (path: (string | number)[]) => number | undefined;

/** Parses and validates policy text. Throws PolicyError with the file and line. */
export function parsePolicy(text: string, source: string, knownCheckIds: ReadonlySet<string>): Policy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new PolicyError(`invalid YAML: ${e.message.split('\n')[0]}`, source, lc.linePos(e.pos[0]).line);
  }
  const lineOf: LineOf = (path) => {
    // The key's line when the path names a mapping entry, else the value's.
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    const last = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      const r = (pair?.key as { range?: number[] } | undefined)?.range;
      if (r) return lc.linePos(r[0]).line;
    }
    const node = doc.getIn(path, true) as { range?: number[] } | undefined;
    return node?.range ? lc.linePos(node.range[0]).line : undefined;
  };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw new PolicyError(`invalid YAML: ${(err as Error).message}`, source, 1);
  }
  return policyFromObject(value, source, knownCheckIds, lineOf);
}

/** Validates a policy already parsed to plain data (Probot's config loader hands us that). */
export function policyFromObject(value: unknown, source: string, knownCheckIds: ReadonlySet<string>, lineOf: LineOf = () => undefined): Policy {
  const policy = emptyPolicy();
  if (value === null || value === undefined || value === '') return policy;
  const fail = (message: string, path: (string | number)[]): never => {
    throw new PolicyError(message, source, lineOf(path));
  };
  if (typeof value !== 'object' || Array.isArray(value)) fail('the policy must be a mapping', []);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    // Probot's loader understands `_extends`; it is consumed before we see the object.
    if (key === '_extends') continue;
    if (!TOP_KEYS.includes(key)) fail(`unknown key "${key}" (expected ${TOP_KEYS.join(', ')})`, [key]);
    if (key === 'checks') readChecks(v, policy, knownCheckIds, fail);
    else if (key === 'ignore') readIgnore(v, policy, fail);
    else if (key === 'runners') readRunners(v, policy, fail);
    else if (key === 'check_run') readCheckRun(v, policy, fail);
    else if (key === 'gate') readGate(v, policy, fail);
    else if (key === 'autofix') readAutofix(v, policy, fail);
    else if (key === 'oidc') readOidc(v, policy, fail);
    else if (key === 'enforce') readEnforce(v, policy, fail);
    else if (key === 'sweep') readSweep(v, policy, fail);
    else readLock(v, policy, knownCheckIds, fail);
  }
  return policy;
}

type Fail = (message: string, path: (string | number)[]) => never;

function readChecks(v: unknown, policy: Policy, known: ReadonlySet<string>, fail: Fail): void {
  if (v === null) return;
  if (typeof v !== 'object' || Array.isArray(v)) fail('"checks" must map check ids to off or a severity', ['checks']);
  for (const [id, setting] of Object.entries(v as Record<string, unknown>)) {
    // YAML 1.2 reads `off` as a string, but `false` is a boolean: accept both as "off".
    const normalised = setting === false ? 'off' : typeof setting === 'string' ? setting.toLowerCase() : setting;
    if (!known.has(id)) fail(`unknown check id "${id}"`, ['checks', id]);
    if (normalised !== 'off' && !isSeverity(normalised)) {
      fail(`check "${id}" must be off, info, low, medium, high or critical, not "${String(setting)}"`, ['checks', id]);
    }
    policy.checks.set(id, normalised as CheckSetting);
  }
}

function readIgnore(v: unknown, policy: Policy, fail: Fail): void {
  if (v === null) return;
  if (!Array.isArray(v)) fail('"ignore" must be a list of path globs', ['ignore']);
  (v as unknown[]).forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') fail('each "ignore" entry must be a non-empty path glob', ['ignore', i]);
    policy.ignorePaths.push(item as string);
    policy.ignoreRegexps.push(globToRegExp(item as string));
  });
}

function readRunners(v: unknown, policy: Policy, fail: Fail): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('"runners" must be a mapping with "hosted"', ['runners']);
  for (const [k, labels] of Object.entries(v as Record<string, unknown>)) {
    if (k !== 'hosted') fail(`unknown key "runners.${k}" (expected hosted)`, ['runners', k]);
    if (!Array.isArray(labels)) fail('"runners.hosted" must be a list of runner labels', ['runners', k]);
    (labels as unknown[]).forEach((l, i) => {
      if (typeof l !== 'string') fail('runner labels must be strings', ['runners', k, i]);
      policy.hostedRunnerLabels.push(l as string);
    });
  }
}

function readLock(v: unknown, policy: Policy, known: ReadonlySet<string>, fail: Fail): void {
  if (v === 'all') {
    policy.locked.add('*');
    return;
  }
  if (!Array.isArray(v)) fail('"lock" must be "all" or a list of check ids', ['lock']);
  (v as unknown[]).forEach((id, i) => {
    if (typeof id !== 'string' || !known.has(id)) fail(`"lock" names an unknown check id "${String(id)}"`, ['lock', i]);
    policy.locked.add(id as string);
  });
}

/** A severity setting, case-insensitive. */
function severityAt(value: unknown, path: string[], fail: Fail): Severity {
  const sev = typeof value === 'string' ? value.toLowerCase() : value;
  if (!isSeverity(sev)) fail(`"${path.join('.')}" must be info, low, medium, high or critical`, path);
  return sev as Severity;
}

function readCheckRun(v: unknown, policy: Policy, fail: Fail): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('"check_run" must be a mapping', ['check_run']);
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'fail_on' || k === 'neutral_on') {
      policy.checkRun[k === 'fail_on' ? 'failOn' : 'neutralOn'] = severityAt(value, ['check_run', k], fail);
    } else if (k === 'fail_on_existing') {
      if (typeof value !== 'boolean') fail('"check_run.fail_on_existing" must be true or false', ['check_run', k]);
      policy.checkRun.failOnExisting = value as boolean;
    } else {
      fail(`unknown key "check_run.${k}" (expected fail_on, neutral_on, fail_on_existing)`, ['check_run', k]);
    }
  }
}

const GATE_BOOLEANS: Record<string, keyof GatePolicy> = {
  require_default_branch_workflow: 'requireDefaultBranchWorkflow',
  require_attestation: 'requireAttestation',
  require_protected_environment: 'requireProtectedEnvironment',
  fail_open: 'failOpen',
};

function stringList(v: unknown, path: (string | number)[], fail: Fail): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) fail(`"${path.join('.')}" must be a list of names`, path);
  return v as string[];
}

function readGate(v: unknown, policy: Policy, fail: Fail): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('"gate" must be a mapping', ['gate']);
  const gate = policy.gate as Record<string, unknown>;
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'environments') gate.environments = stringList(value, ['gate', k], fail);
    else if (k === 'signer_workflows') gate.signerWorkflows = stringList(value, ['gate', k], fail);
    else if (k === 'severity') gate.severity = severityAt(value, ['gate', k], fail);
    else if (k in GATE_BOOLEANS) {
      if (typeof value !== 'boolean') fail(`"gate.${k}" must be true or false`, ['gate', k]);
      gate[GATE_BOOLEANS[k]] = value;
    } else {
      fail(`unknown key "gate.${k}" (expected environments, severity, ${Object.keys(GATE_BOOLEANS).join(', ')}, signer_workflows)`, ['gate', k]);
    }
  }
}

function mapping(v: unknown, path: string[], fail: Fail, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`"${path.join('.')}" must be a mapping ${what}`, path);
  return v as Record<string, unknown>;
}

function readAutofix(v: unknown, policy: Policy, fail: Fail): void {
  // YAML 1.2 reads `off` as a string; `false` is accepted as off too.
  const mode = v === false ? 'off' : v;
  if (mode !== 'off' && mode !== 'pr') fail('"autofix" must be off or pr', ['autofix']);
  policy.autofix = mode as AutofixMode;
}

/** Reads a mapping whose keys are all required non-empty strings. */
function requiredStrings<K extends string>(v: unknown, path: string[], keys: readonly K[], optional: readonly K[], fail: Fail): Record<K, string> {
  const m = mapping(v, path, fail, `with ${keys.join(', ')}`);
  const out = {} as Record<K, string>;
  for (const [k, value] of Object.entries(m)) {
    if (!(keys as readonly string[]).includes(k) && !(optional as readonly string[]).includes(k)) {
      fail(`unknown key "${[...path, k].join('.')}" (expected ${[...keys, ...optional].join(', ')})`, [...path, k]);
    }
    if (typeof value !== 'string' || value.trim() === '') fail(`"${[...path, k].join('.')}" must be a non-empty string`, [...path, k]);
    out[k as K] = (value as string).trim();
  }
  for (const k of keys) if (out[k] === undefined) fail(`"${path.join('.')}" needs "${k}"`, path);
  return out;
}

function readOidc(v: unknown, policy: Policy, fail: Fail): void {
  if (v === null) return;
  for (const [cloud, value] of Object.entries(mapping(v, ['oidc'], fail, 'with aws, gcp or azure'))) {
    const path = ['oidc', cloud];
    if (cloud === 'aws') {
      const r = requiredStrings(value, path, ['role'] as const, ['region'] as const, fail);
      if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(r.role)) fail('"oidc.aws.role" must be an IAM role ARN (arn:aws:iam::123456789012:role/name)', [...path, 'role']);
      policy.oidc.aws = r.region ? { role: r.role, region: r.region } : { role: r.role };
    } else if (cloud === 'gcp') {
      const r = requiredStrings(value, path, ['workload_identity_provider', 'service_account'] as const, [], fail);
      policy.oidc.gcp = { workloadIdentityProvider: r.workload_identity_provider, serviceAccount: r.service_account };
    } else if (cloud === 'azure') {
      const r = requiredStrings(value, path, ['client_id', 'tenant_id', 'subscription_id'] as const, [], fail);
      policy.oidc.azure = { clientId: r.client_id, tenantId: r.tenant_id, subscriptionId: r.subscription_id };
    } else {
      fail(`unknown key "oidc.${cloud}" (expected aws, gcp, azure)`, path);
    }
  }
}

function readEnforce(v: unknown, policy: Policy, fail: Fail): void {
  if (v === null) return;
  for (const [k, value] of Object.entries(mapping(v, ['enforce'], fail, 'with checks and reviewers'))) {
    if (k === 'checks') {
      const ids = stringList(value, ['enforce', k], fail);
      ids.forEach((id, i) => {
        if (!ENFORCEABLE_CHECKS.includes(id)) fail(`"enforce.checks" cannot enforce "${id}" (enforceable: ${ENFORCEABLE_CHECKS.join(', ')})`, ['enforce', k, i]);
      });
      policy.enforce.checks = [...new Set(ids)];
    } else if (k === 'reviewers') {
      const names = stringList(value, ['enforce', k], fail);
      names.forEach((n, i) => {
        if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9._-]+)?$/.test(n)) fail(`"enforce.reviewers" entry "${n}" must be a user login or org/team-slug`, ['enforce', k, i]);
      });
      policy.enforce.reviewers = names;
    } else {
      fail(`unknown key "enforce.${k}" (expected checks, reviewers)`, ['enforce', k]);
    }
  }
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

function readSweep(v: unknown, policy: Policy, fail: Fail): void {
  if (v === null) return;
  for (const [k, value] of Object.entries(mapping(v, ['sweep'], fail, 'with schedule, forks, issue_repo, budget_share'))) {
    const path = ['sweep', k];
    if (k === 'schedule') {
      const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
      if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) fail('"sweep.schedule" must be a five-field cron expression in UTC, e.g. "0 6 * * 1"', path);
      policy.sweep.schedule = fields.join(' ');
    } else if (k === 'forks') {
      if (typeof value !== 'boolean') fail('"sweep.forks" must be true or false', path);
      policy.sweep.forks = value as boolean;
    } else if (k === 'issue_repo') {
      if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(value)) fail('"sweep.issue_repo" must be a repository name in the organisation', path);
      policy.sweep.issueRepo = value as string;
    } else if (k === 'budget_share') {
      if (typeof value !== 'number' || !(value > 0 && value <= 1)) fail('"sweep.budget_share" must be a number in (0, 1]', path);
      policy.sweep.budgetShare = value as number;
    } else {
      fail(`unknown key "sweep.${k}" (expected schedule, forks, issue_repo, budget_share)`, path);
    }
  }
}
