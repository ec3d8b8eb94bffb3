/**
 * Reading shards: `readShardRows(file)` yields one file's rows (Parquet row group by row
 * group, Arrow IPC record batch by record batch, so memory holds one group at a time), and
 * `readShardSet(dir)` yields every row of a complete set in manifest order.
 *
 * Rows' typed arrays are views of the group's column buffers (see decode-batch.ts).
 * `columns` selects which optional columns to read (entropies, patch_lengths, ngram_ids_*);
 * doc_id, source, lang, text and n_tokens are always read. `ngramIds` follows the file's column
 * order restricted to the selected n-gram columns.
 *
 * Damaged files: parquet-wasm may decode a corrupted Parquet page silently into wrong values, or
 * trap (`RuntimeError: unreachable`, raised as an uncaught exception while the read promise never
 * settles). `readShardSet` therefore checks each shard's size and sha256 against the manifest
 * before decoding it (hashing runs at GB/s, decoding at ~100 MB/s, so this costs a few percent);
 * `readShardRows` on a bare file cannot, so run `verifyShardSet` on sets of unknown history.
 */
import { join } from 'node:path';
import type * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import { decodeBatch } from './decode-batch.js';
import { hashFile, type WrittenFile } from './durable-file.js';
import { readManifest, type ManifestShard } from './manifest.js';
import type { ShardRow } from './row.js';
import { columnNames, ngramColumnName, specFromSchema, type ShardColumnsSpec } from './schema.js';
import { openShardFile, readFailure } from './shard-file.js';

export interface ReadShardOptions {
  /** optional columns to read (default: all); core columns are always read */
  columns?: readonly string[];
}

export interface ReadShardSetOptions extends ReadShardOptions {
  /** check each shard's size and sha256 against index.json before decoding it (default true) */
  checksums?: boolean;
}

/** The spec restricted to `columns`; BAD_OPTION for a name the file does not have. */
function project(spec: ShardColumnsSpec, columns: readonly string[] | undefined, file: string): ShardColumnsSpec {
  if (!columns) return spec;
  const available = columnNames(spec);
  const unknown = columns.filter((c) => !available.includes(c));
  if (unknown.length > 0) {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`columns\` to name columns of ${file}, got ${unknown.join(', ')}; it has ${available.join(', ')}.`,
    );
  }
  return {
    entropies: spec.entropies && columns.includes('entropies'),
    patchLengths: spec.patchLengths && columns.includes('patch_lengths'),
    ngramTables: spec.ngramTables.filter((t) => columns.includes(ngramColumnName(t))),
  };
}

async function checkChecksum(path: string, shard: ManifestShard): Promise<void> {
  let got: WrittenFile;
  try {
    got = await hashFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BltError(
        'NOT_FOUND',
        `Shard file ${path} is listed in index.json but missing.`,
        '`blt verify <dir>` lists every problem; rebuild or resume the shard set',
      );
    throw err;
  }
  if (got.bytes !== shard.bytes || got.sha256 !== shard.sha256) {
    throw new BltError(
      'SHARD_FORMAT',
      `${path}: expected ${shard.bytes} bytes with sha256 ${shard.sha256} (index.json), found ${got.bytes} ` +
        `bytes with sha256 ${got.sha256}.`,
      'the file changed or is damaged; rebuild the shard set (`blt verify <dir>` lists every problem)',
    );
  }
}

/** The rows of one shard file, in order. */
export async function* readShardRows(file: string, opts: ReadShardOptions = {}): AsyncGenerator<ShardRow> {
  const reader = await openShardFile(file);
  try {
    const spec = project(specFromSchema(reader.schema, file), opts.columns, file);
    const batches = reader.batches(columnNames(spec));
    for (;;) {
      let next: IteratorResult<arrow.RecordBatch>;
      try {
        next = await batches.next();
      } catch (err) {
        throw readFailure(file, err);
      }
      if (next.done) return;
      yield* decodeBatch(next.value, spec);
    }
  } finally {
    await reader.close();
  }
}

/** Every row of the complete shard set in `dir`, in manifest order. */
export async function* readShardSet(dir: string, opts: ReadShardSetOptions = {}): AsyncGenerator<ShardRow> {
  const manifest = await readManifest(dir);
  for (const shard of manifest.shards) {
    const path = join(dir, shard.file);
    if (opts.checksums !== false) await checkChecksum(path, shard);
    let rows = 0;
    for await (const row of readShardRows(path, opts)) {
      rows += 1;
      yield row;
    }
    if (rows !== shard.rows) {
      throw new BltError(
        'SHARD_FORMAT',
        `${join(dir, shard.file)}: index.json records ${shard.rows} rows, the file holds ${rows}.`,
        '`blt verify <dir>` lists every mismatch; rebuild the shard set',
      );
    }
  }
}
