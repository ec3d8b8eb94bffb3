import * as tf from '@tensorflow/tfjs';

/** RMSNorm: x [...,d] → x · rsqrt(mean(x², -1) + eps) · w, w [d]. */
export function rmsNorm<T extends tf.Tensor>(x: T, w: tf.Tensor1D, eps: number): T {
  const ms = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), w);
}
