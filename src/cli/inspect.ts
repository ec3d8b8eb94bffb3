import { Option, type Command } from 'commander';
import { encodeBytes } from '../entropy/tokenizer.js';
import { patchLengths } from '../entropy/patching/patch-lengths.js';
import { DEFAULT_THRESHOLD } from '../entropy/patching/patch-options.js';
import type { EntropyEngineRequest } from '../entropy/engine.js';
import { readInputDocs } from './read-input.js';
import { renderPatch, renderSegmentation } from './render-patches.js';
import { backendOption } from './backend-option.js';
import { scoreDocs } from './patch.js';

interface InspectOptions {
  file?: string;
  threshold: number;
  monotonicity?: boolean;
  model?: string;
  engine: EntropyEngineRequest;
  backend?: string;
  json?: boolean;
  color: boolean;
  width: number;
}

/** `blt inspect`: per-byte entropies and the entropy patch segmentation of one text. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('show per-byte entropies and the entropy-mode patches of a text (the paper\'s figure, as a table)')
    .argument('[text...]', 'text to inspect; "-" or nothing reads stdin')
    .option('-f, --file <path>', 'read the bytes of a file')
    .option('--threshold <nats>', 'global entropy threshold θ', Number, DEFAULT_THRESHOLD)
    .option('--monotonicity', 'relative rule: start where H[t-1] - H[t-2] > threshold')
    .option('--model <dir>', 'entropy model: a directory or ngram:<file> (default: the shipped model)')
    .addOption(new Option('--engine <name>', 'entropy inference engine').choices(['auto', 'onnx', 'tfjs']).default('auto'))
    .addOption(backendOption())
    .option('--width <n>', 'width of the entropy bars', Number, 40)
    .option('--json', 'print tokens, entropies, patch starts and lengths as JSON')
    .option('--no-color', 'no colours')
    .action(async (text: string[], opts: InspectOptions) => runInspect(text, opts));
}

async function runInspect(text: string[], opts: InspectOptions): Promise<void> {
  const [doc] = await readInputDocs({ text, ...(opts.file === undefined ? {} : { file: opts.file }) });
  const tokens = encodeBytes(doc?.bytes ?? new Uint8Array());
  const [entropies] = await scoreDocs([tokens], opts);
  const H = entropies as Float32Array;
  const lengths = patchLengths(tokens, { mode: 'entropy', entropies: H, threshold: opts.threshold, monotonicity: opts.monotonicity === true });
  const starts = new Set<number>();
  let pos = 0;
  for (const l of lengths) {
    starts.add(pos);
    pos += l;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ threshold: opts.threshold, tokens: Array.from(tokens), entropies: Array.from(H), starts: [...starts], patchLengths: Array.from(lengths) })}\n`);
    return;
  }
  const colour = opts.color && process.stdout.isTTY === true;
  const maxH = Math.log(260);
  const tick = Math.round((opts.threshold / maxH) * opts.width);
  process.stdout.write(`  pos  byte     H(next)  ${'entropy'.padEnd(opts.width)}  (| = θ ${opts.threshold})\n`);
  for (let i = 0; i < tokens.length; i++) {
    const h = H[i] as number;
    const n = Math.max(0, Math.min(opts.width, Math.round((h / maxH) * opts.width)));
    const bar = [...'█'.repeat(n).padEnd(opts.width)].map((c, k) => (k === tick && c === ' ' ? '|' : c)).join('');
    const mark = starts.has(i) ? '▶' : ' ';
    const shown = renderPatch([tokens[i] as number]).padEnd(6);
    const hot = colour && starts.has(i) ? '\x1b[1;33m' : '';
    process.stdout.write(`${hot}${String(i).padStart(5)} ${mark}${shown} ${h.toFixed(3).padStart(7)}  ${bar}${hot ? '\x1b[0m' : ''}\n`);
  }
  process.stdout.write(`\n${renderSegmentation(tokens, lengths, colour)}\n`);
  process.stdout.write(`${tokens.length} tokens, ${lengths.length} patches, mean patch length ${(tokens.length / lengths.length).toFixed(2)}\n`);
}
