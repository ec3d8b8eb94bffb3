export type {
  EntropyBatchOptions,
  EntropyTransformer,
  EntropyTransformerConfig,
  WeightArray,
  WeightInit,
  WeightSpec,
} from './types.js';
export {
  ARCHITECTURE_KEYS,
  BYTE_VOCAB_SIZE,
  DEFAULT_ENTROPY_CONFIG,
  entropyConfig,
  flopsPerByte,
  headDim,
  nonEmbeddingParameterCount,
  parameterCount,
  swigluHiddenDim,
  validateEntropyConfig,
} from './config.js';
export { layerWeightNames, weightSpecs } from './weight-specs.js';
export {
  checkWeightArrays,
  createEntropyTransformer,
  dispose,
  disposeEntropyTransformer,
  entropyTransformerFromArrays,
  exportWeightArrays,
} from './model.js';
export { forwardLogits } from './forward.js';
export { computeEntropies, computeEntropiesBatch, entropyFromLogits, forwardEntropies } from './entropy.js';
export { planBatches, planRows, REFERENCE_CHUNK_LENGTH, type EntropyRow } from './chunks.js';
export { attentionLayout, rowLength, type AttentionLayout } from './attention-layout.js';
