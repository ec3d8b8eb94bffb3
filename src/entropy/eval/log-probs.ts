/**
 * Per-token log-probabilities of documents under an entropy transformer, with the same
 * overlapping windows as computeEntropies (planWindows: window W, stride W/2, later windows keep
 * their second half), so every prediction after the first window sees ≥ W/2 tokens of history.
 *
 * Output per document of n tokens: [n−1] natural-log probabilities, lp[i] = ln p(tok[i+1] | tok[..i]).
 */
import * as tf from '@tensorflow/tfjs';
import { forwardLogits } from '../transformer/forward.js';
import type { EntropyTransformer } from '../transformer/types.js';
import { paddedLength, planWindows, type EntropyWindow } from '../transformer/windows.js';

interface Job {
  readonly doc: number;
  readonly win: EntropyWindow;
  readonly T: number;
}

/** logits [B,T,V], targets [B,T] int32 → ln softmax(logits)[b,t,targets[b,t]]: [B,T]. */
export function targetLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const lp = tf.logSoftmax(logits, -1);
    return tf.sum(tf.mul(lp, tf.oneHot(targets, V)), -1) as tf.Tensor2D;
  });
}

/** Runs one batch of same-length windows; writes kept log-probs into `out`. */
async function runBatch(model: EntropyTransformer, docs: readonly Int32Array[], jobs: readonly Job[], out: Float32Array[]): Promise<void> {
  const T = (jobs[0] as Job).T;
  const ids = new Int32Array(jobs.length * T); // BOE (0) padding after the real tokens
  const next = new Int32Array(jobs.length * T); // the target of each position (0 where none)
  jobs.forEach((j, b) => {
    const d = docs[j.doc] as Int32Array;
    ids.set(d.subarray(j.win.start, j.win.start + j.win.length), b * T);
    next.set(d.subarray(j.win.start + 1, Math.min(d.length, j.win.start + j.win.length + 1)), b * T);
  });
  const lp = tf.tidy(() => {
    const x = tf.tensor2d(ids, [jobs.length, T], 'int32');
    const y = tf.tensor2d(next, [jobs.length, T], 'int32');
    return targetLogProbs(forwardLogits(model, x), y);
  });
  const data = (await lp.data()) as Float32Array;
  lp.dispose();
  jobs.forEach((j, b) => {
    const { start, length, keepFrom } = j.win;
    const o = out[j.doc] as Float32Array;
    const end = Math.min(length, o.length - start); // the document's last token has no target
    if (end > keepFrom) o.set(data.subarray(b * T + keepFrom, b * T + end), start + keepFrom);
  });
}

/**
 * ln p of every next token of every document (see file comment). Windows of all documents are
 * batched `batchSize` rows at a time, grouped by padded length; rows never see each other.
 */
export async function computeLogProbsBatch(
  model: EntropyTransformer, docs: readonly Int32Array[], batchSize = 8,
): Promise<Float32Array[]> {
  const W = model.config.window;
  const out = docs.map((d) => new Float32Array(Math.max(0, d.length - 1)));
  const byT = new Map<number, Job[]>();
  docs.forEach((d, doc) => {
    for (const win of planWindows(d.length, W)) {
      const T = paddedLength(win.length, W);
      const list = byT.get(T) ?? [];
      list.push({ doc, win, T });
      byT.set(T, list);
    }
  });
  for (const T of [...byT.keys()].sort((a, b) => b - a)) {
    const jobs = byT.get(T) as Job[];
    for (let i = 0; i < jobs.length; i += batchSize) await runBatch(model, docs, jobs.slice(i, i + batchSize), out);
  }
  return out;
}

/** ln p(tok[i+1] | tok[..i]) for one document: [n−1]. */
export async function computeLogProbs(model: EntropyTransformer, tokens: Int32Array): Promise<Float32Array> {
  return (await computeLogProbsBatch(model, [tokens]))[0] as Float32Array;
}
