/**
 * The entropy-model trainer on the shared harness (src/train/common/loop.ts): data → model,
 * AdamW, loader (fresh or from a checkpoint) → the loop (batch → loss → grads → clip → AdamW →
 * log → validate → checkpoint) → final held-out bpb → model directory. A stop (AbortSignal, or
 * the shouldStop hook) finishes the current step, checkpoints and returns.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { evaluateBitsPerByte, type BitsPerByte } from '../eval/bits-per-byte.js';
import { computeLogProbsBatch } from '../eval/log-probs.js';
import { unigramLogProbs, unigramScorer } from '../eval/unigram.js';
import { saveEntropyModel } from '../model-format/model-dir.js';
import {
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyTransformerFromArrays,
  exportWeightArrays,
} from '../transformer/model.js';
import type { EntropyTransformer } from '../transformer/types.js';
import { AdamW, adamwConfig } from '../../train/common/adamw.js';
import { runTrainingLoop, type LoopParts, type StepOutcome } from '../../train/common/loop.js';
import { MetricsLog } from '../../train/common/metrics.js';
import {
  checkpointRun,
  recordValidation,
  refuseChangedConfig,
  refuseExistingRun,
  type TrainRun,
} from '../../train/common/run.js';
import { numericDifferences, type TrainConfig } from './config.js';
import { ByteSequenceLoader, loaderStateCodec, type LoaderState } from './loader.js';
import { natsToBits } from './loss.js';
import { packDocuments } from './pack.js';
import { trainStep } from './train-step.js';
import { CHECKPOINT_FORMAT, loadCheckpoint, type DataRecipe, type RunProgress } from './train-state.js';

export interface TrainData {
  /** Training documents (bytes), in a fixed order. */
  readonly train: readonly Uint8Array[];
  /** Held-out documents (bytes). */
  readonly val: readonly Uint8Array[];
  readonly recipe: DataRecipe;
}

export interface StepInfo {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly bitsPerByte: number;
  readonly lr: number;
  readonly gradNorm: number;
  /** Training throughput over the last log interval (bytes = tokens). */
  readonly bytesPerSecond: number;
  /** True when this step wrote a metrics line (every logEvery steps). */
  readonly logged: boolean;
}

export interface TrainHooks {
  /** Polled after every step; true → checkpoint now and return (like an aborted `signal`). */
  readonly shouldStop?: () => boolean;
  readonly onStart?: (info: {
    startStep: number;
    steps: number;
    resumed: boolean;
    trainTokens: number;
    unigramBpb: number | null;
  }) => void;
  readonly onStep?: (s: StepInfo) => void;
  readonly onEval?: (e: { step: number; valBpb: number; bytes: number; final: boolean }) => void;
  readonly onCheckpoint?: (path: string, step: number) => void;
}

export interface TrainOptions {
  readonly outDir: string;
  readonly resume?: boolean;
  /** Aborting finishes the current step, checkpoints and returns (SIGINT in the CLI). */
  readonly signal?: AbortSignal;
  readonly hooks?: TrainHooks;
  /** Extra fields for the model's `training` block (command line, backend, ...). */
  readonly metadata?: Record<string, unknown>;
}

export interface TrainResult {
  readonly step: number;
  readonly interrupted: boolean;
  /** Losses (nats) of the steps run by this call, in order. */
  readonly losses: number[];
  readonly heldOut: BitsPerByte | null;
  readonly unigramBpb: number | null;
  readonly modelDir: string | null;
  readonly fingerprint: string | null;
  readonly lastCheckpoint: string | null;
  /** Training-only time and throughput of this call (evaluation and checkpoints excluded). */
  readonly trainSeconds: number;
  readonly bytesPerSecond: number;
}

type Run = TrainRun<RunProgress, LoaderState> & {
  readonly model: EntropyTransformer;
  readonly loader: ByteSequenceLoader;
};

const scorerOf = (model: EntropyTransformer) => (docs: readonly Int32Array[]) => computeLogProbsBatch(model, docs);

async function start(cfg: TrainConfig, stream: Uint16Array, opts: TrainOptions): Promise<Run> {
  const adam = adamwConfig(cfg);
  if (!opts.resume) {
    await refuseExistingRun(opts.outDir, 'pass --resume');
    const rng = Rng.fromSeed(cfg.seed);
    const model = createEntropyTransformer(cfg.model, cfg.seed);
    const loader = ByteSequenceLoader.create(stream, cfg.seqLen, rng.nextUint32());
    const progress = { tokensSeen: 0, trainSeconds: 0, lastValBpb: null, bestValBpb: null };
    const metrics = await MetricsLog.create(opts.outDir);
    return { model, opt: new AdamW(model.weights, adam), loader, rng, step: 0, progress, metrics };
  }
  const ckpt = await loadCheckpoint(opts.outDir);
  refuseChangedConfig(numericDifferences(ckpt.state.config, cfg), '--resume');
  const model = entropyTransformerFromArrays(cfg.model, ckpt.weights, 'checkpoint model.safetensors');
  const opt = new AdamW(model.weights, adam);
  opt.setState(ckpt.optimizer);
  const loader = loaderStateCodec.build(ckpt.state.loader, stream);
  const s = ckpt.state;
  const metrics = await MetricsLog.resume(opts.outDir, s.step);
  return { model, opt, loader, rng: Rng.fromState(s.rng), step: s.step, progress: s.progress, metrics };
}

async function checkpoint(cfg: TrainConfig, data: TrainData, r: Run, opts: TrainOptions): Promise<string> {
  const state = { format: CHECKPOINT_FORMAT, config: cfg, data: data.recipe };
  const path = await checkpointRun(opts.outDir, r, state, exportWeightArrays(r.model), cfg.keep);
  opts.hooks?.onCheckpoint?.(path, r.step);
  return path;
}

async function validate(
  cfg: TrainConfig,
  data: TrainData,
  r: Run,
  opts: TrainOptions,
  final: boolean,
): Promise<BitsPerByte | null> {
  if (data.val.length === 0) return null;
  const maxBytes = final ? cfg.finalEvalBytes || Infinity : cfg.evalBytes;
  const res = await evaluateBitsPerByte(scorerOf(r.model), data.val, { maxBytes });
  await recordValidation(r, res.bitsPerByte, { val_bytes: res.bytes, val_targets: res.targets }, final);
  opts.hooks?.onEval?.({ step: r.step, valBpb: res.bitsPerByte, bytes: res.bytes, final });
  return res;
}

/** The loop's parts: one step on the next batch, its metrics line and hook, validation, checkpoint. */
function loopParts(cfg: TrainConfig, data: TrainData, r: Run, opts: TrainOptions): LoopParts<StepOutcome> {
  const bytes = cfg.batchSize * cfg.seqLen;
  return {
    step: async (lr) => {
      const out = trainStep(r.model, r.opt, r.loader.nextBatch(cfg.batchSize), lr, cfg.clip);
      const loss = (await out.loss.data())[0] as number;
      const gradNorm = (await out.gradNorm.data())[0] as number;
      tf.dispose([out.loss, out.gradNorm]);
      return { loss, gradNorm, bytes, natsSum: loss * bytes };
    },
    afterStep: async ({ step, lr, ms, logged, bytesPerSecond, result: { loss, gradNorm } }) => {
      const p = r.progress;
      r.progress = { ...p, tokensSeen: p.tokensSeen + bytes, trainSeconds: p.trainSeconds + ms / 1000 };
      if (logged) {
        await r.metrics.write({
          event: 'train',
          step,
          loss,
          bpb: natsToBits(loss),
          lr,
          grad_norm: gradNorm,
          tokens: r.progress.tokensSeen,
          bytes_per_s: Math.round(bytesPerSecond),
        });
      }
      const info = {
        step,
        steps: cfg.steps,
        loss,
        bitsPerByte: natsToBits(loss),
        lr,
        gradNorm,
        bytesPerSecond,
        logged,
      };
      opts.hooks?.onStep?.(info);
    },
    validate: async () => void (await validate(cfg, data, r, opts, false)),
    checkpoint: () => checkpoint(cfg, data, r, opts),
    stopRequested: () => opts.signal?.aborted === true || (opts.hooks?.shouldStop?.() ?? false),
  };
}

/** Trains (or resumes) an entropy transformer; see the file comment. */
export async function trainEntropyModel(cfg: TrainConfig, data: TrainData, opts: TrainOptions): Promise<TrainResult> {
  const stream = packDocuments(data.train);
  const r = await start(cfg, stream, opts);
  try {
    const unigramBpb =
      data.val.length > 0
        ? (await evaluateBitsPerByte(unigramScorer(unigramLogProbs(data.train)), data.val)).bitsPerByte
        : null;
    const resumed = opts.resume === true;
    if (!resumed)
      await r.metrics.write({
        event: 'start',
        step: 0,
        config: cfg,
        data: data.recipe,
        train_tokens: stream.length,
        unigram_val_bpb: unigramBpb,
      });
    opts.hooks?.onStart?.({ startStep: r.step, steps: cfg.steps, resumed, trainTokens: stream.length, unigramBpb });
    const loop = await runTrainingLoop(cfg, r, loopParts(cfg, data, r, opts));
    const { step, losses, trainSeconds, bytesPerSecond } = loop;
    const base = { step, losses, unigramBpb, lastCheckpoint: loop.lastCheckpoint, trainSeconds, bytesPerSecond };
    if (loop.stopped) {
      await r.metrics.write({ event: 'interrupted', step: r.step });
      return { ...base, interrupted: true, heldOut: null, modelDir: null, fingerprint: null };
    }
    // a resumed finished run: refresh nothing but the files
    const lastCheckpoint = loop.lastCheckpoint ?? (await checkpoint(cfg, data, r, opts));
    const heldOut = await validate(cfg, data, r, opts, true);
    const modelDir = join(opts.outDir, 'model');
    const training = {
      ...opts.metadata,
      seed: cfg.seed,
      config: cfg,
      data: data.recipe,
      steps: r.step,
      tokens_seen: r.progress.tokensSeen,
      train_seconds: Math.round(r.progress.trainSeconds * 10) / 10,
      held_out_bpb: heldOut?.bitsPerByte ?? null,
      held_out_bytes: heldOut?.bytes ?? 0,
      unigram_held_out_bpb: unigramBpb,
      final_train_loss: losses[losses.length - 1] ?? null,
    };
    const { fingerprint } = await saveEntropyModel(modelDir, r.model, { training });
    await r.metrics.write({ event: 'end', step: r.step, held_out_bpb: heldOut?.bitsPerByte ?? null, fingerprint });
    return { ...base, lastCheckpoint, interrupted: false, heldOut, modelDir, fingerprint };
  } finally {
    r.opt.dispose();
    disposeEntropyTransformer(r.model);
  }
}
