/**
 * Multi-head attention with a per-row additive mask and separate query / key-value inputs: the
 * general form of src/nn/attention.ts (which takes one [T,T] mask for all rows
 * and q = kv). Heads become batch rows; matmuls stay 3-D ([B·H,T,hd]) for the wasm BatchMatMul patch.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionWeights } from '../../nn/attention.js';
import { linear } from '../../nn/linear.js';
import { applyRope } from '../../nn/rope.js';
import type { RopeTables } from './rope-tables.js';

/** [B·T,d] → [B·H,T,hd]. */
function splitHeads(x: tf.Tensor2D, B: number, T: number, H: number): tf.Tensor3D {
  const hd = x.shape[1] / H;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);
}

/** [B·H,T,hd] → [B·T,H·hd]. */
function mergeHeads(x: tf.Tensor3D, B: number, T: number, H: number): tf.Tensor2D {
  const hd = x.shape[2];
  return tf.reshape(tf.transpose(tf.reshape(x, [B, H, T, hd]), [0, 2, 1, 3]), [B * T, H * hd]);
}

/**
 * softmax(q kᵀ + mask) v per head, without projections: q [B·Tq,d] (already scaled by hd^-0.5),
 * k, v [B·Tk,d], mask additive [B,1,Tq,Tk] (0 visible, MASKED hidden) → [B·Tq,d].
 * Every query row must see at least one key (a fully masked row would come out uniform, not 0).
 */
export function maskedAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  B: number,
  Tq: number,
  Tk: number,
  H: number,
  mask: tf.Tensor4D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const s = tf.matMul(splitHeads(q, B, Tq, H), splitHeads(k, B, Tk, H), false, true); // q·kᵀ [B·H,Tq,Tk]
    const scores = tf.add(tf.reshape(s, [B, H, Tq, Tk]), mask);
    const p = tf.reshape(tf.softmax(scores, -1), [B * H, Tq, Tk]);
    return mergeHeads(tf.matMul(p, splitHeads(v, B, Tk, H)), B, Tq, H);
  });
}

/**
 * Self-attention with interleaved RoPE (positions 0..T-1 of each row) and a per-row mask, no
 * residual: x [B·T,d] (already normed), mask [B,1,T,T] → Wo·attn [B·T,d].
 */
export function selfAttention(
  x: tf.Tensor2D,
  B: number,
  T: number,
  H: number,
  w: AttentionWeights,
  rope: RopeTables,
  mask: tf.Tensor4D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const d = x.shape[1];
    const rot = (t: tf.Tensor2D): tf.Tensor2D =>
      tf.reshape(applyRope(tf.reshape(t, [B, T, d]), rope.cos, rope.sin, rope.swap), [B * T, d]);
    const q = tf.mul(rot(linear(x, w.wq)), 1 / Math.sqrt(d / H)) as tf.Tensor2D;
    return linear(maskedAttention(q, rot(linear(x, w.wk)), linear(x, w.wv), B, T, T, H, mask), w.wo);
  });
}
