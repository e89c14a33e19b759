/** Policy parsing, organisation locks and the merge a repository cannot use to loosen them. */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, CHECK_IDS, checkById } from '../src/checks/registry.js';
import { scanSnapshot } from '../src/engine/scan.js';
import { checkRunPolicy, enforcePolicy, gatePolicy, parsePolicy, policyFromObject, PolicyError, sweepPolicy } from '../src/policy/config.js';
import { mergePolicies } from '../src/policy/merge.js';
import { globToRegExp } from '../src/policy/glob.js';

const dflt = (id: string) => checkById(id)?.meta.defaultSeverity;

describe('policy parsing', () => {
  it('reads checks, ignores, hosted runners and locks', () => {
    const p = parsePolicy('checks:\n  unpinned-action: high\n  remote-script-exec: false\nignore: [docs/**]\nruners_typo_free: 1\n'.replace('runers_typo_free: 1\n', 'runners:\n  hosted: [gpu-l4]\nlock: [unpinned-action]\n'), 'p.yml', CHECK_IDS);
    expect([...p.checks]).toEqual([['unpinned-action', 'high'], ['remote-script-exec', 'off']]);
    expect(p.ignorePaths).toEqual(['docs/**']);
    expect(p.hostedRunnerLabels).toEqual(['gpu-l4']);
    expect([...p.locked]).toEqual(['unpinned-action']);
    expect(parsePolicy('lock: all\n', 'p.yml', CHECK_IDS).locked.has('*')).toBe(true);
  });

  it('errors name the file and line', () => {
    expect(() => parsePolicy('ignore: [x]\nchecks:\n  nope: high\n', 'p.yml', CHECK_IDS)).toThrow(new PolicyError('unknown check id "nope"', 'p.yml', 3));
    expect(() => parsePolicy('lock: [nope]\n', 'p.yml', CHECK_IDS)).toThrow(/p\.yml:1: "lock" names an unknown check id "nope"/);
    expect(() => parsePolicy('checks: [a]\n', 'p.yml', CHECK_IDS)).toThrow(/must map check ids/);
    expect(() => parsePolicy('checks:\n  a: 1\n  a: 2\n', 'p.yml', CHECK_IDS)).toThrow(/p\.yml:3: invalid YAML/);
  });

  it('validates plain objects from a config loader the same way', () => {
    expect(() => policyFromObject({ checks: { 'unpinned-action': 'loud' } }, 'org', CHECK_IDS)).toThrow(/org: check "unpinned-action" must be off/);
    expect(policyFromObject({ _extends: '.github', checks: { 'unpinned-action': 'low' } }, 'org', CHECK_IDS).checks.get('unpinned-action')).toBe('low');
    expect(policyFromObject(null, 'org', CHECK_IDS).checks.size).toBe(0);
  });
});

describe('organisation locks', () => {
  const org = parsePolicy('checks:\n  unpinned-image: high\nlock: [unpinned-action, unpinned-image]\n', 'org', CHECK_IDS);

  it('a repository cannot switch off or lower a locked check, but may tighten it or change unlocked ones', () => {
    const repo = parsePolicy('checks:\n  unpinned-action: off\n  unpinned-image: low\n  remote-script-exec: off\n  excessive-permissions: critical\n', 'repo', CHECK_IDS);
    const { policy, refused } = mergePolicies(org, repo, dflt);
    expect(policy.checks.get('unpinned-action')).toBeUndefined();
    expect(policy.checks.get('unpinned-image')).toBe('high');
    expect(policy.checks.get('remote-script-exec')).toBe('off');
    expect(policy.checks.get('excessive-permissions')).toBe('critical');
    expect(refused).toEqual([
      '"unpinned-action: off" is ignored: the organisation policy locks unpinned-action',
      '"unpinned-image: low" is ignored: the organisation policy locks unpinned-image',
    ]);
    const tighter = mergePolicies(org, parsePolicy('checks:\n  unpinned-action: critical\n', 'repo', CHECK_IDS), dflt);
    expect(tighter.policy.checks.get('unpinned-action')).toBe('critical');
    expect(tighter.refused).toEqual([]);
  });

  it('a repository path ignore does not hide findings of locked checks', () => {
    const repo = parsePolicy('ignore: [".github/**"]\n', 'repo', CHECK_IDS);
    const { policy } = mergePolicies(org, repo, dflt);
    const text = 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/action@v1\n      - run: curl https://x.example/i.sh | sh\n';
    const bytes = new TextEncoder().encode(text);
    const result = scanSnapshot({ source: 'local', files: [{ path: '.github/workflows/a.yml', size: bytes.length, bytes }], warnings: [] }, ALL_CHECKS, policy);
    const ids = new Set(result.findings.map((f) => f.checkId));
    expect(ids.has('unpinned-action')).toBe(true); // locked: still reported
    expect(ids.has('remote-script-exec')).toBe(false); // unlocked: the repository may ignore the path
  });

  it('"lock" in a repository policy is refused', () => {
    expect(mergePolicies(undefined, parsePolicy('lock: all\n', 'repo', CHECK_IDS), dflt).refused).toEqual([
      '"lock" is ignored in a repository policy: only the organisation policy can lock checks',
    ]);
  });
});

describe('check run policy', () => {
  it('defaults to failure at high, neutral at medium; the repository refines what the organisation set', () => {
    expect(checkRunPolicy(parsePolicy('', 'p', CHECK_IDS))).toEqual({ failOn: 'high', neutralOn: 'medium', failOnExisting: false });
    const org = parsePolicy('check_run:\n  fail_on: critical\n', 'org', CHECK_IDS);
    const repo = parsePolicy('check_run:\n  fail_on_existing: true\n', 'repo', CHECK_IDS);
    expect(checkRunPolicy(mergePolicies(org, repo, dflt).policy)).toEqual({ failOn: 'critical', neutralOn: 'medium', failOnExisting: true });
    expect(checkRunPolicy(mergePolicies(org, undefined, dflt).policy).failOn).toBe('critical');
    expect(() => parsePolicy('check_run:\n  fail_on: loud\n', 'p', CHECK_IDS)).toThrow(/p:2: "check_run.fail_on" must be/);
  });
});

describe('deployment gate policy', () => {
  it('reads the gate with defaults and strict validation', () => {
    expect(gatePolicy(parsePolicy('', 'p', CHECK_IDS))).toEqual({
      environments: [], severity: 'high', requireDefaultBranchWorkflow: true, requireAttestation: true, signerWorkflows: [], requireProtectedEnvironment: false, failOpen: false,
    });
    const p = parsePolicy('gate:\n  environments: [production]\n  severity: critical\n  fail_open: true\n  signer_workflows: [acme/ml/.github/workflows/release.yml]\n', 'p', CHECK_IDS);
    expect(gatePolicy(p)).toMatchObject({ environments: ['production'], severity: 'critical', failOpen: true, signerWorkflows: ['acme/ml/.github/workflows/release.yml'] });
    expect(() => parsePolicy('gate:\n  enviroments: [x]\n', 'p', CHECK_IDS)).toThrow(/p:2: unknown key "gate.enviroments"/);
    expect(() => parsePolicy('gate:\n  fail_open: yes\n', 'p', CHECK_IDS)).toThrow(/must be true or false/);
    expect(gatePolicy(parsePolicy('gate:\n  severity: MEDIUM\n', 'p', CHECK_IDS)).severity).toBe('medium');
    expect(() => parsePolicy('gate:\n  severity: loud\n', 'p', CHECK_IDS)).toThrow(/p:2: "gate.severity" must be info, low, medium, high or critical/);
  });

  it('without an organisation policy the repository decides its gate', () => {
    const repo = parsePolicy('gate:\n  environments: [prod]\n  require_attestation: false\n', 'repo', CHECK_IDS);
    expect(gatePolicy(mergePolicies(undefined, repo, dflt).policy)).toMatchObject({ environments: ['prod'], requireAttestation: false });
  });

  it('a repository may add environments and tighten the gate, never loosen the organisation\'s', () => {
    const org = parsePolicy('gate:\n  environments: [production]\n  severity: high\n  signer_workflows: [a/b/.github/workflows/r.yml, a/b/.github/workflows/s.yml]\n  fail_open: false\n', 'org', CHECK_IDS);
    const repo = parsePolicy('gate:\n  environments: [model-registry]\n  severity: critical\n  require_attestation: false\n  fail_open: true\n  signer_workflows: [a/b/.github/workflows/r.yml, evil/x/.github/workflows/y.yml]\n', 'repo', CHECK_IDS);
    const { policy, refused } = mergePolicies(org, repo, dflt);
    expect(gatePolicy(policy)).toMatchObject({ environments: ['production', 'model-registry'], severity: 'high', failOpen: false, requireAttestation: true, signerWorkflows: ['a/b/.github/workflows/r.yml'] });
    expect(refused).toHaveLength(3);
    expect(refused.join('\n')).toMatch(/gate.severity: critical/);
    expect(refused.join('\n')).toMatch(/requireAttestation/);
    expect(refused.join('\n')).toMatch(/fail_open/);
  });
});

describe('remediation and sweep policy', () => {
  const text = [
    'autofix: pr',
    'oidc:',
    '  aws: { role: "arn:aws:iam::123456789012:role/ci-deploy", region: eu-west-1 }',
    '  gcp: { workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/gh, service_account: ci@p.iam.gserviceaccount.com }',
    'enforce:',
    '  checks: [default-token-write, fork-pr-approval-weak]',
    '  reviewers: [acme/release-team, alice]',
    'sweep:',
    '  schedule: "30 2 * * 0"',
    '  forks: true',
    '  budget_share: 0.25',
    '',
  ].join('\n');

  it('reads autofix, oidc, enforce and sweep; defaults fill the rest', () => {
    const p = parsePolicy(text, 'org', CHECK_IDS);
    expect(p.autofix).toBe('pr');
    expect(p.oidc.aws).toEqual({ role: 'arn:aws:iam::123456789012:role/ci-deploy', region: 'eu-west-1' });
    expect(p.oidc.gcp?.serviceAccount).toBe('ci@p.iam.gserviceaccount.com');
    expect(p.oidc.azure).toBeUndefined();
    expect(enforcePolicy(p)).toEqual({ checks: ['default-token-write', 'fork-pr-approval-weak'], reviewers: ['acme/release-team', 'alice'] });
    expect(sweepPolicy(p)).toEqual({ schedule: '30 2 * * 0', forks: true, issueRepo: '.github', budgetShare: 0.25 });
    const empty = parsePolicy('', 'p', CHECK_IDS);
    expect(empty.autofix).toBeUndefined();
    expect(enforcePolicy(empty)).toEqual({ checks: [], reviewers: [] });
    expect(sweepPolicy(empty)).toEqual({ schedule: '0 6 * * 1', forks: false, issueRepo: '.github', budgetShare: 0.5 });
  });

  it('rejects bad values with the line', () => {
    expect(() => parsePolicy('autofix: yes\n', 'p', CHECK_IDS)).toThrow(/p:1: "autofix" must be off or pr/);
    expect(() => parsePolicy('oidc:\n  aws: { role: admin }\n', 'p', CHECK_IDS)).toThrow(/IAM role ARN/);
    expect(() => parsePolicy('oidc:\n  azure: { client_id: x }\n', 'p', CHECK_IDS)).toThrow(/"oidc.azure" needs "tenant_id"/);
    expect(() => parsePolicy('enforce:\n  checks: [unpinned-action]\n', 'p', CHECK_IDS)).toThrow(/p:2: "enforce.checks" cannot enforce "unpinned-action"/);
    expect(() => parsePolicy('enforce:\n  reviewers: ["@alice"]\n', 'p', CHECK_IDS)).toThrow(/user login or org\/team-slug/);
    expect(() => parsePolicy('sweep:\n  schedule: weekly\n', 'p', CHECK_IDS)).toThrow(/five-field cron/);
    expect(() => parsePolicy('sweep:\n  budget_share: 1.5\n', 'p', CHECK_IDS)).toThrow(/\(0, 1\]/);
  });

  it('a repository chooses autofix and its own cloud roles, but cannot turn on enforcement or change the sweep', () => {
    const org = parsePolicy(text, 'org', CHECK_IDS);
    const repo = parsePolicy('autofix: off\noidc:\n  aws: { role: "arn:aws:iam::999999999999:role/other" }\nenforce:\n  checks: [default-branch-unprotected]\nsweep:\n  forks: false\n', 'repo', CHECK_IDS);
    const { policy, refused } = mergePolicies(org, repo, dflt);
    expect(policy.autofix).toBe('off');
    expect(policy.oidc.aws?.role).toBe('arn:aws:iam::999999999999:role/other');
    expect(policy.oidc.gcp).toEqual(org.oidc.gcp);
    expect(enforcePolicy(policy).checks).toEqual(['default-token-write', 'fork-pr-approval-weak']);
    expect(sweepPolicy(policy).forks).toBe(true);
    expect(refused.join('\n')).toMatch(/"enforce" is ignored/);
    expect(refused.join('\n')).toMatch(/"sweep" is ignored/);
    const alone = mergePolicies(undefined, repo, dflt);
    expect(enforcePolicy(alone.policy).checks).toEqual([]);
  });
});

describe('globs', () => {
  it('matches ** across directories, * within one, and a directory prefix', () => {
    expect(globToRegExp('tests/**').test('tests/a/b.yml')).toBe(true);
    expect(globToRegExp('**/*.pkl').test('models/x/y.pkl')).toBe(true);
    expect(globToRegExp('**/*.pkl').test('y.pkl')).toBe(true);
    expect(globToRegExp('*.yml').test('a/b.yml')).toBe(false);
    expect(globToRegExp('docs').test('docs/x.md')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});
