/**
 * `blt train --data <shard-dir> --out <run-dir>`: train a BLT on shard sets (docs/blt-training.md).
 * Only this file reads argv for the command; the numbers live in src/train/trainer. The training
 * flags and their help come from BLT_TRAIN_OPTIONS, the table the config resolver uses.
 */
import type { Command } from 'commander';
import { badOption } from '../core/errors.js';
import { numberArg } from '../options/numeric.js';
import type { BltModelConfig } from '../train/model/blt-config.js';
import { BLT_TRAIN_OPTIONS, type BltTrainConfigInput } from '../train/trainer/config.js';
import type { PatchingChoice } from '../train/trainer/patching-choice.js';
import { backendFrom, backendOption } from './backend-option.js';
import { createProgress, type ProgressReporter } from './progress.js';
import * as flags from './train-options.js';

/** Model-size flags → BltModelConfig fields (`--dim-local` sets the encoder and decoder width). */
const MODEL_FLAGS: readonly flags.ModelFlag[] = [
  {
    flag: '--dim-local <n>',
    help: 'local encoder/decoder width (default 128)',
    fields: ['dim_local_encoder', 'dim_local_decoder'],
  },
  { flag: '--encoder-layers <n>', help: 'local encoder layers (default 1)', fields: ['n_layers_local_encoder'] },
  { flag: '--decoder-layers <n>', help: 'local decoder layers (default 2)', fields: ['n_layers_local_decoder'] },
  { flag: '--heads-local <n>', help: 'local self-attention heads (default 4)', fields: ['n_heads_local'] },
  { flag: '--dim-global <n>', help: 'latent transformer width (default 256)', fields: ['dim_global'] },
  { flag: '--global-layers <n>', help: 'latent transformer layers (default 4)', fields: ['n_layers_global'] },
  { flag: '--heads-global <n>', help: 'latent transformer heads (default 4)', fields: ['n_heads_global'] },
  { flag: '--cross-attn-k <n>', help: 'query slots per patch (default 2)', fields: ['cross_attn_k'] },
  { flag: '--cross-attn-heads <n>', help: 'cross-attention heads (default 4)', fields: ['cross_attn_nheads'] },
  { flag: '--local-window <n>', help: 'byte sliding window (default 512)', fields: ['local_window'] },
] satisfies ReadonlyArray<flags.ModelFlag & { fields: readonly (keyof BltModelConfig)[] }>;

function patchingFrom(o: flags.Opts, base: unknown): Partial<PatchingChoice> | null | undefined {
  const mode = o.patching as string | undefined;
  const extra: Record<string, number> = {};
  for (const key of ['threshold', 'patchSize', 'maxPatchLength'] as const) {
    const v = o[key];
    if (typeof v === 'number') extra[key] = v;
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
function trainInputFrom(o: flags.Opts): BltTrainConfigInput {
  const file = flags.readJsonConfig(o.config as string | undefined, '{"model":{"dim_global":128},"steps":500}');
  const model: Record<string, unknown> = { ...((file.model as Record<string, unknown> | undefined) ?? {}) };
  flags.withModelFlags(o, MODEL_FLAGS, model);
  const ngram = o.ngramSizes as string | undefined;
  const vocab = o.hashVocab as number | undefined;
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
  const input: Record<string, unknown> = { ...file, model, ...flags.tableFlagValues(o, BLT_TRAIN_OPTIONS) };
  if (o.data !== undefined) input.data = o.data;
  if (o.valData !== undefined) input.valData = o.valData;
  const patching = patchingFrom(o, file.patching);
  if (patching !== undefined) input.patching = patching;
  if (input.data === undefined) throw badOption('--data', 'a shard set directory (from `blt preprocess`)', undefined);
  return input as unknown as BltTrainConfigInput;
}

async function trainAction(o: flags.Opts): Promise<void> {
  const input = trainInputFrom(o);
  const { train } = await import('../train/trainer/train-loop.js');
  const { patchingLabel } = await import('../train/trainer/patching-choice.js');
  const mode = o.quiet === true ? 'quiet' : 'auto';
  // until the run starts (data preparation), messages are plain lines on a TTY, JSON lines otherwise
  const early = o.quiet === true ? 'quiet' : process.stderr.isTTY ? null : 'json';
  let progress: ProgressReporter = createProgress({ total: 1, mode: early ?? 'quiet' });
  let started = false;
  const signals = flags.stopOnSignals(() => progress);
  const shown = flags.progressHooks(() => progress, 'final validation');
  try {
    const res = await train(
      {
        ...input,
        out: o.out as string,
        resume: o.resume === true,
        backend: backendFrom(o.backend),
        allowCpu: o.allowCpu === true,
        signal: signals.signal,
      },
      {
        log: (m) => (started || early !== null ? progress.log(m) : void process.stderr.write(`${m}\n`)),
        onStart: (s) => {
          started = true;
          progress.stop();
          progress = createProgress({ total: s.steps, start: s.startStep, label: 'train', mode });
          const m = s.config.model;
          progress.log(
            `${s.resumed ? `resuming at step ${s.startStep}` : 'training'}: BLT ` +
              `local ${m.dim_local_encoder}x(${m.n_layers_local_encoder}+${m.n_layers_local_decoder}) ` +
              (`global ${m.dim_global}x${m.n_layers_global}, ${(s.parameters / 1e6).toFixed(2)}M ` +
                `params; ${s.config.batchSize * s.config.gradAccum}x${s.config.seqLenPatches} patches `) +
              (`(<= ${s.config.maxBytesPerRow} bytes/row) per step; ` +
                `patches ${patchingLabel(s.config.patching)}, ` +
                `mean ${flags.fmt(s.flops.meanPatchLength, 2)} bytes; `) +
              (`${(s.flops.trainPerByte / 1e6).toFixed(2)} MFLOP/byte training; ${s.plan.documents.train} ` +
                `train / ${s.plan.documents.val} val docs `) +
              `(unigram ${flags.fmt(s.unigramBpb)} bpb); backend ${s.backend}`,
          );
        },
        onStep: (s) => shown.step(s, s.intervalBitsPerByte),
        onEval: shown.onEval,
        onCheckpoint: shown.onCheckpoint,
      },
    );
    progress.stop();
    if (res.stopped) flags.exitStopped('stopped', res.step, res.lastCheckpoint, signals.code());
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
        : `run: ${o.out as string}\nvalidation: ${flags.fmt(json.valBpb)} bits/byte on ${json.valBytes} bytes ` +
            `(unigram ${flags.fmt(json.unigramBpb)})\n` +
            (`training: ${res.step} steps, ${Math.round(res.bytesPerSecond)} bytes/s; ` +
              `patches ${json.patching} (mean ${flags.fmt(json.meanPatchLength, 2)} ` +
              `bytes), ${(res.flops.trainPerByte / 1e6).toFixed(2)} MFLOP/byte\n`) +
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
  flags
    .addModelFlags(cmd, MODEL_FLAGS)
    .option('--ngram-sizes <list>', 'hash n-gram sizes, e.g. 3,4,5,6,7,8, or none (default 3..8)')
    .option('--hash-vocab <n>', 'rows per hash table (default 20011)', numberArg('--hash-vocab'));
  flags
    .addTableFlags(cmd, BLT_TRAIN_OPTIONS)
    .option(
      '--patching <mode>',
      "train on re-derived patches: entropy|static|space|byte (default: the shard set's stored patches)",
    )
    .option(
      '--threshold <x>',
      "entropy patching threshold (default: the entropy model's calibrated one)",
      numberArg('--threshold'),
    )
    .option('--patch-size <n>', 'static patch length', numberArg('--patch-size'))
    .option('--max-patch-length <n>', 'split longer patches', numberArg('--max-patch-length'))
    .addOption(backendOption())
    .option('--allow-cpu', 'allow training on the slow pure-JS cpu backend')
    .option('--resume', 'continue from the newest checkpoint in --out (same options otherwise)')
    .option('--json', 'print the result as one JSON object')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExample (docs/blt-training.md):\n  blt train --data runs/demo-train --val-data runs/demo-val --out ' +
        'runs/blt-demo --steps 600\n',
    )
    .action(async (o: flags.Opts) => trainAction(o));
}
