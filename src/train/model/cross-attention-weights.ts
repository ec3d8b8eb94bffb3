/** Weights of the reference CrossAttention (bytelatent/model/latent_transformer.py): no bias, no RoPE. */
import type * as tf from '@tensorflow/tfjs';
import { weightOf, type BltModel } from './blt-model.js';
import { crossWeightNames } from './blt-weight-specs.js';

export interface CrossAttentionWeights {
  readonly normQ: tf.Tensor1D;
  readonly normKv: tf.Tensor1D;
  readonly wq: tf.Tensor2D;
  readonly wk: tf.Tensor2D;
  readonly wv: tf.Tensor2D;
  readonly wo: tf.Tensor2D;
}

/** The weights of `${prefix}.cross_attn_layers.${i}`. */
export function crossAttentionWeights(model: BltModel, prefix: string, i: number): CrossAttentionWeights {
  const n = crossWeightNames(prefix, i);
  return {
    normQ: weightOf<tf.Tensor1D>(model, n.normQ),
    normKv: weightOf<tf.Tensor1D>(model, n.normKv),
    wq: weightOf(model, n.wq),
    wk: weightOf(model, n.wk),
    wv: weightOf(model, n.wv),
    wo: weightOf(model, n.wo),
  };
}
