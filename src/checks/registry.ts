/** Every check, as a plain list (the docs, the CLI and the app all read it from here). */
import type { Check } from './types.js';
import { checks as injection } from './injection/index.js';
import { checks as supplyChain } from './supply-chain/index.js';
import { checks as credentials } from './credentials/index.js';
import { checks as hygiene } from './hygiene/index.js';
import { checks as ml } from './ml/index.js';
import { checks as artifacts } from './artifacts/index.js';
import { checks as settings } from './settings/index.js';
import { workflowInvalid } from './meta/workflow-invalid.js';

export const ALL_CHECKS: readonly Check[] = [...injection, ...supplyChain, ...credentials, ...hygiene, ...ml, ...artifacts, ...settings, workflowInvalid];

export const CHECK_IDS: ReadonlySet<string> = new Set(ALL_CHECKS.map((c) => c.meta.id));

export function checkById(id: string): Check | undefined {
  return ALL_CHECKS.find((c) => c.meta.id === id);
}
