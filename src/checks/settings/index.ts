/** The repository and organization settings checks (catalogue R1, R2, R5, R6, R7, R10, R13). */
import type { Check } from '../types.js';
import { defaultBranchUnprotected } from './default-branch-unprotected.js';
import { branchProtectionWeak } from './branch-protection-weak.js';
import { deployEnvironmentUnprotected } from './deploy-environment-unprotected.js';
import { defaultTokenWrite } from './default-token-write.js';
import { forkPrApprovalWeak } from './fork-pr-approval-weak.js';
import { longLivedSecret } from './long-lived-secret.js';
import { secretScanningDisabled } from './secret-scanning-disabled.js';

export { selfHostedRunnerSettingsFindings } from './self-hosted-runner-settings.js';

export const checks: Check[] = [
  defaultBranchUnprotected,
  branchProtectionWeak,
  deployEnvironmentUnprotected,
  defaultTokenWrite,
  forkPrApprovalWeak,
  longLivedSecret,
  secretScanningDisabled,
];
