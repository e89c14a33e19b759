/** The ml checks, in catalogue order. */
import type { Check } from '../types.js';

export const checks: Check[] = [];
