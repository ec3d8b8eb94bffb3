/**
 * verifyShardSet(dir): checks a shard set against its manifest and its own invariants, and
 * reports every problem instead of stopping at the first:
 *
 * - each listed shard exists with the recorded size and sha256 (only then are its rows decoded),
 *   and holds the recorded rows;
 * - every shard has the same columns, of the shard schema's types;
 * - per row: n_tokens == len(text) + 2 == len(entropies) == len(each ngram list),
 *   Σ patch_lengths == n_tokens;
 * - totals: documents, bytes (Σ len(text)), tokens (Σ n_tokens), patches (Σ len(patch_lengths));
 * - no shard-*.parquet / shard-*.arrow file in the directory that the manifest does not list
 *   (a glob reader such as DuckDB's `read_parquet('dir/*.parquet')` would pick it up).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { decodeBatch } from './decode-batch.js';
import { hashFile } from './durable-file.js';
import { MANIFEST_FILE, readManifest, type Manifest, type ManifestShard } from './manifest.js';
import { rowProblems } from './row.js';
import { columnNames, specFromSchema } from './schema.js';
import { checkListsColumnwise, COLUMNWISE_SHARD_BYTES } from './verify-columnwise.js';
import { openShardFile, readFailure, SHARD_FILE_RE } from './shard-file.js';

export interface VerifyProblem {
  /** file name inside the shard directory */
  file: string;
  /** row index inside that file */
  row?: number;
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  shards: number;
  rows: number;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  /** row problems reported per shard before the rest are summarised (default 20) */
  maxRowProblems?: number;
  /** shards above this many bytes on disk are checked column by column (default COLUMNWISE_SHARD_BYTES) */
  columnwiseBytes?: number;
}

interface Sums {
  documents: number;
  bytes: number;
  tokens: number;
  patches: number;
}

/** Reads one shard, checking rows and accumulating sums; returns its column names, or undefined if unreadable. */
async function checkRows(
  path: string,
  shard: ManifestShard,
  sums: Sums,
  problems: VerifyProblem[],
  maxRowProblems: number,
  columnwiseBytes: number,
): Promise<string[] | undefined> {
  const file = shard.file;
  let rowProblemCount = 0;
  let rows = 0;
  try {
    const reader = await openShardFile(path);
    try {
      const spec = specFromSchema(reader.schema, file);
      // Arrow IPC batches hold every column anyway
      const columnwise = shard.bytes > columnwiseBytes && file.endsWith('.parquet');
      const rowSpec = columnwise ? { entropies: false, patchLengths: false, ngramTables: [] } : spec;
      const nTokens: number[] = [];
      for await (const batch of reader.batches(columnwise ? columnNames(rowSpec) : undefined)) {
        for (const row of decodeBatch(batch, rowSpec)) {
          const found = rowProblems(row, rowSpec, row.nTokens);
          for (const problem of found) {
            if (rowProblemCount++ < maxRowProblems) problems.push({ file, row: rows, problem });
          }
          sums.documents += 1;
          sums.bytes += row.bytes.length;
          sums.tokens += row.nTokens;
          sums.patches += row.patchLengths?.length ?? 0;
          if (columnwise) nTokens.push(row.nTokens);
          rows += 1;
        }
      }
      if (columnwise) {
        const c = await checkListsColumnwise(reader, spec, nTokens, (row, problem) => {
          if (rowProblemCount++ < maxRowProblems) problems.push({ file, row, problem });
        });
        sums.patches += c.patches;
      }
      if (rowProblemCount > maxRowProblems)
        problems.push({ file, problem: `${rowProblemCount - maxRowProblems} more row problem(s) not listed` });
      if (rows !== shard.rows) problems.push({ file, problem: `holds ${rows} rows, index.json records ${shard.rows}` });
      return columnNames(spec);
    } finally {
      await reader.close();
    }
  } catch (err) {
    problems.push({
      file,
      problem: `cannot be read after ${rows} rows: ${readFailure(file, err).message.split('\n')[0]}`,
    });
    return undefined;
  }
}

/**
 * Existence, size and checksum of one shard; true when its bytes are the ones recorded. Damaged
 * files are not decoded: parquet-wasm can trap (`RuntimeError: unreachable`, raised outside the
 * promise chain) on corrupt pages, and the checksum already says the content is wrong.
 */
async function checkFile(path: string, shard: ManifestShard, problems: VerifyProblem[]): Promise<boolean> {
  const exists = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) {
    problems.push({ file: shard.file, problem: 'listed in index.json but missing' });
    return false;
  }
  const { bytes, sha256 } = await hashFile(path);
  if (bytes !== shard.bytes)
    problems.push({ file: shard.file, problem: `size is ${bytes} bytes, index.json records ${shard.bytes}` });
  if (sha256 !== shard.sha256) {
    problems.push({
      file: shard.file,
      problem:
        `sha256 is ${sha256}, index.json records ${shard.sha256} (the file changed or is damaged; its rows ` +
        `were not decoded)`,
    });
    return false;
  }
  return true;
}

function checkTotals(manifest: Manifest, sums: Sums, problems: VerifyProblem[]): void {
  for (const k of ['documents', 'bytes', 'tokens', 'patches'] as const) {
    if (manifest.totals[k] !== sums[k])
      problems.push({
        file: MANIFEST_FILE,
        problem: `totals.${k} is ${manifest.totals[k]}, the shards hold ${sums[k]}`,
      });
  }
  const rows = manifest.shards.reduce((a, s) => a + s.rows, 0);
  if (rows !== manifest.totals.documents)
    problems.push({
      file: MANIFEST_FILE,
      problem: `totals.documents is ${manifest.totals.documents}, the shard records add up to ${rows} rows`,
    });
}

export async function verifyShardSet(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  let manifest: Manifest;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    if (!(err instanceof BltError)) throw err;
    return { ok: false, shards: 0, rows: 0, problems: [{ file: MANIFEST_FILE, problem: err.message }] };
  }
  const sums: Sums = { documents: 0, bytes: 0, tokens: 0, patches: 0 };
  let allRead = true;
  let firstColumns: string[] | undefined;
  for (const shard of manifest.shards) {
    const path = join(dir, shard.file);
    if (!(await checkFile(path, shard, problems))) {
      allRead = false;
      continue;
    }
    const columns = await checkRows(
      path,
      shard,
      sums,
      problems,
      opts.maxRowProblems ?? 20,
      opts.columnwiseBytes ?? COLUMNWISE_SHARD_BYTES,
    );
    if (!columns) allRead = false;
    else if (!firstColumns) firstColumns = columns;
    else if (columns.join(',') !== firstColumns.join(',')) {
      problems.push({
        file: shard.file,
        problem: `has columns ${columns.join(', ')}, the first shard has ${firstColumns.join(', ')}`,
      });
    }
  }
  if (allRead) checkTotals(manifest, sums, problems);
  const listed = new Set(manifest.shards.map((s) => s.file));
  for (const name of (await readdir(dir)).sort()) {
    if (SHARD_FILE_RE.test(name) && !listed.has(name))
      problems.push({ file: name, problem: 'shard file not listed in index.json (left from another run?)' });
  }
  return { ok: problems.length === 0, shards: manifest.shards.length, rows: sums.documents, problems };
}
