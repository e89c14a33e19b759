/** The ml checks, in catalogue order. */
import type { Check } from '../types.js';
import { imageUnsigned } from './image-unsigned.js';
import { modelPromotionUngated } from './model-promotion-ungated.js';
import { modelArtifactUnsigned } from './model-artifact-unsigned.js';
import { deployWithoutVerification } from './deploy-without-verification.js';

export const checks: Check[] = [imageUnsigned, modelPromotionUngated, modelArtifactUnsigned, deployWithoutVerification];
