import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { requireInt } from '../../core/validate.js';
import { forwardLogits } from './forward.js';
import type { EntropyBatchOptions, EntropyTransformer } from './types.js';
import { paddedLength, planWindows, type EntropyWindow } from './windows.js';

/** logits [...,V] → entropy [...] in nats: −Σ p·log p with log p = logSoftmax(logits). */
export function entropyFromLogits<R extends tf.Rank>(logits: tf.Tensor<R>): tf.Tensor {
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logits, -1);
    return tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1));
  });
}

/** tokens [B,T] int32 → entropies [B,T] (H[b,i] = uncertainty about token i+1). */
export function forwardEntropies(model: EntropyTransformer, tokens: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => entropyFromLogits(forwardLogits(model, tokens)) as tf.Tensor2D);
}

interface Job {
  readonly doc: number;
  readonly win: EntropyWindow;
  readonly T: number;
}

function checkDoc(tokens: Int32Array, vocab: number, doc: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (t < 0 || t >= vocab) {
      throw new BltError('BAD_INPUT', `Document ${doc}: token ${i} is ${t}, expected an id in [0, ${vocab}).`,
        'tokens are byte + 4 with specials 0..3 (see the byte tokenizer)');
    }
  }
}

/** Runs one batch of same-length windows and scatters the kept outputs into `out`. */
function runBatch(model: EntropyTransformer, docs: readonly Int32Array[], jobs: readonly Job[], out: Float32Array[]): void {
  const T = (jobs[0] as Job).T;
  const ids = new Int32Array(jobs.length * T); // zero (BOE) padding after the real tokens
  jobs.forEach((j, b) => ids.set((docs[j.doc] as Int32Array).subarray(j.win.start, j.win.start + j.win.length), b * T));
  const input = tf.tensor2d(ids, [jobs.length, T], 'int32');
  const h = forwardEntropies(model, input);
  input.dispose();
  const data = h.dataSync() as Float32Array;
  h.dispose();
  jobs.forEach((j, b) => {
    const { start, length, keepFrom } = j.win;
    (out[j.doc] as Float32Array).set(data.subarray(b * T + keepFrom, b * T + length), start + keepFrom);
  });
}

/**
 * Entropies (nats) of many documents: one value per token, H[i] = entropy of the prediction for
 * token i+1. Each document is cut into overlapping windows (planWindows); windows of all
 * documents are packed into batches of `batchSize` rows, grouped by padded length. Rows never
 * see each other, so a document's result does not depend on the other documents.
 */
export function computeEntropiesBatch(
  model: EntropyTransformer, docs: readonly Int32Array[], options: EntropyBatchOptions = {},
): Float32Array[] {
  const batchSize = requireInt('batchSize', options.batchSize ?? 8, 1, 4096);
  const W = model.config.window;
  const out = docs.map((d) => new Float32Array(d.length));
  const byT = new Map<number, Job[]>();
  docs.forEach((d, doc) => {
    checkDoc(d, model.config.vocab_size, doc);
    for (const win of planWindows(d.length, W)) {
      const T = paddedLength(win.length, W);
      const list = byT.get(T) ?? [];
      list.push({ doc, win, T });
      byT.set(T, list);
    }
  });
  for (const T of [...byT.keys()].sort((a, b) => b - a)) {
    const jobs = byT.get(T) as Job[];
    for (let i = 0; i < jobs.length; i += batchSize) runBatch(model, docs, jobs.slice(i, i + batchSize), out);
  }
  return out;
}

/** Entropies (nats) of one document of any length; see computeEntropiesBatch. */
export function computeEntropies(model: EntropyTransformer, tokens: Int32Array, options: EntropyBatchOptions = {}): Float32Array {
  return computeEntropiesBatch(model, [tokens], options)[0] as Float32Array;
}
