/** The credentials checks, in catalogue order. */
import type { Check } from '../types.js';
import { staticCloudCredentials } from './static-cloud-credentials.js';
import { publishTokenNotOidc } from './publish-token-not-oidc.js';
import { secretsOverexposed } from './secrets-overexposed.js';
import { cachePoisoning } from './cache-poisoning.js';

export const checks: Check[] = [staticCloudCredentials, publishTokenNotOidc, secretsOverexposed, cachePoisoning];
