import { useColour } from './colour.js';
import type { Command } from 'commander';
import { intArg } from '../options/numeric.js';
import { cliOption, defOf } from '../options/option-def.js';
import { PATCHING_OPTIONS } from '../options/patching.js';
import { engineOption, modelOption } from '../options/preprocess.js';
import { writeFile } from 'node:fs/promises';
import { BltError } from '../core/errors.js';
import { encodeBytes } from '../bytes/tokenizer.js';
import { patchLengths } from '../patching/patch-lengths.js';
import { DEFAULT_THRESHOLD } from '../patching/patch-options.js';
import type { EntropyEngineRequest } from '../entropy/engine.js';
import type { FigureInput } from '../report/figure-layout.js';
import { readInputDocs } from './read-input.js';
import { renderPatch, renderSegmentation } from '../report/render-patches.js';
import { backendOption } from './backend-option.js';
import { scoreDocs } from './patch.js';

interface InspectOptions {
  file?: string;
  shardDir?: string;
  docId?: string;
  source?: string;
  threshold?: number;
  monotonicity?: boolean;
  model?: string;
  engine: EntropyEngineRequest;
  backend?: string;
  json?: boolean;
  svg?: string;
  html?: string;
  chart?: boolean;
  bytesPerRow?: number;
  maxBytes: number;
  color: boolean;
  width: number;
}

/** Everything inspect shows: tokens [L], entropies [L], patch lengths, the rule. */
interface InspectData {
  from: string;
  bytes: Uint8Array;
  tokens: Int32Array;
  entropies: Float32Array;
  lengths: Int32Array;
  threshold: number;
  monotonicity: boolean;
}

/** `blt inspect`: per-byte entropies and the entropy patch segmentation of one text (the paper's figure). */
export function register(program: Command): void {
  program
    .command('inspect')
    .description(
      'per-byte entropies and entropy-mode patches of a text or a shard document: a table, a terminal ' +
        "chart, or the paper's figure as SVG/HTML",
    )
    .argument('[text...]', 'text to inspect; "-" or nothing reads stdin')
    .option('-f, --file <path>', 'read the bytes of a file')
    .option(
      '--shard-dir <dir>',
      'inspect a document of a shard set, with its stored entropies (no model run); needs --doc-id',
    )
    .option('--doc-id <id>', 'the document of --shard-dir')
    .option('--source <name>', "with --doc-id: the document's source, when ids repeat across sources")
    .addOption(
      cliOption(
        defOf(PATCHING_OPTIONS, 'threshold'),
        `global entropy threshold θ (default: the model's calibrated threshold, else ${DEFAULT_THRESHOLD}; ` +
          'for a shard document, the stored patches unless given)',
      ),
    )
    .addOption(cliOption(defOf(PATCHING_OPTIONS, 'monotonicity')))
    .addOption(modelOption())
    .addOption(engineOption())
    .addOption(backendOption())
    .option('--svg <file>', 'write the entropy figure (entropy line, threshold, patch starts, characters) as SVG')
    .option('--html <file>', 'write a self-contained HTML page with the figure and the patches')
    .option('--chart', 'print the figure as a terminal chart instead of the table')
    .option(
      '--bytes-per-row <n>',
      'figure: bytes per row before wrapping (SVG 80, chart 72)',
      intArg('--bytes-per-row', 1),
    )
    .option('--max-bytes <n>', 'figure: draw at most the first n bytes', intArg('--max-bytes', 1), 4096)
    .option('--width <n>', 'width of the entropy bars in the table', intArg('--width', 1), 40)
    .option('--json', 'print tokens, entropies, patch starts and lengths as JSON')
    .option('--no-color', 'no colours')
    .action(async (text: string[], opts: InspectOptions) => runInspect(text, opts));
}

function lengthsFor(tokens: Int32Array, entropies: Float32Array, threshold: number, monotonicity: boolean): Int32Array {
  return patchLengths(tokens, { mode: 'entropy', entropies, threshold, monotonicity });
}

async function loadData(text: string[], opts: InspectOptions): Promise<InspectData> {
  const monotonicity = opts.monotonicity === true;
  if (opts.shardDir !== undefined || opts.docId !== undefined) {
    if (opts.shardDir === undefined || opts.docId === undefined) {
      throw new BltError(
        'BAD_OPTION',
        `Expected --shard-dir and --doc-id together, got ` +
          `only ${opts.shardDir === undefined ? '--doc-id' : '--shard-dir'}.`,
        'e.g. blt inspect --shard-dir out --doc-id doc-17',
      );
    }
    if (text.length > 0 || opts.file !== undefined)
      throw new BltError(
        'BAD_OPTION',
        'Expected either a shard document (--shard-dir/--doc-id) or a text/--file, got both.',
      );
    if (opts.model !== undefined)
      throw new BltError(
        'BAD_OPTION',
        `Expected no --model with --shard-dir (the stored entropies are used), got --model ${opts.model}.`,
      );
    const { findShardDoc } = await import('../stats/find-shard-doc.js');
    const doc = await findShardDoc(opts.shardDir, opts.docId, opts.source);
    const tokens = encodeBytes(doc.bytes);
    const from = `shard set ${opts.shardDir}, document ${doc.docId} (${doc.source}), stored entropies`;
    const stored = doc.patching;
    if (
      opts.threshold === undefined &&
      !monotonicity &&
      doc.patchLengths &&
      (stored.mode === undefined || stored.mode === 'entropy')
    ) {
      return {
        from: `${from} and patches`,
        bytes: doc.bytes,
        tokens,
        entropies: doc.entropies,
        lengths: doc.patchLengths,
        threshold: stored.threshold ?? DEFAULT_THRESHOLD,
        monotonicity: stored.monotonicity === true,
      };
    }
    const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    return {
      from,
      bytes: doc.bytes,
      tokens,
      entropies: doc.entropies,
      lengths: lengthsFor(tokens, doc.entropies, threshold, monotonicity),
      threshold,
      monotonicity,
    };
  }
  const [doc] = await readInputDocs({ text, ...(opts.file === undefined ? {} : { file: opts.file }) });
  const bytes = doc?.bytes ?? new Uint8Array();
  const tokens = encodeBytes(bytes);
  if (opts.model !== undefined) {
    const { canonicalModelSpec } = await import('../entropy/model-format/resolve-model.js');
    opts.model = canonicalModelSpec(opts.model, '--model');
  }
  const [entropies] = await scoreDocs([tokens], opts);
  const { resolveThreshold } = await import('../entropy/model-threshold.js');
  const { defaultEntropyModelDir } = await import('../entropy/default-model.js');
  const { documentThreshold } = await import('../entropy/script-threshold.js');
  const choice = monotonicity
    ? undefined
    : await resolveThreshold(opts.threshold, opts.model ?? defaultEntropyModelDir());
  // the model's per-script table applies as in `blt preprocess` (one threshold per document, by its main script)
  const threshold =
    choice === undefined
      ? (opts.threshold ?? DEFAULT_THRESHOLD)
      : documentThreshold(tokens, choice.threshold, choice.scriptThresholds);
  const H = entropies as Float32Array;
  return {
    from: `model ${opts.model ?? '(default)'}`,
    bytes,
    tokens,
    entropies: H,
    lengths: lengthsFor(tokens, H, threshold, monotonicity),
    threshold,
    monotonicity,
  };
}

/** The figure's input, cut to the first `maxBytes` bytes (patch lengths cut to match). */
function figureInput(d: InspectData, maxBytes: number): { input: FigureInput; note?: string } {
  const n = d.bytes.length;
  // cut before a UTF-8 continuation byte, so that the last character is whole
  while (maxBytes > 1 && maxBytes < n && ((d.bytes[maxBytes] as number) & 0xc0) === 0x80) maxBytes--;
  if (n <= maxBytes)
    return {
      input: {
        bytes: d.bytes,
        entropies: d.entropies,
        patchLengths: d.lengths,
        threshold: d.threshold,
        monotonicity: d.monotonicity,
      },
    };
  const keepTokens = maxBytes + 1; // BOS + the first maxBytes bytes
  const lengths: number[] = [];
  let pos = 0;
  for (const l of d.lengths) {
    if (pos >= keepTokens) break;
    lengths.push(Math.min(l, keepTokens - pos));
    pos += l;
  }
  return {
    input: {
      bytes: d.bytes.subarray(0, maxBytes),
      entropies: d.entropies.subarray(0, maxBytes + 2),
      patchLengths: lengths,
      threshold: d.threshold,
      monotonicity: d.monotonicity,
    },
    note: `the first ${maxBytes} of ${n} bytes (--max-bytes)`,
  };
}

async function runInspect(text: string[], opts: InspectOptions): Promise<void> {
  if (!(opts.maxBytes >= 1)) throw new BltError('BAD_OPTION', `Expected --max-bytes ≥ 1, got ${opts.maxBytes}.`);
  const d = await loadData(text, opts);
  const { tokens, entropies: H, lengths } = d;
  const starts: number[] = [];
  let pos = 0;
  for (const l of lengths) {
    starts.push(pos);
    pos += l;
  }
  const colour = useColour(opts.color);
  const fig = figureInput(d, Math.floor(opts.maxBytes));
  const figOpts = {
    ...(opts.bytesPerRow === undefined ? {} : { bytesPerRow: opts.bytesPerRow }),
    ...(fig.note === undefined ? {} : { note: fig.note }),
  };
  if (opts.svg !== undefined) {
    const { entropyFigureSvg } = await import('../report/entropy-figure.js');
    await writeFile(opts.svg, `<?xml version="1.0" encoding="UTF-8"?>\n${entropyFigureSvg(fig.input, figOpts)}\n`);
  }
  if (opts.html !== undefined) {
    const { inspectHtml } = await import('../report/inspect-html.js');
    await writeFile(
      opts.html,
      inspectHtml(fig.input, { from: d.from, tokens: tokens.subarray(0, fig.input.bytes.length + 2) }, figOpts),
    );
  }
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        from: d.from,
        threshold: d.threshold,
        monotonicity: d.monotonicity,
        tokens: Array.from(tokens),
        entropies: Array.from(H),
        starts,
        patchLengths: Array.from(lengths),
      }) + '\n',
    );
    return;
  }
  const summary =
    `${tokens.length} tokens, ${lengths.length} patches, mean patch ` +
    `length ${(tokens.length / Math.max(1, lengths.length)).toFixed(2)}`;
  if (opts.chart) {
    const { terminalFigure } = await import('../report/terminal-figure.js');
    process.stdout.write(
      terminalFigure(fig.input, {
        colour,
        ...(opts.bytesPerRow === undefined ? {} : { bytesPerRow: opts.bytesPerRow }),
      }) + `\n${fig.note ? `(${fig.note})\n` : ''}${summary}\n`,
    );
    return;
  }
  if (opts.svg !== undefined || opts.html !== undefined) {
    process.stdout.write(
      `${[opts.svg, opts.html]
        .filter((f) => f !== undefined)
        .map((f) => `wrote ${f}`)
        .join('\n')}\n${summary}\n`,
    );
    return;
  }
  const startSet = new Set(starts);
  const maxH = Math.log(260);
  const tick = Math.round((d.threshold / maxH) * opts.width);
  process.stdout.write(
    `  pos  byte     H(next)  ${'entropy'.padEnd(opts.width)}  (| = ` +
      `θ ${d.threshold}${d.monotonicity ? ', relative rule' : ''})\n`,
  );
  for (let i = 0; i < tokens.length; i++) {
    const h = H[i] as number;
    const n = Math.max(0, Math.min(opts.width, Math.round((h / maxH) * opts.width)));
    const bar = [...'█'.repeat(n).padEnd(opts.width)].map((c, k) => (k === tick && c === ' ' ? '|' : c)).join('');
    const mark = startSet.has(i) ? '▶' : ' ';
    const shown = renderPatch([tokens[i] as number]).padEnd(6);
    const hot = colour && startSet.has(i) ? '\x1b[1;33m' : '';
    process.stdout.write(
      `${hot}${String(i).padStart(5)} ${mark}${shown} ${h.toFixed(3).padStart(7)}  ${bar}${hot ? '\x1b[0m' : ''}\n`,
    );
  }
  process.stdout.write(`\n${renderSegmentation(tokens, lengths, colour)}\n${summary}\n`);
}
