/**
 * A trained run for evaluation or generation: the newest (or a given) checkpoint of a
 * `blt train` run directory → a live model, the resolved training config and the state.
 */
import { disposeBltModel, type BltModel } from '../model/blt-model.js';
import { bltModelFromWeights } from './model-weights.js';
import { loadBltCheckpoint, type BltTrainState } from './train-state.js';

export interface LoadedRun {
  readonly model: BltModel;
  readonly state: BltTrainState;
  readonly dispose: () => void;
}

export async function loadBltRun(runDir: string, step?: number): Promise<LoadedRun> {
  const ckpt = await loadBltCheckpoint(runDir, step);
  const model = bltModelFromWeights(
    ckpt.state.config.model,
    ckpt.weights,
    `${runDir} step ${ckpt.state.step} model.safetensors`,
  );
  return { model, state: ckpt.state, dispose: () => disposeBltModel(model) };
}
