/**
 * `blt preprocess`: inputs → tasks → worker pool (entropies, patches, n-gram ids) → ordered
 * reassembly → shard writer → manifest. Resumable and deterministic (docs/design.md §8):
 *
 * - tasks are groups of input records fixed by the data, so output is identical for any worker
 *   count; in-flight work is bounded by `orderedMap`'s window (backpressure);
 * - each task's completion record is written, then the task is committed to the shard writer,
 *   whose `nextTask` is the truth about what is done; a killed run started again with the same
 *   command skips the records of finished tasks and continues, ending with identical shards;
 * - every input record is written or quarantined (documents read = written + quarantined);
 * - the manifest is written last; re-running a finished run is a no-op.
 *
 * The steps live where they are shared: the run record, completions, the task loop and the
 * finish in src/shardset (also used by `blt repatch` and the cache), the computing source in
 * compute-shard-set.ts, the reuse of cached sets in src/cache.
 */
import { preprocessWithCache } from '../cache/preprocess-with-cache.js';
import type { PreprocessHooks, PreprocessSummary } from '../shardset/summary.js';
import type { PreprocessConfig } from './config.js';
import { computeShardSet } from './compute-shard-set.js';
import { prepareRun } from './prepare-run.js';

export type { PreprocessHooks, PreprocessProgress, PreprocessSummary } from '../shardset/summary.js';

/**
 * Runs `blt preprocess`. With `c.cacheDir` the run goes through the cache (src/cache: reuse of
 * stored entropies and n-gram ids, docs/reuse.md); without it everything is computed here.
 */
export async function runPreprocess(c: PreprocessConfig, hooks: PreprocessHooks = {}): Promise<PreprocessSummary> {
  if (c.cacheDir !== null) return preprocessWithCache(c, hooks);
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  return computeShardSet(c, await prepareRun(c, log), hooks, t0);
}
