/**
 * Per-token log-probabilities of documents under an entropy transformer, with the rows of
 * computeEntropies (chunks.ts: the reference's single pass per 8192-token chunk, every prediction
 * seeing exactly min(i+1, window) tokens), so evaluation scores the model as patching uses it.
 *
 * Output per document of n tokens: [n−1] natural-log probabilities, lp[i] = ln p(tok[i+1] | tok[..i]).
 */
import * as tf from '@tensorflow/tfjs';
import { packRows, planBatches, planRows, scatterRows, type EntropyRow } from '../transformer/chunks.js';
import { runRows } from '../transformer/entropy.js';
import { forwardLogits } from '../transformer/forward.js';
import type { EntropyTransformer } from '../transformer/types.js';

/** logits [B,T,V], targets [B,T] int32 → ln softmax(logits)[b,t,targets[b,t]]: [B,T]. */
function targetLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const lp = tf.logSoftmax(logits, -1);
    return tf.sum(tf.mul(lp, tf.oneHot(targets, V)), -1) as tf.Tensor2D;
  });
}

/**
 * ln p of every next token of every document (see file comment). Rows of all documents are
 * batched batchSize × window tokens at a time, grouped by padded length; rows never see each other.
 */
export async function computeLogProbsBatch(
  model: EntropyTransformer,
  docs: readonly Int32Array[],
  batchSize = 8,
): Promise<Float32Array[]> {
  const W = model.config.window;
  const out = docs.map((d) => new Float32Array(Math.max(0, d.length - 1)));
  for (const rows of planBatches(planRows(docs, W), W, batchSize)) {
    const T = (rows[0] as EntropyRow).T;
    const next = packRows(docs, rows, T, 1); // the target of each position (0 where none)
    const lp = runRows(model, packRows(docs, rows, T), rows, (x, k) =>
      targetLogProbs(forwardLogits(model, x, k), tf.tensor2d(next, [rows.length, T], 'int32')),
    );
    scatterRows(lp, rows, T, out); // the document's last token has no target: clipped
    await Promise.resolve();
  }
  return out;
}

/** ln p(tok[i+1] | tok[..i]) for one document: [n−1]. */
export async function computeLogProbs(model: EntropyTransformer, tokens: Int32Array): Promise<Float32Array> {
  return (await computeLogProbsBatch(model, [tokens]))[0] as Float32Array;
}
