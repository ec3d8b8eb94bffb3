/**
 * Training configuration: user options → a validated, frozen TrainConfig with every default
 * filled in. The resolved config is written into metrics, every checkpoint and the final model.
 * TRAIN_OPTIONS is the one table of the numeric options (src/train/common/options.ts): the
 * resolver, the resume check and the `blt entropy train` flags and help all come from it.
 */
import { BltError, badOption } from '../../core/errors.js';
import { DEFAULT_HELD_OUT } from '../../ingest/corpora/held-out-split.js';
import * as opt from '../../train/common/options.js';
import { DEFAULT_ENTROPY_CONFIG, validateEntropyConfig } from '../transformer/config.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';

/** The common options (src/train/common/options.ts) and the entropy trainer's own. */
export interface TrainConfig extends opt.CommonTrainConfig {
  readonly model: EntropyTransformerConfig;
  /** Tokens per training row (x and y each); each row reads seqLen + 1 stream tokens. */
  readonly seqLen: number;
  /** Held-out bytes scored by each periodic validation (spread over all held-out documents). */
  readonly evalBytes: number;
  /** Held-out bytes scored by the final validation (the model's held_out_bpb); 0 = all. */
  readonly finalEvalBytes: number;
}

export type TrainConfigInput = Partial<Omit<TrainConfig, 'model'>> & { model?: Partial<EntropyTransformerConfig> };

type Key = Exclude<keyof TrainConfig, 'model'>;

/** Every numeric option, in the config's order (rows with `resume` must match on --resume). */
export const TRAIN_OPTIONS: opt.OptionTable<Key, EntropyTransformerConfig> = {
  seed: opt.row(0, opt.int(0, 0xffffffff), 'seed of the weights and the data order (default 0)'),
  steps: opt.SHARED_ROWS.steps,
  batchSize: opt.row(8, opt.int(1, 4096), 'sequences per step (default 8)'),
  // rows as long as the attention window
  seqLen: opt.row(
    (c) => c.model.window,
    opt.int(1, (c) => c.model.max_seqlen),
    'tokens per sequence (default: the window)',
  ),
  lr: opt.row(2e-3, opt.positive, 'peak learning rate (default 2e-3)'),
  minLrRatio: opt.SHARED_ROWS.minLrRatio,
  warmup: opt.warmupRow('warmup steps (default 5% of steps, at most 100)'),
  weightDecay: opt.SHARED_ROWS.weightDecay,
  beta1: opt.row(0.9, opt.range(0, 1), 'AdamW beta1 (default 0.9)', { flag: false }),
  beta2: opt.row(0.95, opt.range(0, 1), 'AdamW beta2 (default 0.95)', { flag: false }),
  eps: opt.row(1e-8, opt.positive, 'AdamW epsilon (default 1e-8)', { flag: false }),
  clip: opt.SHARED_ROWS.clip,
  evalEvery: opt.SHARED_ROWS.evalEvery,
  evalBytes: opt.row(
    32768,
    opt.int(1),
    'held-out bytes per periodic validation, spread over all held-out documents (default 32768)',
    opt.LOCAL,
  ),
  finalEvalBytes: opt.row(
    524288,
    opt.int(0),
    "held-out bytes of the final validation (the model's held_out_bpb), 0 = all (default 524288)",
    opt.LOCAL,
  ),
  checkpointEvery: opt.SHARED_ROWS.checkpointEvery,
  keep: opt.SHARED_ROWS.keep,
  logEvery: opt.row(10, opt.int(1), 'progress/metrics line every N steps (default 10)', opt.LOCAL),
  valFraction: opt.row(DEFAULT_HELD_OUT.fraction, opt.range(0, 0.9), 'documents held out for validation (default 0.1)'),
};

const KNOWN = opt.knownKeys(TRAIN_OPTIONS, ['model']);

/** Fills defaults, validates every field (BAD_OPTION naming it) and freezes the result. */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  for (const k of Object.keys(input)) {
    if (!KNOWN.has(k))
      throw new BltError('BAD_OPTION', `Unknown training option \`${k}\`.`, `known: ${[...KNOWN].join(', ')}`);
  }
  const model = validateEntropyConfig({ ...DEFAULT_ENTROPY_CONFIG, ...(input.model ?? {}) });
  const config: TrainConfig = { model, ...opt.resolveTable(TRAIN_OPTIONS, input, model) };
  if (config.beta1 >= 1 || config.beta2 >= 1)
    throw badOption('--beta1/--beta2', 'numbers in [0, 1)', config.beta1 >= 1 ? config.beta1 : config.beta2);
  return Object.freeze(config);
}

/** The numeric differences between two configs (resume check): `name: a → b` lines. */
export function numericDifferences(saved: TrainConfig, now: TrainConfig): string[] {
  return [
    ...opt.tableDifferences(TRAIN_OPTIONS, saved, now),
    ...opt.recordDifferences('model.', saved.model, now.model),
  ];
}
