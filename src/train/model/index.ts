/** The BLT model (issue "Train BLT", item 1): config, batch indices, layers, forward, loss. */
export {
  DEFAULT_BLT_CONFIG,
  bltConfig,
  ffnDim,
  hasDecoderPatchProjection,
  hasGlobalInputProjection,
  ngramTableCount,
  validateBltConfig,
  type BltModelConfig,
  type BltNgramConfig,
  type GlobalAttention,
} from './blt-config.js';
export {
  bltFlops,
  bltParameterCounts,
  type BltFlops,
  type BltFlopsOptions,
  type BltParameterCounts,
} from './blt-cost.js';
export { bltWeightSpecs } from './blt-weight-specs.js';
export {
  MASKED,
  blockCausalMask,
  checkPatchLengths,
  decoderPatchIdsFromLengths,
  decoderSlotIndex,
  documentIds,
  patchByteTable,
  patchDocumentIds,
  patchIdsFromLengths,
  type PatchByteTable,
} from './batch-indices.js';
export { checkBltBatch, type BltBatch } from './blt-batch.js';
export { disposeBltInputs, prepareBltInputs, type BltInputs } from './blt-inputs.js';
export { createBltModel, disposeBltModel, weightOf, type BltModel } from './blt-model.js';
export { bltForward } from './blt-forward.js';
export { bitsPerByte, bltLoss, maskedCrossEntropySum, natsToBitsPerByte } from './blt-loss.js';
export { hashEmbedding } from './hash-embedding.js';
export { localEncoder, type LocalEncoderOutput } from './local-encoder.js';
export { globalTransformer } from './global-transformer.js';
export { localDecoder } from './local-decoder.js';
export { encoderCrossAttention, encoderCrossAttentionOutput, type PatchSlots } from './encoder-cross-attention.js';
export { decoderCrossAttention, decoderCrossAttentionOutput } from './decoder-cross-attention.js';
export { crossAttentionWeights, type CrossAttentionWeights } from './cross-attention-weights.js';
export { patchMaxPool } from './patch-pooling.js';
export { maskedAttention, mergeHeads, selfAttention, splitHeads } from './masked-attention.js';
export { blockWeights, transformerBlock, type BlockWeights } from './transformer-block.js';
export { releaseRopeTables, ropeTables, type RopeTables } from './rope-tables.js';
