/** The BLT data loader (issue "Train BLT", item 2): shard sets → packed, resumable batches (docs/blt-loader.md). */
export { createLoader, createValidationLoader } from './create-loader.js';
export { type LoaderOptions } from './loader-options.js';
export { toBltBatch, type LoaderBatch } from './loader-batch.js';
export { type LoaderState } from './loader-state.js';

export { epochShardOrder } from './shard-order.js';
