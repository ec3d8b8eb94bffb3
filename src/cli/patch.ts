import { documentThreshold } from '../entropy/script-threshold.js';
import { intArg, numberArg } from '../options/numeric.js';
import { useColour } from './colour.js';
import { Option, type Command } from 'commander';
import { encodeBytes } from '../bytes/tokenizer.js';
import { patchLengths } from '../patching/patch-lengths.js';
import { PATCH_MODES, toPatchOptions, type PatchMode, type PatchOptions } from '../patching/patch-options.js';
import { checkPatchingFlags, thresholdDefaultHelp } from './patching-flags.js';
import { MODEL_PATH_HELP } from './model-option.js';
import { PatchStatsAccumulator } from '../patching/patch-stats.js';
import type { EntropyEngineRequest } from '../entropy/engine.js';
import { readInputDocs } from './read-input.js';
import { renderSegmentation } from '../report/render-patches.js';
import { formatPatchStats } from './format-stats.js';
import { backendFrom, backendOption } from './backend-option.js';

interface PatchCliOptions {
  file?: string;
  lines?: boolean;
  mode: PatchMode;
  threshold?: number;
  thresholdAdd?: number;
  monotonicity?: boolean;
  maxPatchLength?: number;
  patchSize?: number;
  includeNextToken?: boolean;
  model?: string;
  engine: EntropyEngineRequest;
  backend?: string;
  stats?: boolean;
  json?: boolean;
  color: boolean;
}

export function register(program: Command): void {
  program
    .command('patch')
    .description('split text into BLT patches and show the segmentation (and statistics)')
    .argument('[text...]', 'text to patch; "-" or nothing reads stdin')
    .option('-f, --file <path>', 'read the bytes of a file (invalid UTF-8 is kept as it is)')
    .option('--lines', 'one document per line')
    .addOption(
      new Option('-m, --mode <mode>', 'patching mode').choices(PATCH_MODES as unknown as string[]).default('entropy'),
    )
    .option('--threshold <nats>', `entropy threshold θ (${thresholdDefaultHelp()})`, numberArg('--threshold'))
    .option('--threshold-add <nats>', 'also require H[t-1] - H[t-2] > this', numberArg('--threshold-add'))
    .option('--monotonicity', 'relative rule: start where H[t-1] - H[t-2] > threshold')
    .option('--max-patch-length <n>', 'split longer patches', intArg('--max-patch-length', 1))
    .option('--patch-size <n>', 'static mode patch length', intArg('--patch-size', 1))
    .option('--include-next-token', 'lengths also cover the next token (sum = L + 1)')
    .option('--model <path>', `entropy model: ${MODEL_PATH_HELP} (default: the shipped model)`)
    .addOption(
      new Option('--engine <name>', 'entropy inference engine').choices(['auto', 'onnx', 'tfjs']).default('auto'),
    )
    .addOption(backendOption())
    .option('--stats', 'print patch statistics instead of the segmentation')
    .option('--json', 'print one JSON object (documents with their patch lengths, and statistics)')
    .option('--no-color', 'separate patches with | instead of colours')
    .action(async (text: string[], opts: PatchCliOptions) => runPatch(text, opts));
}

/** Entropies of each document with the chosen model (engines are loaded only when needed). */
export async function scoreDocs(
  tokens: Int32Array[],
  opts: { model?: string; engine: EntropyEngineRequest; backend?: string },
): Promise<Float32Array[]> {
  const { openEntropyScorer } = await import('../entropy/open-scorer.js');
  const scorer = await openEntropyScorer(opts.model, { engine: opts.engine, backend: backendFrom(opts.backend) });
  try {
    return await scorer.score(tokens);
  } finally {
    await scorer.close();
  }
}

async function runPatch(text: string[], opts: PatchCliOptions): Promise<void> {
  checkPatchingFlags(opts);
  if (opts.model !== undefined) {
    const { canonicalModelSpec } = await import('../entropy/model-format/resolve-model.js');
    opts.model = canonicalModelSpec(opts.model, '--model');
  }
  const spec = { text, lines: opts.lines === true, ...(opts.file === undefined ? {} : { file: opts.file }) };
  const docs = (await readInputDocs(spec)).map((d) => ({ id: d.id, tokens: encodeBytes(d.bytes) }));
  const base: PatchOptions = toPatchOptions(opts);

  let entropies: Float32Array[] | undefined;
  let table: Record<string, number> | undefined;
  if (opts.mode === 'entropy') {
    if (!base.monotonicity && base.threshold === undefined) {
      const { resolveThreshold } = await import('../entropy/model-threshold.js');
      const { defaultEntropyModelDir } = await import('../entropy/default-model.js');
      const t = await resolveThreshold(undefined, opts.model ?? defaultEntropyModelDir());
      base.threshold = t.threshold;
      table = t.scriptThresholds; // the model's per-script table: one θ per document by its main script, as blt preprocess does
    }
    entropies = await scoreDocs(
      docs.map((d) => d.tokens),
      opts,
    );
  }

  const stats = new PatchStatsAccumulator();
  const results = docs.map((d, i) => {
    const threshold =
      table && base.threshold !== undefined ? documentThreshold(d.tokens, base.threshold, table) : base.threshold;
    const lengths = patchLengths(
      d.tokens,
      entropies
        ? { ...base, entropies: entropies[i] as Float32Array, ...(threshold === undefined ? {} : { threshold }) }
        : base,
    );
    stats.add(lengths);
    return { id: d.id, tokens: d.tokens, lengths };
  });

  if (opts.json) {
    const documents = results.map((r, i) => ({
      id: r.id,
      tokens: r.tokens.length,
      patchLengths: Array.from(r.lengths),
      ...(entropies ? { entropies: Array.from(entropies[i] as Float32Array, (x) => Math.round(x * 1e4) / 1e4) } : {}),
    }));
    process.stdout.write(
      `${JSON.stringify({ mode: opts.mode, options: { ...base, entropies: undefined, ...(table ? { scriptThresholds: table } : {}) }, documents, stats: stats.result() })}\n`,
    );
    return;
  }
  if (opts.stats) {
    process.stdout.write(`${formatPatchStats(stats.result())}\n`);
    return;
  }
  const colour = useColour(opts.color);
  for (const r of results) {
    if (results.length > 1) process.stdout.write(`${r.id}\t`);
    process.stdout.write(`${renderSegmentation(r.tokens, r.lengths, colour)}\n`);
  }
  process.stdout.write(
    `${docs.length} document(s), ${stats.result().patches} patches, mean patch length ${stats.result().mean.toFixed(2)}\n`,
  );
}
