/**
 * Patch queries initialised by pooling (reference `downsample(..., "max")` = `scatter_reduce amax,
 * include_self=False` over patch_ids): the elementwise max over each patch's bytes; a patch with no
 * bytes stays exactly 0. Runs on the padded patch-byte table (batch-indices.ts patchByteTable).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * h [B·N,d], index [B·P·L] int32 (rows of h), pad [B·P,L] (0 real, MASKED padding),
 * nonEmpty [B·P,1] → [B·P,d].
 */
export function patchMaxPool(h: tf.Tensor2D, index: tf.Tensor1D, pad: tf.Tensor2D, nonEmpty: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [BP, L] = pad.shape;
    const slots = tf.reshape(tf.gather(h, index), [BP, L, h.shape[1]]);
    const best = tf.max(tf.add(slots, tf.reshape(pad, [BP, L, 1])), 1); // [B·P,d]
    return tf.mul(best, nonEmpty);
  });
}
