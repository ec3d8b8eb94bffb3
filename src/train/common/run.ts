/**
 * A training run's start and its checkpoints, the same for both trainers: a fresh run refuses an
 * out directory that already holds checkpoints; a resume refuses options that change the numbers;
 * a checkpoint holds the run's weights, AdamW moments and JSON state (src/train/common/checkpoint.ts).
 */
import { BltError } from '../../core/errors.js';
import type { Rng, RngState } from '../../core/rng.js';
import type { WeightArray } from '../../entropy/transformer/types.js';
import type { AdamW } from './adamw.js';
import { listCheckpoints, saveCheckpoint } from './checkpoint.js';
import type { MetricsLog } from './metrics.js';

/** The live objects of a run that its checkpoint records. */
export interface TrainRun<P, L> {
  readonly opt: AdamW;
  readonly loader: { getState(): L };
  readonly rng: Rng;
  readonly metrics: MetricsLog;
  /** Optimizer updates completed. */
  step: number;
  /** Counters that continue across a resume. */
  progress: P;
}

/** The train-state.json of a run (format `F`, version 1). */
export interface RunState<F extends string, C, D, L, P> {
  readonly format: F;
  readonly v: 1;
  readonly step: number;
  readonly config: C;
  readonly data: D;
  readonly loader: L;
  readonly rng: RngState;
  readonly optimizer: { readonly t: number };
  readonly progress: P;
}

/** A fresh run: BAD_OPTION when `outDir` already holds checkpoints (`resumeHint` says how to continue it). */
export async function refuseExistingRun(outDir: string, resumeHint: string): Promise<void> {
  const old = await listCheckpoints(outDir);
  if (old.length > 0) {
    throw new BltError(
      'BAD_OPTION',
      `${outDir} already holds checkpoints (newest: step ${old[old.length - 1]}); a new run there would mix with them.`,
      `${resumeHint} to continue that run, or choose another --out (or delete the directory)`,
    );
  }
}

/** A resume: BAD_OPTION listing `diffs` (the config's `name: saved → now` lines) when there are any. */
export function refuseChangedConfig(diffs: readonly string[], what: string): void {
  if (diffs.length > 0) {
    throw new BltError(
      'BAD_OPTION',
      `${what}: this run's options differ from the checkpoint's (${diffs.join('; ')}).`,
      'rerun the original command with --resume (see train-state.json `config` in the checkpoint)',
    );
  }
}

/** Validation results kept across a resume. */
export interface ValidationProgress {
  readonly lastValBpb: number | null;
  readonly bestValBpb: number | null;
}

/** Counters both trainers continue across a resume (each adds what it counts as seen). */
export interface RunCounters extends ValidationProgress {
  /** Training-only seconds over all the run's calls. */
  readonly trainSeconds: number;
}

/** Records a validation: the run's last and best bits per byte, and its `eval` metrics line. */
export async function recordValidation<P extends ValidationProgress>(
  run: TrainRun<P, unknown>,
  bpb: number,
  fields: Record<string, unknown>,
  final: boolean,
): Promise<void> {
  const best = run.progress.bestValBpb === null ? bpb : Math.min(run.progress.bestValBpb, bpb);
  run.progress = { ...run.progress, lastValBpb: bpb, bestValBpb: best };
  await run.metrics.write({ event: 'eval', step: run.step, val_bpb: bpb, ...fields, final });
}

/** Writes the run's checkpoint at its step (atomic; keeps the newest `keep`); returns its path. */
export async function checkpointRun<F extends string, C, D, L, P>(
  outDir: string,
  run: TrainRun<P, L>,
  state: { readonly format: F; readonly config: C; readonly data: D },
  weights: Map<string, WeightArray>,
  keep: number,
): Promise<string> {
  const full: RunState<F, C, D, L, P> = {
    format: state.format,
    v: 1,
    step: run.step,
    config: state.config,
    data: state.data,
    loader: run.loader.getState(),
    rng: run.rng.getState(),
    optimizer: { t: run.opt.step },
    progress: run.progress,
  };
  return saveCheckpoint(outDir, { state: full, weights, optimizer: await run.opt.getState() }, keep);
}
