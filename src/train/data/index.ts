/** The BLT data loader (issue "Train BLT", item 2): shard sets → packed, resumable batches (docs/blt-loader.md). */
export { createLoader, createValidationLoader, type BltLoader } from './create-loader.js';
export { resolveLoaderOptions, type LoaderOptions, type ResolvedLoaderOptions } from './loader-options.js';
export { assembleBatch, toBltBatch, type LoaderBatch } from './loader-batch.js';
export { checkLoaderState, type LoaderConfig, type LoaderCounts, type LoaderState } from './loader-state.js';
export { packedRowNgramIds, type LoaderNgramConfig } from './batch-ngrams.js';
export { forceFirstPatch, packSequences, type PackedRows } from './pack-batch.js';
export { SequenceBuffer, type DocSource, type SequenceBufferState, type EncodedChunk } from './sequence-buffer.js';
export { PatchStream, type PatchChunk, type Sequence } from './patch-stream.js';
export {
  ShardSource,
  docFromRow,
  type ShardSourceOptions,
  type ShardSourceState,
  type SourceDoc,
} from './shard-source.js';
export { epochSeed, epochShardOrder } from './shard-order.js';
export { PrefetchQueue } from './prefetch-queue.js';
