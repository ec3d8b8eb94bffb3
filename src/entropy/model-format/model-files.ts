/**
 * The file names of a model directory, in a module of their own so that resolving a model path
 * (resolve-model.ts, used by every preprocessing worker) does not load the transformer and tfjs.
 */
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const META_FILE = 'meta.json';
/** A training checkpoint's state file (src/entropy/train/train-state.ts); its model.safetensors sits beside it. */
export const CHECKPOINT_STATE_FILE = 'train-state.json';
