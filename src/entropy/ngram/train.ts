import { requireInt } from '../../core/validate.js';
import { countNgrams } from './count-ngrams.js';
import { estimateDiscounts } from './discounts.js';
import { buildModel } from './build-model.js';
import type { NgramModel } from './model.js';

export const MAX_NGRAM_ORDER = 16;
export const DEFAULT_NGRAM_ORDER = 5;

export interface NgramTrainOptions {
  /** longest context in tokens (BOS included): the model is an (order+1)-gram model; 0 = unigram */
  readonly order: number;
}

/**
 * Trains an interpolated modified Kneser–Ney model on token documents.
 * Shape: docs: Int32Array[L] ([BOS, byte+4 ..., EOS], as encodeBytes makes them) → NgramModel.
 */
export function trainNgramModel(docs: Iterable<Int32Array>, opts: NgramTrainOptions): NgramModel {
  const order = requireInt('order', opts.order, 0, MAX_NGRAM_ORDER);
  const table = countNgrams(docs, order);
  const discounts = estimateDiscounts(table.count, table.depth, table.size, order);
  return buildModel(table, order, discounts);
}
