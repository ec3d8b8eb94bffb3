/**
 * Gradient clipping by global norm, as PyTorch `clip_grad_norm_` (docs/reference.md §8.1):
 * norm = sqrt(Σ_p ‖g_p‖²); every gradient is multiplied by min(1, maxNorm / (norm + 1e-6)).
 * Runs on the device (no read-back); the norm comes back as a scalar tensor for logging.
 */
import * as tf from '@tensorflow/tfjs';

export interface ClippedGrads {
  /** The clipped gradients, same keys; the caller disposes them. */
  readonly grads: Map<string, tf.Tensor>;
  /** The global norm before clipping: scalar float32; the caller disposes it. */
  readonly norm: tf.Scalar;
}

/** Global L2 norm of all tensors: scalar. */
function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(squares.length > 0 ? tf.addN(squares) : tf.scalar(0)) as tf.Scalar;
  });
}

/** `maxNorm <= 0` disables clipping (the norm is still computed). Inputs are not disposed. */
export function clipByGlobalNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number): ClippedGrads {
  const norm = globalNorm(grads);
  const out = new Map<string, tf.Tensor>();
  if (maxNorm <= 0) {
    for (const [k, g] of grads) out.set(k, tf.clone(g));
    return { grads: out, norm };
  }
  const scale = tf.tidy(() => tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6))));
  for (const [k, g] of grads) out.set(k, tf.mul(g, scale));
  scale.dispose();
  return { grads: out, norm };
}
