/**
 * The reference's pre-norm TransformerBlock (bytelatent/base_transformer.py, docs/reference.md §2.1), shared
 * by the local encoder, the global transformer and the local decoder:
 *   h = x + Attn(RMSNorm_attn(x));  out = h + SwiGLU(RMSNorm_ffn(h)).
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionWeights } from '../../nn/attention.js';
import { rmsNorm } from '../../nn/rms-norm.js';
import { swiglu } from '../../nn/swiglu.js';
import { layerWeightNames } from '../../entropy/transformer/weight-specs.js';
import { weightOf, type BltModel } from './blt-model.js';
import { selfAttention } from './masked-attention.js';
import type { RopeTables } from './rope-tables.js';

export interface BlockWeights extends AttentionWeights {
  readonly attentionNorm: tf.Tensor1D;
  readonly ffnNorm: tf.Tensor1D;
  readonly w1: tf.Tensor2D;
  readonly w2: tf.Tensor2D;
  readonly w3: tf.Tensor2D;
}

/** The weights of `${prefix}.layers.${i}`. */
function blockWeights(model: BltModel, prefix: string, i: number): BlockWeights {
  const n = layerWeightNames(i);
  const w = <T extends tf.Tensor = tf.Tensor2D>(name: string): T => weightOf<T>(model, `${prefix}.${name}`);
  return {
    wq: w(n.wq),
    wk: w(n.wk),
    wv: w(n.wv),
    wo: w(n.wo),
    w1: w(n.w1),
    w2: w(n.w2),
    w3: w(n.w3),
    attentionNorm: w<tf.Tensor1D>(n.attnNorm),
    ffnNorm: w<tf.Tensor1D>(n.ffnNorm),
  };
}

/** x [B·T,d] → [B·T,d]; mask [B,1,T,T] additive; RoPE over positions 0..T-1 of each row. */
function transformerBlock(
  x: tf.Tensor2D,
  B: number,
  T: number,
  H: number,
  w: BlockWeights,
  rope: RopeTables,
  mask: tf.Tensor4D,
  eps: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const h: tf.Tensor2D = tf.add(x, selfAttention(rmsNorm(x, w.attentionNorm, eps), B, T, H, w, rope, mask));
    return tf.add(h, swiglu(rmsNorm(h, w.ffnNorm, eps), w.w1, w.w2, w.w3));
  });
}

/** What every layer of one stack shares: B rows of T positions, H heads, RoPE tables, mask [B,1,T,T]. */
export interface StackContext {
  readonly B: number;
  readonly T: number;
  readonly H: number;
  readonly rope: RopeTables;
  readonly mask: tf.Tensor4D;
}

/** Layer i of the stack `prefix`: transformerBlock with that layer's weights and the model's norm_eps. */
export function stackLayer(model: BltModel, prefix: string, i: number, x: tf.Tensor2D, s: StackContext): tf.Tensor2D {
  return transformerBlock(x, s.B, s.T, s.H, blockWeights(model, prefix, i), s.rope, s.mask, model.config.norm_eps);
}
