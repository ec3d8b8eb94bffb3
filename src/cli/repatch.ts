import type { Command } from 'commander';
import { addOptions, cliValues } from '../options/option-def.js';
import { PATCH_RULE_OPTIONS } from '../options/patching.js';
import type { RepatchOptions, RepatchSummary } from '../repatch/run-repatch.js';
import { formatSummary, runPipelineCommand } from './preprocess.js';
import { checkOutDir } from './out-dir.js';
import { checkPatchingFlags, type PatchingFlags } from './patching-flags.js';

type Cli = PatchingFlags & { out: string; json?: boolean; quiet?: boolean };

/** `blt repatch <shard-dir> --out <dir> [patching options]` (docs/reuse.md). */
export function register(program: Command): void {
  const cmd = program
    .command('repatch')
    .description(
      'new patch lengths from the entropies stored in a shard set (no entropy model run); other columns are ' +
        'copied into a new, self-contained shard set',
    )
    .argument('<shard-dir>', 'a shard set written by blt preprocess (or blt repatch)')
    .requiredOption(
      '-o, --out <dir>',
      'new shard set directory (resumable: run the same command again after an interruption)',
    );
  addOptions(cmd, PATCH_RULE_OPTIONS, {
    threshold: "global entropy threshold (default: as blt preprocess, the entropy model's calibrated threshold)",
  })
    .option('--json', 'print the final summary as one JSON object on stdout')
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      `
The result equals \`blt preprocess\` of the same inputs with these patching options (plus --store-entropies
when the source holds entropies): same shard bytes, same manifest apart from createdAt. Options not given
take blt preprocess's defaults, not the source's values.
Examples:
  blt repatch shards/demo --out shards/demo-t2 --threshold 2
  blt repatch shards/demo --out shards/demo-mono --monotonicity --threshold 0.5 --max-patch-length 16
Summary JSON: the keys of blt preprocess's summary, plus source and patching.`,
    )
    .action(async (dir: string, o: Cli) => {
      checkPatchingFlags(o);
      checkOutDir('--out', o.out);
      const { runRepatch } = await import('../repatch/run-repatch.js');
      const opts: RepatchOptions = { source: dir, out: o.out, ...cliValues(o, PATCH_RULE_OPTIONS) };
      await runPipelineCommand('repatch', o, (hooks) => runRepatch(opts, hooks), formatRepatch);
    });
}

function formatRepatch(s: RepatchSummary): string {
  const p = Object.entries(s.patching)
    .map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  const copied = [
    ...(s.reused?.entropies ? ['entropies'] : []),
    ...(s.reused?.ngrams ? ['n-gram ids'] : []),
    'text and ids',
  ].join(', ');
  return (
    `${formatSummary(s).replace('with 0 worker(s)', 'in this thread')}\n  repatched     from ${s.source} ` +
    `(${p}); ${copied} copied`
  );
}
