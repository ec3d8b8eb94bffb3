/**
 * BLT checkpoints: the entropy trainer's layout and atomic keep-N writer
 * (src/entropy/train/checkpoint.ts) with the BLT's JSON state:
 *
 *   <run>/checkpoints/<step, 10 digits>/
 *     model.safetensors      weights, reference state-dict names (docs/blt-model.md)
 *     optimizer.safetensors  AdamW moments m.<name>, v.<name>
 *     train-state.json       { format: 'blt-train-state', v: 1, step, config (resolved), data (plan),
 *                              loader (createLoader state), rng, optimizer: {t}, progress }
 */
import type { RngState } from '../../core/rng.js';
import { BltError } from '../../core/errors.js';
import type { AdamW } from '../../entropy/train/adamw.js';
import { loadCheckpointWith, saveCheckpoint, type Checkpoint } from '../../entropy/train/checkpoint.js';
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
  let s: Partial<BltTrainState>;
  try {
    s = JSON.parse(text) as Partial<BltTrainState>;
  } catch (err) {
    throw new BltError('STATE_FORMAT', `${dir}/train-state.json is not valid JSON (${(err as Error).message}).`);
  }
  if (s.format !== BLT_STATE_FORMAT || s.v !== 1) {
    throw new BltError(
      'STATE_FORMAT',
      `${dir}/train-state.json: expected format '${BLT_STATE_FORMAT}' v1, got ${JSON.stringify(s.format)} v${String(s.v)}.`,
      (s.format as string) === 'blt-entropy-train-state'
        ? 'this is an entropy-model run (`blt entropy train`); point at a `blt train` run'
        : 'this checkpoint was written by another tool or version',
    );
  }
  for (const k of ['step', 'config', 'data', 'loader', 'rng', 'optimizer', 'progress'] as const) {
    if (s[k] === undefined) throw new BltError('STATE_FORMAT', `${dir}/train-state.json has no \`${k}\`.`);
  }
  return s as BltTrainState;
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
