/**
 * Byte + hashed n-gram embedding (docs/reference.md §4, reference `compute_hash_embeddings`):
 *   e = tok_embeddings[x] + Σ_t encoder_hash_tok_embedding.t[ids_t]
 * with no normalisation (the code; the paper divides by |G| + 1). Ids are computed on CPU by the
 * loader (hashNgramIds) and fed as int32; gather's gradient is UnsortedSegmentSum (initBackend
 * registers it on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import type { BltModel } from './blt-model.js';
import { weightOf } from './blt-model.js';

/** x [B·N] int32, ids T × [B·N] int32 → e [B·N,dE]. */
export function hashEmbedding(model: BltModel, x: tf.Tensor1D, ids: readonly tf.Tensor1D[]): tf.Tensor2D {
  return tf.tidy(() => {
    let e: tf.Tensor2D = tf.gather(weightOf(model, 'local_encoder.tok_embeddings.weight'), x);
    ids.forEach((id, t) => {
      e = tf.add(e, tf.gather(weightOf(model, `encoder_hash_tok_embedding.${t}.weight`), id));
    });
    return e;
  });
}
