/**
 * One task's rows → the bytes of its staged file, encoded where the rows are (in a
 * preprocessing worker, or in the thread that calls `ShardWriter.addTask`):
 *
 * - Parquet: row groups of ≤ rowGroupRows rows. parquet-wasm encodes the columns in groups that
 *   one call can give each column's own settings (`groupColumns`: the scalar core columns
 *   together, the n-gram id tables together, entropies and patch lengths alone: 4 calls per
 *   row group instead of one per column, whose fixed cost dominated small tasks), and the
 *   chunks are assembled without re-encoding (parquet-splice.ts). A row group of more list
 *   values (a huge document) goes column by column, its big list columns paged by
 *   list-chunk.ts (PAGED_LISTS below). Grouped or not, the bytes are the same (tested).
 * - Arrow: the task's rows as one Arrow IPC stream (record batches of ≤ rowGroupRows rows).
 *
 * Per-column Parquet settings: parquet-column-settings.ts; the columns' Arrow data: task-columns.ts.
 */
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { EXTRA_TOKENS, type ShardDoc } from './row.js';
import { ParquetAssembler, parquetFooter } from './parquet-splice.js';
import { columnNames, shardSchema, type ShardColumnsSpec } from './schema.js';
import type { ThriftStruct } from './thrift-compact.js';
import { listChunkPages } from './list-chunk.js';
import type { ShardFileFormat } from './writer-state.js';
import { columnProperties, groupColumns, groupProperties, PARQUET_CREATED_BY } from './parquet-column-settings.js';
import { checkedIds, columnData, columnOf, columnsTable, type NgramIdsOf } from './task-columns.js';

export interface TaskEncoding {
  format: ShardFileFormat;
  rowGroupRows: number;
  columns: ShardColumnsSpec;
  /** list columns of a row group with ≥ minValues values are paged here (list-chunk.ts); tests shrink it */
  pagedLists?: { minValues: number; pageValues: number };
}

/**
 * Default: a list column of ≥ 8M values (32 MB: a document of ≥ 8 MB; tasks of ordinary documents
 * hold ~1M) is written in pages of 1M values by list-chunk.ts, not by parquet-wasm.
 */
export const PAGED_LISTS = { minValues: 1 << 23, pageValues: 1 << 20 };

function writeTable(table: arrow.Table, props: pw.WriterProperties): Uint8Array {
  const t = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  return pw.writeParquet(t, props);
}

const templates = new Map<string, ThriftStruct>();

/** FileMetaData of a zero-row file with the full schema: schema, ARROW:schema, created_by, column orders. */
function templateFor(spec: ShardColumnsSpec): ThriftStruct {
  const key = JSON.stringify(spec);
  let t = templates.get(key);
  if (!t) {
    const empty = new arrow.Table(shardSchema(spec), columnData([], spec, shardSchema(spec)));
    t = parquetFooter(writeTable(empty, new pw.WriterPropertiesBuilder().setCreatedBy(PARQUET_CREATED_BY).build()));
    templates.set(key, t);
  }
  return t;
}

/**
 * The lists of list column `name` row by row, when the row group holds ≥ minValues of them (then
 * they are paged by list-chunk.ts); null for other columns and smaller row groups.
 */
function pagedListOf(
  name: string,
  rows: readonly ShardDoc[],
  spec: ShardColumnsSpec,
  ngramIdsOf: NgramIdsOf | undefined,
  first: number,
  minValues: number,
): ((row: number) => Float32Array | Int32Array) | null {
  if (name === 'patch_lengths') {
    const n = rows.reduce((a, r) => a + (r.patchLengths?.length ?? 0), 0);
    return n >= minValues ? (i) => (rows[i] as ShardDoc).patchLengths as Int32Array : null;
  }
  const n = rows.reduce((a, r) => a + r.bytes.length + EXTRA_TOKENS, 0);
  if (n < minValues) return null;
  if (name === 'entropies') return (i) => (rows[i] as ShardDoc).entropies as Float32Array;
  if (!name.startsWith('ngram_ids_')) return null;
  const t = spec.ngramTables.findIndex((x) => `ngram_ids_${x.groupSize}_${x.hashFunction}` === name);
  return (i) => {
    const r = rows[i] as ShardDoc;
    return ngramIdsOf ? checkedIds(ngramIdsOf(first + i, t), r, first + i, name) : (r.ngramIds as Int32Array[])[t]!;
  };
}

/**
 * A group of columns is encoded by one call while it holds at most this many list values; a
 * larger one (a huge document) column by column, so the wasm heap holds one column at a time.
 * Both give the same bytes (each column chunk is encoded on its own with its own settings).
 */
export const GROUP_ENCODE_MAX_VALUES = 1 << 24;

function listValues(rows: readonly ShardDoc[], names: readonly string[]): number {
  const perToken = names.filter((n) => n === 'entropies' || n.startsWith('ngram_ids_')).length;
  return rows.reduce((a, r) => a + (r.bytes.length + EXTRA_TOKENS) * perToken + (r.patchLengths?.length ?? 0), 0);
}

/** Slices of ≤ size rows, with the index of their first row. */
function slices<T>(rows: readonly T[], size: number): Array<{ first: number; rows: T[] }> {
  const out: Array<{ first: number; rows: T[] }> = [];
  for (let i = 0; i < rows.length; i += size) out.push({ first: i, rows: rows.slice(i, i + size) });
  return out;
}

/**
 * The rows (≥ 1, valid: see `checkRow`) → the staged file's bytes, as pieces to write in order,
 * produced column by column (write each batch before asking for the next: memory then holds
 * one encoded column). Deterministic: identical rows and settings give identical bytes.
 */
export function* encodeTaskPieces(
  rows: readonly ShardDoc[],
  enc: TaskEncoding,
  ngramIdsOf?: NgramIdsOf,
  maxGroupValues = GROUP_ENCODE_MAX_VALUES,
): Generator<Uint8Array[]> {
  const schema = shardSchema(enc.columns);
  const names = columnNames(enc.columns);
  if (enc.format === 'arrow') {
    const batches = slices(rows, enc.rowGroupRows).map((s) =>
      columnData(s.rows, enc.columns, schema, ngramIdsOf, s.first),
    );
    yield [arrow.tableToIPC(new arrow.Table(batches), 'stream')];
    return;
  }
  const a = new ParquetAssembler(templateFor(enc.columns));
  yield a.start();
  const paged = enc.pagedLists ?? PAGED_LISTS;
  for (const s of slices(rows, enc.rowGroupRows)) {
    // a row group with paged list columns (huge documents) goes column by column
    const together = listValues(s.rows, names) <= Math.min(maxGroupValues, paged.minValues - 1);
    for (const group of together ? groupColumns(names) : names.map((n) => [n])) {
      const name = group[0] as string;
      const listOf =
        group.length === 1 ? pagedListOf(name, s.rows, enc.columns, ngramIdsOf, s.first, paged.minValues) : null;
      if (listOf) {
        const int = name !== 'entropies';
        const c = yield* listChunkPages(s.rows.length, listOf, {
          name,
          physical: int ? 'int32' : 'float',
          encoding: name.startsWith('ngram_ids_') ? 'delta' : 'plain',
          pageValues: paged.pageValues,
        });
        a.addWrittenChunk(c.columnChunk, c.bytes, c.rows);
        continue;
      }
      const indices = group.map((n) => names.indexOf(n));
      const data = group.map((n) => columnOf(n, s.rows, enc.columns, schema, ngramIdsOf, s.first));
      const props =
        group.length === 1 ? columnProperties(name, enc.rowGroupRows) : groupProperties(group, enc.rowGroupRows);
      yield a.addColumn(writeTable(columnsTable(schema, indices, data, s.rows.length), props));
    }
    a.endRowGroup();
  }
  yield a.finish();
}

/** `encodeTaskPieces` collected: the staged file's bytes as pieces. */
export function encodeTask(
  rows: readonly ShardDoc[],
  enc: TaskEncoding,
  ngramIdsOf?: NgramIdsOf,
  maxGroupValues = GROUP_ENCODE_MAX_VALUES,
): Uint8Array[] {
  return [...encodeTaskPieces(rows, enc, ngramIdsOf, maxGroupValues)].flat();
}
