/**
 * Bits per byte of a BLT on a stream of batches, as the reference's eval (docs/reference.md §8.2,
 * `eval_ppl_on_path`): bpb = Σ CE over real targets / ln 2 / Σ mask, where the batches come from
 * the validation loader (one pass, buffer 1, rows padded to N, partial last batch with all-zero
 * mask rows) and BOS/EOS targets count as bytes. Forward only; nothing leaks per batch.
 */
import * as tf from '@tensorflow/tfjs';
import { bltForward } from '../model/blt-forward.js';
import { disposeBltInputs, prepareBltInputs } from '../model/blt-inputs.js';
import { bitsPerByte, maskedCrossEntropySum } from '../model/blt-loss.js';
import type { BltBatch } from '../model/blt-batch.js';
import type { BltModel } from '../model/blt-model.js';

export interface BltEvalResult {
  readonly bitsPerByte: number;
  /** Σ CE over the real targets, nats. */
  readonly natsSum: number;
  /** Σ mask: the real targets scored (bytes + BOS/EOS). */
  readonly bytes: number;
  readonly batches: number;
  readonly seconds: number;
}

export interface BltEvalOptions {
  /** Stop after this many batches (0 or absent: all). */
  readonly maxBatches?: number;
  /** Called after each batch with the running totals. */
  readonly onBatch?: (done: { batches: number; bytes: number }) => void;
}

/** Σ CE·mask of one batch (nats) and its Σ mask. */
async function batchNats(model: BltModel, batch: BltBatch): Promise<{ nats: number; targets: number }> {
  const inp = prepareBltInputs(model.config, batch);
  try {
    const t = tf.tidy(() =>
      tf.stack([
        maskedCrossEntropySum(bltForward(model, inp), inp.y as tf.Tensor2D, inp.mask as tf.Tensor2D),
        tf.sum(inp.mask as tf.Tensor2D),
      ]),
    );
    const [nats, targets] = await t.data();
    t.dispose();
    return { nats: nats as number, targets: Math.round(targets as number) };
  } finally {
    disposeBltInputs(inp);
  }
}

/** Scores every batch of `batches` (or the first maxBatches). */
export async function evaluateBlt(
  model: BltModel,
  batches: AsyncIterable<BltBatch>,
  opts: BltEvalOptions = {},
): Promise<BltEvalResult> {
  const t0 = performance.now();
  let natsSum = 0;
  let bytes = 0;
  let n = 0;
  const max = opts.maxBatches ?? 0;
  for await (const batch of batches) {
    const r = await batchNats(model, batch);
    natsSum += r.nats;
    bytes += r.targets;
    n += 1;
    opts.onBatch?.({ batches: n, bytes });
    if (max > 0 && n >= max) break;
  }
  return {
    bitsPerByte: bitsPerByte(natsSum, bytes),
    natsSum,
    bytes,
    batches: n,
    seconds: (performance.now() - t0) / 1000,
  };
}
