export type { EntropyTransformer, EntropyTransformerConfig } from './types.js';
export {
  DEFAULT_ENTROPY_CONFIG,
  entropyConfig,
  flopsPerByte,
  nonEmbeddingParameterCount,
  parameterCount,
  swigluHiddenDim,
  validateEntropyConfig,
} from './config.js';
export { weightSpecs } from './weight-specs.js';
export {
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyTransformerFromArrays,
  exportWeightArrays,
} from './model.js';
export { forwardLogits } from './forward.js';
export { computeEntropies, computeEntropiesBatch, entropyFromLogits } from './entropy.js';
export { planBatches, planRows } from './chunks.js';
export { rowLength } from './attention-layout.js';
