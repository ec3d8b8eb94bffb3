/**
 * Local decoder (docs/reference.md §7.2, reference `LocalDecoder.forward`): starts from the encoder's byte
 * states; global states are projected to k slots per patch (patch_embedding_projection, dG → k·dD,
 * when dG ≠ dD); before the first layer (or before every layer when
 * cross_attn_all_layers_decoder) each byte cross-attends the k slots of patch dec_pid[i] with the
 * double residual hD ← hD + CrossAttn(hD, pe) = 2·hD + Wo·attn; then the block. Final RMSNorm and
 * the 260-way output (no bias).
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../../nn/linear.js';
import { rmsNorm } from '../../nn/rms-norm.js';
import { hasDecoderPatchProjection } from './blt-config.js';
import type { BltInputs } from './blt-inputs.js';
import { weightOf, type BltModel } from './blt-model.js';
import { crossAttentionWeights } from './cross-attention-weights.js';
import { decoderCrossAttentionOutput } from './decoder-cross-attention.js';
import { ropeTables } from './rope-tables.js';
import { stackLayer, type StackContext } from './transformer-block.js';

/** h [B·N,dD] encoder byte states, hg [B·P,dG] global states → logits [B·N,V]. */
export function localDecoder(model: BltModel, h: tf.Tensor2D, hg: tf.Tensor2D, inp: BltInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const c = model.config;
    const { B, N, P } = inp;
    const d = c.dim_local_decoder;
    const k = c.cross_attn_k;
    const pe: tf.Tensor2D = hasDecoderPatchProjection(c)
      ? tf.reshape(linear(hg, weightOf(model, 'local_decoder.patch_embedding_projection.weight')), [B * P * k, d])
      : hg;
    const rope = ropeTables(model, N, d, d / c.n_heads_local, c.rope_theta);
    const stack: StackContext = { B, T: N, H: c.n_heads_local, rope, mask: inp.localMask };
    let hD = h;
    for (let i = 0; i < c.n_layers_local_decoder; i++) {
      if (i === 0 || c.cross_attn_all_layers_decoder) {
        const w = crossAttentionWeights(model, 'local_decoder', i);
        const q = hD;
        // The reference CrossAttention.forward returns hD + Wo·attn; LocalDecoder adds hD once more.
        hD = tf.tidy(() => {
          const attn = decoderCrossAttentionOutput(q, pe, w, inp.slotIndex, k, c.cross_attn_nheads, c.norm_eps);
          return tf.add(q, tf.add(q, attn));
        });
      }
      hD = stackLayer(model, 'local_decoder', i, hD, stack);
    }
    return linear(
      rmsNorm(hD, weightOf<tf.Tensor1D>(model, 'local_decoder.norm.weight'), c.norm_eps),
      weightOf(model, 'local_decoder.output.weight'),
    );
  });
}
