/**
 * `blt generate --checkpoint <run-dir> --prompt <text>`: byte-by-byte generation with incremental
 * entropy patching (docs/blt-training.md). Only this file reads argv for it.
 */
import { MODEL_PATH_HELP } from './model-option.js';
import { withRunDir } from './run-dir-errors.js';
import type { Command } from 'commander';
import { initBackend } from '../backend/select-backend.js';
import { parseNumber } from '../options/numeric.js';
import { backendFrom, backendOption } from './backend-option.js';

type Opts = Record<string, string | boolean | undefined>;

function numOption(o: Opts, key: string, flag: string, integer: boolean, min: number): number | undefined {
  const raw = o[key];
  if (raw === undefined) return undefined;
  return parseNumber(flag, raw, { integer, min });
}

async function generateAction(o: Opts): Promise<void> {
  const maxBytes = numOption(o, 'maxBytes', '--max-bytes', true, 0) ?? 200;
  const temperature = numOption(o, 'temperature', '--temperature', false, 0) ?? 0;
  const topK = numOption(o, 'topK', '--top-k', true, 0) ?? 0;
  const seed = numOption(o, 'seed', '--seed', true, 0) ?? 0;
  const step = numOption(o, 'step', '--step', true, 0);
  const request = backendFrom(o.backend);
  const backend = await initBackend(request);
  const { loadBltRun } = await import('../train/trainer/load-run.js');
  const { runPatching, openRunScorer } = await import('../train/generate/run-patching.js');
  const { generateBlt } = await import('../train/generate/generate.js');
  const run = await withRunDir('--checkpoint', o.checkpoint as string, () => loadBltRun(o.checkpoint as string, step));
  const typedModel = o.entropyModel as string | undefined;
  const { canonicalModelSpec } = await import('../entropy/model-format/resolve-model.js');
  const patching = await runPatching(
    run.state,
    typedModel === undefined ? undefined : canonicalModelSpec(typedModel, '--entropy-model'),
  );
  const scorer = await openRunScorer(patching, request);
  try {
    const prompt = o.prompt as string;
    const stream = o.json !== true && o.stream === true;
    if (stream) process.stdout.write(prompt);
    const bytes: number[] = [];
    const r = await generateBlt(run.model, {
      prompt,
      maxBytes,
      temperature,
      topK,
      seed,
      patching: patching.patching,
      ...(scorer ? { entropies: async (t: Int32Array) => (await scorer.score([t]))[0] as Float32Array } : {}),
      onToken: (t) => {
        if (!stream || t < 4) return;
        bytes.push(t - 4);
        const text = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes), { stream: true });
        if (!text.endsWith('\uFFFD')) {
          process.stdout.write(text);
          bytes.length = 0;
        }
      },
    });
    const json = {
      prompt,
      text: r.text,
      bytes: r.bytes,
      stop: r.stop,
      seconds: r.seconds,
      bytesPerSecond: r.seconds > 0 ? r.bytes / r.seconds : 0,
      step: run.state.step,
      patching: patching.patching,
      entropyModel: patching.entropyModel,
      backend: backend.name,
    };
    if (o.json === true) process.stdout.write(`${JSON.stringify(json)}\n`);
    else if (stream) process.stdout.write('\n');
    else process.stdout.write(`${prompt}${r.text}\n`);
  } finally {
    await scorer?.close();
    run.dispose();
  }
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate text byte by byte from a trained BLT, patching incrementally with the entropy model')
    .requiredOption('--checkpoint <run-dir>', 'a `blt train` run directory (its newest checkpoint, or --step)')
    .requiredOption('--prompt <text>', 'the prompt')
    .option('--max-bytes <n>', 'bytes to generate at most (default 200)')
    .option('--temperature <x>', '0 = greedy (default); > 0 samples')
    .option('--top-k <n>', 'sample among the k most likely bytes (default 0 = all)')
    .option('--seed <n>', 'sampling seed (default 0)')
    .option('--step <n>', 'a checkpoint step other than the newest')
    .option(
      '--entropy-model <path>',
      `entropy model for patching: ${MODEL_PATH_HELP} (default: the one the run's data was patched with)`,
    )
    .option('--stream', 'print bytes as they are generated')
    .addOption(backendOption())
    .option(
      '--json',
      'print {prompt, text, bytes, stop, seconds, bytesPerSecond, step, patching, entropyModel, backend}',
    )
    .action(async (o: Opts) => generateAction(o));
}
