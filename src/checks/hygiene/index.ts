/** The hygiene checks (literal secrets, remote scripts, package indexes), in catalogue order. */
import type { Check } from '../types.js';

export const checks: Check[] = [];
