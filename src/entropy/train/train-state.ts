/**
 * The entropy trainer's checkpoint state (train-state.json, format 'blt-entropy-train-state' v1);
 * the files and their atomic keep-N writing are src/train/common/checkpoint.ts.
 */
import {
  loadCheckpointWith,
  parseTrainState,
  trainStateCodec,
  type Checkpoint,
} from '../../train/common/checkpoint.js';
import type { RunCounters, RunState } from '../../train/common/run.js';
import type { TrainConfig } from './config.js';
import type { LoaderState } from './loader.js';

export const CHECKPOINT_FORMAT = 'blt-entropy-train-state';

/** Where a run's data came from (recorded, and compared on resume through the loader's hash). */
export interface DataRecipe {
  readonly inputs: readonly string[];
  readonly textField?: string | undefined;
  readonly linesAsDocs?: boolean | undefined;
  readonly documents: { readonly train: number; readonly val: number };
  readonly bytes: { readonly train: number; readonly val: number };
  /** how the held-out split was made when it is not the plain split by document (a lone document cut into chunks, or
   * none held out) */
  readonly split?: string | undefined;
}

/** Counters that continue across a resume. */
export interface RunProgress extends RunCounters {
  readonly tokensSeen: number;
}

export type TrainState = RunState<typeof CHECKPOINT_FORMAT, TrainConfig, DataRecipe, LoaderState, RunProgress>;

/** The state's codec (src/core/state.ts): tag `{format: 'blt-entropy-train-state', v: 1}`. */
export const trainState = trainStateCodec<TrainState>(CHECKPOINT_FORMAT);

/** Loads the checkpoint of `step`, or the newest one. NOT_FOUND when there is none. */
export function loadCheckpoint(outDir: string, step?: number): Promise<Checkpoint<TrainState>> {
  return loadCheckpointWith(outDir, (text, dir) => parseTrainState(text, dir, trainState), step);
}
