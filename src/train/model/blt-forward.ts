/**
 * The BLT forward pass (docs/reference.md §4–§7): hash embeddings → local encoder → global transformer →
 * local decoder. logits[b,i] predicts x[b,i+1] (= y[b,i]) from bytes ≤ i and global states of
 * patches ≤ dec_pid[i] = patch_ids[i+1] − 1.
 */
import * as tf from '@tensorflow/tfjs';
import type { BltBatch } from './blt-batch.js';
import { disposeBltInputs, prepareBltInputs, type BltInputs } from './blt-inputs.js';
import type { BltModel } from './blt-model.js';
import { globalTransformer } from './global-transformer.js';
import { hashEmbedding } from './hash-embedding.js';
import { localDecoder } from './local-decoder.js';
import { localEncoder } from './local-encoder.js';

function isInputs(b: BltBatch | BltInputs): b is BltInputs {
  return 'localMask' in b;
}

/**
 * inputs (from prepareBltInputs, or a BltBatch prepared and released here) → logits [B,N,V].
 * Differentiable w.r.t. model.weights: use inside tf.variableGrads. Intermediates are released;
 * the caller owns the result.
 */
export function bltForward(model: BltModel, batch: BltBatch | BltInputs): tf.Tensor3D {
  const inp = isInputs(batch) ? batch : prepareBltInputs(model.config, batch);
  try {
    return tf.tidy(() => {
      const e = hashEmbedding(model, inp.x, inp.ngramIds);
      const { h, pe } = localEncoder(model, e, inp);
      const hg = globalTransformer(model, pe, inp);
      return tf.reshape(localDecoder(model, h, hg, inp), [inp.B, inp.N, model.config.vocab_size]);
    });
  } finally {
    if (!isInputs(batch)) disposeBltInputs(inp);
  }
}
