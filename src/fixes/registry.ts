/** Every mechanical fix, keyed by the check id whose findings it removes. */
import { cachePoisoningFixer } from './cache-poisoning.js';
import { excessivePermissionsFixer } from './excessive-permissions.js';
import { expressionInjectionFixer } from './expression-injection.js';
import { hardcodedSecretFixer } from './hardcoded-secret.js';
import { modelPromotionUngatedFixer } from './model-promotion-ungated.js';
import { publishTokenNotOidcFixer } from './publish-token-not-oidc.js';
import { spoofableBotCheckFixer } from './spoofable-bot-check.js';
import { staticCloudCredentialsFixer } from './static-cloud-credentials.js';
import { unpinnedActionFixer } from './unpinned-action.js';
import type { Fixer } from './types.js';

/** In application order: when two fixes touch the same spot, the earlier one goes first. */
export const FIXERS: readonly Fixer[] = [
  expressionInjectionFixer,
  spoofableBotCheckFixer,
  cachePoisoningFixer,
  excessivePermissionsFixer,
  modelPromotionUngatedFixer,
  hardcodedSecretFixer,
  // After excessive-permissions: a job block it adds is then extended with `id-token: write`.
  staticCloudCredentialsFixer,
  publishTokenNotOidcFixer,
  unpinnedActionFixer,
];

export const FIXABLE_CHECK_IDS: ReadonlySet<string> = new Set(FIXERS.map((f) => f.checkId));
