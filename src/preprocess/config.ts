/**
 * `blt preprocess` configuration: what the user asked for (PreprocessOptions) resolved once into
 * a frozen PreprocessConfig with every default filled in. The resolved config is written into
 * the manifest and compared on resume.
 */
import { availableParallelism } from 'node:os';
import { BltError, badOption } from '../core/errors.js';
import { requireFinite, requireInt, requireOneOf, requirePositive } from '../core/validate.js';
import { PATCH_MODES, type PatchMode } from '../patching/patch-options.js';
import type { ProcessSettings } from './settings.js';

export interface PreprocessOptions {
  inputs: string[];
  out: string;
  mode?: PatchMode;
  threshold?: number;
  thresholdAdd?: number;
  monotonicity?: boolean;
  maxPatchLength?: number;
  patchSize?: number;
  /** entropy model: directory, `ngram:<file>`, or undefined for the shipped default */
  entropyModel?: string;
  engine?: 'auto' | 'onnx' | 'tfjs';
  /** store entropies even when the mode does not need them */
  storeEntropies?: boolean;
  ngramSizes?: number[];
  hashFunctions?: number;
  hashVocab?: number;
  ngramIds?: boolean;
  format?: 'parquet' | 'arrow';
  shardSizeBytes?: number;
  rowGroupRows?: number;
  workers?: number;
  docsPerTask?: number;
  taskBytes?: number;
  textField?: string;
  idField?: string;
  lines?: boolean;
  maxDocBytes?: number;
  /** JSONL lines that are not valid UTF-8: quarantined (default), or decoded with U+FFFD */
  invalidUtf8?: 'bad-record' | 'replace';
  /** longest JSONL / text line read (default: the reader's, 256 MiB); longer lines are quarantined */
  maxLineBytes?: number;
  onError?: 'quarantine' | 'fail';
  numPartitions?: number;
  partitionIndex?: number;
  /** reuse stored entropies / n-gram ids / whole sets from this cache directory (docs/reuse.md) */
  cacheDir?: string;
}

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

export const DEFAULT_NGRAM_SIZES = [3, 4, 5, 6, 7, 8];
export const DEFAULT_HASH_VOCAB = 500002;
export const DEFAULT_DOCS_PER_TASK = 64;
export const DEFAULT_TASK_BYTES = 1 << 20;
export const DEFAULT_MAX_DOC_BYTES = 64 * 2 ** 20;

/** Resolves and validates; `modelFingerprint` is filled in later by the caller (entropy.fingerprint). */
export function resolvePreprocessConfig(o: PreprocessOptions): PreprocessConfig {
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) {
    throw new BltError(
      'BAD_OPTION',
      'Expected at least one input (files, directories, globs or - for stdin), got none.',
    );
  }
  if (typeof o.out !== 'string' || o.out === '') throw badOption('out', 'an output directory', o.out);
  const mode = requireOneOf('mode', o.mode ?? 'entropy', PATCH_MODES);
  const ngramIds = o.ngramIds ?? true;
  const sizes = o.ngramSizes ?? DEFAULT_NGRAM_SIZES;
  if (!Array.isArray(sizes) || sizes.length === 0)
    throw badOption('ngramSizes', 'a non-empty list of sizes such as 3,4,5,6,7,8', sizes);
  sizes.forEach((g) => requireInt('ngramSizes', g, 1, 64));
  if (new Set(sizes).size !== sizes.length) throw badOption('ngramSizes', 'distinct sizes', sizes.join(','));
  const needEntropies = mode === 'entropy' || o.storeEntropies === true;
  if (mode === 'static' && !Number.isInteger(o.patchSize ?? 4.5)) {
    throw badOption('patchSize', 'an integer in static mode (e.g. --patch-size 4)', o.patchSize ?? 4.5);
  }
  const partitionCount = requireInt('numPartitions', o.numPartitions ?? 1, 1);
  const process: ProcessSettings = {
    patching: {
      mode,
      monotonicity: o.monotonicity === true,
      ...(o.threshold === undefined ? {} : { threshold: requireFinite('threshold', o.threshold) }),
      ...(o.thresholdAdd === undefined ? {} : { thresholdAdd: requireFinite('thresholdAdd', o.thresholdAdd) }),
      ...(o.maxPatchLength === undefined ? {} : { maxPatchLength: requireInt('maxPatchLength', o.maxPatchLength, 1) }),
      ...(o.patchSize === undefined ? {} : { patchSize: requirePositive('patchSize', o.patchSize) }),
    },
    ngrams: ngramIds
      ? {
          sizes: [...sizes],
          functions: requireInt('hashFunctions', o.hashFunctions ?? 1, 1, 11),
          vocab: requireInt('hashVocab', o.hashVocab ?? DEFAULT_HASH_VOCAB, 1, 2 ** 31),
        }
      : null,
    entropy: needEntropies
      ? {
          model: o.entropyModel ?? '',
          fingerprint: '',
          engine: requireOneOf('engine', o.engine ?? 'auto', ['auto', 'onnx', 'tfjs'] as const),
        }
      : null,
  };
  return {
    inputs: [...o.inputs],
    out: o.out,
    process,
    entropyModel: needEntropies ? (o.entropyModel ?? null) : null,
    format: requireOneOf('format', o.format ?? 'parquet', ['parquet', 'arrow'] as const),
    shardSizeBytes: requireInt('shardSizeBytes', o.shardSizeBytes ?? 128 * 2 ** 20, 1),
    rowGroupRows: requireInt('rowGroupRows', o.rowGroupRows ?? 10_000, 1),
    workers: requireInt('workers', o.workers ?? availableParallelism(), 0, 256),
    docsPerTask: requireInt('docsPerTask', o.docsPerTask ?? DEFAULT_DOCS_PER_TASK, 1),
    taskBytes: requireInt('taskBytes', o.taskBytes ?? DEFAULT_TASK_BYTES, 1),
    read: {
      ...(o.textField === undefined ? {} : { textField: o.textField }),
      ...(o.idField === undefined ? {} : { idField: o.idField }),
      linesAsDocs: o.lines === true,
      maxDocBytes: requireInt('maxDocBytes', o.maxDocBytes ?? DEFAULT_MAX_DOC_BYTES, 1),
      // only when set, so that the fingerprints of runs without it stay as they were
      ...(o.maxLineBytes === undefined
        ? {}
        : { maxLineBytes: requireInt('maxLineBytes', o.maxLineBytes, 1, 2 ** 29 - 64) }),
      ...(requireOneOf('invalidUtf8', o.invalidUtf8 ?? 'bad-record', ['bad-record', 'replace'] as const) === 'replace'
        ? { invalidUtf8: 'replace' as const }
        : {}),
    },
    onError: requireOneOf('onError', o.onError ?? 'quarantine', ['quarantine', 'fail'] as const),
    partition: {
      count: partitionCount,
      index: requireInt('partitionIndex', o.partitionIndex ?? 0, 0, partitionCount - 1),
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
