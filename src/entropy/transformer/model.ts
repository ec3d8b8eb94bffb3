import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { validateEntropyConfig } from './config.js';
import { releaseConstants } from './constants-cache.js';
import { truncNormal } from '../../nn/trunc-normal.js';
import type { EntropyTransformer, EntropyTransformerConfig, WeightArray } from './types.js';
import { weightSpecs } from './weight-specs.js';

let instances = 0;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Wraps arrays (already checked against the specs) as trainable variables, unique names per instance. */
function buildModel(config: EntropyTransformerConfig, arrays: (name: string) => Float32Array): EntropyTransformer {
  const id = ++instances;
  const weights = new Map<string, tf.Variable>();
  for (const s of weightSpecs(config)) {
    const t = tf.tensor(arrays(s.name).slice(), [...s.shape], 'float32'); // cpu keeps the array it is given: copy
    weights.set(s.name, tf.variable(t, true, `blt_entropy_${id}/${s.name}`));
    t.dispose();
  }
  return { config, weights };
}

/**
 * A freshly initialised model (docs/reference.md §8.4): trunc-normal ±3σ from a seeded PRNG (each tensor's
 * values depend only on `seed` and its name), RMSNorm gains 1.
 */
export function createEntropyTransformer(config: EntropyTransformerConfig, seed = 0): EntropyTransformer {
  const c = validateEntropyConfig(config);
  const specs = new Map(weightSpecs(c).map((s) => [s.name, s]));
  return buildModel(c, (name) => {
    const s = specs.get(name);
    if (!s) throw new BltError('INTERNAL', `no spec for ${name}`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    return s.init.kind === 'ones' ? new Float32Array(n).fill(1) : truncNormal(n, s.init.std, seed, name);
  });
}

/**
 * Checks that `arrays` hold exactly the config's tensors (names and shapes), else MODEL_FORMAT
 * naming `source` and the tensor.
 */
export function checkWeightArrays(
  config: EntropyTransformerConfig,
  arrays: ReadonlyMap<string, WeightArray>,
  source = 'weights',
): void {
  const specs = weightSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  const extra = [...arrays.keys()].filter((k) => !expected.has(k));
  if (extra.length > 0) {
    throw new BltError(
      'MODEL_FORMAT',
      `${source}: unexpected tensor(s) ${extra.slice(0, 5).join(', ')} for this config.`,
      'the weights do not belong to this architecture; check that config.json (n_layers, ...) matches the weights',
    );
  }
  for (const s of specs) {
    const a = arrays.get(s.name);
    if (!a) {
      throw new BltError(
        'MODEL_FORMAT',
        `${source}: missing tensor ${s.name} (expected shape [${s.shape.join(',')}]).`,
        'the file is incomplete or from another architecture; re-save the model',
      );
    }
    const n = s.shape.reduce((x, y) => x * y, 1);
    if (!sameShape(a.shape, s.shape) || a.data.length !== n) {
      throw new BltError(
        'MODEL_FORMAT',
        `${source}: tensor ${s.name} has shape [${a.shape.join(',')}], expected [${s.shape.join(',')}] ` +
          `from the config.`,
        'config.json and the weights disagree; re-save the model',
      );
    }
  }
}

/** A model from plain arrays (e.g. read from safetensors), checked by checkWeightArrays. */
export function entropyTransformerFromArrays(
  config: EntropyTransformerConfig,
  arrays: ReadonlyMap<string, WeightArray>,
  source = 'weights',
): EntropyTransformer {
  const c = validateEntropyConfig(config);
  checkWeightArrays(c, arrays, source);
  return buildModel(c, (name) => (arrays.get(name) as WeightArray).data);
}

/** Copies the weights out as plain arrays keyed by contract name (PyTorch [out,in] layout). */
export function exportWeightArrays(model: EntropyTransformer): Map<string, WeightArray> {
  const out = new Map<string, WeightArray>();
  // dataSync on cpu returns the tensor's own storage: copy so callers may mutate the result.
  for (const [name, v] of model.weights)
    out.set(name, { shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() });
  return out;
}

/** Releases the model's variables and cached constants. The model must not be used afterwards. */
export function disposeEntropyTransformer(model: EntropyTransformer): void {
  releaseConstants(model);
  for (const v of model.weights.values()) v.dispose();
}
