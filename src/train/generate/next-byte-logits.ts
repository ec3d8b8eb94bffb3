/**
 * One full BLT forward over a generation prefix (no KV cache, as the reference's
 * generate_nocache): tokens [N] with patch lengths [P] (Σ = N + 1) → the logits [V] of the last
 * position, which predict token N. N-gram ids are hashed over the prefix as the loader hashes a
 * packed row (zero prefix at the row start).
 */
import * as tf from '@tensorflow/tfjs';
import { hashNgramIds } from '../../patching/ngram-hash.js';
import type { BltBatch } from '../model/blt-batch.js';
import { bltForward } from '../model/blt-forward.js';
import type { BltModel } from '../model/blt-model.js';

/** [T·N] ids, table t = f·|sizes| + g (the reference order); null without n-gram tables. */
function prefixNgramIds(model: BltModel, tokens: Int32Array): Int32Array | null {
  const ng = model.config.ngram;
  if (!ng) return null;
  const N = tokens.length;
  const out = new Int32Array(ng.functions * ng.sizes.length * N);
  for (let f = 0; f < ng.functions; f++) {
    ng.sizes.forEach((g, gi) => out.set(hashNgramIds(tokens, g, f, ng.vocab), (f * ng.sizes.length + gi) * N));
  }
  return out;
}

export function nextByteLogits(model: BltModel, tokens: Int32Array, patchLengths: Int32Array): Float32Array {
  const N = tokens.length;
  const V = model.config.vocab_size;
  const batch: BltBatch = {
    batchSize: 1,
    seqLen: N,
    numPatches: patchLengths.length,
    x: tokens,
    patchLengths,
    ngramIds: prefixNgramIds(model, tokens),
  };
  const last = tf.tidy(() => tf.slice(bltForward(model, batch), [0, N - 1, 0], [1, 1, V]));
  const out = last.dataSync().slice() as Float32Array;
  last.dispose();
  return out;
}
