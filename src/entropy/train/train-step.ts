/**
 * One optimizer step: forward → mean cross-entropy → gradients → clip by global norm → AdamW.
 * Returns the loss and the pre-clip gradient norm as scalar tensors (the caller reads and
 * disposes them); every other tensor made here is released.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { forwardLogits } from '../transformer/forward.js';
import type { EntropyTransformer } from '../transformer/types.js';
import type { AdamW } from '../../train/common/adamw.js';
import { clipByGlobalNorm } from '../../train/common/clip.js';
import type { TokenBatch } from './loader.js';
import { crossEntropyMean } from './loss.js';

export interface StepResult {
  readonly loss: tf.Scalar;
  readonly gradNorm: tf.Scalar;
}

/** Loss and gradients keyed by contract weight name. The caller disposes all of them. */
export function lossAndGrads(
  model: EntropyTransformer,
  batch: TokenBatch,
): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const x = tf.tensor2d(batch.x, [batch.batchSize, batch.seqLen], 'int32');
  const y = tf.tensor2d(batch.y, [batch.batchSize, batch.seqLen], 'int32');
  const vars = [...model.weights.values()];
  const { value, grads } = tf.variableGrads(() => crossEntropyMean(forwardLogits(model, x), y), vars);
  tf.dispose([x, y]);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, v] of model.weights) {
    const g = grads[v.name];
    if (!g) throw new BltError('INTERNAL', `no gradient for ${name}`);
    byName.set(name, g);
  }
  return { loss: value, grads: byName };
}

export function trainStep(
  model: EntropyTransformer,
  opt: AdamW,
  batch: TokenBatch,
  lr: number,
  clip: number,
): StepResult {
  const { loss, grads } = lossAndGrads(model, batch);
  const clipped = clipByGlobalNorm(grads, clip);
  tf.dispose([...grads.values()]);
  opt.apply(clipped.grads, lr);
  tf.dispose([...clipped.grads.values()]);
  return { loss, gradNorm: clipped.norm };
}
