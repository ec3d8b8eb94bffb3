/**
 * Entropy-model directories (docs/entropy-model-format.md): config.json, model.safetensors,
 * meta.json {fingerprint, created, tool, tool_version}. Saving is atomic (a sibling temporary
 * directory renamed into place); loading validates every file and recomputes the fingerprint.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../../core/atomic.js';
import { BltError } from '../../core/errors.js';
import { parseJson } from '../../core/parse-json.js';
import { packageVersion } from '../../core/package-info.js';
import { checkWeightArrays, entropyTransformerFromArrays, exportWeightArrays } from '../transformer/model.js';
import type { EntropyTransformer, EntropyTransformerConfig, WeightArray } from '../transformer/types.js';
import { configFileObject, MODEL_FORMAT_NAME, MODEL_FORMAT_VERSION, notJson, parseConfigFile } from './config-file.js';
import { fingerprintOf } from './fingerprint.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

import { CHECKPOINT_STATE_FILE, CONFIG_FILE, META_FILE, WEIGHTS_FILE } from './model-files.js';

export { CHECKPOINT_STATE_FILE, CONFIG_FILE, META_FILE, WEIGHTS_FILE };
const MODEL_FILES = [CONFIG_FILE, WEIGHTS_FILE, META_FILE];

/** meta.json. */
export interface EntropyModelMeta {
  readonly fingerprint: string;
  /** ISO-8601 time of the save. */
  readonly created: string;
  readonly tool: string;
  readonly tool_version: string;
}

/** A loaded, verified model directory. */
export interface LoadedEntropyModel {
  readonly model: EntropyTransformer;
  readonly fingerprint: string;
  readonly meta: EntropyModelMeta;
  /** config.json's free-form `training` block, if any. */
  readonly training: object | undefined;
  readonly dir: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Refuses to replace a directory that is not empty and not a model directory (e.g. `.`). */
async function checkReplaceable(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => null);
  if (entries === null)
    throw new BltError('BAD_OPTION', `Cannot save the model to ${dir}: it exists and is not a directory.`);
  const foreign = entries.filter((e) => !MODEL_FILES.includes(e));
  if (foreign.length > 0) {
    throw new BltError(
      'BAD_OPTION',
      `Refusing to replace ${dir}: it contains ${foreign.slice(0, 3).join(', ')}, which is not part of an ` +
        `entropy model.`,
      'save to a new or empty directory, or to an existing model directory (config.json, model.safetensors, meta.json)',
    );
  }
}

/**
 * Writes `model` to `dir` atomically (writeDirAtomic: files fsynced in a temporary sibling, which then
 * replaces `dir`; an existing model directory there is swapped out and removed). Returns the fingerprint.
 */
export async function saveEntropyModel(
  dir: string,
  model: EntropyTransformer,
  extra: { training?: object } = {},
): Promise<{ fingerprint: string }> {
  const target = resolve(dir);
  const weights = encodeSafetensors(exportWeightArrays(model), { format: 'pt' });
  const fingerprint = fingerprintOf(model.config, weights);
  const meta: EntropyModelMeta = {
    fingerprint,
    created: new Date().toISOString(),
    tool: 'blt-toolkit',
    tool_version: packageVersion(),
  };
  if (await exists(target)) await checkReplaceable(target);
  await writeDirAtomic(target, async (tmp) => {
    await writeFileAtomic(join(tmp, WEIGHTS_FILE), weights);
    await writeFileAtomic(
      join(tmp, CONFIG_FILE),
      `${JSON.stringify(configFileObject(model.config, extra.training), null, 2)}\n`,
    );
    await writeFileAtomic(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  });
  return { fingerprint };
}

async function readModelFile(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (err) {
    throw new BltError(
      'MODEL_FORMAT',
      `${join(dir, name)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
      `a model directory holds ${MODEL_FILES.join(', ')}; re-save or re-copy the model`,
    );
  }
}

async function requireDir(dir: string): Promise<void> {
  const s = await stat(dir).catch(() => null);
  if (!s || !s.isDirectory()) {
    throw new BltError(
      'NOT_FOUND',
      `Entropy model directory ${dir} does not exist${s ? ' (it is a file)' : ''}.`,
      'pass the directory that holds config.json, model.safetensors and meta.json',
    );
  }
}

function parseMeta(text: string, source: string): EntropyModelMeta {
  const m = parseJson(text, (msg) => notJson(source, msg));
  const o = m as Partial<EntropyModelMeta> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.fingerprint !== 'string' ||
    !/^[0-9a-f]{64}$/.test(o.fingerprint)
  ) {
    throw new BltError(
      'MODEL_FORMAT',
      `${source}: expected an object with a 64-hex-digit \`fingerprint\`.`,
      'the file is corrupt; re-save the model',
    );
  }
  return {
    fingerprint: o.fingerprint,
    created: String(o.created ?? ''),
    tool: String(o.tool ?? ''),
    tool_version: String(o.tool_version ?? ''),
  };
}

interface VerifiedFiles {
  config: EntropyTransformerConfig;
  training: object | undefined;
  meta: EntropyModelMeta;
  fingerprint: string;
  tensors: Map<string, WeightArray> | undefined;
}

/** A `blt entropy train` checkpoint directory: train-state.json and model.safetensors, no config.json. */
async function isCheckpointDir(dir: string): Promise<boolean> {
  return (
    !(await exists(join(dir, CONFIG_FILE))) &&
    (await exists(join(dir, CHECKPOINT_STATE_FILE))) &&
    (await exists(join(dir, WEIGHTS_FILE)))
  );
}

/**
 * A checkpoint as a model: the architecture from train-state.json (`config.model`), the weights
 * from its model.safetensors; the fingerprint is computed as for a model directory (a checkpoint
 * has no meta.json to check it against).
 */
async function verifyCheckpoint(dir: string, decode: boolean): Promise<VerifiedFiles> {
  const source = join(dir, CHECKPOINT_STATE_FILE);
  let arch: unknown;
  try {
    arch = (
      JSON.parse((await readModelFile(dir, CHECKPOINT_STATE_FILE)).toString('utf8')) as { config?: { model?: unknown } }
    ).config?.model;
  } catch (err) {
    if (err instanceof BltError) throw err;
    throw new BltError(
      'MODEL_FORMAT',
      `${source}: not valid JSON (${(err as Error).message}).`,
      'the checkpoint is damaged; use another one',
    );
  }
  if (typeof arch !== 'object' || arch === null) {
    throw new BltError(
      'MODEL_FORMAT',
      `${source}: expected \`config.model\` (the architecture), got none.`,
      'this is not a `blt entropy train` checkpoint',
    );
  }
  const { config } = parseConfigFile(
    JSON.stringify({ ...arch, format: MODEL_FORMAT_NAME, version: MODEL_FORMAT_VERSION }),
    source,
  );
  const { bytes, tensors } = await readWeights(dir, config, decode);
  const fingerprint = fingerprintOf(config, bytes);
  const meta: EntropyModelMeta = {
    fingerprint,
    created: '',
    tool: 'blt-toolkit (training checkpoint)',
    tool_version: packageVersion(),
  };
  return { config, training: { checkpoint: dir }, meta, fingerprint, tensors };
}

/** The weights file's bytes, and its tensors (checked against `config`) when `decode`. */
async function readWeights(
  dir: string,
  config: EntropyTransformerConfig,
  decode: boolean,
): Promise<{ bytes: Buffer; tensors?: Map<string, WeightArray> }> {
  const bytes = await readModelFile(dir, WEIGHTS_FILE);
  if (!decode) return { bytes };
  const tensors = decodeSafetensors(bytes, join(dir, WEIGHTS_FILE)).tensors;
  checkWeightArrays(config, tensors, join(dir, WEIGHTS_FILE));
  return { bytes, tensors };
}

/** Reads and checks a model directory (or a training checkpoint); decodes the tensors only when `decode`. */
async function verifyDir(dir: string, decode: boolean): Promise<VerifiedFiles> {
  await requireDir(dir);
  if (await isCheckpointDir(dir)) return verifyCheckpoint(dir, decode);
  const { config, training } = parseConfigFile(
    (await readModelFile(dir, CONFIG_FILE)).toString('utf8'),
    join(dir, CONFIG_FILE),
  );
  const meta = parseMeta((await readModelFile(dir, META_FILE)).toString('utf8'), join(dir, META_FILE));
  const { bytes, tensors } = await readWeights(dir, config, decode);
  const fingerprint = fingerprintOf(config, bytes);
  if (fingerprint !== meta.fingerprint) {
    throw new BltError(
      'MODEL_FORMAT',
      `${dir}: fingerprint mismatch: meta.json says ${meta.fingerprint}, the files hash to ${fingerprint}.`,
      'config.json or model.safetensors changed after saving (or files from different saves were mixed); ' +
        're-save the model',
    );
  }
  return { config, training, meta, fingerprint, tensors };
}

/**
 * Loads a model directory: validates config.json, every tensor (names, shapes, no extras) and the
 * fingerprint. NOT_FOUND for a missing directory, MODEL_FORMAT for anything wrong inside it.
 */
export async function loadEntropyModel(dir: string): Promise<LoadedEntropyModel> {
  const v = await verifyDir(dir, true);
  const model = entropyTransformerFromArrays(v.config, v.tensors as Map<string, WeightArray>, join(dir, WEIGHTS_FILE));
  return { model, fingerprint: v.fingerprint, meta: v.meta, training: v.training, dir };
}

/** The verified fingerprint of a model directory (recomputed from the files, checked against meta.json). */
export async function modelFingerprint(dir: string): Promise<string> {
  return (await verifyDir(dir, false)).fingerprint;
}
