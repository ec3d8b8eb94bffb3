/**
 * The entropy-model training loop, read top to bottom like nanoGPT's train.py:
 * resolve → data → model/optimizer/loader (fresh or from a checkpoint) → loop
 * (batch → loss → grads → clip → AdamW → log → validate → checkpoint) → final held-out bpb →
 * model directory. A stop request (SIGINT) finishes the current step, checkpoints and returns.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { BltError } from '../../core/errors.js';
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
import { AdamW } from '../../train/common/adamw.js';
import { listCheckpoints, saveCheckpoint } from '../../train/common/checkpoint.js';
import { loadCheckpoint, type DataRecipe, type RunProgress } from './train-state.js';
import { numericDifferences, type TrainConfig } from './config.js';
import { ByteSequenceLoader } from './loader.js';
import { natsToBits } from './loss.js';
import { MetricsLog } from '../../train/common/metrics.js';
import { packDocuments } from './pack.js';
import { learningRate } from '../../train/common/schedule.js';
import { trainStep } from './train-step.js';

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
  /** Polled after every step; true → checkpoint now and return (SIGINT). */
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

interface RunState {
  model: EntropyTransformer;
  opt: AdamW;
  loader: ByteSequenceLoader;
  rng: Rng;
  step: number;
  progress: RunProgress;
  metrics: MetricsLog;
}

const scorerOf = (model: EntropyTransformer) => (docs: readonly Int32Array[]) => computeLogProbsBatch(model, docs);

async function start(cfg: TrainConfig, stream: Uint16Array, opts: TrainOptions): Promise<RunState> {
  const adam = { beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weightDecay: cfg.weightDecay };
  if (!opts.resume) {
    const old = await listCheckpoints(opts.outDir);
    if (old.length > 0) {
      throw new BltError(
        'BAD_OPTION',
        `${opts.outDir} already holds checkpoints (newest: step ${old[old.length - 1]}); a new run there would mix with them.`,
        'pass --resume to continue that run, or choose another --out (or delete the directory)',
      );
    }
    const rng = Rng.fromSeed(cfg.seed);
    const model = createEntropyTransformer(cfg.model, cfg.seed);
    const loader = ByteSequenceLoader.create(stream, cfg.seqLen, rng.nextUint32());
    const progress = { tokensSeen: 0, trainSeconds: 0, lastValBpb: null, bestValBpb: null };
    return {
      model,
      opt: new AdamW(model.weights, adam),
      loader,
      rng,
      step: 0,
      progress,
      metrics: await MetricsLog.create(opts.outDir),
    };
  }
  const ckpt = await loadCheckpoint(opts.outDir);
  const diffs = numericDifferences(ckpt.state.config, cfg);
  if (diffs.length > 0) {
    throw new BltError(
      'BAD_OPTION',
      `--resume: this run's options differ from the checkpoint's (${diffs.join('; ')}).`,
      'rerun the original command with --resume (see train-state.json `config` in the checkpoint)',
    );
  }
  const model = entropyTransformerFromArrays(cfg.model, ckpt.weights, 'checkpoint model.safetensors');
  const opt = new AdamW(model.weights, adam);
  opt.setState(ckpt.optimizer);
  const loader = ByteSequenceLoader.fromState(stream, ckpt.state.loader);
  const s = ckpt.state;
  return {
    model,
    opt,
    loader,
    rng: Rng.fromState(s.rng),
    step: s.step,
    progress: s.progress,
    metrics: await MetricsLog.resume(opts.outDir, s.step),
  };
}

async function checkpoint(cfg: TrainConfig, data: TrainData, r: RunState, opts: TrainOptions): Promise<string> {
  const path = await saveCheckpoint(
    opts.outDir,
    {
      state: {
        format: 'blt-entropy-train-state',
        v: 1,
        step: r.step,
        config: cfg,
        data: data.recipe,
        loader: r.loader.getState(),
        rng: r.rng.getState(),
        optimizer: { t: r.opt.step },
        progress: r.progress,
      },
      weights: exportWeightArrays(r.model),
      optimizer: await r.opt.getState(),
    },
    cfg.keep,
  );
  opts.hooks?.onCheckpoint?.(path, r.step);
  return path;
}

async function validate(
  cfg: TrainConfig,
  data: TrainData,
  r: RunState,
  opts: TrainOptions,
  final: boolean,
): Promise<BitsPerByte | null> {
  if (data.val.length === 0) return null;
  const maxBytes = final ? cfg.finalEvalBytes || Infinity : cfg.evalBytes;
  const res = await evaluateBitsPerByte(scorerOf(r.model), data.val, { maxBytes });
  const best = r.progress.bestValBpb === null ? res.bitsPerByte : Math.min(r.progress.bestValBpb, res.bitsPerByte);
  r.progress = { ...r.progress, lastValBpb: res.bitsPerByte, bestValBpb: best };
  await r.metrics.write({
    event: 'eval',
    step: r.step,
    val_bpb: res.bitsPerByte,
    val_bytes: res.bytes,
    val_targets: res.targets,
    final,
  });
  opts.hooks?.onEval?.({ step: r.step, valBpb: res.bitsPerByte, bytes: res.bytes, final });
  return res;
}

/** Trains (or resumes) an entropy transformer; see the file comment. */
export async function trainEntropyModel(cfg: TrainConfig, data: TrainData, opts: TrainOptions): Promise<TrainResult> {
  const stream = packDocuments(data.train);
  const r = await start(cfg, stream, opts);
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
  const losses: number[] = [];
  const tokensPerStep = cfg.batchSize * cfg.seqLen;
  let lastCheckpoint: string | null = null;
  let trainMs = 0;
  let intervalMs = 0;
  let intervalTokens = 0;
  let interrupted = false;
  try {
    while (r.step < cfg.steps) {
      const t0 = performance.now();
      const batch = r.loader.nextBatch(cfg.batchSize);
      const lr = learningRate(r.step, { lr: cfg.lr, warmup: cfg.warmup, steps: cfg.steps, minRatio: cfg.minLrRatio });
      const out = trainStep(r.model, r.opt, batch, lr, cfg.clip);
      const loss = (await out.loss.data())[0] as number;
      const gradNorm = (await out.gradNorm.data())[0] as number;
      tf.dispose([out.loss, out.gradNorm]);
      const ms = performance.now() - t0;
      if (!Number.isFinite(loss)) {
        throw new BltError(
          'BAD_OPTION',
          `Training diverged: the loss is ${loss} at step ${r.step + 1} (lr ${lr}).`,
          `lower --lr or --clip and resume from the last checkpoint (${lastCheckpoint ?? 'none yet'}) or start again`,
        );
      }
      r.step += 1;
      losses.push(loss);
      trainMs += ms;
      intervalMs += ms;
      intervalTokens += tokensPerStep;
      r.progress = {
        ...r.progress,
        tokensSeen: r.progress.tokensSeen + tokensPerStep,
        trainSeconds: r.progress.trainSeconds + ms / 1000,
      };
      const logged = r.step % cfg.logEvery === 0 || r.step === cfg.steps;
      const bytesPerSecond = intervalMs > 0 ? (intervalTokens * 1000) / intervalMs : 0;
      if (logged) {
        await r.metrics.write({
          event: 'train',
          step: r.step,
          loss,
          bpb: natsToBits(loss),
          lr,
          grad_norm: gradNorm,
          tokens: r.progress.tokensSeen,
          bytes_per_s: Math.round(bytesPerSecond),
        });
      }
      opts.hooks?.onStep?.({
        step: r.step,
        steps: cfg.steps,
        loss,
        bitsPerByte: natsToBits(loss),
        lr,
        gradNorm,
        bytesPerSecond,
        logged,
      });
      if (logged) intervalMs = intervalTokens = 0;
      if (cfg.evalEvery > 0 && r.step % cfg.evalEvery === 0 && r.step < cfg.steps)
        await validate(cfg, data, r, opts, false);
      interrupted = r.step < cfg.steps && (opts.hooks?.shouldStop?.() ?? false);
      const due =
        (cfg.checkpointEvery > 0 && r.step % cfg.checkpointEvery === 0) || r.step === cfg.steps || interrupted;
      if (due) lastCheckpoint = await checkpoint(cfg, data, r, opts);
      if (interrupted) break;
    }
    const trainSeconds = trainMs / 1000;
    const bytesPerSecond = trainMs > 0 ? (losses.length * tokensPerStep * 1000) / trainMs : 0;
    const base = { step: r.step, losses, unigramBpb, lastCheckpoint, trainSeconds, bytesPerSecond };
    if (interrupted) {
      await r.metrics.write({ event: 'interrupted', step: r.step });
      return { ...base, interrupted, heldOut: null, modelDir: null, fingerprint: null };
    }
    lastCheckpoint ??= await checkpoint(cfg, data, r, opts); // resumed a finished run: refresh nothing but the files
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
    return { ...base, interrupted, heldOut, modelDir, fingerprint };
  } finally {
    r.opt.dispose();
    disposeEntropyTransformer(r.model);
  }
}
