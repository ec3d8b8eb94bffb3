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
 * Per-column Parquet settings, chosen by measurement (docs/shards.md, "Bytes on disk"):
 *   doc_id, source, lang   ZSTD, dictionary         (tiny, repetitive)
 *   text                   ZSTD, plain              (0.58 B/B on multilingual text)
 *   n_tokens               ZSTD, delta
 *   entropies              ZSTD, plain              (2.97 B/B; byte-stream-split was larger)
 *   patch_lengths          ZSTD, dictionary (RLE)   (0.17 B/B)
 *   ngram_ids_*            uncompressed, DELTA_BINARY_PACKED: hash ids are near-random in
 *                          [0, vocab), ZSTD saves little after delta bit-packing and costs 3-5×
 *                          the time; dictionary encoding was the slowest part of the old writer.
 * No statistics on the list columns (min/max of hash ids or entropies prune nothing).
 */
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { BltError } from '../core/errors.js';
import { EXTRA_TOKENS, type ShardDoc } from './row.js';
import { ParquetAssembler, parquetFooter } from './parquet-splice.js';
import { columnNames, CORE_COLUMNS, shardSchema, type ShardColumnsSpec } from './schema.js';
import type { ThriftStruct } from './thrift-compact.js';
import { listChunkPages } from './list-chunk.js';
import type { ShardFileFormat } from './writer-state.js';
import { FORMAT_VERSION } from './schema.js';

export const PARQUET_CREATED_BY = `blt-toolkit shards v${FORMAT_VERSION} (parquet-wasm)`;

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

const MAX_VALUES = 2 ** 31 - 1;
const encoder = new TextEncoder();

/** What one column's writer properties set (see the table above). */
interface ColumnSettings {
  compression: pw.Compression;
  dictionary: boolean;
  encoding?: pw.Encoding;
  statistics: boolean;
}

function settingsOf(name: string): ColumnSettings {
  if (name.startsWith('ngram_ids_'))
    return { compression: pw.Compression.UNCOMPRESSED, dictionary: false, encoding: DELTA, statistics: false };
  if (name === 'entropies' || name === 'text')
    return { compression: pw.Compression.ZSTD, dictionary: false, statistics: false };
  if (name === 'patch_lengths') return { compression: pw.Compression.ZSTD, dictionary: true, statistics: false };
  if (name === 'n_tokens')
    return { compression: pw.Compression.ZSTD, dictionary: false, encoding: DELTA, statistics: true };
  return { compression: pw.Compression.ZSTD, dictionary: true, statistics: true };
}
const DELTA = pw.Encoding.DELTA_BINARY_PACKED;

function builder(rowGroupRows: number): pw.WriterPropertiesBuilder {
  return new pw.WriterPropertiesBuilder()
    .setCreatedBy(PARQUET_CREATED_BY)
    .setMaxRowGroupSize(Math.max(rowGroupRows, 1));
}

/** The writer properties of one column, as file-wide settings. */
function columnProperties(name: string, rowGroupRows: number): pw.WriterProperties {
  const c = settingsOf(name);
  let b = builder(rowGroupRows).setCompression(c.compression);
  if (!c.dictionary) b = b.setDictionaryEnabled(false);
  if (c.encoding !== undefined) b = b.setEncoding(c.encoding);
  if (!c.statistics) b = b.setStatisticsEnabled(pw.EnabledStatistics.None);
  return b.build();
}

/**
 * The writer properties of several columns written by one call: the first column's settings
 * file-wide, the others' as per-column overrides. parquet-wasm matches a per-column setting
 * only on a top-level leaf's path (a list column's leaf is `name.list.item`, which its string
 * API cannot name), so `groupColumns` puts list columns together only when their settings
 * are equal.
 */
function groupProperties(names: readonly string[], rowGroupRows: number): pw.WriterProperties {
  const first = settingsOf(names[0] as string);
  let b = builder(rowGroupRows).setCompression(first.compression);
  if (!first.dictionary) b = b.setDictionaryEnabled(false);
  if (first.encoding !== undefined) b = b.setEncoding(first.encoding);
  if (!first.statistics) b = b.setStatisticsEnabled(pw.EnabledStatistics.None);
  for (const name of names.slice(1)) {
    const c = settingsOf(name);
    if (c.compression !== first.compression) b = b.setColumnCompression(name, c.compression);
    if (c.dictionary !== first.dictionary) b = b.setColumnDictionaryEnabled(name, c.dictionary);
    if (c.encoding !== undefined) b = b.setColumnEncoding(name, c.encoding);
    if (c.statistics !== first.statistics)
      b = b.setColumnStatisticsEnabled(name, c.statistics ? pw.EnabledStatistics.Page : pw.EnabledStatistics.None);
  }
  return b.build();
}

const sameSettings = (a: string, b: string): boolean => JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));

/**
 * Consecutive runs of columns one parquet-wasm call can encode with each column's own
 * settings: the scalar core columns (per-column overrides apply to them), and list columns
 * with equal settings (the n-gram id tables).
 */
export function groupColumns(names: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (const name of names) {
    const last = groups.at(-1);
    const prev = last?.at(-1);
    const scalar = (n: string): boolean => (CORE_COLUMNS as readonly string[]).includes(n);
    if (last && prev !== undefined && ((scalar(prev) && scalar(name)) || sameSettings(prev, name))) last.push(name);
    else groups.push([name]);
  }
  return groups;
}

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

function offsetsOf(rows: readonly ShardDoc[], len: (r: ShardDoc, i: number) => number, column: string): Int32Array {
  const offsets = new Int32Array(rows.length + 1);
  let total = 0;
  rows.forEach((r, i) => {
    total += len(r, i);
    if (total > MAX_VALUES)
      throw new BltError(
        'BAD_OPTION',
        `Column ${column} would hold more than 2^31-1 values in one row group.`,
        'use a smaller --row-group-rows',
      );
    offsets[i + 1] = total;
  });
  return offsets;
}

/** The parts concatenated; a single part is used as it is (no copy). */
function concat<V extends Uint8Array | Int32Array | Float32Array>(
  parts: readonly V[],
  make: (n: number) => V,
  offsets: Int32Array,
): V {
  if (parts.length === 1) return parts[0] as V;
  const out = make(offsets[offsets.length - 1] as number);
  parts.forEach((p, i) => out.set(p, offsets[i] as number));
  return out;
}

function utf8Column(values: readonly (string | undefined)[], nullable: boolean): arrow.Data {
  const enc = values.map((s) => (s === undefined ? new Uint8Array(0) : encoder.encode(s)));
  const offsets = new Int32Array(enc.length + 1);
  enc.forEach((b, i) => (offsets[i + 1] = (offsets[i] as number) + b.length));
  const data = new Uint8Array(offsets[enc.length] as number);
  enc.forEach((b, i) => data.set(b, offsets[i] as number));
  let nullCount = 0;
  let nullBitmap: Uint8Array | undefined;
  if (nullable && values.some((v) => v === undefined)) {
    nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
    values.forEach((v, i) => {
      if (v === undefined) nullCount++;
      else nullBitmap![i >> 3] = (nullBitmap![i >> 3] as number) | (1 << (i & 7));
    });
  }
  return arrow.makeData({
    type: new arrow.Utf8(),
    length: values.length,
    nullCount,
    nullBitmap,
    valueOffsets: offsets,
    data,
  });
}

function listColumn(
  type: arrow.List,
  rows: readonly ShardDoc[],
  pick: (r: ShardDoc, i: number) => Float32Array | Int32Array,
  name: string,
): arrow.Data {
  const parts = rows.map(pick);
  const offsets = offsetsOf(rows, (_, i) => (parts[i] as Float32Array | Int32Array).length, name);
  const item = type.children[0]?.type;
  const child =
    item instanceof arrow.Float32
      ? arrow.makeData({
          type: item,
          length: offsets[rows.length] as number,
          nullCount: 0,
          data: concat(parts as Float32Array[], (n) => new Float32Array(n), offsets),
        })
      : arrow.makeData({
          type: item as arrow.Int32,
          length: offsets[rows.length] as number,
          nullCount: 0,
          data: concat(parts as Int32Array[], (n) => new Int32Array(n), offsets),
        });
  return arrow.makeData({ type, length: rows.length, nullCount: 0, valueOffsets: offsets, child });
}

/**
 * Computes n-gram ids on demand: (row index in the task, table index in the spec) → ids. With
 * it, rows carry no `ngramIds` and each table is hashed just before it is encoded, so a task
 * holds one table at a time (a 60 MB document has 240 MB per table).
 */
export type NgramIdsOf = (row: number, table: number) => Int32Array;

/** n-gram ids computed on demand, checked against the row's n_tokens. */
function checkedIds(a: Int32Array, r: ShardDoc, row: number, name: string): Int32Array {
  const n = r.bytes.length + EXTRA_TOKENS;
  if (a.length !== n)
    throw new BltError(
      'BAD_INPUT',
      `${name} of row ${row} (doc ${JSON.stringify(r.docId)}): ${a.length} values, expected n_tokens = ${n}.`,
    );
  return a;
}

/** The Arrow data of one column of `rows` (built on demand: one column in memory at a time). */
function columnOf(
  name: string,
  rows: readonly ShardDoc[],
  spec: ShardColumnsSpec,
  schema: arrow.Schema,
  ngramIdsOf?: NgramIdsOf,
  first = 0,
): arrow.Data {
  const type = schema.fields.find((f) => f.name === name)?.type as arrow.DataType;
  switch (name) {
    case 'doc_id':
      return utf8Column(
        rows.map((r) => r.docId),
        false,
      );
    case 'source':
      return utf8Column(
        rows.map((r) => r.source),
        false,
      );
    case 'lang':
      return utf8Column(
        rows.map((r) => r.lang),
        true,
      );
    case 'text': {
      const offsets = offsetsOf(rows, (r) => r.bytes.length, 'text');
      return arrow.makeData({
        type: new arrow.Binary(),
        length: rows.length,
        nullCount: 0,
        valueOffsets: offsets,
        data: concat(
          rows.map((r) => r.bytes),
          (n) => new Uint8Array(n),
          offsets,
        ),
      });
    }
    case 'n_tokens':
      return arrow.makeData({
        type: new arrow.Int32(),
        length: rows.length,
        nullCount: 0,
        data: Int32Array.from(rows, (r) => r.bytes.length + EXTRA_TOKENS),
      });
    case 'entropies':
      return listColumn(type as arrow.List, rows, (r) => r.entropies as Float32Array, name);
    case 'patch_lengths':
      return listColumn(type as arrow.List, rows, (r) => r.patchLengths as Int32Array, name);
    default: {
      const t = spec.ngramTables.findIndex((x) => `ngram_ids_${x.groupSize}_${x.hashFunction}` === name);
      if (ngramIdsOf) {
        const ids = rows.map((r, i) => checkedIds(ngramIdsOf(first + i, t), r, first + i, name));
        return listColumn(type as arrow.List, rows, (_, i) => ids[i] as Int32Array, name);
      }
      return listColumn(type as arrow.List, rows, (r) => (r.ngramIds as Int32Array[])[t] as Int32Array, name);
    }
  }
}

function columnData(
  rows: readonly ShardDoc[],
  spec: ShardColumnsSpec,
  schema: arrow.Schema,
  ngramIdsOf?: NgramIdsOf,
  first = 0,
): arrow.RecordBatch {
  const children = columnNames(spec).map((n) => columnOf(n, rows, spec, schema, ngramIdsOf, first));
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: rows.length, nullCount: 0, children }),
  );
}

function columnsTable(schema: arrow.Schema, indices: readonly number[], data: arrow.Data[], rows: number): arrow.Table {
  const fields = indices.map((i) => schema.fields[i] as arrow.Field);
  const s = new arrow.Schema(fields);
  return new arrow.Table([
    new arrow.RecordBatch(
      s,
      arrow.makeData({ type: new arrow.Struct(fields), length: rows, nullCount: 0, children: data }),
    ),
  ]);
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
