/**
 * The default entropy threshold for a model. The reference's 1.335442066192627 was calibrated
 * for its 100M-parameter entropy model; a smaller model has higher entropies everywhere (the
 * shipped one gives 1.2 bytes per patch at that threshold). A model may therefore carry its
 * calibration (written by `blt calibrate --write-model`): a global threshold and optionally a
 * per-script table (docs/stats.md "Per-script thresholds"). Commands use it when the user gives
 * no --threshold, and record what they used in their output (the shard manifest's
 * `config.process.patching`, which the patches fingerprint covers). The library's `patchLengths`
 * keeps the reference default.
 *
 * Where the calibration lives:
 * - a transformer model directory: config.json `training.patching` ({threshold, scriptThresholds?});
 * - an n-gram model `ngram:<file>`: the sidecar `<file>.patching.json` ({threshold, scriptThresholds?}).
 * Neither is part of the model's fingerprint (the weights and architecture are).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { DEFAULT_THRESHOLD } from '../patching/patch-options.js';
import { NGRAM_PREFIX } from './open-scorer.js';
import { resolveShippedModelName } from './default-model.js';

export interface ThresholdChoice {
  threshold: number;
  source: 'option' | 'model' | 'reference';
  /** per-script thresholds (keys `script:<Name>` as detectScript gives them), from the model */
  scriptThresholds?: Record<string, number>;
}

/** A model's stored patching calibration. */
export interface ModelPatching {
  threshold?: number;
  scriptThresholds?: Record<string, number>;
  [key: string]: unknown;
}

/** The file holding a model's calibration: the sidecar of an n-gram file, config.json of a directory. */
export function modelPatchingFile(modelSpec: string): string {
  return modelSpec.startsWith(NGRAM_PREFIX)
    ? `${modelSpec.slice(NGRAM_PREFIX.length)}.patching.json`
    : join(modelSpec, 'config.json');
}

/** A per-script table with finite numbers only, or undefined. */
export function checkScriptThresholds(v: unknown, where: string): Record<string, number> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new BltError(
      'BAD_OPTION',
      `${where}: expected scriptThresholds {"script:<Name>": nats, …}, got ${JSON.stringify(v)}.`,
    );
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!k.startsWith('script:') || typeof t !== 'number' || !Number.isFinite(t)) {
      throw new BltError(
        'BAD_OPTION',
        `${where}: expected scriptThresholds entries "script:<Name>": <finite nats>, ` +
          `got ${JSON.stringify(k)}: ${JSON.stringify(t)}.`,
      );
    }
    out[k] = t;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The calibration stored with a model, or null when it has none (or it cannot be read). */
export async function readModelPatching(modelSpec: string): Promise<ModelPatching | null> {
  const file = modelPatchingFile(modelSpec);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null; // no calibration (or no readable config: the model loader reports that properly later)
  }
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const p = modelSpec.startsWith(NGRAM_PREFIX) ? v : (v.training as { patching?: unknown } | undefined)?.patching;
    return p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as ModelPatching) : null;
  } catch {
    return null;
  }
}

/** Stores `patching` as the model's calibration (replacing the previous one; other config keys kept). */
export async function writeModelPatching(modelSpec: string, patching: ModelPatching): Promise<string> {
  const file = modelPatchingFile(modelSpec);
  if (modelSpec.startsWith(NGRAM_PREFIX)) {
    await writeFile(file, `${JSON.stringify(patching, null, 2)}\n`);
    return file;
  }
  const config = JSON.parse(
    await readFile(file, 'utf8').catch((err: Error) => {
      throw new BltError(
        'NOT_FOUND',
        `Cannot read ${file} to store the calibration: ${err.message}`,
        'pass a model directory (or ngram:<file>)',
      );
    }),
  ) as { training?: Record<string, unknown> };
  config.training = { ...(config.training ?? {}), patching };
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * The threshold a command should use: the user's (global only), else the model's calibrated one
 * (with its per-script table, if any), else the reference default.
 */
export async function resolveThreshold(
  explicit: number | undefined,
  requested: string | undefined,
): Promise<ThresholdChoice> {
  if (explicit !== undefined) return { threshold: explicit, source: 'option' };
  const modelSpec = resolveShippedModelName(requested); // `ngram` / `transformer`: the shipped models
  if (modelSpec !== undefined) {
    const p = await readModelPatching(modelSpec);
    const t = p?.threshold;
    if (typeof t === 'number' && Number.isFinite(t)) {
      const table = checkScriptThresholds(p?.scriptThresholds, modelPatchingFile(modelSpec));
      return { threshold: t, source: 'model', ...(table ? { scriptThresholds: table } : {}) };
    }
  }
  return { threshold: DEFAULT_THRESHOLD, source: 'reference' };
}
