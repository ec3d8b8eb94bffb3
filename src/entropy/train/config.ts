/**
 * Training configuration: user options → a validated, frozen TrainConfig with every default
 * filled in. The resolved config is written into metrics, every checkpoint and the final model.
 */
import { BltError } from '../../core/errors.js';
import { requireFinite, requireInt, requirePositive } from '../../core/validate.js';
import { badOption } from '../../core/errors.js';
import { DEFAULT_ENTROPY_CONFIG, validateEntropyConfig } from '../transformer/config.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';
import { DEFAULT_HELD_OUT } from '../../ingest/corpora/held-out-split.js';

export interface TrainConfig {
  readonly model: EntropyTransformerConfig;
  /** Seeds the weights' init and the data order. */
  readonly seed: number;
  /** Optimizer steps (n_steps of the schedule). */
  readonly steps: number;
  readonly batchSize: number;
  /** Tokens per training row (x and y each); each row reads seqLen + 1 stream tokens. */
  readonly seqLen: number;
  /** Peak learning rate. */
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
  /** Held-out bytes scored by each periodic validation (spread over all held-out documents). */
  readonly evalBytes: number;
  /** Held-out bytes scored by the final validation (the model's held_out_bpb); 0 = all. */
  readonly finalEvalBytes: number;
  /** Checkpoint every N steps (and at the end / on SIGINT); 0: only then. */
  readonly checkpointEvery: number;
  /** Checkpoints kept (the newest N). */
  readonly keep: number;
  /** Progress/metrics line every N steps. */
  readonly logEvery: number;
  /** Fraction of documents held out for validation (by document, deterministic in the seed). */
  readonly valFraction: number;
}

export type TrainConfigInput = Partial<Omit<TrainConfig, 'model'>> & { model?: Partial<EntropyTransformerConfig> };

export const TRAIN_DEFAULTS: Omit<TrainConfig, 'model' | 'seqLen' | 'warmup'> = Object.freeze({
  seed: 0,
  steps: 2000,
  batchSize: 8,
  lr: 2e-3,
  minLrRatio: 0.1,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  clip: 1.0,
  evalEvery: 250,
  evalBytes: 32768,
  finalEvalBytes: 524288,
  checkpointEvery: 250,
  keep: 3,
  logEvery: 10,
  valFraction: DEFAULT_HELD_OUT.fraction,
});

/** Keys that change the numbers a run computes; a resume must match them exactly. */
export const NUMERIC_KEYS = [
  'seed',
  'steps',
  'batchSize',
  'seqLen',
  'lr',
  'minLrRatio',
  'warmup',
  'weightDecay',
  'beta1',
  'beta2',
  'eps',
  'clip',
  'valFraction',
] as const satisfies readonly (keyof TrainConfig)[];

const KNOWN = new Set<string>(['model', 'seqLen', 'warmup', ...Object.keys(TRAIN_DEFAULTS)]);

function inUnit(name: string, v: unknown, lo: number, hi: number, loOpen = false): number {
  const x = requireFinite(name, v);
  if (x < lo || x > hi || (loOpen && x === lo))
    throw badOption(name, `a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`, v);
  return x;
}

/** Fills defaults, validates every field (BAD_OPTION naming it) and freezes the result. */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  for (const k of Object.keys(input)) {
    if (!KNOWN.has(k))
      throw new BltError('BAD_OPTION', `Unknown training option \`${k}\`.`, `known: ${[...KNOWN].join(', ')}`);
  }
  const model = validateEntropyConfig({ ...DEFAULT_ENTROPY_CONFIG, ...(input.model ?? {}) });
  const steps = requireInt('--steps', input.steps ?? TRAIN_DEFAULTS.steps, 1);
  // Derived defaults: rows as long as the attention window; warmup 5% of the steps, at most 100.
  const c = { ...TRAIN_DEFAULTS, seqLen: model.window, warmup: Math.min(100, Math.floor(steps / 20)), ...input, model };
  const config: TrainConfig = {
    model,
    seed: requireInt('--seed', c.seed, 0, 0xffffffff),
    steps,
    batchSize: requireInt('--batch-size', c.batchSize, 1, 4096),
    seqLen: requireInt('--seq-len', c.seqLen, 1, model.max_seqlen),
    lr: requirePositive('--lr', c.lr),
    minLrRatio: inUnit('--min-lr-ratio', c.minLrRatio, 0, 1),
    warmup: requireInt('--warmup', c.warmup, 0, steps),
    weightDecay: inUnit('--weight-decay', c.weightDecay, 0, 1e3),
    beta1: inUnit('--beta1', c.beta1, 0, 1),
    beta2: inUnit('--beta2', c.beta2, 0, 1),
    eps: requirePositive('--eps', c.eps),
    clip: inUnit('--clip', c.clip, 0, 1e12),
    evalEvery: requireInt('--eval-every', c.evalEvery, 0),
    evalBytes: requireInt('--eval-bytes', c.evalBytes, 1),
    finalEvalBytes: requireInt('--final-eval-bytes', c.finalEvalBytes, 0),
    checkpointEvery: requireInt('--checkpoint-every', c.checkpointEvery, 0),
    keep: requireInt('--keep', c.keep, 1, 1e6),
    logEvery: requireInt('--log-every', c.logEvery, 1),
    valFraction: inUnit('--val-fraction', c.valFraction, 0, 0.9),
  };
  if (config.beta1 >= 1 || config.beta2 >= 1)
    throw badOption('--beta1/--beta2', 'numbers in [0, 1)', config.beta1 >= 1 ? config.beta1 : config.beta2);
  return Object.freeze(config);
}

/** The numeric differences between two configs (resume check): `name: a → b` lines. */
export function numericDifferences(saved: TrainConfig, now: TrainConfig): string[] {
  const out: string[] = [];
  for (const k of NUMERIC_KEYS) if (saved[k] !== now[k]) out.push(`${k}: ${saved[k]} → ${now[k]}`);
  for (const [k, v] of Object.entries(saved.model)) {
    const w = (now.model as unknown as Record<string, unknown>)[k];
    if (w !== v) out.push(`model.${k}: ${String(v)} → ${String(w)}`);
  }
  return out;
}
