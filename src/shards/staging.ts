/**
 * Staged tasks: each task's rows are encoded (encode-task.ts: a Parquet file of the task's row
 * groups, or an Arrow IPC stream) and written to `<dir>/.staging/task-<n>.<parquet|arrow>` by
 * whoever computed them — a preprocessing worker, or the thread calling `ShardWriter.addTask`.
 * Writes are atomic (temporary + rename) but not fsynced: the writer state records each staged
 * file's size and CRC-32, a resumed writer checks them, and everything is fsynced once per
 * shard when the shard file is written (shard-writer.ts). When a shard closes, its staged
 * files are concatenated into it without re-encoding (parquet-splice.ts). Staged files are
 * removed after the state that no longer needs them is committed.
 */
import { createReadStream } from 'node:fs';
import { crc32 } from 'node:zlib';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic, writeFileAtomicSyncNoFsync } from '../core/atomic.js';
import { encodeTaskPieces, type TaskEncoding } from './encode-task.js';
import type { NgramIdsOf } from './task-columns.js';
import { checkRow, EXTRA_TOKENS, rowColumnBytes, type ShardDoc } from './row.js';
import type { ShardColumnsSpec } from './schema.js';
import type { ShardFileFormat, ShardTotals } from './writer-state.js';

export const STAGING_DIR = '.staging';

function stagedFileName(task: number, format: ShardFileFormat): string {
  return `task-${String(task).padStart(6, '0')}.${format}`;
}

/** What the shard writer needs to know of a staged task (the rows stay in the staged file). */
export interface StagedTask {
  rows: number;
  /** uncompressed column bytes, Σ rowColumnBytes: the measure of shardSizeBytes */
  bytes: number;
  totals: ShardTotals;
  firstDoc: string;
  lastDoc: string;
  /** null for a task without rows */
  /** CRC-32 (zlib) of the staged file: a torn-write check, computed at GB/s, not a content hash */
  staged: { file: string; bytes: number; crc32: number } | null;
}

/**
 * Validates the rows (`checkRow`) and sums what the writer records of them. With `lazyNgrams`
 * the rows carry no n-gram ids (the encoder computes and checks them) but are counted as if.
 */
function summarizeRows(
  rows: readonly ShardDoc[],
  spec: ShardColumnsSpec,
  task: number,
  lazyNgrams = false,
): Omit<StagedTask, 'staged'> {
  let bytes = 0;
  const totals: ShardTotals = { documents: 0, bytes: 0, tokens: 0, patches: 0 };
  const checked = lazyNgrams ? { ...spec, ngramTables: [] } : spec;
  rows.forEach((r, i) => {
    checkRow(r, checked, `task ${task} row ${i}`);
    bytes += rowColumnBytes(r) + (lazyNgrams ? spec.ngramTables.length * (4 * (r.bytes.length + EXTRA_TOKENS) + 4) : 0);
    totals.documents += 1;
    totals.bytes += r.bytes.length;
    totals.tokens += r.bytes.length + EXTRA_TOKENS;
    totals.patches += r.patchLengths?.length ?? 0;
  });
  return { rows: rows.length, bytes, totals, firstDoc: rows[0]?.docId ?? '', lastDoc: rows.at(-1)?.docId ?? '' };
}

/**
 * Validates, encodes and stages task `task`'s rows in `dir` (the shard set's directory).
 * `blocking`: write with blocking calls (a preprocessing worker: nothing else to run meanwhile).
 */
export async function stageTask(
  dir: string,
  task: number,
  rows: readonly ShardDoc[],
  enc: TaskEncoding,
  ngramIdsOf?: NgramIdsOf,
  blocking = false,
): Promise<StagedTask> {
  const summary = summarizeRows(rows, enc.columns, task, ngramIdsOf !== undefined);
  if (rows.length === 0) return { ...summary, staged: null };
  const file = stagedFileName(task, enc.format);
  let crc = 0;
  let bytes = 0;
  // written column by column as they are encoded: one encoded column in memory at a time
  const pieces = (function* () {
    for (const batch of encodeTaskPieces(rows, enc, ngramIdsOf)) {
      for (const p of batch) {
        crc = crc32(p, crc);
        bytes += p.length;
        yield p;
      }
    }
  })();
  const path = join(dir, STAGING_DIR, file);
  if (blocking) writeFileAtomicSyncNoFsync(path, pieces);
  else await writeFileAtomic(path, pieces, { sync: false });
  return { ...summary, staged: { file, bytes, crc32: crc } };
}

/** True when the staged file exists with this size and CRC-32. */
export async function stagedFileIntact(dir: string, file: string, bytes: number, crc: number): Promise<boolean> {
  try {
    let n = 0;
    let c = 0;
    for await (const chunk of createReadStream(join(dir, STAGING_DIR, file), {
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>) {
      c = crc32(chunk, c);
      n += chunk.length;
    }
    return n === bytes && c === crc;
  } catch {
    return false;
  }
}

export const stagedPath = (dir: string, file: string): string => join(dir, STAGING_DIR, file);

/** The record batches of staged Arrow IPC streams, in order; one file in memory at a time. */
export async function* readStagedArrow(dir: string, names: readonly string[]): AsyncGenerator<arrow.RecordBatch> {
  for (const name of names) {
    const table = arrow.tableFromIPC(await readFile(stagedPath(dir, name)));
    yield* table.batches;
  }
}

/**
 * Removes staged files not named in `keep`: all of them (and leftover temporaries) when
 * `below` is undefined (opening a writer, nothing in flight), else only the staged files of
 * tasks below `below` (workers may be staging later tasks meanwhile).
 */
export async function pruneStaging(dir: string, keep: readonly string[], below?: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(dir, STAGING_DIR));
  } catch {
    return;
  }
  const keepSet = new Set(keep);
  const drop = (n: string): boolean => {
    if (keepSet.has(n)) return false;
    if (below === undefined) return true;
    const m = /^task-(\d+)\.(parquet|arrow)$/.exec(n);
    return m !== null && Number(m[1]) < below;
  };
  await Promise.all(names.filter(drop).map((n) => rm(join(dir, STAGING_DIR, n), { force: true })));
}

export async function removeStaging(dir: string): Promise<void> {
  await rm(join(dir, STAGING_DIR), { recursive: true, force: true });
}
