import type { Command } from 'commander';
import { checkPatchingFlags, thresholdDefaultHelp, type PatchingFlags } from './patching-flags.js';
import { checkOutDir } from './out-dir.js';
import { addOptions, cliValues } from '../options/option-def.js';
import { PREPROCESS_OPTIONS, type PreprocessOptions } from '../options/preprocess.js';
import type { PreprocessHooks, PreprocessSummary } from '../preprocess/run-preprocess.js';

type Cli = PatchingFlags & { out: string; entropyModel?: string; cacheDir?: string; json?: boolean; quiet?: boolean };

export function register(program: Command): void {
  const cmd = program
    .command('preprocess')
    .description(
      'stream corpora through entropy scoring, patching and n-gram hashing into Parquet/Arrow shards with a manifest',
    )
    .argument('<inputs...>', 'files, directories, globs, or - for stdin (.jsonl[.gz|.zst], .txt, .parquet, .arrow)')
    .requiredOption(
      '-o, --out <dir>',
      'output shard directory (resumable: run the same command again after an interruption)',
    );
  addOptions(cmd, PREPROCESS_OPTIONS, { threshold: `global entropy threshold (${thresholdDefaultHelp()})` })
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
  const p: PreprocessOptions = { inputs, out: o.out, ...cliValues(o, PREPROCESS_OPTIONS) };
  const cacheDir = o.cacheDir ?? process.env.BLT_CACHE_DIR;
  if (cacheDir !== undefined && cacheDir !== '') p.cacheDir = cacheDir;
  return p;
}

const STATUS_WORDS: Record<PreprocessSummary['status'], string> = {
  done: 'done',
  'already-complete': 'already complete (nothing to do)',
  interrupted: 'interrupted (run the same command to resume)',
};

export function formatSummary(s: PreprocessSummary): string {
  const mb = (s.bytes / 1e6).toFixed(2);
  return [
    `${STATUS_WORDS[s.status]}: ${s.out}`,
    `  documents     ${s.documents}  (quarantined ${s.quarantined})`,
    `  bytes         ${s.bytes} (${mb} MB), tokens ${s.tokens}`,
    `  patches       ${s.patches}, mean patch length ${s.meanPatchLength.toFixed(3)} tokens`,
    `  shards        ${s.shards}, ` +
      `tasks ${s.tasks}${s.resumedFromTask ? ` (resumed at task ${s.resumedFromTask})` : ''}`,
    `  wall time     ${s.wallSeconds.toFixed(1)} s, ${s.mbPerSecond.toFixed(3)} MB/s with ${s.workers} ` +
      `worker(s)${s.engine ? `, entropies by ${s.engine}` : ''}`,
    ...(s.cache
      ? [
          `  reused        ${reusedList(s) || 'nothing'}${s.cache.from ? ` from ${s.cache.from}` : ''}` +
            `${s.cache.stored ? `; cached as ${s.cache.stored}` : ''}`,
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
