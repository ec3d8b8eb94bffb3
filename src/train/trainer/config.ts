/**
 * BLT training configuration: user options → a validated, frozen BltTrainConfig with every
 * default filled in (style lesson 5). The resolved config is written into metrics.jsonl, every
 * checkpoint and the run summary; a resume compares the keys that change the numbers.
 */
import { BltError, badOption } from '../../core/errors.js';
import { requireFinite, requireInt, requirePositive } from '../../core/validate.js';
import { DEFAULT_HELD_OUT } from '../../ingest/corpora/held-out-split.js';
import { DEFAULT_BLT_CONFIG, validateBltConfig, type BltModelConfig } from '../model/blt-config.js';
import { resolvePatchingChoice, type PatchingChoice } from './patching-choice.js';

export interface BltTrainConfig {
  readonly model: BltModelConfig;
  /** Training shard set directories (read as one list). */
  readonly data: readonly string[];
  /** Validation shard sets; null → a deterministic split of `data` by document (valFraction). */
  readonly valData: readonly string[] | null;
  /** Share of documents held out when valData is null (0 = no validation). */
  readonly valFraction: number;
  /** Patches to train on: null = the shard set's stored patches, else re-derived (baselines). */
  readonly patching: PatchingChoice | null;
  /** Seeds the weights' init, the data order and every other random choice. */
  readonly seed: number;
  /** Optimizer steps (n_steps of the schedule). */
  readonly steps: number;
  /** Rows per micro-batch. */
  readonly batchSize: number;
  /** Micro-batches per optimizer step (gradient accumulation). */
  readonly gradAccum: number;
  /** P: patches per row (the reference's data.seq_len). */
  readonly seqLenPatches: number;
  /** N: bytes per row (the reference's max_encoder_seq_length); rows are truncated or padded to it. */
  readonly maxBytesPerRow: number;
  /** Sequences per shuffle buffer of the loader (reference 64). */
  readonly bufferSize: number;
  readonly lr: number;
  readonly minLrRatio: number;
  readonly warmup: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Max global gradient norm; 0 disables clipping. */
  readonly clip: number;
  /** Validate every N steps (and at the end); 0: only at the end. */
  readonly evalEvery: number;
  /** Batches per periodic validation (0 = the whole validation set). */
  readonly evalBatches: number;
  /** Batches of the final validation (0 = the whole validation set). */
  readonly finalEvalBatches: number;
  /** Checkpoint every N steps (and at the end / on a stop); 0: only then. */
  readonly checkpointEvery: number;
  /** Checkpoints kept (the newest N). */
  readonly keep: number;
  /** Metrics/progress line every N steps. */
  readonly logEvery: number;
}

export type BltTrainConfigInput = Partial<Omit<BltTrainConfig, 'model' | 'data' | 'valData' | 'patching'>> & {
  model?: Partial<BltModelConfig>;
  data: string | readonly string[];
  valData?: string | readonly string[] | null;
  patching?: Partial<PatchingChoice> | null;
};

type Defaults = Omit<BltTrainConfig, 'model' | 'data' | 'valData' | 'patching' | 'warmup'>;

export const BLT_TRAIN_DEFAULTS: Defaults = Object.freeze({
  valFraction: DEFAULT_HELD_OUT.fraction,
  seed: 0,
  steps: 2000,
  batchSize: 4,
  gradAccum: 1,
  seqLenPatches: 160,
  maxBytesPerRow: 512,
  bufferSize: 64,
  lr: 1e-3,
  minLrRatio: 0.1,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  clip: 1.0,
  evalEvery: 250,
  evalBatches: 16,
  finalEvalBatches: 0,
  checkpointEvery: 250,
  keep: 3,
  logEvery: 10,
});

/** Keys that change the numbers a run computes; a resume must match them exactly. */
export const BLT_NUMERIC_KEYS = [
  'seed',
  'steps',
  'batchSize',
  'gradAccum',
  'seqLenPatches',
  'maxBytesPerRow',
  'bufferSize',
  'lr',
  'minLrRatio',
  'warmup',
  'weightDecay',
  'beta1',
  'beta2',
  'eps',
  'clip',
  'valFraction',
] as const satisfies readonly (keyof BltTrainConfig)[];

const KNOWN = new Set<string>(['model', 'data', 'valData', 'patching', 'warmup', ...Object.keys(BLT_TRAIN_DEFAULTS)]);

function inRange(name: string, v: unknown, lo: number, hi: number): number {
  const x = requireFinite(name, v);
  if (x < lo || x > hi) throw badOption(name, `a number in [${lo}, ${hi}]`, v);
  return x;
}

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
  const steps = requireInt('--steps', input.steps ?? BLT_TRAIN_DEFAULTS.steps, 1);
  const c = { ...BLT_TRAIN_DEFAULTS, warmup: Math.min(100, Math.floor(steps / 20)), ...input };
  const valData = input.valData === undefined || input.valData === null ? null : dirList('--val-data', input.valData);
  const config: BltTrainConfig = {
    model,
    data: Object.freeze(dirList('--data', input.data)),
    valData: valData ? Object.freeze(valData) : null,
    valFraction: inRange('--val-fraction', c.valFraction, 0, 0.9),
    patching: input.patching === undefined || input.patching === null ? null : resolvePatchingChoice(input.patching),
    seed: requireInt('--seed', c.seed, 0, 0xffffffff),
    steps,
    batchSize: requireInt('--batch-size', c.batchSize, 1, 4096),
    gradAccum: requireInt('--grad-accum', c.gradAccum, 1, 4096),
    seqLenPatches: requireInt('--seq-len-patches', c.seqLenPatches, 2, 1 << 20),
    maxBytesPerRow: requireInt('--max-bytes-per-row', c.maxBytesPerRow, 2, 1 << 24),
    bufferSize: requireInt('--buffer-size', c.bufferSize, 1, 1 << 16),
    lr: requirePositive('--lr', c.lr),
    minLrRatio: inRange('--min-lr-ratio', c.minLrRatio, 0, 1),
    warmup: requireInt('--warmup', c.warmup, 0, steps),
    weightDecay: inRange('--weight-decay', c.weightDecay, 0, 1e3),
    beta1: inRange('--beta1', c.beta1, 0, 0.999999),
    beta2: inRange('--beta2', c.beta2, 0, 0.999999),
    eps: requirePositive('--eps', c.eps),
    clip: inRange('--clip', c.clip, 0, 1e12),
    evalEvery: requireInt('--eval-every', c.evalEvery, 0),
    evalBatches: requireInt('--eval-batches', c.evalBatches, 0),
    finalEvalBatches: requireInt('--final-eval-batches', c.finalEvalBatches, 0),
    checkpointEvery: requireInt('--checkpoint-every', c.checkpointEvery, 0),
    keep: requireInt('--keep', c.keep, 1, 1e6),
    logEvery: requireInt('--log-every', c.logEvery, 1),
  };
  return Object.freeze(config);
}

/** The differences that forbid a resume (`name: saved → now` lines; empty when it may resume). */
export function bltConfigDifferences(saved: BltTrainConfig, now: BltTrainConfig): string[] {
  const out: string[] = [];
  for (const k of BLT_NUMERIC_KEYS) if (saved[k] !== now[k]) out.push(`${k}: ${saved[k]} → ${now[k]}`);
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const [k, v] of Object.entries(saved.model)) {
    const w = (now.model as unknown as Record<string, unknown>)[k];
    if (!same(v, w)) out.push(`model.${k}: ${JSON.stringify(v)} → ${JSON.stringify(w)}`);
  }
  if (!same(saved.patching, now.patching))
    out.push(`patching: ${JSON.stringify(saved.patching)} → ${JSON.stringify(now.patching)}`);
  if (!same(saved.data, now.data)) out.push(`data: ${JSON.stringify(saved.data)} → ${JSON.stringify(now.data)}`);
  if (!same(saved.valData, now.valData))
    out.push(`val-data: ${JSON.stringify(saved.valData)} → ${JSON.stringify(now.valData)}`);
  return out;
}
