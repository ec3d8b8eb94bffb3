/**
 * `blt eval --checkpoint <run-dir> --data <shard-dir>`: bits per byte of a trained BLT on shard
 * sets, as the reference's eval (docs/blt-training.md). Only this file reads argv for it.
 */
import type { Command } from 'commander';
import { initBackend } from '../backend/select-backend.js';
import { parseNumber } from '../options/numeric.js';
import { backendFrom, backendOption } from './backend-option.js';
import { createProgress } from './progress.js';
import { withRunDir } from './run-dir-errors.js';

type Opts = Record<string, string | boolean | string[] | undefined>;

function intOption(o: Opts, key: string, flag: string, min: number): number | undefined {
  const raw = o[key];
  if (raw === undefined) return undefined;
  return parseNumber(flag, raw, { integer: true, min });
}

async function evalAction(o: Opts): Promise<void> {
  const step = intOption(o, 'step', '--step', 0);
  const maxBatches = intOption(o, 'maxBatches', '--max-batches', 0);
  const backend = await initBackend(backendFrom(o.backend));
  const { evaluateRun } = await import('../train/eval/eval-run.js');
  const progress = createProgress({
    total: 0,
    label: 'eval',
    mode: o.quiet === true || o.json === true ? 'quiet' : 'json',
  });
  const r = await withRunDir('--checkpoint', o.checkpoint as string, () =>
    evaluateRun({
      checkpoint: o.checkpoint as string,
      data: o.data as string[],
      ...(step === undefined ? {} : { step }),
      ...(maxBatches === undefined ? {} : { maxBatches }),
      ...(o.coverage === undefined ? {} : { coverage: o.coverage as 'covering' | 'reference' }),
      log: (m) => progress.log(m),
    }),
  );
  const json = {
    bitsPerByte: r.bitsPerByte,
    bytes: r.bytes,
    seconds: r.seconds,
    bytesPerSecond: r.bytesPerSecond,
    step: r.step,
    batches: r.batches,
    backend: backend.name,
    coverage: r.coverage,
    available: r.available,
    scoredShare: r.scoredShare,
    splitPatches: r.splitPatches,
  };
  process.stdout.write(
    o.json === true
      ? `${JSON.stringify(json)}\n`
      : `${r.bitsPerByte.toFixed(4)} bits/byte on ${r.bytes} bytes (${(100 * r.scoredShare).toFixed(1)} % of ` +
          `the sets' ${r.available}, ${r.coverage}; ${r.batches} batches) in ${r.seconds.toFixed(1)} ` +
          `s, ${Math.round(r.bytesPerSecond)} bytes/s; checkpoint step ${r.step}, backend ${backend.name}\n`,
  );
}

export function register(program: Command): void {
  program
    .command('eval')
    .description(
      'bits per byte of a trained BLT checkpoint on shard sets (every byte scored; --coverage reference for ' +
        'the reference eval)',
    )
    .requiredOption('--checkpoint <run-dir>', 'a `blt train` run directory (its newest checkpoint, or --step)')
    .requiredOption('--data <dirs...>', 'shard set directories to score')
    .option('--step <n>', 'a checkpoint step other than the newest')
    .option('--max-batches <n>', 'score at most this many batches (default: all)')
    .option(
      '--coverage <mode>',
      'covering (default): score every byte once; reference: the reference eval (the first N bytes of each ' +
        'P-patch sequence)',
    )
    .addOption(backendOption())
    .option(
      '--json',
      'print {bitsPerByte, bytes, seconds, bytesPerSecond, step, batches, backend, coverage, available, ' +
        'scoredShare, splitPatches}',
    )
    .option('--quiet', 'no log lines')
    .action(async (o: Opts) => evalAction(o));
}
