/**
 * Gradients for both trainers: the loss and its gradients keyed by weight name, and the running
 * sum of micro-batch gradients clipped by global norm after each one (the reference calls
 * clip_grad_norm_ on the accumulated .grad after every backward; with one micro-batch this is
 * plain clipping). The callers dispose what these return.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { clipByGlobalNorm, type ClippedGrads } from './clip.js';

/** `f()` (a scalar loss) and its gradients w.r.t. every weight, keyed by weight name. */
export function lossAndNamedGrads(
  weights: ReadonlyMap<string, tf.Variable>,
  f: () => tf.Scalar,
): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(f, [...weights.values()]);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, v] of weights) {
    const g = grads[v.name];
    if (!g) {
      tf.dispose([value, ...Object.values(grads)]);
      throw new BltError('INTERNAL', `no gradient for ${name}`);
    }
    byName.set(name, g);
  }
  return { loss: value, grads: byName };
}

/**
 * `acc + grads` (acc null: grads alone), clipped by global norm `clip` (0 = off). Disposes `acc`
 * and `grads`; returns the clipped sum and the norm before clipping.
 */
export function accumulateClipped(
  acc: ReadonlyMap<string, tf.Tensor> | null,
  grads: Map<string, tf.Tensor>,
  clip: number,
): ClippedGrads {
  const summed = acc ? new Map([...grads].map(([k, g]) => [k, tf.add(acc.get(k) as tf.Tensor, g)])) : grads;
  if (acc) tf.dispose([...acc.values(), ...grads.values()]);
  const clipped = clipByGlobalNorm(summed, clip);
  tf.dispose([...summed.values()]);
  return clipped;
}
