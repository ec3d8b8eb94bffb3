/**
 * `blt preprocess` configuration: what the user asked for (PreprocessOptions) resolved once into
 * a frozen PreprocessConfig with every default filled in. The resolved config is written into
 * the manifest and compared on resume.
 */
import { availableParallelism } from 'node:os';
import { BltError, badOption } from '../core/errors.js';
import { DEFAULT_PATCH_SIZE, type PatchMode } from '../patching/patch-options.js';
import { resolveNgramSettings, resolveNgramSizes } from '../options/hashing.js';
import { checkNumber } from '../options/numeric.js';
import { configValue, defOf, type OptionDef } from '../options/option-def.js';
import { PREPROCESS_OPTIONS, type PreprocessOptions } from '../options/preprocess.js';
import type { ProcessSettings } from './settings.js';

export type { PreprocessOptions } from '../options/preprocess.js';

export interface PreprocessConfig {
  inputs: string[];
  out: string;
  process: ProcessSettings;
  /** the entropy model spec before resolution (for messages) */
  entropyModel: string | null;
  format: 'parquet' | 'arrow';
  shardSizeBytes: number;
  rowGroupRows: number;
  workers: number;
  docsPerTask: number;
  taskBytes: number;
  read: {
    textField?: string;
    idField?: string;
    linesAsDocs: boolean;
    maxDocBytes: number;
    invalidUtf8?: 'replace';
    maxLineBytes?: number;
  };
  onError: 'quarantine' | 'fail';
  partition: { count: number; index: number };
  /** the cache directory, or null for none; decides no output byte */
  cacheDir: string | null;
}

const opt = (key: string): OptionDef => defOf(PREPROCESS_OPTIONS, key);
/** The option `key` of `o` (else its declared default), checked as the library does. */
const field = <T>(o: PreprocessOptions, key: keyof PreprocessOptions & string, fallback?: unknown): T =>
  configValue<T>(opt(key), o[key], fallback ?? opt(key).default);

/** Resolves and validates; `modelFingerprint` is filled in later by the caller (entropy.fingerprint). */
export function resolvePreprocessConfig(o: PreprocessOptions): PreprocessConfig {
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) {
    throw new BltError(
      'BAD_OPTION',
      'Expected at least one input (files, directories, globs or - for stdin), got none.',
    );
  }
  if (typeof o.out !== 'string' || o.out === '') throw badOption('out', 'an output directory', o.out);
  const mode = field<PatchMode>(o, 'mode');
  const sizes = resolveNgramSizes(o.ngramSizes);
  const needEntropies = mode === 'entropy' || o.storeEntropies === true;
  if (mode === 'static' && !Number.isInteger(o.patchSize ?? DEFAULT_PATCH_SIZE)) {
    throw badOption('patchSize', 'an integer in static mode (e.g. --patch-size 4)', o.patchSize ?? DEFAULT_PATCH_SIZE);
  }
  const partitionCount = field<number>(o, 'numPartitions');
  const given = (k: 'threshold' | 'thresholdAdd' | 'maxPatchLength' | 'patchSize'): object =>
    o[k] === undefined ? {} : { [k]: field(o, k) };
  const process: ProcessSettings = {
    patching: {
      mode,
      monotonicity: o.monotonicity === true,
      ...given('threshold'),
      ...given('thresholdAdd'),
      ...given('maxPatchLength'),
      ...given('patchSize'),
    },
    ngrams: resolveNgramSettings(o, sizes),
    entropy: needEntropies ? { model: o.entropyModel ?? '', fingerprint: '', engine: field(o, 'engine') } : null,
  };
  return {
    inputs: [...o.inputs],
    out: o.out,
    process,
    entropyModel: needEntropies ? (o.entropyModel ?? null) : null,
    format: field(o, 'format'),
    shardSizeBytes: field(o, 'shardSizeBytes'),
    rowGroupRows: field(o, 'rowGroupRows'),
    workers: field(o, 'workers', availableParallelism()),
    docsPerTask: field(o, 'docsPerTask'),
    taskBytes: field(o, 'taskBytes'),
    read: {
      ...(o.textField === undefined ? {} : { textField: o.textField }),
      ...(o.idField === undefined ? {} : { idField: o.idField }),
      linesAsDocs: o.lines === true,
      maxDocBytes: field(o, 'maxDocBytes'),
      // only when set, so that the fingerprints of runs without it stay as they were
      ...(o.maxLineBytes === undefined ? {} : { maxLineBytes: field<number>(o, 'maxLineBytes') }),
      ...(field(o, 'invalidUtf8') === 'replace' ? { invalidUtf8: 'replace' as const } : {}),
    },
    onError: field(o, 'onError'),
    partition: {
      count: partitionCount,
      index: checkNumber('partitionIndex', o.partitionIndex ?? 0, { integer: true, min: 0, max: partitionCount - 1 }),
    },
    cacheDir: resolveCacheDir(o.cacheDir),
  };
}

function resolveCacheDir(dir: unknown): string | null {
  if (dir === undefined || dir === null) return null;
  if (typeof dir !== 'string' || dir === '')
    throw badOption('cacheDir', 'a directory path', dir, 'leave it out to run without a cache');
  return dir;
}

/** The settings that decide the output bytes (what a resumed run must share with the first). */
export function outputDefiningConfig(c: PreprocessConfig): object {
  return {
    inputs: c.inputs,
    process: c.process,
    format: c.format,
    shardSizeBytes: c.shardSizeBytes,
    rowGroupRows: c.rowGroupRows,
    docsPerTask: c.docsPerTask,
    taskBytes: c.taskBytes,
    read: c.read,
    partition: c.partition,
  };
}
