/**
 * Latent global transformer (docs/reference.md §6, reference `GlobalTransformer.forward`): the k slots of
 * each patch concatenated ([B·P, k·dE]), token_embedding_projection to dG when k·dE ≠ dG, then
 * transformer blocks over patch positions 0..P-1 with the block-causal (or causal) patch mask.
 * No final norm.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../../nn/linear.js';
import { hasGlobalInputProjection } from './blt-config.js';
import type { BltInputs } from './blt-inputs.js';
import { weightOf, type BltModel } from './blt-model.js';
import { ropeTables } from './rope-tables.js';
import { stackLayer, type StackContext } from './transformer-block.js';

/** pe [B·P·k,dE] → hg [B·P,dG]. */
export function globalTransformer(model: BltModel, pe: tf.Tensor2D, inp: BltInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const c = model.config;
    const { B, P } = inp;
    const dG = c.dim_global;
    let hg: tf.Tensor2D = tf.reshape(pe, [B * P, c.cross_attn_k * c.dim_local_encoder]);
    if (hasGlobalInputProjection(c))
      hg = linear(hg, weightOf(model, 'global_transformer.token_embedding_projection.weight'));
    const rope = ropeTables(model, P, dG, dG / c.n_heads_global, c.rope_theta);
    const stack: StackContext = { B, T: P, H: c.n_heads_global, rope, mask: inp.globalMask };
    for (let i = 0; i < c.n_layers_global; i++) hg = stackLayer(model, 'global_transformer', i, hg, stack);
    return hg;
  });
}
