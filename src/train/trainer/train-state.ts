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
import { loadCheckpointWith, parseTrainState, trainStateCodec, type Checkpoint } from '../common/checkpoint.js';
import type { RunCounters, RunState } from '../common/run.js';
import type { LoaderState } from '../data/loader-state.js';
import type { BltTrainConfig } from './config.js';
import type { DataPlan } from './data-plan.js';

export const BLT_STATE_FORMAT = 'blt-train-state';

/** Counters that continue across a resume. */
export interface BltRunProgress extends RunCounters {
  /** Real targets (bytes + BOS/EOS) trained on. */
  readonly bytesSeen: number;
}

export type BltTrainState = RunState<typeof BLT_STATE_FORMAT, BltTrainConfig, DataPlan, LoaderState, BltRunProgress>;

/** The state's codec (src/core/state.ts): tag `{format: 'blt-train-state', v: 1}`. */
const bltTrainState = trainStateCodec<BltTrainState>(BLT_STATE_FORMAT);

export function parseBltTrainState(text: string, dir: string): BltTrainState {
  return parseTrainState(text, dir, bltTrainState, {
    'blt-entropy-train-state': 'this is an entropy-model run (`blt entropy train`); point at a `blt train` run',
  });
}

/** The checkpoint of `step`, or the newest one (NOT_FOUND when the run has none). */
export function loadBltCheckpoint(runDir: string, step?: number): Promise<Checkpoint<BltTrainState>> {
  return loadCheckpointWith(runDir, parseBltTrainState, step);
}
