/**
 * BLT checkpoints: the shared layout and atomic keep-N writer (src/train/common/checkpoint.ts)
 * with the BLT's JSON state:
 *
 *   <run>/checkpoints/<step, 10 digits>/
 *     model.safetensors      weights, reference state-dict names (docs/blt-model.md)
 *     optimizer.safetensors  AdamW moments m.<name>, v.<name>
 *     train-state.json       { format: 'blt-train-state', v: 1, step, config (resolved), data (plan),
 *                              loader (createLoader state), rng, optimizer: {t}, progress }
 */
import type { RngState } from '../../core/rng.js';
import type { AdamW } from '../common/adamw.js';
import { loadCheckpointWith, parseTrainState, saveCheckpoint, type Checkpoint } from '../common/checkpoint.js';
import type { LoaderState } from '../data/loader-state.js';
import type { BltModel } from '../model/blt-model.js';
import type { BltTrainConfig } from './config.js';
import type { DataPlan } from './data-plan.js';
import { exportBltWeights } from './model-weights.js';

export const BLT_STATE_FORMAT = 'blt-train-state';

/** Counters that continue across a resume. */
export interface BltRunProgress {
  /** Real targets (bytes + BOS/EOS) trained on. */
  readonly bytesSeen: number;
  readonly trainSeconds: number;
  readonly lastValBpb: number | null;
  readonly bestValBpb: number | null;
}

export interface BltTrainState {
  readonly format: typeof BLT_STATE_FORMAT;
  readonly v: 1;
  /** Optimizer updates completed. */
  readonly step: number;
  readonly config: BltTrainConfig;
  readonly data: DataPlan;
  readonly loader: LoaderState;
  readonly rng: RngState;
  readonly optimizer: { readonly t: number };
  readonly progress: BltRunProgress;
}

export function parseBltTrainState(text: string, dir: string): BltTrainState {
  return parseTrainState<BltTrainState>(text, dir, BLT_STATE_FORMAT, {
    'blt-entropy-train-state': 'this is an entropy-model run (`blt entropy train`); point at a `blt train` run',
  });
}

/** Writes a checkpoint of `model` and `opt` with `state` (atomic; keeps the newest `keep`). */
export async function saveBltCheckpoint(
  outDir: string,
  state: BltTrainState,
  model: BltModel,
  opt: AdamW,
  keep: number,
): Promise<string> {
  return saveCheckpoint(outDir, { state, weights: exportBltWeights(model), optimizer: await opt.getState() }, keep);
}

/** The checkpoint of `step`, or the newest one (NOT_FOUND when the run has none). */
export function loadBltCheckpoint(runDir: string, step?: number): Promise<Checkpoint<BltTrainState>> {
  return loadCheckpointWith(runDir, parseBltTrainState, step);
}
