/**
 * The default entropy model: `models/entropy-default/` in the package (a model directory, see
 * docs/entropy-model-format.md), trained by `blt entropy train udhr brown --out ...`
 * (docs/entropy-training.md). Commands use it when no `--model` is given.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { packageRoot } from '../core/package-info.js';

/** Path of the default model, relative to the package root. */
export const DEFAULT_ENTROPY_MODEL = 'models/entropy-default';

/** Absolute path of the default model directory (it may not exist). */
export function defaultEntropyModelDir(): string {
  return join(packageRoot(), DEFAULT_ENTROPY_MODEL);
}

/** The default model's directory; NOT_FOUND when it is not installed. */
export async function requireDefaultEntropyModel(): Promise<string> {
  const dir = defaultEntropyModelDir();
  const s = await stat(join(dir, 'config.json')).catch(() => null);
  if (!s) {
    throw new BltError('NOT_FOUND', `The default entropy model is not installed (expected ${dir}/config.json).`,
      'pass --model <dir|ngram:file>, or train one: blt entropy train udhr brown --out runs/entropy (the model is written to runs/entropy/model)');
  }
  return dir;
}
