/**
 * BLT weights as plain arrays (reference state-dict names, PyTorch layout) and back: what a
 * checkpoint's model.safetensors holds, and how eval/generate rebuild a live model from it.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import type { WeightArray } from '../../entropy/transformer/types.js';
import { validateBltConfig, type BltModelConfig } from '../model/blt-config.js';
import type { BltModel } from '../model/blt-model.js';
import { bltWeightSpecs } from '../model/blt-weight-specs.js';

let loaded = 0;

/** Copies every weight out (dataSync; copies, so callers may keep or mutate them). */
export function exportBltWeights(model: BltModel): Map<string, WeightArray> {
  const out = new Map<string, WeightArray>();
  for (const [name, v] of model.weights)
    out.set(name, { shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() });
  return out;
}

/**
 * A live model whose variables hold `arrays` (names and shapes checked against the config's
 * weight specs: MODEL_FORMAT naming the first mismatch). `where` names the source in errors.
 */
export function bltModelFromWeights(
  config: BltModelConfig,
  arrays: ReadonlyMap<string, WeightArray>,
  where: string,
): BltModel {
  const c = validateBltConfig(config);
  const specs = bltWeightSpecs(c);
  const extra = [...arrays.keys()].filter((k) => !specs.some((s) => s.name === k));
  if (extra.length > 0)
    throw new BltError(
      'MODEL_FORMAT',
      `${where}: unexpected weight ${extra[0]} for this BLT config.`,
      'the checkpoint belongs to another model configuration',
    );
  const id = ++loaded;
  const weights = new Map<string, tf.Variable>();
  try {
    for (const s of specs) {
      const a = arrays.get(s.name);
      const size = s.shape.reduce((x, y) => x * y, 1);
      if (!a || a.data.length !== size || a.shape.join(',') !== s.shape.join(',')) {
        throw new BltError(
          'MODEL_FORMAT',
          `${where}: expected weight ${s.name} of shape [${s.shape.join(', ')}], ` +
            `got ${a ? `[${a.shape.join(', ')}]` : 'none'}.`,
          'the checkpoint belongs to another model configuration',
        );
      }
      const t = tf.tensor(a.data, [...s.shape], 'float32');
      weights.set(s.name, tf.variable(t, true, `blt_loaded_${id}/${s.name}`));
      t.dispose();
    }
  } catch (err) {
    for (const v of weights.values()) v.dispose();
    throw err;
  }
  return { config: c, weights };
}
