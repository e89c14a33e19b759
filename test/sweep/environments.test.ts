import { describe, expect, it } from 'vitest';
import { environmentsFromGraphql, hasProtectionGap } from '../../src/sweep/environments.js';
import { outsiderMayUse, workflowNeeds, mergeNeeds, NO_NEEDS } from '../../src/sweep/workflow-needs.js';
import type { SweepRepository } from '../../src/sweep/query.js';
import type { EnvironmentProtection } from '../../src/model/settings.js';
import { envNode } from './org-fixture.js';

const conn = (nodes: Record<string, unknown>[], totalCount = nodes.length) => ({ totalCount, nodes }) as unknown as SweepRepository['environments'];

describe('environmentsFromGraphql', () => {
  it('builds the protection from REQUIRED_REVIEWERS, WAIT_TIMER and BRANCH_POLICY rules', () => {
    const r = environmentsFromGraphql(conn([
      envNode('production', { reviewers: 2, preventSelfReview: true, waitTimer: 15, branchPolicy: true }),
      envNode('staging', { reviewers: 1 }),
      envNode('dev'),
    ]));
    expect(r).toEqual({
      status: 'ok',
      value: [
        // Branch policy kind and patterns are unknown to GraphQL: custom, with no patterns (no invented "*" gap).
        { name: 'production', reviewers: 2, preventSelfReview: true, waitTimer: 15, canAdminsBypass: true, deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true }, customRules: [] },
        { name: 'staging', reviewers: 1, preventSelfReview: false, waitTimer: 0, canAdminsBypass: true, deploymentBranchPolicy: null, customRules: [] },
        { name: 'dev', reviewers: 0, preventSelfReview: false, waitTimer: 0, canAdminsBypass: true, deploymentBranchPolicy: null, customRules: [] },
      ],
    });
    const prod = r.status === 'ok' ? r.value[0] : undefined;
    expect(prod && 'branchPolicies' in prod).toBe(false);
  });

  it('is not ok when the batch did not read every environment or rule, or GraphQL returned no connection', () => {
    expect(environmentsFromGraphql(conn([envNode('a')], 12))).toMatchObject({ status: 'error', reason: expect.stringMatching(/^not read by the organisation sweep \(12 environments, more than the 1 read in the batch\)/) });
    const partial = { name: 'a', databaseId: 1, protectionRules: { totalCount: 4, nodes: [] } };
    expect(environmentsFromGraphql(conn([partial]))).toMatchObject({ status: 'error', reason: expect.stringMatching(/more protection rules than the batch reads/) });
    expect(environmentsFromGraphql(null)).toEqual({ status: 'error', reason: 'GraphQL returned no environments connection' });
  });
});

describe('hasProtectionGap', () => {
  const env = (o: Partial<EnvironmentProtection>): EnvironmentProtection => ({
    name: 'e', reviewers: 0, preventSelfReview: false, waitTimer: 0, canAdminsBypass: true, deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false }, customRules: [], ...o,
  });
  it('is a gap without an approval gate, with a self-approvable review, or without a branch policy', () => {
    expect(hasProtectionGap(env({}))).toBe(true);
    expect(hasProtectionGap(env({ customRules: ['pipeline-guard'] }))).toBe(false);
    expect(hasProtectionGap(env({ reviewers: 1, preventSelfReview: true }))).toBe(false);
    expect(hasProtectionGap(env({ reviewers: 1, preventSelfReview: false }))).toBe(true);
    expect(hasProtectionGap(env({ reviewers: 1, preventSelfReview: true, deploymentBranchPolicy: null }))).toBe(true);
  });
});

describe('workflowNeeds', () => {
  it('needs secret names only when a workflow reads a secret other than GITHUB_TOKEN, or every secret', () => {
    expect(workflowNeeds('on: push\njobs:\n  a:\n    steps:\n      - run: gh pr list\n        env:\n          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n').secrets).toBe(false);
    expect(workflowNeeds("env:\n  T: ${{ secrets['HF_TOKEN'] }}\n").secrets).toBe(true);
    expect(workflowNeeds('jobs:\n  a:\n    uses: ./.github/workflows/x.yml\n    secrets: inherit\n').secrets).toBe(true);
    expect(workflowNeeds('env:\n  ALL: ${{ toJSON(secrets) }}\n').secrets).toBe(true);
    expect(workflowNeeds('env:\n  X: ${{ secrets[matrix.name] }}\n').secrets).toBe(true);
  });

  it('sees fork pull-request triggers, and treats an unread workflow as needing everything', () => {
    expect(workflowNeeds('on: [push, pull_request]\n').forkPullRequests).toBe(true);
    expect(workflowNeeds('on:\n  workflow_run:\n    workflows: [CI]\n').forkPullRequests).toBe(true);
    expect(workflowNeeds('on:\n  push:\n  schedule:\n    - cron: "0 3 * * 1"\n').forkPullRequests).toBe(false);
    expect(workflowNeeds(undefined)).toEqual({ secrets: true, forkPullRequests: true, outsiderTexts: undefined });
  });

  it('outsiderMayUse: an environment named as a whole word by a workflow outsiders can trigger', () => {
    const pr = workflowNeeds('on: pull_request_target\njobs:\n  a:\n    environment: PyPI\n');
    const push = workflowNeeds('on: push\njobs:\n  a:\n    environment: production\n');
    const both = mergeNeeds(pr, push);
    expect(outsiderMayUse(both, 'pypi')).toBe(true);
    expect(outsiderMayUse(both, 'production')).toBe(false);
    expect(outsiderMayUse(both, 'pyp')).toBe(false);
    expect(outsiderMayUse(NO_NEEDS, 'pypi')).toBe(false);
    expect(outsiderMayUse(mergeNeeds(push, workflowNeeds(undefined)), 'production')).toBe(true);
  });
});
