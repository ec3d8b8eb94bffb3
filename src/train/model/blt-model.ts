/**
 * A live BLT: its config and one trainable tf.Variable per reference state-dict name
 * (`local_encoder.layers.0.attention.wq.weight`, `encoder_hash_tok_embedding.0.weight`, …),
 * PyTorch layout. `weights` is what an optimizer (e.g. src/train/common/adamw.ts) updates.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { truncNormal } from '../../nn/trunc-normal.js';
import { validateBltConfig, type BltModelConfig } from './blt-config.js';
import { releaseRopeTables } from './rope-tables.js';
import { bltWeightSpecs } from './blt-weight-specs.js';

export interface BltModel {
  readonly config: BltModelConfig;
  readonly weights: ReadonlyMap<string, tf.Variable>;
}

let instances = 0;

/**
 * A freshly initialised model (docs/reference.md §8.4): trunc-normal ±3σ from the project's seeded PRNG;
 * each tensor's values depend only on `seed` and its name, so the init is deterministic and
 * identical on every backend. RMSNorm gains are 1.
 */
export function createBltModel(config: BltModelConfig, seed = 0): BltModel {
  const c = validateBltConfig(config);
  const id = ++instances;
  const weights = new Map<string, tf.Variable>();
  for (const s of bltWeightSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = s.init.kind === 'ones' ? new Float32Array(n).fill(1) : truncNormal(n, s.init.std, seed, s.name);
    const t = tf.tensor(values, [...s.shape], 'float32');
    weights.set(s.name, tf.variable(t, true, `blt_${id}/${s.name}`));
    t.dispose();
  }
  return { config: c, weights };
}

/** The variable named `name` (a reference state-dict name); INTERNAL when missing. */
export function weightOf<T extends tf.Tensor = tf.Tensor2D>(model: BltModel, name: string): T {
  const w = model.weights.get(name);
  if (!w) throw new BltError('INTERNAL', `BLT model has no weight ${name}`);
  return w as unknown as T;
}

/** Releases the model's variables and cached RoPE tables. The model must not be used afterwards. */
export function disposeBltModel(model: BltModel): void {
  releaseRopeTables(model);
  for (const v of model.weights.values()) v.dispose();
}
