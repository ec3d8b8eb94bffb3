/**
 * `blt train --data <shard-dir> --out <run-dir>`: train a BLT on shard sets (docs/blt-training.md).
 * Only this file reads argv for the command; the numbers live in src/train/trainer. The flag table
 * is typed against BltTrainConfig, so a new numeric option fails to compile until it has a flag.
 */
import { CommanderError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { BltError, badOption } from '../core/errors.js';
import type { BltModelConfig } from '../train/model/blt-config.js';
import type { BltTrainConfig, BltTrainConfigInput } from '../train/trainer/config.js';
import type { PatchingChoice } from '../train/trainer/patching-choice.js';
import { backendFrom, backendOption } from './backend-option.js';
import { stopOnSignals } from './entropy.js';
import { createProgress, type ProgressReporter } from './progress.js';

type Opts = Record<string, string | boolean | string[] | undefined>;

type NumericKey = { [K in keyof BltTrainConfig]-?: BltTrainConfig[K] extends number ? K : never }[keyof BltTrainConfig];

/** Every numeric training option: its flag and help. */
const TRAIN_FLAGS: Record<NumericKey, readonly [flag: string, help: string]> = {
  steps: ['--steps <n>', 'optimizer steps (default 2000)'],
  batchSize: ['--batch-size <n>', 'rows per micro-batch (default 4)'],
  gradAccum: ['--grad-accum <n>', 'micro-batches per optimizer step (default 1)'],
  seqLenPatches: ['--seq-len-patches <n>', 'patches per row, the reference data.seq_len (default 160)'],
  maxBytesPerRow: ['--max-bytes-per-row <n>', 'bytes per row, the reference max_encoder_seq_length (default 512)'],
  bufferSize: ['--buffer-size <n>', 'sequences per shuffle buffer (default 64)'],
  lr: ['--lr <x>', 'peak learning rate (default 1e-3)'],
  minLrRatio: ['--min-lr-ratio <x>', 'cosine floor as a fraction of --lr (default 0.1)'],
  warmup: ['--warmup <n>', 'linear warmup steps (default 5% of steps, at most 100)'],
  weightDecay: ['--weight-decay <x>', 'AdamW decoupled weight decay (default 0.1)'],
  beta1: ['--beta1 <x>', 'AdamW beta1 (default 0.9)'],
  beta2: ['--beta2 <x>', 'AdamW beta2 (default 0.95)'],
  eps: ['--eps <x>', 'AdamW epsilon (default 1e-8)'],
  clip: ['--clip <x>', 'max global gradient norm, 0 = off (default 1)'],
  evalEvery: ['--eval-every <n>', 'validate every N steps, 0 = only at the end (default 250)'],
  evalBatches: ['--eval-batches <n>', 'batches per periodic validation, 0 = all (default 16)'],
  finalEvalBatches: ['--final-eval-batches <n>', 'batches of the final validation, 0 = all (default 0)'],
  checkpointEvery: ['--checkpoint-every <n>', 'checkpoint every N steps (default 250)'],
  keep: ['--keep <n>', 'checkpoints to keep (default 3)'],
  logEvery: ['--log-every <n>', 'metrics/progress line every N steps (default 10)'],
  seed: ['--seed <n>', 'seed of the weights, data order and shuffle (default 0)'],
  valFraction: [
    '--val-fraction <x>',
    'documents held out by id when there is no --val-data, 0 = no validation (default 0.1)',
  ],
};

/** Model-size flags → BltModelConfig fields (`dim_local` sets the encoder and decoder width). */
const MODEL_FLAGS: ReadonlyArray<readonly [keyof BltModelConfig | 'dim_local', string, string]> = [
  ['dim_local', '--dim-local <n>', 'local encoder/decoder width (default 128)'],
  ['n_layers_local_encoder', '--encoder-layers <n>', 'local encoder layers (default 1)'],
  ['n_layers_local_decoder', '--decoder-layers <n>', 'local decoder layers (default 2)'],
  ['n_heads_local', '--heads-local <n>', 'local self-attention heads (default 4)'],
  ['dim_global', '--dim-global <n>', 'latent transformer width (default 256)'],
  ['n_layers_global', '--global-layers <n>', 'latent transformer layers (default 4)'],
  ['n_heads_global', '--heads-global <n>', 'latent transformer heads (default 4)'],
  ['cross_attn_k', '--cross-attn-k <n>', 'query slots per patch (default 2)'],
  ['cross_attn_nheads', '--cross-attn-heads <n>', 'cross-attention heads (default 4)'],
  ['local_window', '--local-window <n>', 'byte sliding window (default 512)'],
];

const camel = (flag: string): string =>
  flag
    .replace(/^--/, '')
    .split(' ')[0]!
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function num(o: Opts, flag: string): number | undefined {
  const raw = o[camel(flag)];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw badOption(flag.split(' ')[0] as string, 'a number', raw);
  return n;
}

/** `--config`: a JSON file or inline JSON with training options ({model:{…}, steps, …}). */
function readConfig(spec: string | undefined): Record<string, unknown> {
  if (spec === undefined) return {};
  let text = spec;
  if (!spec.trimStart().startsWith('{')) {
    try {
      text = readFileSync(spec, 'utf8');
    } catch (err) {
      throw new BltError(
        'NOT_FOUND',
        `--config: cannot read ${spec} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
        'pass a JSON file or inline JSON like \'{"model":{"dim_global":128},"steps":500}\'',
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badOption('--config', 'a JSON object (file or inline)', spec, (err as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badOption('--config', 'a JSON object', parsed);
  return parsed as Record<string, unknown>;
}

function patchingFrom(o: Opts, base: unknown): Partial<PatchingChoice> | null | undefined {
  const mode = o.patching as string | undefined;
  const extra: Record<string, number> = {};
  for (const [key, flag] of [
    ['threshold', '--threshold <x>'],
    ['patchSize', '--patch-size <n>'],
    ['maxPatchLength', '--max-patch-length <n>'],
  ] as const) {
    const v = num(o, flag);
    if (v !== undefined) extra[key] = v;
  }
  if (mode === undefined && Object.keys(extra).length === 0) return base as Partial<PatchingChoice> | null | undefined;
  if (mode === 'stored') {
    if (Object.keys(extra).length > 0)
      throw badOption(
        '--patching',
        'entropy, static, space or byte with --threshold/--patch-size/--max-patch-length',
        'stored',
      );
    return null;
  }
  const prev = (base && typeof base === 'object' ? base : {}) as Partial<PatchingChoice>;
  const m = mode ?? prev.mode;
  if (m === undefined)
    throw badOption(
      '--patching',
      'entropy, static, space or byte (with --threshold, --patch-size or --max-patch-length)',
      undefined,
    );
  return { ...prev, mode: m as PatchingChoice['mode'], ...extra };
}

/** argv options → the trainer's input (config file, then flags on top). */
export function trainInputFrom(o: Opts): BltTrainConfigInput {
  const file = readConfig(o.config as string | undefined);
  const model: Record<string, unknown> = { ...((file.model as Record<string, unknown> | undefined) ?? {}) };
  for (const [field, flag] of MODEL_FLAGS) {
    const v = num(o, flag);
    if (v === undefined) continue;
    if (field === 'dim_local') model.dim_local_encoder = model.dim_local_decoder = v;
    else model[field] = v;
  }
  const ngram = o.ngramSizes as string | undefined;
  const vocab = num(o, '--hash-vocab <n>');
  if (ngram !== undefined || vocab !== undefined) {
    const base = (model.ngram ?? { sizes: [3, 4, 5, 6, 7, 8], functions: 1, vocab: 20011 }) as Record<
      string,
      unknown
    > | null;
    if (ngram === 'none') model.ngram = null;
    else {
      const sizes = ngram === undefined ? base?.sizes : ngram.split(',').map((s) => Number(s.trim()));
      model.ngram = { ...(base ?? { functions: 1, vocab: 20011 }), sizes, ...(vocab === undefined ? {} : { vocab }) };
    }
  }
  const input: Record<string, unknown> = { ...file, model };
  for (const [key, [flag]] of Object.entries(TRAIN_FLAGS)) {
    const v = num(o, flag);
    if (v !== undefined) input[key] = v;
  }
  if (o.data !== undefined) input.data = o.data;
  if (o.valData !== undefined) input.valData = o.valData;
  const patching = patchingFrom(o, file.patching);
  if (patching !== undefined) input.patching = patching;
  if (input.data === undefined) throw badOption('--data', 'a shard set directory (from `blt preprocess`)', undefined);
  return input as unknown as BltTrainConfigInput;
}

const fmt = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d);

async function trainAction(o: Opts): Promise<void> {
  const input = trainInputFrom(o);
  const { train } = await import('../train/trainer/train-loop.js');
  const { patchingLabel } = await import('../train/trainer/patching-choice.js');
  const mode = o.quiet === true ? 'quiet' : 'auto';
  // until the run starts (data preparation), messages are plain lines on a TTY, JSON lines otherwise
  const early = o.quiet === true ? 'quiet' : process.stderr.isTTY ? null : 'json';
  let progress: ProgressReporter = createProgress({ total: 1, mode: early ?? 'quiet' });
  let started = false;
  const signals = stopOnSignals(() => progress);
  try {
    const res = await train(
      {
        ...input,
        out: o.out as string,
        resume: o.resume === true,
        backend: backendFrom(o.backend),
        allowCpu: o.allowCpu === true,
      },
      {
        log: (m) => (started || early !== null ? progress.log(m) : void process.stderr.write(`${m}\n`)),
        onStart: (s) => {
          started = true;
          progress.stop();
          progress = createProgress({ total: s.steps, start: s.startStep, label: 'train', mode });
          const m = s.config.model;
          progress.log(
            `${s.resumed ? `resuming at step ${s.startStep}` : 'training'}: BLT local ${m.dim_local_encoder}x(${m.n_layers_local_encoder}+${m.n_layers_local_decoder}) ` +
              `global ${m.dim_global}x${m.n_layers_global}, ${(s.parameters / 1e6).toFixed(2)}M params; ${s.config.batchSize * s.config.gradAccum}x${s.config.seqLenPatches} patches ` +
              `(<= ${s.config.maxBytesPerRow} bytes/row) per step; patches ${patchingLabel(s.config.patching)}, mean ${fmt(s.flops.meanPatchLength, 2)} bytes; ` +
              `${(s.flops.trainPerByte / 1e6).toFixed(2)} MFLOP/byte training; ${s.plan.documents.train} train / ${s.plan.documents.val} val docs ` +
              `(unigram ${fmt(s.unigramBpb)} bpb); backend ${s.backend}`,
          );
        },
        onStep: (s) => {
          const fields = { loss: s.loss, bpb: s.intervalBitsPerByte, 'B/s': Math.round(s.bytesPerSecond) };
          if (s.logged) progress.report(s.step, fields);
          else progress.tick(s.step, fields);
          return signals.stopped() === null;
        },
        onEval: (e) =>
          progress.log(
            `step ${e.step}: ${e.final ? 'final validation' : 'validation'} ${fmt(e.valBpb)} bits/byte on ${e.bytes} bytes`,
          ),
        onCheckpoint: (path) => progress.log(`checkpoint ${path}`),
      },
    );
    progress.stop();
    const code = signals.stopped();
    if (res.stopped) {
      process.stderr.write(
        `stopped at step ${res.step}; checkpoint ${res.lastCheckpoint}; continue with the same command plus --resume\n`,
      );
      throw new CommanderError(code ?? 130, 'blt.interrupted', 'interrupted');
    }
    const json = {
      out: o.out,
      steps: res.step,
      valBpb: res.finalEval?.bitsPerByte ?? null,
      valBytes: res.finalEval?.bytes ?? 0,
      unigramBpb: res.unigramBpb,
      finalLoss: res.losses[res.losses.length - 1] ?? null,
      bytesPerSecond: res.bytesPerSecond,
      trainSeconds: res.trainSeconds,
      patching: patchingLabel(res.config.patching),
      meanPatchLength: res.flops.meanPatchLength,
      flopsPerByte: { forward: res.flops.forwardPerByte, train: res.flops.trainPerByte },
      checkpoint: res.lastCheckpoint,
      config: res.config,
    };
    process.stdout.write(
      o.json === true
        ? `${JSON.stringify(json)}\n`
        : `run: ${o.out as string}\nvalidation: ${fmt(json.valBpb)} bits/byte on ${json.valBytes} bytes (unigram ${fmt(json.unigramBpb)})\n` +
            `training: ${res.step} steps, ${Math.round(res.bytesPerSecond)} bytes/s; patches ${json.patching} (mean ${fmt(json.meanPatchLength, 2)} bytes), ${(res.flops.trainPerByte / 1e6).toFixed(2)} MFLOP/byte\n` +
            `checkpoint: ${res.lastCheckpoint}\n`,
    );
  } finally {
    progress.stop();
    signals.release();
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a BLT (local encoder, latent transformer, local decoder) on shard sets')
    .option('--data <dirs...>', 'training shard set directories (from `blt preprocess`)')
    .requiredOption('--out <dir>', 'run directory: metrics.jsonl, checkpoints/, data/, summary.json')
    .option('--val-data <dirs...>', 'validation shard sets (default: hold out --val-fraction of the documents by id)')
    .option(
      '--config <json>',
      'training options as a JSON file or inline JSON ({"model":{…},"steps":…}); flags override it',
    );
  for (const [, flag, help] of MODEL_FLAGS) cmd.option(flag, help);
  cmd
    .option('--ngram-sizes <list>', 'hash n-gram sizes, e.g. 3,4,5,6,7,8, or none (default 3..8)')
    .option('--hash-vocab <n>', 'rows per hash table (default 20011)');
  for (const [flag, help] of Object.values(TRAIN_FLAGS)) cmd.option(flag, help);
  cmd
    .option(
      '--patching <mode>',
      "train on re-derived patches: entropy|static|space|byte (default: the shard set's stored patches)",
    )
    .option('--threshold <x>', "entropy patching threshold (default: the entropy model's calibrated one)")
    .option('--patch-size <n>', 'static patch length')
    .option('--max-patch-length <n>', 'split longer patches')
    .addOption(backendOption())
    .option('--allow-cpu', 'allow training on the slow pure-JS cpu backend')
    .option('--resume', 'continue from the newest checkpoint in --out (same options otherwise)')
    .option('--json', 'print the result as one JSON object')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExample (docs/blt-training.md):\n  blt train --data runs/demo-train --val-data runs/demo-val --out runs/blt-demo --steps 600\n',
    )
    .action(async (o: Opts) => trainAction(o));
}
