import { Option, type Command } from 'commander';
import { PATCH_MODES } from '../patching/patch-options.js';
import { checkPatchingFlags, thresholdDefaultHelp } from './patching-flags.js';
import { checkOutDir } from './out-dir.js';
import { MODEL_PATH_HELP } from './model-option.js';
import { intArg, numberArg, parseIntList, parseSize } from '../options/numeric.js';
import type { PreprocessOptions } from '../preprocess/config.js';
import type { PreprocessHooks, PreprocessSummary } from '../preprocess/run-preprocess.js';

interface Cli {
  out: string;
  mode: string;
  threshold?: number;
  thresholdAdd?: number;
  monotonicity?: boolean;
  maxPatchLength?: number;
  patchSize?: number;
  entropyModel?: string;
  engine: 'auto' | 'onnx' | 'tfjs';
  storeEntropies?: boolean;
  ngramSizes: number[];
  hashFunctions: number;
  hashVocab: number;
  ngramIds: boolean;
  format: 'parquet' | 'arrow';
  shardSize: number;
  rowGroupRows: number;
  workers?: number;
  docsPerTask: number;
  textField?: string;
  idField?: string;
  lines?: boolean;
  maxDocBytes: number;
  invalidUtf8: 'quarantine' | 'replace';
  maxLineBytes?: number;
  onError: 'quarantine' | 'fail';
  numPartitions: number;
  partitionIndex: number;
  cacheDir?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('preprocess')
    .description(
      'stream corpora through entropy scoring, patching and n-gram hashing into Parquet/Arrow shards with a manifest',
    )
    .argument('<inputs...>', 'files, directories, globs, or - for stdin (.jsonl[.gz|.zst], .txt, .parquet, .arrow)')
    .requiredOption(
      '-o, --out <dir>',
      'output shard directory (resumable: run the same command again after an interruption)',
    )
    .addOption(
      new Option('-m, --mode <mode>', 'patching mode').choices(PATCH_MODES as unknown as string[]).default('entropy'),
    )
    .option('--threshold <nats>', `global entropy threshold (${thresholdDefaultHelp()})`, numberArg('--threshold'))
    .option('--threshold-add <nats>', 'also require H[t-1] - H[t-2] > this', numberArg('--threshold-add'))
    .option('--monotonicity', 'relative rule: start where H[t-1] - H[t-2] > threshold')
    .option('--max-patch-length <n>', 'split longer patches', intArg('--max-patch-length', 1))
    .option('--patch-size <n>', 'static mode patch length', intArg('--patch-size', 1))
    .option('--entropy-model <path>', `entropy model: ${MODEL_PATH_HELP} (default: the shipped model)`)
    .addOption(
      new Option('--engine <name>', 'entropy inference engine').choices(['auto', 'onnx', 'tfjs']).default('auto'),
    )
    .option('--store-entropies', 'also store entropies in static/space/byte mode (for later repatching)')
    .option('--ngram-sizes <list>', 'hashed n-gram sizes', (v) => parseIntList('--ngram-sizes', v), [3, 4, 5, 6, 7, 8])
    .option('--hash-functions <n>', 'hash functions per size (1..11)', intArg('--hash-functions', 1, 11), 1)
    .option('--hash-vocab <n>', 'hash vocabulary per table', intArg('--hash-vocab', 1, 2147483648), 500002)
    .option('--no-ngram-ids', 'do not compute hashed n-gram ids')
    .addOption(new Option('--format <fmt>', 'shard file format').choices(['parquet', 'arrow']).default('parquet'))
    .option(
      '--shard-size <size>',
      'target shard size (uncompressed column data)',
      (v) => parseSize('--shard-size', v),
      128 * 2 ** 20,
    )
    .option('--row-group-rows <n>', 'rows per Parquet row group', intArg('--row-group-rows', 1), 10_000)
    .option('--workers <n>', 'worker threads (default: cores; 0 = in this thread)', intArg('--workers', 0, 256))
    .option(
      '--docs-per-task <n>',
      'documents per task (tasks are the unit of resume)',
      intArg('--docs-per-task', 1),
      64,
    )
    .option('--text-field <name>', 'JSON/columnar field holding the text (default: text, else content)')
    .option('--id-field <name>', 'field holding the document id (default: sample_id|title|qid|paper_id|path|url|id)')
    .option('--lines', 'plain text: one document per line (default: one per file)')
    .option(
      '--max-doc-bytes <size>',
      'quarantine larger documents',
      (v) => parseSize('--max-doc-bytes', v),
      64 * 2 ** 20,
    )
    .option(
      '--max-line-bytes <size>',
      'quarantine longer JSONL / text lines without reading them (default 256MiB)',
      (v) => parseSize('--max-line-bytes', v),
    )
    .addOption(
      new Option(
        '--invalid-utf8 <what>',
        'JSONL lines that are not valid UTF-8: quarantine them, or decode them with U+FFFD',
      )
        .choices(['quarantine', 'replace'])
        .default('quarantine'),
    )
    .addOption(
      new Option('--on-error <what>', 'bad records: set aside in quarantine.jsonl, or stop')
        .choices(['quarantine', 'fail'])
        .default('quarantine'),
    )
    .option(
      '--num-partitions <n>',
      'split the inputs into N disjoint partitions (job arrays)',
      intArg('--num-partitions', 1),
      1,
    )
    .option(
      '--partition-index <i>',
      'which partition this process handles (0-based)',
      intArg('--partition-index', 0),
      0,
    )
    .option(
      '--cache-dir <dir>',
      'reuse stored entropies / n-gram ids / whole sets across runs, and store this set there (default: $BLT_CACHE_DIR; docs/reuse.md)',
    )
    .option('--json', 'print the final summary as one JSON object on stdout')
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  blt preprocess data/samples/multilingual.jsonl --out shards/demo
  blt preprocess corpus/ --out shards/t14 --threshold 1.4 --cache-dir ~/.cache/blt   # a later threshold reuses the entropies
  blt preprocess 'corpus/**/*.jsonl.zst' --out shards/c --workers 2 --mode entropy --threshold 1.4
  blt preprocess corpus/ --out shards/part3 --num-partitions 8 --partition-index 3   # one job of an array
Summary JSON keys: status, out, documents, bytes, tokens, patches, meanPatchLength, quarantined, tasks,
  resumedFromTask, shards, workers, engine, wallSeconds, mbPerSecond, fingerprints,
  reused {entropies, ngrams, patches}, cache {dir, from, stored} (null without a cache).`,
    )
    .action(async (inputs: string[], opts: Cli) => runCli(inputs, opts));
}

function toOptions(inputs: string[], o: Cli): PreprocessOptions {
  const p: PreprocessOptions = {
    inputs,
    out: o.out,
    mode: o.mode as PreprocessOptions['mode'],
    monotonicity: o.monotonicity === true,
    engine: o.engine,
    storeEntropies: o.storeEntropies === true,
    ngramSizes: o.ngramSizes,
    hashFunctions: o.hashFunctions,
    hashVocab: o.hashVocab,
    ngramIds: o.ngramIds,
    format: o.format,
    shardSizeBytes: o.shardSize,
    rowGroupRows: o.rowGroupRows,
    docsPerTask: o.docsPerTask,
    lines: o.lines === true,
    maxDocBytes: o.maxDocBytes,
    invalidUtf8: o.invalidUtf8 === 'replace' ? 'replace' : 'bad-record',
    onError: o.onError,
    numPartitions: o.numPartitions,
    partitionIndex: o.partitionIndex,
  };
  if (o.threshold !== undefined) p.threshold = o.threshold;
  if (o.thresholdAdd !== undefined) p.thresholdAdd = o.thresholdAdd;
  if (o.maxPatchLength !== undefined) p.maxPatchLength = o.maxPatchLength;
  if (o.patchSize !== undefined) p.patchSize = o.patchSize;
  if (o.entropyModel !== undefined) p.entropyModel = o.entropyModel;
  if (o.workers !== undefined) p.workers = o.workers;
  if (o.maxLineBytes !== undefined) p.maxLineBytes = o.maxLineBytes;
  if (o.textField !== undefined) p.textField = o.textField;
  if (o.idField !== undefined) p.idField = o.idField;
  const cacheDir = o.cacheDir ?? process.env.BLT_CACHE_DIR;
  if (cacheDir !== undefined && cacheDir !== '') p.cacheDir = cacheDir;
  return p;
}

export function formatSummary(s: PreprocessSummary): string {
  const mb = (s.bytes / 1e6).toFixed(2);
  return [
    `${s.status === 'done' ? 'done' : s.status === 'already-complete' ? 'already complete (nothing to do)' : 'interrupted (run the same command to resume)'}: ${s.out}`,
    `  documents     ${s.documents}  (quarantined ${s.quarantined})`,
    `  bytes         ${s.bytes} (${mb} MB), tokens ${s.tokens}`,
    `  patches       ${s.patches}, mean patch length ${s.meanPatchLength.toFixed(3)} tokens`,
    `  shards        ${s.shards}, tasks ${s.tasks}${s.resumedFromTask ? ` (resumed at task ${s.resumedFromTask})` : ''}`,
    `  wall time     ${s.wallSeconds.toFixed(1)} s, ${s.mbPerSecond.toFixed(3)} MB/s with ${s.workers} worker(s)${s.engine ? `, entropies by ${s.engine}` : ''}`,
    ...(s.cache
      ? [
          `  reused        ${reusedList(s) || 'nothing'}${s.cache.from ? ` from ${s.cache.from}` : ''}${s.cache.stored ? `; cached as ${s.cache.stored}` : ''}`,
        ]
      : []),
  ].join('\n');
}

function reusedList(s: PreprocessSummary): string {
  return (['entropies', 'patches', 'ngrams'] as const)
    .filter((k) => s.reused?.[k] === true)
    .map((k) => (k === 'patches' ? 'patch lengths' : k === 'ngrams' ? 'n-gram ids' : k))
    .join(', ');
}

async function runCli(inputs: string[], o: Cli): Promise<void> {
  const { resolvePreprocessConfig } = await import('../preprocess/config.js');
  const { runPreprocess } = await import('../preprocess/run-preprocess.js');
  checkPatchingFlags(o);
  checkOutDir('--out', o.out);
  if (o.entropyModel !== undefined) {
    const { canonicalModelSpec } = await import('../entropy/model-format/resolve-model.js');
    o.entropyModel = canonicalModelSpec(o.entropyModel, '--entropy-model');
  }
  const config = resolvePreprocessConfig(toOptions(inputs, o));
  await runPipelineCommand('preprocess', o, (hooks) => runPreprocess(config, hooks), formatSummary);
}

/**
 * Runs a shard-set command (preprocess, repatch) with progress on stderr, SIGINT/SIGTERM
 * stopping after the tasks in flight (exit 130; a second signal exits at once), and the summary
 * on stdout (one JSON object with --json).
 */
export async function runPipelineCommand<S extends PreprocessSummary>(
  label: string,
  o: { json?: boolean; quiet?: boolean },
  run: (hooks: PreprocessHooks) => Promise<S>,
  format: (s: S) => string,
): Promise<void> {
  const { pipelineProgressHook } = await import('./progress.js');
  let stop = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stop) process.exit(130); // second signal: leave now (completed tasks are safe)
    stop = true;
    process.stderr.write(`\n${sig}: finishing the tasks in flight, then stopping (press again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = pipelineProgressHook(label, o.quiet ? 'quiet' : 'auto');
  const bar = (): ReturnType<typeof progress.reporter> => progress.reporter();
  try {
    const summary = await run({
      shouldStop: () => stop,
      log: (m) => {
        const b = bar();
        if (b) b.log(m);
        else if (!o.quiet) process.stderr.write(`${m}\n`);
      },
      progress: progress.onProgress,
    });
    bar()?.stop();
    const { checkRun } = await import('./run-checks.js');
    const checks = await checkRun(summary, label === 'preprocess');
    if (o.json) {
      const { error, ...rest } = checks;
      const errorJson = error
        ? { error: { code: error.code, message: error.message.split('\n  hint: ')[0], hint: error.hint, exitCode: 2 } }
        : {};
      process.stdout.write(`${JSON.stringify({ ...summary, ...rest, ...errorJson })}\n`);
      if (error) process.exitCode = 2;
    } else {
      let text = format(summary);
      if (checks.error && summary.documents === 0) text = text.replace(/^done: /, 'finished, but wrote no documents: ');
      if (checks.quarantineFile) text += `\n  quarantine    ${checks.quarantineFile}`;
      process.stdout.write(`${text}\n`);
      for (const w of checks.warnings) process.stderr.write(`blt: warning: ${w}\n`);
      if (checks.error) throw checks.error;
    }
    if (summary.status === 'interrupted') process.exitCode = 130;
  } finally {
    bar()?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
