/** The artifacts checks, in catalogue order. */
import type { Check } from '../types.js';
import { committedModelWeights } from './committed-model-weights.js';
import { unsafePickle } from './unsafe-pickle.js';

export const checks: Check[] = [committedModelWeights, unsafePickle];
