import { documentThreshold } from '../entropy/script-threshold.js';
import { addOptions } from '../options/option-def.js';
import { PATCHING_OPTIONS, type PatchingValues } from '../options/patching.js';
import { engineOption, modelOption } from '../options/preprocess.js';
import { useColour } from './colour.js';
import type { Command } from 'commander';
import { encodeBytes } from '../bytes/tokenizer.js';
import { patchLengths } from '../patching/patch-lengths.js';
import { toPatchOptions, type PatchMode, type PatchOptions } from '../patching/patch-options.js';
import { checkPatchingFlags, thresholdDefaultHelp } from './patching-flags.js';
import { PatchStatsAccumulator } from '../patching/patch-stats.js';
import type { EntropyEngineRequest } from '../entropy/engine.js';
import { readInputDocs } from './read-input.js';
import { renderSegmentation } from '../report/render-patches.js';
import { formatPatchStats } from './format-stats.js';
import { backendFrom, backendOption } from './backend-option.js';

type PatchCliOptions = PatchingValues & {
  mode: PatchMode;
  file?: string;
  lines?: boolean;
  model?: string;
  engine: EntropyEngineRequest;
  backend?: string;
  stats?: boolean;
  json?: boolean;
  color: boolean;
};

export function register(program: Command): void {
  const cmd = program
    .command('patch')
    .description('split text into BLT patches and show the segmentation (and statistics)')
    .argument('[text...]', 'text to patch; "-" or nothing reads stdin')
    .option('-f, --file <path>', 'read the bytes of a file (invalid UTF-8 is kept as it is)')
    .option('--lines', 'one document per line');
  addOptions(cmd, PATCHING_OPTIONS, { threshold: `entropy threshold θ (${thresholdDefaultHelp()})` })
    .addOption(modelOption())
    .addOption(engineOption())
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
      // the model's per-script table: one θ per document by its main script, as blt preprocess does
      table = t.scriptThresholds;
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
      JSON.stringify({
        mode: opts.mode,
        options: { ...base, entropies: undefined, ...(table ? { scriptThresholds: table } : {}) },
        documents,
        stats: stats.result(),
      }) + '\n',
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
    `${docs.length} document(s), ${stats.result().patches} patches, mean patch ` +
      `length ${stats.result().mean.toFixed(2)}\n`,
  );
}
