/** The injection checks, in catalogue order. */
import type { Check } from '../types.js';
import { untrustedCheckout } from './untrusted-checkout.js';
import { expressionInjection } from './expression-injection.js';
import { workflowRunArtifactTrust } from './workflow-run-artifact-trust.js';
import { spoofableBotCheck } from './spoofable-bot-check.js';
import { selfHostedRunnerExposure } from './self-hosted-runner-exposure.js';

export const checks: Check[] = [untrustedCheckout, expressionInjection, workflowRunArtifactTrust, spoofableBotCheck, selfHostedRunnerExposure];
