/**
 * The shipped entropy models (docs/entropy-default-model.md), in the package's `models/`:
 *
 * - `ngram` (`models/entropy-ngram/`, the default): an order-5 Kneser–Ney byte n-gram model with a
 *   floor, trained on the multilingual corpus (docs/corpora.md) by scripts/train-default-ngram.ts;
 *   a model directory holding `model.ngram` and a `config.json` with its calibrated threshold.
 * - `transformer` (`models/entropy-default/`): the reference's small LMTransformer (the paper's path).
 *
 * Commands use the default when no model is given; `--entropy-model ngram|transformer` names a
 * shipped model by short name (a path of that name in the working directory wins).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { packageRoot } from '../core/package-info.js';

/** Short name → directory relative to the package root. */
export const SHIPPED_ENTROPY_MODELS: Readonly<Record<string, string>> = Object.freeze({
  ngram: 'models/entropy-ngram',
  transformer: 'models/entropy-default',
});

export const DEFAULT_ENTROPY_MODEL_NAME = 'ngram';

/** Path of the default model, relative to the package root. */
export const DEFAULT_ENTROPY_MODEL = SHIPPED_ENTROPY_MODELS[DEFAULT_ENTROPY_MODEL_NAME] as string;

/** The n-gram file inside an n-gram model directory. */
export const NGRAM_MODEL_FILE = 'model.ngram';

/** Absolute path of the default model directory (it may not exist). */
export function defaultEntropyModelDir(): string {
  return join(packageRoot(), DEFAULT_ENTROPY_MODEL);
}

/** Absolute directory of a shipped model by short name (`ngram`, `transformer`). */
export function shippedEntropyModelDir(name: string): string {
  const rel = SHIPPED_ENTROPY_MODELS[name];
  if (rel === undefined) {
    throw new BltError(
      'BAD_OPTION',
      `Expected a shipped entropy model name (${Object.keys(SHIPPED_ENTROPY_MODELS).join(', ')}), ` +
        `got ${JSON.stringify(name)}.`,
    );
  }
  return join(packageRoot(), rel);
}

/**
 * A model spec with shipped short names resolved: `ngram` / `transformer` → the shipped directory,
 * unless a file or directory of that name exists where the command runs. Anything else unchanged.
 */
export function resolveShippedModelName<T extends string | undefined>(spec: T): T | string {
  if (spec === undefined || !Object.hasOwn(SHIPPED_ENTROPY_MODELS, spec) || existsSync(spec)) return spec;
  return shippedEntropyModelDir(spec);
}

/** True when `dir` is a directory holding an n-gram model file (`model.ngram`). */
export function isNgramModelDir(dir: string): boolean {
  return statSync(join(dir, NGRAM_MODEL_FILE), { throwIfNoEntry: false })?.isFile() === true;
}

/** The default model's directory; NOT_FOUND when it is not installed. */
export async function requireDefaultEntropyModel(): Promise<string> {
  const dir = defaultEntropyModelDir();
  if (!existsSync(join(dir, 'config.json'))) {
    throw new BltError(
      'NOT_FOUND',
      `The default entropy model is not installed (expected ${dir}/config.json).`,
      'pass --entropy-model <dir|ngram:file>, or train one: blt entropy train <text> --kind ngram --out runs/ngram',
    );
  }
  return dir;
}
