/**
 * Loss and bits per byte (docs/reference.md §7.3, §8.2). CE is −log softmax(logits)[y] in nats, via one-hot ×
 * log-softmax (its gradient needs no gather/scatter kernel).
 */
import * as tf from '@tensorflow/tfjs';

/** logits [B,N,V], y [B,N] int32, mask [B,N] (1/0) → Σ CE·mask as a scalar (nats). */
export function maskedCrossEntropySum(logits: tf.Tensor3D, y: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits, -1), tf.oneHot(y, V)), -1); // [B,N]
    return tf.neg(tf.sum(tf.mul(picked, tf.cast(mask, 'float32')))) as tf.Scalar;
  });
}

/** The training loss of the reference's compute_loss: Σ CE·mask / (Σ mask + 1e-6), nats per target. */
export function bltLoss(logits: tf.Tensor3D, y: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(
    () => tf.div(maskedCrossEntropySum(logits, y, mask), tf.add(tf.sum(tf.cast(mask, 'float32')), 1e-6)) as tf.Scalar,
  );
}

/** Bits per byte from summed nats over `nBytes` targets (BOS/EOS targets count as bytes, as the reference). */
export function bitsPerByte(natsSum: number, nBytes: number): number {
  return nBytes > 0 ? natsSum / Math.LN2 / nBytes : NaN;
}

/** Mean nats per target → bits per byte. */
export function natsToBitsPerByte(meanNats: number): number {
  return meanNats / Math.LN2;
}
