/**
 * The evaluation loaders: one pass over shard sets in shard order, as batches for `evaluateBlt`,
 * with the share of the stream's targets they score.
 *
 * - `covering` (default of `blt eval` and the trainer's validation): every target once
 *   (covering-rows.ts), so two patchings of the same sets are scored on the same bytes.
 * - `reference`: the reference's validation iteration (createValidationLoader: P-patch sequences
 *   truncated to N + 1 tokens), which scores only the bytes that fit.
 */
import { ShardSource } from './shard-source.js';
import { createValidationLoader } from './create-loader.js';
import { CoveringRows, packCoveringRows, type CoveringRow } from './covering-rows.js';
import { assembleBatch, type LoaderBatch } from './loader-batch.js';
import { resolveLoaderOptions, type LoaderOptions } from './loader-options.js';
import { badOption } from '../../core/errors.js';
import { readManifest } from '../../shards/manifest.js';

const EVAL_COVERAGES = ['covering', 'reference'] as const;
export type EvalCoverage = (typeof EVAL_COVERAGES)[number];

/** What a finished evaluation pass scored of the stream. */
export interface EvalCounts {
  readonly batches: number;
  /** Σ mask: targets scored (bytes + BOS/EOS) */
  readonly scored: number;
  /** targets the sets hold: Σ tokens − 1 of their manifests (every token after the stream's first) */
  readonly available: number;
  /** covering: patches longer than N split across rows; reference: 0 */
  readonly splitPatches: number;
}

export interface EvalLoader extends AsyncIterable<LoaderBatch> {
  readonly coverage: EvalCoverage;
  /** Counts over the batches returned so far. */
  counts(): EvalCounts;
}

export type EvalLoaderOptions = Omit<LoaderOptions, 'bufferSize' | 'epochs' | 'shuffleShards' | 'seed' | 'state'> & {
  coverage?: EvalCoverage;
};

export function checkCoverage(v: unknown): EvalCoverage {
  if (v === undefined) return 'covering';
  if (!EVAL_COVERAGES.includes(v as EvalCoverage)) throw badOption('coverage', EVAL_COVERAGES.join(' or '), v);
  return v as EvalCoverage;
}

/** A pass over `opts.data` with the given coverage (default covering). */
export async function createEvalLoader(opts: EvalLoaderOptions): Promise<EvalLoader> {
  const coverage = checkCoverage(opts.coverage);
  const { coverage: _c, ...loaderOpts } = opts;
  const { dirs, config, checksums } = resolveLoaderOptions({
    ...loaderOpts,
    seed: 0,
    bufferSize: 1,
    epochs: 1,
    shuffleShards: false,
  });
  const { batchSize: B, seqLenPatches: P, maxEncoderSeqLen: N, ngram } = config;
  let tokens = 0;
  for (const d of dirs) tokens += (await readManifest(d)).totals.tokens;
  const available = Math.max(0, tokens - 1);
  if (coverage === 'reference') {
    const loader = await createValidationLoader({ ...loaderOpts, checksums });
    return {
      coverage,
      counts: () => ({ batches: loader.counts.batches, scored: loader.counts.targets, available, splitPatches: 0 }),
      [Symbol.asyncIterator]: () => loader[Symbol.asyncIterator](),
    };
  }
  let batches = 0;
  let scored = 0;
  const rows = new CoveringRows(P, N);
  return {
    coverage,
    counts: () => ({ batches, scored, available, splitPatches: rows.splitPatches }),
    async *[Symbol.asyncIterator](): AsyncGenerator<LoaderBatch> {
      const source = await ShardSource.open({ dirs, seed: 0, shuffle: false, epochs: 1, checksums });
      let pending: CoveringRow[] = [];
      const batch = (take: CoveringRow[]): LoaderBatch => {
        const packed = packCoveringRows(take, B, P, N);
        batches += 1;
        scored += packed.realTargets;
        return assembleBatch(packed, B, P, N, ngram);
      };
      try {
        for (let doc = await source.next(); doc; doc = await source.next()) {
          pending.push(...rows.push(doc));
          while (pending.length >= B) {
            const take = pending.slice(0, B);
            pending = pending.slice(B);
            yield batch(take);
          }
        }
        pending.push(...rows.finish());
        while (pending.length > 0) {
          const take = pending.slice(0, B);
          pending = pending.slice(B);
          yield batch(take);
        }
      } finally {
        await source.close();
      }
    },
  };
}
