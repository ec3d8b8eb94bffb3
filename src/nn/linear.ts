import * as tf from '@tensorflow/tfjs';

/**
 * x [N,in] · W[out,in]^T → [N,out] (no bias). The explicit transpose keeps the matmul in the
 * plain 2-D, non-transposed form that the wasm backend runs through XNNPACK.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, tf.transpose(w));
}
