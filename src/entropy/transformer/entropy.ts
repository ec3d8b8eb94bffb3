import * as tf from '@tensorflow/tfjs';
import { requireInt } from '../../core/validate.js';
import type { AttentionConstants } from '../../nn/attention.js';
import { packRows, planBatches, planRows, REFERENCE_CHUNK_LENGTH, scatterRows, type EntropyRow } from './chunks.js';
import { rowConstants } from './constants-cache.js';
import { forwardLogits } from './forward.js';
import { checkTokenIds } from './check-tokens.js';
import type { EntropyBatchOptions, EntropyTransformer } from './types.js';

/** logits [...,V] → entropy [...] in nats: −Σ p·log p with log p = logSoftmax(logits). */
export function entropyFromLogits<R extends tf.Rank>(logits: tf.Tensor<R>): tf.Tensor {
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logits, -1);
    return tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1));
  });
}

/** tokens [B,T] int32 → entropies [B,T] (H[b,i] = uncertainty about token i+1); see forwardLogits for `constants`. */
function forwardEntropies(model: EntropyTransformer, tokens: tf.Tensor2D, constants?: AttentionConstants): tf.Tensor2D {
  return tf.tidy(() => entropyFromLogits(forwardLogits(model, tokens, constants)) as tf.Tensor2D);
}

/**
 * Runs `fn` on one call's rows (equal padded length T and position) as ids [B,T] int32 with their
 * attention constants; returns its [B,T] output as floats. Shared by entropies and log-probs.
 */
export function runRows(
  model: EntropyTransformer,
  ids: Int32Array,
  rows: readonly EntropyRow[],
  fn: (x: tf.Tensor2D, k: AttentionConstants) => tf.Tensor2D,
): Float32Array {
  const first = rows[0] as EntropyRow;
  const { k, dispose } = rowConstants(model, first.T, first.position);
  try {
    const y = tf.tidy(() => fn(tf.tensor2d(ids, [rows.length, first.T], 'int32'), k));
    const data = y.dataSync() as Float32Array;
    y.dispose();
    return data;
  } finally {
    dispose();
  }
}

/**
 * Entropies (nats) of many documents: one value per token, H[i] = entropy of the prediction for
 * token i+1, computed as the reference's calculate_entropies does (chunks.ts): every chunk of up to
 * 8192 tokens in one pass, positions 0..L−1, each token seeing exactly min(i+1, window) tokens.
 * Rows of all documents are packed into calls of batchSize × window tokens, grouped by padded
 * length. Rows never see each other, so a document's result does not depend on the other documents.
 */
export function computeEntropiesBatch(
  model: EntropyTransformer,
  docs: readonly Int32Array[],
  options: EntropyBatchOptions = {},
): Float32Array[] {
  const batchSize = requireInt('batchSize', options.batchSize ?? 8, 1, 4096);
  const chunkLength = requireInt('chunkLength', options.chunkLength ?? REFERENCE_CHUNK_LENGTH, 1, 1 << 20);
  const W = model.config.window;
  docs.forEach((d, doc) => checkTokenIds(d, model.config.vocab_size, doc));
  const out = docs.map((d) => new Float32Array(d.length));
  for (const rows of planBatches(planRows(docs, W, chunkLength), W, batchSize)) {
    const T = (rows[0] as EntropyRow).T;
    scatterRows(
      runRows(model, packRows(docs, rows, T), rows, (x, k) => forwardEntropies(model, x, k)),
      rows,
      T,
      out,
    );
  }
  return out;
}

/** Entropies (nats) of one document of any length; see computeEntropiesBatch. */
export function computeEntropies(
  model: EntropyTransformer,
  tokens: Int32Array,
  options: EntropyBatchOptions = {},
): Float32Array {
  return computeEntropiesBatch(model, [tokens], options)[0] as Float32Array;
}
