/** The BLT model (issue "Train BLT", item 1): config, batch indices, layers, forward, loss. */
export {
  DEFAULT_BLT_CONFIG,
  bltConfig,
  ffnDim,
  hasDecoderPatchProjection,
  hasGlobalInputProjection,
  validateBltConfig,
  type BltModelConfig,
} from './blt-config.js';
export { bltFlops, bltParameterCounts } from './blt-cost.js';
export { bltWeightSpecs } from './blt-weight-specs.js';
export { MASKED, decoderPatchIdsFromLengths, patchIdsFromLengths } from './batch-indices.js';
export { type BltBatch } from './blt-batch.js';
export { disposeBltInputs, prepareBltInputs, type BltInputs } from './blt-inputs.js';
export { createBltModel, disposeBltModel, type BltModel } from './blt-model.js';
export { bltForward } from './blt-forward.js';
export { bitsPerByte, bltLoss, maskedCrossEntropySum, natsToBitsPerByte } from './blt-loss.js';
