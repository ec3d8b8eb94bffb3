/**
 * Local-encoder cross-attention (docs/reference.md §5): the k query slots of patch p attend only the bytes
 * of patch p (reference `cross_attn_mask(patches_as_queries=True, window=None)`). Computed as a
 * masked softmax over each patch's padded byte slots (batch-indices.ts patchByteTable) instead of a
 * [P·k, N] mask: O(P·k·L·d) rather than O(P·k·N·d). A patch with no bytes gets exactly 0 (flex
 * attention's fully-masked rows), by multiplying its weights by nonEmpty.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../../nn/linear.js';
import { rmsNorm } from '../../nn/rms-norm.js';
import type { CrossAttentionWeights } from './cross-attention-weights.js';

export interface PatchSlots {
  /** [B·P·L] int32 rows of the byte states. */
  readonly index: tf.Tensor1D;
  /** [B·P,L] additive: 0 real byte, MASKED padding. */
  readonly pad: tf.Tensor2D;
  /** [B·P,1]: 1 when the patch holds bytes. */
  readonly nonEmpty: tf.Tensor2D;
}

/** x [B·N,d] → [B·P,1,H,L,hd]: each patch's byte rows, heads split. */
function gatherSlots(x: tf.Tensor2D, s: PatchSlots, H: number): tf.Tensor {
  const [BP, L] = s.pad.shape;
  const hd = x.shape[1] / H;
  return tf.reshape(tf.transpose(tf.reshape(tf.gather(x, s.index), [BP, L, H, hd]), [0, 2, 1, 3]), [BP, 1, H, L, hd]);
}

/**
 * pe [B·P·k,d] queries (row (b·P+p)·k + r = slot r of patch p), h [B·N,d] byte states
 * → Wo·attn [B·P·k,d] (no residual; rows of empty patches are 0).
 */
export function encoderCrossAttentionOutput(
  pe: tf.Tensor2D,
  h: tf.Tensor2D,
  w: CrossAttentionWeights,
  s: PatchSlots,
  k: number,
  H: number,
  eps: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [BP, L] = s.pad.shape;
    const d = pe.shape[1];
    const hd = d / H;
    const q = tf.reshape(tf.mul(linear(rmsNorm(pe, w.normQ, eps), w.wq), 1 / Math.sqrt(hd)), [BP, k, H, 1, hd]);
    const kv = rmsNorm(h, w.normKv, eps);
    // [B·P,k,H,L]
    const scores = tf.add(tf.sum(tf.mul(q, gatherSlots(linear(kv, w.wk), s, H)), -1), tf.reshape(s.pad, [BP, 1, 1, L]));
    const p = tf.mul(tf.softmax(scores, -1), tf.reshape(s.nonEmpty, [BP, 1, 1, 1]));
    // [B·P,k,H,hd]
    const out = tf.sum(tf.mul(tf.reshape(p, [BP, k, H, L, 1]), gatherSlots(linear(kv, w.wv), s, H)), 3);
    return linear(tf.reshape(out, [BP * k, d]), w.wo);
  });
}
