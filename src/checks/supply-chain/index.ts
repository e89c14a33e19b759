/** The supply-chain checks, in catalogue order. */
import type { Check } from '../types.js';
import { unpinnedAction } from './unpinned-action.js';
import { knownCompromisedAction } from './known-compromised-action.js';
import { excessivePermissions } from './excessive-permissions.js';
import { unpinnedImage } from './unpinned-image.js';

export const checks: Check[] = [unpinnedAction, knownCompromisedAction, excessivePermissions, unpinnedImage];
