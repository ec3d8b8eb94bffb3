import type { Command } from 'commander';
import { BltError } from '../core/errors.js';
import type { CacheEntry, CacheListing } from '../cache/list-cache.js';

/** The cache directory: --cache-dir, else $BLT_CACHE_DIR. */
function cacheDirOf(o: { cacheDir?: string }): string {
  const dir = o.cacheDir ?? process.env.BLT_CACHE_DIR;
  if (dir === undefined || dir === '')
    throw new BltError(
      'BAD_OPTION',
      'Expected a cache directory, got none.',
      'pass --cache-dir <dir> or set BLT_CACHE_DIR (the directory given to blt preprocess --cache-dir)',
    );
  return dir;
}

const size = (b: number | null): string =>
  b === null
    ? '-'
    : b >= 1e9
      ? `${(b / 1e9).toFixed(2)} GB`
      : b >= 1e6
        ? `${(b / 1e6).toFixed(1)} MB`
        : `${(b / 1e3).toFixed(1)} kB`;

/** "entropy θ=1.3 max=8", "static size=4", "space". */
function describeBoundaries(e: CacheEntry): string {
  const p = e.patching;
  const parts: string[] = [p.mode];
  if (p.threshold !== undefined) parts.push(`${p.monotonicity ? 'θr' : 'θ'}=${p.threshold}`);
  else if (p.monotonicity) parts.push('monotonic');
  if (p.thresholdAdd !== undefined) parts.push(`add=${p.thresholdAdd}`);
  if (p.maxPatchLength !== undefined) parts.push(`max=${p.maxPatchLength}`);
  if (p.patchSize !== undefined) parts.push(`size=${p.patchSize}`);
  return parts.join(' ');
}

function describeModel(e: CacheEntry): string {
  if (!e.entropyModel) return '-';
  const name = e.entropyModel.spec.split(/[\\/]/).filter(Boolean).pop() ?? e.entropyModel.spec;
  return `${name}@${e.entropyModel.fingerprint.slice(0, 8)}`;
}

/** The listing as a table; `defaultRowGroupRows` is left out of the LAYOUT column. */
function formatListing(l: CacheListing, defaultRowGroupRows: number): string {
  if (l.sets.length === 0 && l.problems.length === 0) return `${l.dir}: no cached shard sets`;
  const head = ['CORPUS', 'ENTROPY MODEL', 'BOUNDARIES', 'NGRAMS', 'LAYOUT', 'DOCS', 'SIZE', 'PATH'];
  const rows = l.sets.map((e) => [
    e.fingerprints.content.slice(0, 12),
    describeModel(e),
    describeBoundaries(e),
    e.ngrams ? `${e.ngrams.sizes.join(',')}×${e.ngrams.functions}/${e.ngrams.vocab}` : '-',
    `${e.layout.format} ${size(e.layout.shardSizeBytes)}` +
      `${e.layout.rowGroupRows === defaultRowGroupRows ? '' : ` rg=${e.layout.rowGroupRows}`}`,
    String(e.documents),
    size(e.sizeBytes),
    e.path,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  const out = [line(head), ...rows.map(line)];
  for (const p of l.problems) out.push(`unreadable: ${p.path}: ${p.problem}`);
  if (l.unfinished.length > 0)
    out.push(
      `${l.unfinished.length} unfinished entr${l.unfinished.length === 1 ? 'y' : 'ies'} in ${l.dir}/tmp ` +
        `(runs killed while storing a set; safe to delete when no run is active)`,
    );
  return out.join('\n');
}

/** `blt cache ls [--cache-dir <dir>] [--json]`. */
export function register(program: Command): void {
  const cache = program
    .command('cache')
    .description('the cache of shard sets shared across experiments (blt preprocess --cache-dir; docs/reuse.md)');
  cache
    .command('ls')
    .description('list cached shard sets: corpus, entropy model, boundary settings, n-grams, documents, size, path')
    .option('--cache-dir <dir>', 'cache directory (default: $BLT_CACHE_DIR)')
    .option('--json', 'print the listing as JSON')
    .action(async (o: { cacheDir?: string; json?: boolean }) => {
      const { existsSync } = await import('node:fs');
      const { listCache } = await import('../cache/list-cache.js');
      const { DEFAULT_ROW_GROUP_ROWS } = await import('../shards/shard-writer.js');
      const dir = cacheDirOf(o);
      if (!existsSync(dir))
        throw new BltError(
          'NOT_FOUND',
          `Cache directory ${dir} does not exist.`,
          'check the path; blt preprocess --cache-dir creates it',
        );
      const listing = await listCache(dir, { sizes: true });
      process.stdout.write(
        o.json ? `${JSON.stringify(listing)}\n` : `${formatListing(listing, DEFAULT_ROW_GROUP_ROWS)}\n`,
      );
    });
}
