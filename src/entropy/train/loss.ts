/**
 * Next-byte cross-entropy of the entropy model (docs/reference.md §8.2): logits [B,T,V], targets [B,T] int32
 * → mean over all B·T positions of −ln softmax(logits)[target], in nats (a scalar).
 * Every position is a real target (pack.ts never pads), so no mask is needed.
 * One-hot × log-softmax keeps the gradient free of gather/scatter kernels.
 */
import * as tf from '@tensorflow/tfjs';

export function crossEntropyMean(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const lp = tf.logSoftmax(logits, -1); // [B,T,V]
    const picked = tf.sum(tf.mul(lp, tf.oneHot(targets, V)), -1); // [B,T]
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/** nats per target → bits per byte (each target is one byte or EOS, counted as a byte like the reference). */
export function natsToBits(nats: number): number {
  return nats / Math.LN2;
}
