/**
 * BLT training configuration: user options → a validated, frozen BltTrainConfig with every
 * default filled in (style lesson 5). The resolved config is written into metrics.jsonl, every
 * checkpoint and the run summary; a resume compares the keys that change the numbers.
 * BLT_TRAIN_OPTIONS is the one table of the numeric options (src/train/common/options.ts): the
 * resolver, the resume check and the `blt train` flags and help all come from it.
 */
import { BltError, badOption } from '../../core/errors.js';
import { DEFAULT_HELD_OUT } from '../../ingest/corpora/held-out-split.js';
import * as opt from '../common/options.js';
import { DEFAULT_BLT_CONFIG, validateBltConfig, type BltModelConfig } from '../model/blt-config.js';
import { resolvePatchingChoice, type PatchingChoice } from './patching-choice.js';

/** The common options (src/train/common/options.ts) and the BLT's own. */
export interface BltTrainConfig extends opt.CommonTrainConfig {
  readonly model: BltModelConfig;
  /** Training shard set directories (read as one list). */
  readonly data: readonly string[];
  /** Validation shard sets; null → a deterministic split of `data` by document (valFraction). */
  readonly valData: readonly string[] | null;
  /** Patches to train on: null = the shard set's stored patches, else re-derived (baselines). */
  readonly patching: PatchingChoice | null;
  /** Micro-batches per optimizer step (gradient accumulation). */
  readonly gradAccum: number;
  /** P: patches per row (the reference's data.seq_len). */
  readonly seqLenPatches: number;
  /** N: bytes per row (the reference's max_encoder_seq_length); rows are truncated or padded to it. */
  readonly maxBytesPerRow: number;
  /** Sequences per shuffle buffer of the loader (reference 64). */
  readonly bufferSize: number;
  /** Batches per periodic validation (0 = the whole validation set). */
  readonly evalBatches: number;
  /** Batches of the final validation (0 = the whole validation set). */
  readonly finalEvalBatches: number;
}

export type BltTrainConfigInput = Partial<Omit<BltTrainConfig, 'model' | 'data' | 'valData' | 'patching'>> & {
  model?: Partial<BltModelConfig>;
  data: string | readonly string[];
  valData?: string | readonly string[] | null;
  patching?: Partial<PatchingChoice> | null;
};

type Key = Exclude<keyof BltTrainConfig, 'model' | 'data' | 'valData' | 'patching'>;

/** Every numeric option, in the config's order (rows with `resume` must match on resume). */
export const BLT_TRAIN_OPTIONS: opt.OptionTable<Key, BltModelConfig> = {
  valFraction: opt.row(
    DEFAULT_HELD_OUT.fraction,
    opt.range(0, 0.9),
    'documents held out by id when there is no --val-data, 0 = no validation (default 0.1)',
  ),
  seed: opt.row(0, opt.int(0, 0xffffffff), 'seed of the weights, data order and shuffle (default 0)'),
  steps: opt.SHARED_ROWS.steps,
  batchSize: opt.row(4, opt.int(1, 4096), 'rows per micro-batch (default 4)'),
  gradAccum: opt.row(1, opt.int(1, 4096), 'micro-batches per optimizer step (default 1)'),
  seqLenPatches: opt.row(160, opt.int(2, 1 << 20), 'patches per row, the reference data.seq_len (default 160)'),
  maxBytesPerRow: opt.row(
    512,
    opt.int(2, 1 << 24),
    'bytes per row, the reference max_encoder_seq_length (default 512)',
  ),
  bufferSize: opt.row(64, opt.int(1, 1 << 16), 'sequences per shuffle buffer (default 64)'),
  lr: opt.row(1e-3, opt.positive, 'peak learning rate (default 1e-3)'),
  minLrRatio: opt.SHARED_ROWS.minLrRatio,
  warmup: opt.warmupRow('linear warmup steps (default 5% of steps, at most 100)'),
  weightDecay: opt.SHARED_ROWS.weightDecay,
  beta1: opt.row(0.9, opt.range(0, 0.999999), 'AdamW beta1 (default 0.9)'),
  beta2: opt.row(0.95, opt.range(0, 0.999999), 'AdamW beta2 (default 0.95)'),
  eps: opt.row(1e-8, opt.positive, 'AdamW epsilon (default 1e-8)'),
  clip: opt.SHARED_ROWS.clip,
  evalEvery: opt.SHARED_ROWS.evalEvery,
  evalBatches: opt.row(16, opt.int(0), 'batches per periodic validation, 0 = all (default 16)', opt.LOCAL),
  finalEvalBatches: opt.row(0, opt.int(0), 'batches of the final validation, 0 = all (default 0)', opt.LOCAL),
  checkpointEvery: opt.SHARED_ROWS.checkpointEvery,
  keep: opt.SHARED_ROWS.keep,
  logEvery: opt.row(10, opt.int(1), 'metrics/progress line every N steps (default 10)', opt.LOCAL),
};

/** The fixed defaults (all but the derived warmup). */
export const BLT_TRAIN_DEFAULTS: Readonly<Omit<Record<Key, number>, 'warmup'>> = Object.freeze(
  Object.fromEntries(
    Object.entries(BLT_TRAIN_OPTIONS).flatMap(([k, r]) => (typeof r.default === 'number' ? [[k, r.default]] : [])),
  ) as Omit<Record<Key, number>, 'warmup'>,
);

const KNOWN = opt.knownKeys(BLT_TRAIN_OPTIONS, ['model', 'data', 'valData', 'patching']);

function dirList(name: string, v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? [...(v as unknown[])] : null;
  if (!list || list.length === 0 || list.some((d) => typeof d !== 'string' || d === '')) {
    throw badOption(name, 'a shard set directory (from `blt preprocess`) or a non-empty list of them', v);
  }
  return list as string[];
}

/** Fills defaults, validates every field (BAD_OPTION naming it) and freezes the result. */
export function resolveBltTrainConfig(input: BltTrainConfigInput): BltTrainConfig {
  if (input === null || typeof input !== 'object')
    throw badOption('training config', 'an object with at least `data`', input);
  for (const k of Object.keys(input)) {
    if (!KNOWN.has(k))
      throw new BltError('BAD_OPTION', `Unknown training option \`${k}\`.`, `known: ${[...KNOWN].join(', ')}`);
  }
  const model = validateBltConfig({ ...DEFAULT_BLT_CONFIG, ...(input.model ?? {}) }, 'model');
  const valData = input.valData === undefined || input.valData === null ? null : dirList('--val-data', input.valData);
  const data = Object.freeze(dirList('--data', input.data));
  const { valFraction, ...numbers } = opt.resolveTable(BLT_TRAIN_OPTIONS, input, model);
  const patching =
    input.patching === undefined || input.patching === null ? null : resolvePatchingChoice(input.patching);
  const config: BltTrainConfig = {
    model,
    data,
    valData: valData ? Object.freeze(valData) : null,
    valFraction,
    patching,
    ...numbers,
  };
  return Object.freeze(config);
}

/** The differences that forbid a resume (`name: saved → now` lines; empty when it may resume). */
export function bltConfigDifferences(saved: BltTrainConfig, now: BltTrainConfig): string[] {
  return [
    ...opt.tableDifferences(BLT_TRAIN_OPTIONS, saved, now),
    ...opt.recordDifferences('model.', saved.model, now.model),
    ...opt.valueDifference('patching', saved.patching, now.patching),
    ...opt.valueDifference('data', saved.data, now.data),
    ...opt.valueDifference('val-data', saved.valData, now.valData),
  ];
}
