/**
 * The live objects of a BLT training run, fresh or from the newest checkpoint: model, AdamW,
 * training loader, RNG, step, progress, metrics log and the data plan. A fresh start refuses a
 * run directory that already holds checkpoints; a resume refuses options that change the numbers.
 */
import { Rng } from '../../core/rng.js';
import { AdamW, adamwConfig } from '../common/adamw.js';
import { MetricsLog } from '../common/metrics.js';
import { refuseChangedConfig, refuseExistingRun } from '../common/run.js';
import { createLoader, type BltLoader } from '../data/create-loader.js';
import { createEvalLoader, type EvalCoverage, type EvalLoader } from '../data/covering-loader.js';
import type { LoaderOptions } from '../data/loader-options.js';
import type { LoaderState } from '../data/loader-state.js';
import { createBltModel, disposeBltModel, type BltModel } from '../model/blt-model.js';
import { bltConfigDifferences, type BltTrainConfig } from './config.js';
import { prepareDataPlan, type DataPlan } from './data-plan.js';
import { bltModelFromWeights } from './model-weights.js';
import { loadBltCheckpoint, type BltRunProgress } from './train-state.js';

export interface RunState {
  readonly model: BltModel;
  readonly opt: AdamW;
  readonly loader: BltLoader;
  readonly rng: Rng;
  readonly plan: DataPlan;
  readonly metrics: MetricsLog;
  step: number;
  progress: BltRunProgress;
}

/** The loader options of a run's training data (infinite epochs, the run's shapes). */
function trainLoaderOptions(cfg: BltTrainConfig, plan: DataPlan, seed: number, state?: LoaderState): LoaderOptions {
  return {
    data: plan.train,
    batchSize: cfg.batchSize,
    seqLenPatches: cfg.seqLenPatches,
    maxEncoderSeqLen: cfg.maxBytesPerRow,
    bufferSize: cfg.bufferSize,
    seed,
    ngram: cfg.model.ngram,
    epochs: Infinity,
    ...(state ? { state } : {}),
  };
}

/**
 * One validation pass over `dirs` with the run's shapes: every byte scored once (`covering`, the
 * default) or the reference's eval iteration (`reference`: only the bytes that fit in N per P-patch
 * sequence). See src/train/data/covering-loader.ts.
 */
export function openValidationLoader(
  cfg: Pick<BltTrainConfig, 'batchSize' | 'seqLenPatches' | 'maxBytesPerRow' | 'model'>,
  dirs: readonly string[],
  coverage: EvalCoverage = 'covering',
): Promise<EvalLoader> {
  return createEvalLoader({
    data: dirs,
    batchSize: cfg.batchSize,
    seqLenPatches: cfg.seqLenPatches,
    maxEncoderSeqLen: cfg.maxBytesPerRow,
    ngram: cfg.model.ngram,
    coverage,
  });
}

async function fresh(cfg: BltTrainConfig, out: string, log: (m: string) => void): Promise<RunState> {
  await refuseExistingRun(out, 'pass --resume (resume: true)');
  const plan = await prepareDataPlan(cfg, out, { log });
  const rng = Rng.fromSeed(cfg.seed);
  const loader = await createLoader(trainLoaderOptions(cfg, plan, rng.nextUint32()));
  const model = createBltModel(cfg.model, cfg.seed);
  const opt = new AdamW(model.weights, adamwConfig(cfg));
  const progress = { bytesSeen: 0, trainSeconds: 0, lastValBpb: null, bestValBpb: null };
  return { model, opt, loader, rng, plan, metrics: await MetricsLog.create(out), step: 0, progress };
}

async function resumed(cfg: BltTrainConfig, out: string): Promise<RunState> {
  const ckpt = await loadBltCheckpoint(out);
  const s = ckpt.state;
  refuseChangedConfig(bltConfigDifferences(s.config, cfg), 'resume');
  const model = bltModelFromWeights(cfg.model, ckpt.weights, 'checkpoint model.safetensors');
  try {
    const opt = new AdamW(model.weights, adamwConfig(cfg));
    try {
      opt.setState(ckpt.optimizer);
      const loader = await createLoader(trainLoaderOptions(cfg, s.data, s.loader.config.seed, s.loader));
      return {
        model,
        opt,
        loader,
        rng: Rng.fromState(s.rng),
        plan: s.data,
        metrics: await MetricsLog.resume(out, s.step),
        step: s.step,
        progress: s.progress,
      };
    } catch (err) {
      opt.dispose();
      throw err;
    }
  } catch (err) {
    disposeBltModel(model);
    throw err;
  }
}

/** A fresh run (resume false) or the newest checkpoint's (resume true). */
export function setupRun(
  cfg: BltTrainConfig,
  out: string,
  resume: boolean,
  log: (m: string) => void,
): Promise<RunState> {
  return resume ? resumed(cfg, out) : fresh(cfg, out, log);
}

/** Releases the run's tensors and closes its loader. */
export async function closeRun(r: RunState): Promise<void> {
  await r.loader.close();
  r.opt.dispose();
  disposeBltModel(r.model);
}
