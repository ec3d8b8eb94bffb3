import * as tf from '@tensorflow/tfjs';
import { linear } from './linear.js';
import { applyRope } from './rope.js';

export interface AttentionWeights {
  readonly wq: tf.Tensor2D;
  readonly wk: tf.Tensor2D;
  readonly wv: tf.Tensor2D;
  readonly wo: tf.Tensor2D;
}

/** Per-sequence-length constants: RoPE tables cos/sin [T,d], pair swap [d,d], additive mask [T,T]. */
export interface AttentionConstants {
  readonly swap: tf.Tensor2D;
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
  readonly mask: tf.Tensor2D;
}

/** [B·T,d] → [B·H, T, hd] (heads become batch rows). */
function splitHeads(x: tf.Tensor2D, B: number, T: number, H: number): tf.Tensor3D {
  const hd = x.shape[1] / H;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);
}

/**
 * Multi-head self-attention with interleaved RoPE and a causal sliding-window mask
 * (no residual): x [B·T,d] (already normed) → [B·T,d].
 */
export function attention(
  x: tf.Tensor2D, B: number, T: number, nHeads: number, w: AttentionWeights, k: AttentionConstants,
): tf.Tensor2D {
  const d = x.shape[1];
  const hd = d / nHeads;
  const rope = (t: tf.Tensor2D): tf.Tensor2D => tf.reshape(applyRope(tf.reshape(t, [B, T, d]), k.cos, k.sin, k.swap), [B * T, d]);
  const q = splitHeads(tf.mul(rope(linear(x, w.wq)), 1 / Math.sqrt(hd)) as tf.Tensor2D, B, T, nHeads); // [BH,T,hd]
  const kk = splitHeads(rope(linear(x, w.wk)), B, T, nHeads); // [BH,T,hd]
  const v = splitHeads(linear(x, w.wv), B, T, nHeads); // [BH,T,hd]
  const scores = tf.add(tf.matMul(q, tf.transpose(kk, [0, 2, 1])), k.mask); // [BH,T,T]
  const out = tf.matMul(tf.softmax(scores, -1), v); // [BH,T,hd]
  const merged: tf.Tensor2D = tf.reshape(tf.transpose(tf.reshape(out, [B, nHeads, T, hd]), [0, 2, 1, 3]), [B * T, d]);
  return linear(merged, w.wo);
}
