import { Option, type Command } from 'commander';
import { BltError } from '../core/errors.js';
import { parseSize } from '../options/numeric.js';

interface Cli {
  format: string;
  out: string;
  dataset?: string;
  entropyModelName: string;
  chunks: string;
  shardSize: number;
  force?: boolean;
  skipInvalidUtf8?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `blt export <dir> --format blt-arrow --out <dir>`: a shard set in the reference trainer's layout. */
export function register(program: Command): void {
  program
    .command('export')
    .description("write a shard set in another tool's layout (blt-arrow: the reference trainer's Arrow files)")
    .argument('<dir>', 'a complete shard set (made with entropies: entropy mode or --store-entropies)')
    .addOption(new Option('--format <fmt>', 'output layout').choices(['blt-arrow']).makeOptionMandatory())
    .requiredOption('-o, --out <dir>', 'new output directory')
    .option(
      '--dataset <name>',
      "the dataset name (the trainer's data.sources key; default: the shard set's directory name)",
    )
    .option(
      '--entropy-model-name <name>',
      "folder under <preprocess_dir>/<dataset>/ (the trainer's data.entropy_model_name)",
      'transformer_100m',
    )
    .option(
      '--chunks <n>',
      'chunk files (the trainer needs its world size to be a multiple; extra chunks are ignored by it)',
      '1',
    )
    .addOption(
      new Option('--shard-size <size>', 'start a new Arrow shard after this many bytes of documents (as `split -C`)')
        .argParser((v) => parseSize('--shard-size', v))
        .default(2500 * 2 ** 20, '2500MiB'),
    )
    .option(
      '--skip-invalid-utf8',
      'leave out documents that are not valid UTF-8 (listed in export.json) instead of failing',
    )
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Layout (docs/reference.md §2.4):
  <out>/data/<dataset>/<dataset>.chunk.00.jsonl                 the chunk file the trainer globs
  <out>/preprocess/<dataset>/<name>/<dataset>.chunk.00.jsonl.shard_00.arrow (+ .complete)
  <out>/export.json                                             what was exported, the trainer's data config
Example:
  blt export shards/demo --format blt-arrow --out exports/demo --dataset demo`,
    )
    .action(async (dir: string, o: Cli) => {
      const chunks = Number(o.chunks);
      if (!Number.isInteger(chunks) || chunks < 1)
        throw new BltError(
          'BAD_OPTION',
          `Expected --chunks to be a positive integer, got ${JSON.stringify(o.chunks)}.`,
        );
      const { exportBltArrow } = await import('../shards/export-blt-arrow.js');
      const { createProgress } = await import('./progress.js');
      let bar: ReturnType<typeof createProgress> | undefined;
      let last = 0;
      const summary = await exportBltArrow(dir, {
        out: o.out,
        entropyModelName: o.entropyModelName,
        chunks,
        shardSizeBytes: o.shardSize,
        force: o.force === true,
        skipInvalidUtf8: o.skipInvalidUtf8 === true,
        ...(o.dataset === undefined ? {} : { dataset: o.dataset }),
        onProgress: (p) => {
          bar ??= createProgress({ total: p.total, label: 'export', mode: o.quiet ? 'quiet' : 'auto' });
          bar.tick(p.documents);
          const now = performance.now();
          if (now - last > 1000 || p.documents === p.total) {
            last = now;
            bar.report(p.documents);
          }
        },
      });
      bar?.stop();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const shards = summary.chunks.reduce((a, c) => a + c.shards.length, 0);
      const t = summary.trainerConfig;
      process.stdout.write(
        [
          `exported ${summary.documents} documents (${summary.tokens} tokens) of ${dir} ` +
            `to ${o.out}: ${summary.chunks.length} chunk(s), ${shards} Arrow shard(s)`,
          ...(summary.skipped.length > 0
            ? [
                `  skipped ${summary.skipped.length} document(s) that are not valid UTF-8 (listed ` +
                  `in ${o.out}/export.json)`,
              ]
            : []),
          'reference trainer config (data:):',
          `  root_dir: ${t.root_dir}`,
          `  sources: {${summary.dataset}: 1.0}`,
          `  preprocess_dir: ${t.preprocess_dir}`,
          `  entropy_model_name: ${t.entropy_model_name}`,
          `  patcher_args: ${JSON.stringify(t.patcher_args)}`,
        ].join('\n') + '\n',
      );
    });
}
