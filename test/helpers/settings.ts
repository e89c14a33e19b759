/**
 * Builders for settings-check tests: a `RepoSettings` where every probe is `ok` and every setting is
 * the secure choice, overridable per field, and a snapshot wrapping it with optional workflows.
 */
import type { Check, CheckOutcome } from '../../src/checks/types.js';
import type { EnvironmentProtection, Probe, RepoFacts, RepoSettings } from '../../src/model/settings.js';
import type { RepoSnapshot, SnapshotFile } from '../../src/model/snapshot.js';
import { buildCheckInput } from '../../src/engine/input.js';
import { scanSnapshot, type ScanResult } from '../../src/engine/scan.js';

export const COLLECTED_AT = '2026-08-01T00:00:00Z';

export const ok = <T>(value: T): Probe<T> => ({ status: 'ok', value });
export const forbidden = <T>(permission = 'administration:read'): Probe<T> => ({ status: 'forbidden', permission });
export const unavailable = <T>(reason = 'not offered on this plan'): Probe<T> => ({ status: 'unavailable', reason });
export const failed = <T>(reason = 'HTTP 502 after 3 retries'): Probe<T> => ({ status: 'error', reason });

/** ISO date `days` days before COLLECTED_AT. */
export function daysAgo(days: number): string {
  return new Date(Date.parse(COLLECTED_AT) - days * 86_400_000).toISOString();
}

export type SettingsOverrides = Partial<Omit<RepoSettings, 'repo'>> & { repo?: Partial<RepoFacts> };

/** A public org repository on Enterprise, protected and locked down everywhere. */
/** A production environment with reviewers, self-review prevention and a protected-branches policy. */
export function secureEnvironment(over: Partial<EnvironmentProtection> = {}): EnvironmentProtection {
  return {
    name: 'production',
    reviewers: 1,
    preventSelfReview: true,
    waitTimer: 0,
    canAdminsBypass: false,
    deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    customRules: [],
    ...over,
  };
}

export function secureSettings(over: SettingsOverrides = {}): RepoSettings {
  const { repo, ...rest } = over;
  return {
    collectedAt: COLLECTED_AT,
    repo: { visibility: 'public', archived: false, fork: false, defaultBranch: 'main', ownerIsOrg: true, plan: 'enterprise', ...repo },
    classicProtection: ok(null),
    branchRules: ok([
      {
        type: 'pull_request',
        rulesetId: 1,
        rulesetSourceType: 'Repository',
        parameters: {
          required_approving_review_count: 1,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: true,
          require_last_push_approval: true,
        },
      },
      { type: 'non_fast_forward', rulesetId: 1, rulesetSourceType: 'Repository' },
      { type: 'deletion', rulesetId: 1, rulesetSourceType: 'Repository' },
    ]),
    rulesets: ok([
      {
        id: 1,
        name: 'default branch',
        target: 'branch',
        enforcement: 'active',
        sourceType: 'Repository',
        bypassActors: [],
        ruleTypes: ['pull_request', 'non_fast_forward', 'deletion'],
      },
    ]),
    environments: ok([
      secureEnvironment({ secretNames: ['PROD_DEPLOY_KEY'] }),
    ]),
    actionsPermissions: ok({ enabled: true, allowedActions: 'selected', shaPinningRequired: true }),
    workflowPermissions: ok({ defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false }),
    forkPrApproval: ok({ approvalPolicy: 'all_external_contributors' }),
    forkPrPrivate: ok({
      runWorkflowsFromForkPullRequests: true,
      sendWriteTokensToWorkflows: false,
      sendSecretsAndVariables: false,
      requireApprovalForForkPrWorkflows: true,
    }),
    secrets: ok([{ name: 'SLACK_WEBHOOK_URL', scope: 'repository', updatedAt: daysAgo(10) }]),
    securityAndAnalysis: ok({ secretScanning: 'enabled', pushProtection: 'enabled', advancedSecurity: 'enabled' }),
    selfHostedRunners: ok({ count: 0, groupsAllowPublicRepos: false, ephemeralUnknown: false }),
    ...rest,
  };
}

/** A snapshot with the given settings (or none) and workflow files (`name` → YAML, under .github/workflows). */
export function snapshotWith(settings: RepoSettings | undefined, workflows: Record<string, string> = {}): RepoSnapshot {
  const files: SnapshotFile[] = Object.entries(workflows).map(([name, text]) => {
    const bytes = new TextEncoder().encode(text);
    return { path: `.github/workflows/${name}`, size: bytes.length, bytes };
  });
  return { source: 'github', repo: { owner: 'acme', name: 'models' }, files, warnings: [], ...(settings ? { settings } : {}) };
}

/** Runs one check directly (no engine), always as an outcome. */
export function runCheck(check: Check, snapshot: RepoSnapshot): CheckOutcome {
  const out = check.run(buildCheckInput(snapshot));
  return Array.isArray(out) ? { findings: out, notEvaluated: [] } : out;
}

/** Runs one check through the engine (offline skipping, not-evaluated bookkeeping). */
export function scanWith(check: Check, snapshot: RepoSnapshot): ScanResult {
  return scanSnapshot(snapshot, [check]);
}

/** The three non-ok probe kinds and the note each must produce. */
export const NON_OK = [
  { label: 'forbidden', probe: forbidden<never>('administration:read'), kind: 'missing-permission', permission: 'administration:read' },
  { label: 'unavailable', probe: unavailable<never>(), kind: 'not-available', permission: undefined },
  { label: 'error', probe: failed<never>(), kind: 'error', permission: undefined },
] as const;

/** The note a non-ok probe must turn into (the permission only for `forbidden`). */
export function noteFor(n: (typeof NON_OK)[number]): Record<string, unknown> {
  return n.permission ? { kind: n.kind, permission: n.permission } : { kind: n.kind };
}
