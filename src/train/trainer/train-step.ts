/**
 * One optimizer step of the BLT (docs/reference.md §8.1): for each of `gradAccum` micro-batches,
 * forward → loss/gradAccum → gradients, added to the running sum and clipped by global norm after
 * every micro-batch (the reference calls clip_grad_norm_ on the accumulated .grad after each
 * backward); then one AdamW update. With gradAccum = 1 this is forward → loss → grads → clip →
 * AdamW. Every tensor made here is released; the numbers come back as plain values.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import type { AdamW } from '../common/adamw.js';
import { accumulateClipped, lossAndNamedGrads } from '../common/grads.js';
import type { BltBatch } from '../model/blt-batch.js';
import { bltForward } from '../model/blt-forward.js';
import { disposeBltInputs, prepareBltInputs } from '../model/blt-inputs.js';
import { bltLoss } from '../model/blt-loss.js';
import type { BltModel } from '../model/blt-model.js';

export interface BltStepResult {
  /** Mean over the micro-batches of the reference loss Σ CE·mask / (Σ mask + 1e-6), nats. */
  readonly loss: number;
  /** Σ CE·mask over all micro-batches (nats): bits per byte = natsSum / ln 2 / targets. */
  readonly natsSum: number;
  /** Σ mask over all micro-batches: the real targets (bytes, BOS/EOS included). */
  readonly targets: number;
  /** Global gradient norm before the last clip. */
  readonly gradNorm: number;
}

function maskSum(mask: ArrayLike<number> | undefined): number {
  if (!mask) return 0;
  let s = 0;
  for (let i = 0; i < mask.length; i++) s += mask[i] as number;
  return s;
}

/** Loss/scale and its gradients keyed by weight name (the caller disposes them). */
function microGrads(
  model: BltModel,
  batch: BltBatch,
  scale: number,
): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const inp = prepareBltInputs(model.config, batch);
  if (!inp.y || !inp.mask) {
    disposeBltInputs(inp);
    throw new BltError(
      'BAD_INPUT',
      'A training batch needs `y` and `mask`.',
      "pass the loader's batches (toBltBatch) unchanged",
    );
  }
  const { y, mask } = inp;
  try {
    return lossAndNamedGrads(model.weights, () =>
      tf.tidy(() => tf.mul(bltLoss(bltForward(model, inp), y, mask), scale) as tf.Scalar),
    );
  } finally {
    disposeBltInputs(inp);
  }
}

/** Runs one optimizer step over `batches` (the micro-batches) at learning rate `lr`. */
export async function bltTrainStep(
  model: BltModel,
  opt: AdamW,
  batches: readonly BltBatch[],
  lr: number,
  clip: number,
): Promise<BltStepResult> {
  if (batches.length === 0) throw new BltError('INTERNAL', 'bltTrainStep without batches');
  const scale = 1 / batches.length;
  let acc: Map<string, tf.Tensor> | null = null;
  let norm: tf.Scalar | null = null;
  let lossSum = 0;
  let natsSum = 0;
  let targets = 0;
  try {
    for (const batch of batches) {
      const { loss, grads } = microGrads(model, batch, scale);
      const clipped = accumulateClipped(acc, grads, clip);
      acc = clipped.grads;
      norm?.dispose();
      norm = clipped.norm;
      const l = ((await loss.data())[0] as number) / scale; // undo the 1/gradAccum scaling
      loss.dispose();
      const m = maskSum(batch.mask);
      lossSum += l;
      natsSum += l * (m + 1e-6);
      targets += m;
    }
    opt.apply(acc as Map<string, tf.Tensor>, lr);
    const gradNorm = (await (norm as tf.Scalar).data())[0] as number;
    return { loss: lossSum / batches.length, natsSum, targets, gradNorm };
  } finally {
    if (acc) tf.dispose([...acc.values()]);
    norm?.dispose();
  }
}
