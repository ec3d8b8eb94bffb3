/**
 * Local encoder (docs/reference.md §5, reference `LocalEncoder.forward`): byte transformer blocks with the
 * local block-causal mask; after the last layer (or after every layer when
 * cross_attn_all_layers_encoder) the patch slots cross-attend their own bytes. The slots are
 * initialised once, from the first cross-attending layer's output: max-pool per patch, then
 * patch_embedding_projection (dE → k·dE) reshaped to k slots. Each cross-attention applies the
 * reference's double residual: pe ← pe + CrossAttn(pe, h) = 2·pe + Wo·attn.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../../nn/linear.js';
import type { BltInputs } from './blt-inputs.js';
import { weightOf, type BltModel } from './blt-model.js';
import { crossAttentionWeights } from './cross-attention-weights.js';
import { encoderCrossAttentionOutput, type PatchSlots } from './encoder-cross-attention.js';
import { patchMaxPool } from './patch-pooling.js';
import { ropeTables } from './rope-tables.js';
import { stackLayer, type StackContext } from './transformer-block.js';

export interface LocalEncoderOutput {
  /** Byte states [B·N,dE] (raw, no final norm), the decoder's input. */
  readonly h: tf.Tensor2D;
  /** Patch slots [B·P·k,dE]. */
  readonly pe: tf.Tensor2D;
}

/** e [B·N,dE] embeddings → byte states and patch slots. */
export function localEncoder(model: BltModel, e: tf.Tensor2D, inp: BltInputs): LocalEncoderOutput {
  return tf.tidy(() => {
    const c = model.config;
    const { B, N, P } = inp;
    const d = c.dim_local_encoder;
    const k = c.cross_attn_k;
    const rope = ropeTables(model, N, d, d / c.n_heads_local, c.rope_theta);
    const slots: PatchSlots = { index: inp.patchIndex, pad: inp.patchPad, nonEmpty: inp.patchNonEmpty };
    const stack: StackContext = { B, T: N, H: c.n_heads_local, rope, mask: inp.localMask };
    let h = e;
    let pe: tf.Tensor2D | undefined;
    for (let i = 0; i < c.n_layers_local_encoder; i++) {
      h = stackLayer(model, 'local_encoder', i, h, stack);
      if (i < c.n_layers_local_encoder - 1 && !c.cross_attn_all_layers_encoder) continue;
      if (!pe) {
        const pooled = patchMaxPool(h, slots.index, slots.pad, slots.nonEmpty); // [B·P,dE]
        pe = tf.reshape(linear(pooled, weightOf(model, 'local_encoder.patch_embedding_projection.weight')), [
          B * P * k,
          d,
        ]);
      }
      const w = crossAttentionWeights(model, 'local_encoder', c.cross_attn_all_layers_encoder ? i : 0);
      const q = pe;
      // The reference CrossAttention.forward returns pe + Wo·attn; LocalEncoder adds pe once more.
      pe = tf.tidy(() => {
        const attn = encoderCrossAttentionOutput(q, h, w, slots, k, c.cross_attn_nheads, c.norm_eps);
        return tf.add(q, tf.add(q, attn));
      });
    }
    return { h, pe: pe as tf.Tensor2D };
  });
}
