/**
 * Local-decoder cross-attention (docs/reference.md §7.2): byte i attends exactly the k slots of patch
 * dec_pid[i] (reference `cross_attn_mask(patches_as_queries=False, window=None)`; never fully
 * masked), computed as a softmax over k gathered keys per byte: O(N·k·d), no [N, P·k] mask.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../../nn/linear.js';
import { rmsNorm } from '../../nn/rms-norm.js';
import type { CrossAttentionWeights } from './cross-attention-weights.js';

/**
 * hD [B·N,d] byte queries, pe [B·P·k,d] patch slots, slotIndex [B·N·k] int32 (rows of pe byte i
 * attends, dec_pid·k + r) → Wo·attn [B·N,d] (no residual).
 */
export function decoderCrossAttentionOutput(
  hD: tf.Tensor2D,
  pe: tf.Tensor2D,
  w: CrossAttentionWeights,
  slotIndex: tf.Tensor1D,
  k: number,
  H: number,
  eps: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [BN, d] = hD.shape;
    const hd = d / H;
    const q = tf.reshape(tf.mul(linear(rmsNorm(hD, w.normQ, eps), w.wq), 1 / Math.sqrt(hd)), [BN, 1, H, hd]);
    const kv = rmsNorm(pe, w.normKv, eps);
    const keys = tf.reshape(tf.gather(linear(kv, w.wk), slotIndex), [BN, k, H, hd]);
    const scores = tf.transpose(tf.sum(tf.mul(q, keys), -1), [0, 2, 1]); // [B·N,H,k]
    const p = tf.reshape(tf.transpose(tf.softmax(scores, -1), [0, 2, 1]), [BN, k, H, 1]);
    const vals = tf.reshape(tf.gather(linear(kv, w.wv), slotIndex), [BN, k, H, hd]);
    return linear(tf.reshape(tf.sum(tf.mul(p, vals), 1), [BN, d]), w.wo);
  });
}
