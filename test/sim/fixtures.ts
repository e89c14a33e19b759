/** A small hand-made organisation for the simulator tests. */
import type { GitHubSimulator } from '../../src/sim/index.js';

export const CI = `name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt && pytest
`;

/** pickle protocol 2 of os.system("id"): GLOBAL 'os system' then REDUCE. */
export const EVIL_PICKLE = Buffer.from('8002636f730a73797374656d0a71005802000000696471018571025271032e', 'hex');

export function acme(sim: GitHubSimulator): void {
  sim.addOrg('acme', {
    secrets: [{ name: 'PYPI_TOKEN', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', visibility: 'all' }],
    rulesets: [{ id: 42, name: 'org-baseline', target: 'branch', enforcement: 'active', sourceType: 'Organization', include: ['~DEFAULT_BRANCH'], exclude: [], bypassActors: [{ actor_id: null, actor_type: 'OrganizationAdmin', bypass_mode: 'always' }], rules: [{ type: 'deletion' }] }],
  });
  sim.addInstallation('acme', { id: 77 });
  const ml = sim.addRepo('acme', 'ml', {
    files: { '.github/workflows/ci.yml': CI, 'requirements.txt': 'torch\n', 'models/evil.pkl': EVIL_PICKLE, 'README.md': '# ml\n' },
    secrets: [{ name: 'HF_TOKEN', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-02-01T00:00:00Z' }],
    runners: 1,
  });
  ml.protection.set('main', { requiredApprovingReviewCount: 2, dismissStaleReviews: true, requireCodeOwnerReviews: false, requireLastPushApproval: false, enforceAdmins: true, allowForcePushes: false, allowDeletions: false, requiredStatusChecks: ['test'] });
  ml.environments.push({ id: 501, name: 'production', reviewers: [{ type: 'Team', id: 9, login: 'ml-leads' }], preventSelfReview: true, waitTimer: 30, branchPolicy: { protectedBranches: false, customBranchPolicies: true }, branchPolicies: [{ id: 1, name: 'main', type: 'branch' }], secrets: ['AWS_SECRET_ACCESS_KEY'], customRules: [] });
  ml.environments.push({ id: 502, name: 'staging', reviewers: [], preventSelfReview: false, waitTimer: 0, branchPolicy: null, branchPolicies: [], secrets: [], customRules: ['policy-gate'] });
  ml.actions.defaultWorkflowPermissions = 'write';
  sim.addRepo('acme', 'private-ml', { visibility: 'private', files: { 'README.md': 'private\n' } });
  sim.addRepo('acme', 'empty');
}
