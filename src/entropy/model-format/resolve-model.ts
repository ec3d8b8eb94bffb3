/**
 * Where an entropy model given by name really is, and what kind it is: the one place every
 * `--model` / `--entropy-model` flag (and `blt serve`) turns what the user typed into a model.
 *
 * Accepted, for both kinds, is anything `blt entropy train` writes:
 *
 *   transformer  a model directory (config.json, model.safetensors, meta.json) or one of its files;
 *                a run directory (`--out DIR`: DIR/model, else its newest checkpoint);
 *                a checkpoint directory (DIR/checkpoints/NNNNNNNNNN) or one of its files;
 *                DIR/checkpoints (its newest checkpoint)
 *   n-gram       a model file (`*.ngram`, or any file starting with the BLTNGRAM magic);
 *                a directory holding model.ngram (`--out DIR` of `--kind ngram`, the shipped one)
 *   shipped      `ngram`, `transformer` (src/entropy/default-model.ts; a path of that name wins)
 *
 * each with or without an `ngram:` prefix (the prefix only insists on the n-gram kind). A directory
 * holding both kinds, or neither, is refused with what was found and what is accepted. The
 * canonical spec (what manifests record, and where model-threshold.ts finds a calibration) is the
 * directory for anything found through one (its config.json), `ngram:<file>` for an n-gram file.
 */
import { closeSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BltError } from '../../core/errors.js';
import { NGRAM_MODEL_FILE, resolveShippedModelName } from '../default-model.js';
import { CHECKPOINT_STATE_FILE, CONFIG_FILE, META_FILE, WEIGHTS_FILE } from './model-files.js';

export const NGRAM_PREFIX = 'ngram:';
const NGRAM_MAGIC = 'BLTNGRAM';

export type ResolvedEntropyModel =
  | { readonly kind: 'transformer'; readonly path: string; readonly spec: string; readonly note?: string }
  | {
      readonly kind: 'checkpoint';
      readonly path: string;
      readonly spec: string;
      readonly step: number;
      readonly note?: string;
    }
  | { readonly kind: 'ngram'; readonly path: string; readonly spec: string; readonly note?: string };

const ACCEPTED =
  'a model directory (config.json, model.safetensors, meta.json), a `blt entropy train --out` directory, a ' +
  'checkpoint directory, ' +
  'an n-gram model file (.ngram) or a directory holding model.ngram (optionally as ngram:<path>)';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

const isFile = (p: string): boolean => statOf(p)?.isFile() === true;

function hasNgramMagic(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(NGRAM_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('latin1') === NGRAM_MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const isModelDir = (d: string): boolean => isFile(join(d, CONFIG_FILE)) && isFile(join(d, WEIGHTS_FILE));
const isCheckpointDir = (d: string): boolean => isFile(join(d, CHECKPOINT_STATE_FILE)) && isFile(join(d, WEIGHTS_FILE));

/** Steps of the complete checkpoints in `<dir>` (names of 10 digits), ascending. */
function checkpointSteps(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d{10}$/.test(n) && isCheckpointDir(join(dir, n)))
    .map(Number)
    .sort((a, b) => a - b);
}

function newestCheckpoint(checkpoints: string, note: string): ResolvedEntropyModel | undefined {
  const steps = checkpointSteps(checkpoints);
  const step = steps[steps.length - 1];
  if (step === undefined) return undefined;
  const path = join(checkpoints, String(step).padStart(10, '0'));
  return { kind: 'checkpoint', path, spec: path, step, note: `${note}: its newest checkpoint, step ${step}` };
}

function listing(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch {
    return 'nothing readable';
  }
  if (names.length === 0) return 'an empty directory';
  return `${names.slice(0, 6).join(', ')}${names.length > 6 ? `, … (${names.length} entries)` : ''}`;
}

/** An n-gram file; `dir` when it was found as a directory's model.ngram (that directory is the spec). */
function ngram(path: string, dir?: string): ResolvedEntropyModel {
  return { kind: 'ngram', path, spec: dir ?? NGRAM_PREFIX + path };
}

/** A directory → the model it holds (undefined when it holds none). */
function fromDirectory(dir: string, flag: string): ResolvedEntropyModel | undefined {
  if (isModelDir(dir)) return { kind: 'transformer', path: dir, spec: dir };
  if (isCheckpointDir(dir)) {
    const step = Number(basename(dir));
    return { kind: 'checkpoint', path: dir, spec: dir, step: Number.isInteger(step) ? step : -1 };
  }
  const ngramFile = join(dir, NGRAM_MODEL_FILE);
  const model = join(dir, 'model');
  const hasNgram = isFile(ngramFile);
  const hasTransformer = isModelDir(model);
  if (hasNgram && hasTransformer) {
    throw new BltError(
      'MODEL_FORMAT',
      `${flag} ${dir} holds two entropy models: an n-gram model (${ngramFile}) and a transformer (${model}).`,
      `name the one you mean: ${flag} ngram:${ngramFile} or ${flag} ${model}`,
    );
  }
  if (hasNgram) return ngram(ngramFile, dir);
  if (hasTransformer)
    return { kind: 'transformer', path: model, spec: model, note: `the model of the training run ${dir}` };
  if (basename(dir) === 'checkpoints') return newestCheckpoint(dir, `the checkpoints ${dir}`);
  return newestCheckpoint(join(dir, 'checkpoints'), `the unfinished training run ${dir} (no model/ yet)`);
}

/**
 * Resolves what the user typed for `flag` into one model. NOT_FOUND when nothing is there,
 * MODEL_FORMAT when what is there is not an entropy model (saying what was found).
 */
export function resolveEntropyModel(typed: string, flag = '--model'): ResolvedEntropyModel {
  const wantNgram = typed.startsWith(NGRAM_PREFIX);
  const path = resolveShippedModelName(wantNgram ? typed.slice(NGRAM_PREFIX.length) : typed);
  if (path === '')
    throw new BltError(
      'BAD_OPTION',
      `Expected ${flag} to name a model, got ${JSON.stringify(typed)}.`,
      `pass ${ACCEPTED}`,
    );
  const s = statOf(path);
  if (!s) {
    throw new BltError('NOT_FOUND', `${flag} ${typed}: no such file or directory.`, `pass ${ACCEPTED}`);
  }
  let found: ResolvedEntropyModel | undefined;
  if (s.isFile()) {
    if (path.endsWith('.ngram') || hasNgramMagic(path)) found = ngram(path);
    else {
      const parent = dirname(path);
      const name = basename(path);
      if ([CONFIG_FILE, WEIGHTS_FILE, META_FILE, CHECKPOINT_STATE_FILE, 'optimizer.safetensors'].includes(name)) {
        found = fromDirectory(parent, flag);
        if (found?.kind === 'ngram') found = undefined;
      }
      if (!found) {
        throw new BltError(
          'MODEL_FORMAT',
          `${flag} ${typed} is a file that is neither an n-gram model (no BLTNGRAM header) nor part of a ` +
            `model directory.`,
          `pass ${ACCEPTED}`,
        );
      }
    }
  } else if (s.isDirectory()) {
    found = fromDirectory(path, flag);
    if (!found) {
      throw new BltError(
        'MODEL_FORMAT',
        `${flag} ${typed} holds no entropy model (found ${listing(path)}).`,
        `pass ${ACCEPTED}`,
      );
    }
  } else {
    throw new BltError('MODEL_FORMAT', `${flag} ${typed} is neither a file nor a directory.`, `pass ${ACCEPTED}`);
  }
  if (wantNgram && found.kind !== 'ngram') {
    throw new BltError(
      'MODEL_FORMAT',
      `${flag} ${typed}: ngram: names an n-gram model, but ${found.path} is a ` +
        `transformer ${found.kind === 'checkpoint' ? 'checkpoint' : 'model'}.`,
      `drop the prefix: ${flag} ${path}`,
    );
  }
  return found;
}

/** The canonical spec of a typed model name (`ngram:<file>` or a directory), as recorded in manifests. */
export function canonicalModelSpec(typed: string, flag = '--model'): string {
  return resolveEntropyModel(typed, flag).spec;
}
