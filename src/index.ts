/**
 * blt-toolkit's public API. Everything a user or an external check calls is exported here;
 * deep imports are not part of the contract.
 */
export { BltError, type BltErrorCode } from './core/errors.js';
export { BOE_ID, BOS_ID, EOS_ID, BPE_ID, OFFSET, VOCAB_SIZE } from './bytes/byte-vocab.js';
export { encodeBytes, decodeBytes, tokensToBytes, type EncodeOptions } from './bytes/tokenizer.js';
export { hashNgramIds, HASH_PRIMES } from './patching/ngram-hash.js';
export { patchLengths } from './patching/patch-lengths.js';
export {
  DEFAULT_THRESHOLD,
  DEFAULT_PATCH_SIZE,
  PATCH_MODES,
  type PatchMode,
  type PatchOptions,
} from './patching/patch-options.js';
export { entropyFromLogits } from './entropy/entropy-from-logits.js';
export { PatchStatsAccumulator, type PatchStats } from './patching/patch-stats.js';

// compute backends
export { initBackend, availableCores, type BackendInfo, type BackendRequest } from './backend/select-backend.js';

// entropy models: the transformer (tfjs), its file format, inference engines, the n-gram model
export {
  DEFAULT_ENTROPY_CONFIG,
  createEntropyTransformer,
  disposeEntropyTransformer,
  forwardLogits,
  computeEntropies,
  computeEntropiesBatch,
  flopsPerByte,
  type EntropyTransformer,
  type EntropyTransformerConfig,
} from './entropy/transformer/index.js';
export { loadEntropyModel, saveEntropyModel, modelFingerprint } from './entropy/model-format/index.js';
export { createEntropyEngine, type EntropyEngine, type EntropyEngineOptions } from './entropy/engine.js';
export { openEntropyScorer, type EntropyScorer } from './entropy/open-scorer.js';
export {
  trainNgramModel,
  ngramEntropies,
  ngramLogProbs,
  saveNgramModel,
  loadNgramModel,
  type NgramModel,
} from './entropy/ngram/index.js';

// shard sets: reading, checking, merging; preprocessing; statistics and calibration
export {
  readShardSet,
  readShardRows,
  verifyShardSet,
  readManifest,
  type ShardRow,
  type Manifest,
} from './shards/index.js';
export { mergeShardSets } from './shards/merge.js';
export { resolvePreprocessConfig, type PreprocessOptions, type PreprocessConfig } from './preprocess/config.js';
export { runPreprocess, type PreprocessSummary, type PreprocessHooks } from './preprocess/run-preprocess.js';
export { computeShardStats } from './stats/shard-stats.js';
export { calibrateThreshold } from './stats/calibrate.js';

// BLT training: train(config, hooks), evaluation in bits per byte, generation (docs/blt-training.md)
export {
  train,
  type BltTrainOptions,
  type BltTrainHooks,
  type BltTrainResult,
  type BltStartInfo,
  type BltStepInfo,
  type BltEvalInfo,
} from './train/trainer/train-loop.js';
export {
  resolveBltTrainConfig,
  BLT_TRAIN_DEFAULTS,
  type BltTrainConfig,
  type BltTrainConfigInput,
} from './train/trainer/config.js';
export type { PatchingChoice } from './train/trainer/patching-choice.js';
export { loadBltRun, type LoadedRun } from './train/trainer/load-run.js';
export { evaluateBlt, type BltEvalResult, type BltEvalOptions } from './train/eval/bits-per-byte.js';
export { evaluateRun, type EvalRunOptions, type EvalRunResult } from './train/eval/eval-run.js';
export { generateBlt, type GenerateOptions, type GenerateResult } from './train/generate/generate.js';
export { runPatching, openRunScorer, type RunPatching } from './train/generate/run-patching.js';
