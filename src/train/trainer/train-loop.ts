/**
 * `train(config, hooks)`: the BLT trainer on the shared harness (src/train/common/loop.ts):
 * resolve → backend → data plan, model, AdamW, loader (fresh or from the newest checkpoint) →
 * the loop (micro-batches → loss → grads → clip → AdamW → log → validate → checkpoint)
 * → final validation → summary.json. A stop (AbortSignal, or a hook returning false) finishes the
 * step in progress, writes a checkpoint and returns `stopped: true`; `resume: true` continues it
 * and gives the same losses as an uninterrupted run.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendName, BackendRequest } from '../../backend/select-backend.js';
import { BltError } from '../../core/errors.js';
import { trainingBackend } from '../common/backend.js';
import { runTrainingLoop, type LoopParts, type StepOutcome } from '../common/loop.js';
import { checkpointRun, recordValidation } from '../common/run.js';
import { toBltBatch } from '../data/loader-batch.js';
import { bltParameterCounts } from '../model/blt-cost.js';
import type { BltBatch } from '../model/blt-batch.js';
import { bitsPerByte } from '../model/blt-loss.js';
import { evaluateBlt, type BltEvalResult } from '../eval/bits-per-byte.js';
import { unigramBitsPerByte } from '../eval/unigram-baseline.js';
import { resolveBltTrainConfig, type BltTrainConfig, type BltTrainConfigInput } from './config.js';
import type { DataPlan } from './data-plan.js';
import { patchingLabel } from './patching-choice.js';
import { closeRun, openValidationLoader, setupRun, type RunState } from './run-setup.js';
import { schemeFlops, type SchemeFlops } from './scheme-flops.js';
import { exportBltWeights } from './model-weights.js';
import { bltTrainStep, type BltStepResult } from './train-step.js';
import { BLT_STATE_FORMAT } from './train-state.js';

export type BltTrainOptions = BltTrainConfigInput & {
  /** Run directory: metrics.jsonl, checkpoints/, data/ (derived shard sets), summary.json. */
  readonly out: string;
  /** Continue from the newest checkpoint in `out`. */
  readonly resume?: boolean;
  /** Aborting finishes the current step, checkpoints and returns (SIGINT in the CLI). */
  readonly signal?: AbortSignal;
  /** Compute backend (default 'wasm'); the pure-JS cpu backend only with allowCpu. */
  readonly backend?: BackendRequest;
  readonly allowCpu?: boolean;
};

export interface BltStartInfo {
  readonly startStep: number;
  readonly steps: number;
  readonly resumed: boolean;
  readonly config: BltTrainConfig;
  readonly plan: DataPlan;
  readonly flops: SchemeFlops;
  readonly parameters: number;
  readonly unigramBpb: number | null;
  readonly backend: BackendName;
}

export interface BltStepInfo {
  readonly step: number;
  readonly steps: number;
  /** Mean reference loss of the step's micro-batches (nats per target). */
  readonly loss: number;
  /** This step's Σ CE / ln 2 / Σ mask. */
  readonly bitsPerByte: number;
  /** The same over the steps since the last log line, this one included (the reference's training-log bpb). */
  readonly intervalBitsPerByte: number;
  readonly lr: number;
  readonly gradNorm: number;
  /** Real targets trained on per second over the last log interval. */
  readonly bytesPerSecond: number;
  readonly logged: boolean;
}

export interface BltEvalInfo {
  readonly step: number;
  readonly valBpb: number;
  readonly bytes: number;
  readonly final: boolean;
}

export interface BltTrainHooks {
  readonly onStart?: (info: BltStartInfo) => void;
  /** After every step; return false to stop (checkpoint, then return stopped). */
  readonly onStep?: (s: BltStepInfo) => boolean | void;
  /** After every validation; return false to stop. */
  readonly onEval?: (e: BltEvalInfo) => boolean | void;
  readonly onCheckpoint?: (path: string, step: number) => void;
  /** Messages (data preparation, repatching). */
  readonly log?: (message: string) => void;
}

export interface BltTrainResult {
  readonly step: number;
  /** True when a signal or hook ended the run before `steps`. */
  readonly stopped: boolean;
  /** Losses of the steps run by this call, in order. */
  readonly losses: number[];
  readonly finalEval: BltEvalResult | null;
  readonly unigramBpb: number | null;
  readonly flops: SchemeFlops;
  readonly lastCheckpoint: string | null;
  readonly trainSeconds: number;
  /** Real targets per second of training (validation and checkpoints excluded). */
  readonly bytesPerSecond: number;
  readonly config: BltTrainConfig;
}

async function nextBatches(r: RunState, n: number): Promise<BltBatch[]> {
  const out: BltBatch[] = [];
  for (let i = 0; i < n; i++) {
    const b = await r.loader.next();
    if (!b) throw new BltError('INTERNAL', 'the training loader ended (it loops over its data forever)');
    out.push(toBltBatch(b));
  }
  return out;
}

async function validate(
  cfg: BltTrainConfig,
  r: RunState,
  final: boolean,
  hooks: BltTrainHooks,
): Promise<{ res: BltEvalResult | null; go: boolean }> {
  if (r.plan.val.length === 0) return { res: null, go: true };
  const loader = await openValidationLoader(cfg, r.plan.val);
  const batches = (async function* () {
    for await (const b of loader) yield toBltBatch(b);
  })();
  const res = await evaluateBlt(r.model, batches, { maxBatches: final ? cfg.finalEvalBatches : cfg.evalBatches });
  await recordValidation(r, res.bitsPerByte, { val_bytes: res.bytes, val_batches: res.batches }, final);
  const go = hooks.onEval?.({ step: r.step, valBpb: res.bitsPerByte, bytes: res.bytes, final }) !== false;
  return { res, go };
}

async function checkpoint(cfg: BltTrainConfig, r: RunState, out: string, hooks: BltTrainHooks): Promise<string> {
  const state = { format: BLT_STATE_FORMAT, config: cfg, data: r.plan };
  const path = await checkpointRun(out, r, state, exportBltWeights(r.model), cfg.keep);
  hooks.onCheckpoint?.(path, r.step);
  return path;
}

type Step = BltStepResult & StepOutcome;

/** The loop's parts: one step on the next micro-batches, its metrics line and hook, validation, checkpoint. */
function loopParts(
  cfg: BltTrainConfig,
  r: RunState,
  out: string,
  hooks: BltTrainHooks,
  signal: AbortSignal | undefined,
): LoopParts<Step> {
  return {
    step: async (lr) => {
      const s = await bltTrainStep(r.model, r.opt, await nextBatches(r, cfg.gradAccum), lr, cfg.clip);
      return { ...s, bytes: s.targets };
    },
    afterStep: async ({ step, lr, ms, logged, interval, bytesPerSecond, result: s }) => {
      const p = r.progress;
      r.progress = { ...p, bytesSeen: p.bytesSeen + s.targets, trainSeconds: p.trainSeconds + ms / 1000 };
      const bpb = bitsPerByte(s.natsSum, s.targets);
      const intervalBpb = bitsPerByte(interval.nats, interval.bytes);
      if (logged) {
        const c = r.loader.counts;
        await r.metrics.write({
          event: 'train',
          step,
          loss: s.loss,
          bpb: intervalBpb,
          step_bpb: bpb,
          lr,
          grad_norm: s.gradNorm,
          bytes: r.progress.bytesSeen,
          bytes_per_s: Math.round(bytesPerSecond),
          dropped_truncated: c.droppedTruncated,
          dropped_last_patch: c.droppedLastPatch,
        });
      }
      return hooks.onStep?.({
        step,
        steps: cfg.steps,
        loss: s.loss,
        bitsPerByte: bpb,
        intervalBitsPerByte: intervalBpb,
        lr,
        gradNorm: s.gradNorm,
        bytesPerSecond,
        logged,
      });
    },
    validate: async () => (await validate(cfg, r, false, hooks)).go,
    checkpoint: () => checkpoint(cfg, r, out, hooks),
    stopRequested: () => signal?.aborted === true,
  };
}

/** Trains (or resumes) a BLT on shard sets; see the file comment. */
export async function train(options: BltTrainOptions, hooks: BltTrainHooks = {}): Promise<BltTrainResult> {
  const { out, resume = false, signal, backend = 'wasm', allowCpu = false, ...input } = options;
  if (typeof out !== 'string' || out === '')
    throw new BltError('BAD_OPTION', `Expected \`out\` to be a run directory, got ${JSON.stringify(out)}.`);
  const cfg = resolveBltTrainConfig(input);
  const info = await trainingBackend(backend, allowCpu, { allowWith: '--allow-cpu (allowCpu: true)' });
  const r = await setupRun(cfg, out, resume, hooks.log ?? (() => undefined));
  try {
    const flops = schemeFlops(cfg.model, cfg.maxBytesPerRow, r.plan.meanPatchLength);
    const unigramBpb = await unigramBitsPerByte(r.plan.train, r.plan.val);
    const parameters = bltParameterCounts(cfg.model).total;
    const patching = patchingLabel(cfg.patching);
    if (!resume) {
      await r.metrics.write({
        event: 'start',
        step: 0,
        config: cfg,
        data: r.plan,
        patching,
        flops,
        parameters,
        unigram_val_bpb: unigramBpb,
        backend: info.name,
      });
    }
    const startStep = r.step;
    const plan = r.plan;
    hooks.onStart?.({
      startStep,
      steps: cfg.steps,
      resumed: resume,
      config: cfg,
      plan,
      flops,
      parameters,
      unigramBpb,
      backend: info.name,
    });
    const loop = await runTrainingLoop(cfg, r, loopParts(cfg, r, out, hooks, signal));
    const { step, stopped, losses, trainSeconds, bytesPerSecond } = loop;
    const base = { step, stopped, losses, unigramBpb, flops, trainSeconds, config: cfg, bytesPerSecond };
    if (stopped) {
      await r.metrics.write({ event: 'stopped', step: r.step });
      return { ...base, finalEval: null, lastCheckpoint: loop.lastCheckpoint };
    }
    // a resumed finished run: rewrite nothing else
    const lastCheckpoint = loop.lastCheckpoint ?? (await checkpoint(cfg, r, out, hooks));
    const { res } = await validate(cfg, r, true, hooks);
    const summary = {
      step: r.step,
      patching,
      mean_patch_length: flops.meanPatchLength,
      flops_per_byte: { forward: flops.forwardPerByte, train: flops.trainPerByte },
      parameters,
      val_bpb: res?.bitsPerByte ?? null,
      val_bytes: res?.bytes ?? 0,
      unigram_val_bpb: unigramBpb,
      best_val_bpb: r.progress.bestValBpb,
      bytes_seen: r.progress.bytesSeen,
      train_seconds: Math.round(r.progress.trainSeconds * 10) / 10,
      final_train_loss: losses[losses.length - 1] ?? null,
      backend: info.name,
      checkpoint: lastCheckpoint,
      config: cfg,
    };
    await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await r.metrics.write({
      event: 'end',
      step: r.step,
      val_bpb: res?.bitsPerByte ?? null,
      flops_per_byte: flops.trainPerByte,
      mean_patch_length: flops.meanPatchLength,
    });
    return { ...base, finalEval: res, lastCheckpoint };
  } finally {
    await closeRun(r);
  }
}
