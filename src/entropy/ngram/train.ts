import { badOption } from '../../core/errors.js';
import { requireInt } from '../../core/validate.js';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import { countNgrams } from './count-ngrams.js';
import { estimateDiscounts } from './discounts.js';
import { buildModel } from './build-model.js';
import { floorDistribution } from './floor.js';
import type { NgramModel } from './model.js';
import { pruneTable } from './prune.js';

export const MAX_NGRAM_ORDER = 16;
export const DEFAULT_NGRAM_ORDER = 5;

export interface NgramTrainOptions {
  /** longest context in tokens (BOS included): the model is an (order+1)-gram model; 0 = unigram */
  readonly order: number;
  /**
   * count pruning (prune.ts): minCount[L] = least count an n-gram of length L keeps (the last
   * entry applies to longer ones); [] or undefined = no pruning
   */
  readonly minCount?: readonly number[] | undefined;
  /** floor weight λ in [0, 1) (floor.ts); 0 or undefined = plain Kneser–Ney */
  readonly floorWeight?: number | undefined;
}

/**
 * Trains an interpolated modified Kneser–Ney model on token documents, optionally count-pruned
 * and mixed with a floor distribution. Discounts are estimated on the unpruned counts.
 * Shape: docs: Int32Array[L] ([BOS, byte+4 ..., EOS], as encodeBytes makes them) → NgramModel.
 */
export function trainNgramModel(docs: Iterable<Int32Array>, opts: NgramTrainOptions): NgramModel {
  const order = requireInt('order', opts.order, 0, MAX_NGRAM_ORDER);
  const weight = opts.floorWeight ?? 0;
  if (typeof weight !== 'number' || !(weight >= 0 && weight < 1))
    throw badOption('floorWeight', 'a number in [0, 1)', weight);
  const unigram = new Float64Array(VOCAB_SIZE);
  const full = countNgrams(docs, order, unigram);
  const discounts = estimateDiscounts(full.count, full.depth, full.size, order);
  const floor = weight > 0 ? { weight, dist: floorDistribution(unigram) } : undefined;
  const minCount = opts.minCount ?? [];
  if (minCount.some((c) => c > 1)) {
    const { table, pruned } = pruneTable(full, order, minCount);
    return buildModel(table, { order, discounts, floor, pruned });
  }
  return buildModel(full, { order, discounts, floor });
}
