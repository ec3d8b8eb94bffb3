import type { Command } from 'commander';
import { intArg } from '../options/numeric.js';
import { cliOption, defOf } from '../options/option-def.js';
import { DEFAULT_HASH_VOCAB } from '../options/hashing.js';
import { PATCHING_OPTIONS } from '../options/patching.js';
import { writeFile } from 'node:fs/promises';
import { BltError } from '../core/errors.js';
import { computeShardStats, type ShardStatsOptions } from '../stats/shard-stats.js';
import { formatStatsReport } from '../stats/format-report.js';

interface StatsCliOptions {
  json?: boolean;
  html?: string;
  maxDocs?: number;
  threshold?: number;
  monotonicity?: boolean;
  ngrams: boolean;
  ngramVocab?: number;
  collisionBudget?: number;
  limit: number;
}

/** `blt stats <shard-dir>`: streaming patch, entropy, language and n-gram statistics of a shard set. */
export function register(program: Command): void {
  program
    .command('stats')
    .description(
      'patch-length, entropy, per-language/source and n-gram table statistics of a shard set (streams; ' +
        'constant memory)',
    )
    .argument('<shard-dir>', 'a complete shard set (a directory with index.json)')
    .option('--json', 'print one JSON object (keys in docs/stats.md)')
    .option('--html <file>', 'write a self-contained HTML report with SVG charts')
    .option('--max-docs <n>', 'stop after n documents (a partial report says so)', intArg('--max-docs', 1))
    .addOption(
      cliOption(
        defOf(PATCHING_OPTIONS, 'threshold'),
        're-derive patches from the stored entropies with this threshold instead of the stored patch lengths',
      ),
    )
    .addOption(
      cliOption(
        defOf(PATCHING_OPTIONS, 'monotonicity'),
        'with --threshold: the relative rule H[t-1] - H[t-2] > threshold',
      ),
    )
    .option('--no-ngrams', 'skip the n-gram table occupancy and collision estimate')
    .option(
      '--ngram-vocab <n>',
      `hashed n-gram vocabulary per table (default: from index.json, else ${DEFAULT_HASH_VOCAB})`,
      intArg('--ngram-vocab', 1),
    )
    .option(
      '--collision-budget <n>',
      'distinct n-grams kept per table for the collision estimate (default 131072; more = tighter estimate, ' +
        'more memory)',
      intArg('--collision-budget', 1),
    )
    .option('--limit <n>', 'rows per language/source table on the terminal', intArg('--limit', 0), 20)
    .action(async (dir: string, opts: StatsCliOptions) => runStats(dir, opts));
}

async function runStats(dir: string, opts: StatsCliOptions): Promise<void> {
  if (opts.monotonicity && opts.threshold === undefined) {
    throw new BltError(
      'BAD_OPTION',
      'Expected --threshold with --monotonicity, got --monotonicity alone.',
      'pass the relative threshold, e.g. --monotonicity --threshold 0.5',
    );
  }
  const o: ShardStatsOptions = { ngrams: opts.ngrams };
  if (opts.collisionBudget !== undefined) o.collisionBudget = opts.collisionBudget;
  if (opts.maxDocs !== undefined) o.maxDocs = opts.maxDocs;
  if (opts.threshold !== undefined) o.threshold = opts.threshold;
  if (opts.monotonicity) o.monotonicity = true;
  if (opts.ngramVocab !== undefined) o.ngramVocab = opts.ngramVocab;
  if (process.stderr.isTTY && !opts.json)
    o.onProgress = (n) => process.stderr.write(`\r${n.toLocaleString('en-US')} documents…`);
  const report = await computeShardStats(dir, o);
  if (o.onProgress) process.stderr.write('\r\x1b[K');
  if (opts.html !== undefined) {
    const { statsHtml } = await import('../report/stats-html.js');
    await writeFile(opts.html, statsHtml(report));
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(`${formatStatsReport(report, { limit: opts.limit })}\n`);
  if (opts.html !== undefined) process.stdout.write(`\nwrote ${opts.html}\n`);
}
