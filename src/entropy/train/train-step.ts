/**
 * One optimizer step: forward → mean cross-entropy → gradients → clip by global norm → AdamW.
 * Returns the loss and the pre-clip gradient norm as scalar tensors (the caller reads and
 * disposes them); every other tensor made here is released.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from '../../train/common/adamw.js';
import { accumulateClipped, lossAndNamedGrads } from '../../train/common/grads.js';
import { forwardLogits } from '../transformer/forward.js';
import type { EntropyTransformer } from '../transformer/types.js';
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
  try {
    return lossAndNamedGrads(model.weights, () => crossEntropyMean(forwardLogits(model, x), y));
  } finally {
    tf.dispose([x, y]);
  }
}

export function trainStep(
  model: EntropyTransformer,
  opt: AdamW,
  batch: TokenBatch,
  lr: number,
  clip: number,
): StepResult {
  const { loss, grads } = lossAndGrads(model, batch);
  const clipped = accumulateClipped(null, grads, clip);
  opt.apply(clipped.grads, lr);
  tf.dispose([...clipped.grads.values()]);
  return { loss, gradNorm: clipped.norm };
}
