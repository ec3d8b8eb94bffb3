import type { Command } from 'commander';
import { checkOutDir } from './out-dir.js';

/** `blt verify <dir>` and `blt merge <dirs...> --out <dir>`. */
export function register(program: Command): void {
  program
    .command('verify')
    .description('check a shard set: files, sizes, checksums, row counts, totals and per-row invariants')
    .argument('<dir>', 'shard set directory')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, o: { json?: boolean }) => {
      const { verifyShardSet } = await import('../shards/verify.js');
      const report = await verifyShardSet(dir);
      if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else if (report.ok)
        process.stdout.write(`OK: ${dir}: ${report.shards} shard(s), ${report.rows} rows, all checks passed\n`);
      else {
        process.stdout.write(`FAILED: ${dir}: ${report.problems.length} problem(s)\n`);
        for (const p of report.problems)
          process.stdout.write(`  ${p.file}${p.row === undefined ? '' : ` row ${p.row}`}: ${p.problem}\n`);
      }
      if (!report.ok) process.exitCode = 1;
    });
  program
    .command('merge')
    .description("combine the shard sets of a job array's partitions into one shard set")
    .argument('<dirs...>', 'shard set directories, in order')
    .requiredOption('-o, --out <dir>', 'new shard set directory (shard files are hard-linked when possible)')
    .option('--allow-incomplete', 'merge even when partitions of the job are missing (recorded in index.json)')
    .option('--json', 'print the merged totals as JSON')
    .action(async (dirs: string[], o: { out: string; json?: boolean; allowIncomplete?: boolean }) => {
      checkOutDir('--out', o.out);
      const { mergeShardSets } = await import('../shards/merge.js');
      const m = await mergeShardSets(dirs, o.out, { allowIncomplete: o.allowIncomplete === true });
      const t = m.totals;
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ out: o.out, shards: m.shards.length, totals: t })}\n`
          : `merged ${dirs.length} shard set(s) into ${o.out}: ${m.shards.length} shard(s), ${t.documents} ` +
              `documents, ${t.quarantined} quarantined\n`,
      );
    });
}
