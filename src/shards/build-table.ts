/**
 * Arrow tables from flat typed arrays: `flattenRows` concatenates per-document arrays into one
 * buffer per column (the only copy), `tableFromColumns` wraps those buffers with
 * `arrow.makeData` without copying. Offsets are int32, so one batch holds < 2^31 list values per
 * column (the writer's row groups stay far below that).
 */
import * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import { EXTRA_TOKENS, type ShardDoc } from './row.js';
import { shardSchema, type ShardColumnsSpec } from './schema.js';

/** A variable-width column: offsets [rows + 1] into values. */
export interface FlatList<V> {
  offsets: Int32Array;
  values: V;
}

/** One batch of rows as flat column buffers. */
export interface FlatColumns {
  rows: number;
  docId: FlatList<Uint8Array>;
  source: FlatList<Uint8Array>;
  /** validity [ceil(rows/8)] bit-packed, LSB first; null when no row lacks a lang */
  lang: FlatList<Uint8Array> & { validity: Uint8Array | null; nullCount: number };
  text: FlatList<Uint8Array>;
  nTokens: Int32Array;
  entropies?: FlatList<Float32Array>;
  patchLengths?: FlatList<Int32Array>;
  /** one per hash table; they share the token offsets of `entropies` */
  ngramIds: FlatList<Int32Array>[];
}

const MAX_VALUES = 2 ** 31 - 1;

function offsetsOf(rows: number, len: (i: number) => number, column: string): Int32Array {
  const offsets = new Int32Array(rows + 1);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    total += len(i);
    if (total > MAX_VALUES) {
      throw new BltError(
        'BAD_OPTION',
        `Column ${column} would hold more than 2^31-1 values in one batch.`,
        'use a smaller rowGroupRows',
      );
    }
    offsets[i + 1] = total;
  }
  return offsets;
}

function concat<V extends Uint8Array | Int32Array | Float32Array>(
  make: (n: number) => V,
  offsets: Int32Array,
  part: (i: number) => ArrayLike<number>,
): V {
  const out = make(offsets[offsets.length - 1] as number);
  for (let i = 0; i + 1 < offsets.length; i++) out.set(part(i), offsets[i] as number);
  return out;
}

const encoder = new TextEncoder();

function strings(values: readonly (string | undefined)[], column: string): FlatList<Uint8Array> {
  const encoded = values.map((s) => (s === undefined ? new Uint8Array(0) : encoder.encode(s)));
  const offsets = offsetsOf(encoded.length, (i) => (encoded[i] as Uint8Array).length, column);
  return {
    offsets,
    values: concat(
      (n) => new Uint8Array(n),
      offsets,
      (i) => encoded[i] as Uint8Array,
    ),
  };
}

/** rows → flat buffers (one copy per column). Rows are assumed valid (see `checkRow`). */
export function flattenRows(rows: readonly ShardDoc[], spec: ShardColumnsSpec): FlatColumns {
  const n = rows.length;
  const row = (i: number): ShardDoc => rows[i] as ShardDoc;
  const langs = rows.map((r) => r.lang);
  const nullCount = langs.filter((l) => l === undefined).length;
  let validity: Uint8Array | null = null;
  if (nullCount > 0) {
    validity = new Uint8Array(Math.ceil(n / 8));
    langs.forEach((l, i) => {
      if (l !== undefined) validity![i >> 3] = (validity![i >> 3] as number) | (1 << (i & 7));
    });
  }
  const tokenOffsets = offsetsOf(n, (i) => row(i).bytes.length + EXTRA_TOKENS, 'entropies/ngram_ids');
  const textOffsets = offsetsOf(n, (i) => row(i).bytes.length, 'text');
  const cols: FlatColumns = {
    rows: n,
    docId: strings(
      rows.map((r) => r.docId),
      'doc_id',
    ),
    source: strings(
      rows.map((r) => r.source),
      'source',
    ),
    lang: { ...strings(langs, 'lang'), validity, nullCount },
    text: {
      offsets: textOffsets,
      values: concat(
        (k) => new Uint8Array(k),
        textOffsets,
        (i) => row(i).bytes,
      ),
    },
    nTokens: Int32Array.from(rows, (r) => r.bytes.length + EXTRA_TOKENS),
    ngramIds: spec.ngramTables.map((_, t) => ({
      offsets: tokenOffsets,
      values: concat(
        (k) => new Int32Array(k),
        tokenOffsets,
        (i) => (row(i).ngramIds as Int32Array[])[t] as Int32Array,
      ),
    })),
  };
  if (spec.entropies) {
    cols.entropies = {
      offsets: tokenOffsets,
      values: concat(
        (k) => new Float32Array(k),
        tokenOffsets,
        (i) => row(i).entropies as Float32Array,
      ),
    };
  }
  if (spec.patchLengths) {
    const offsets = offsetsOf(n, (i) => (row(i).patchLengths as Int32Array).length, 'patch_lengths');
    cols.patchLengths = {
      offsets,
      values: concat(
        (k) => new Int32Array(k),
        offsets,
        (i) => row(i).patchLengths as Int32Array,
      ),
    };
  }
  return cols;
}

function listData(type: arrow.List, rows: number, col: FlatList<Float32Array | Int32Array>): arrow.Data {
  const itemType = type.children[0]?.type as arrow.Float32 | arrow.Int32;
  const child =
    itemType instanceof arrow.Float32
      ? arrow.makeData({ type: itemType, length: col.values.length, nullCount: 0, data: col.values as Float32Array })
      : arrow.makeData({
          type: itemType as arrow.Int32,
          length: col.values.length,
          nullCount: 0,
          data: col.values as Int32Array,
        });
  return arrow.makeData({ type, length: rows, nullCount: 0, valueOffsets: col.offsets, child });
}

/** Flat buffers → an Arrow table of one record batch, without copying the buffers. */
export function tableFromColumns(cols: FlatColumns, spec: ShardColumnsSpec): arrow.Table {
  const schema = shardSchema(spec);
  const n = cols.rows;
  const utf8 = (c: FlatList<Uint8Array>): arrow.Data =>
    arrow.makeData({ type: new arrow.Utf8(), length: n, nullCount: 0, valueOffsets: c.offsets, data: c.values });
  const children: arrow.Data[] = [
    utf8(cols.docId),
    utf8(cols.source),
    arrow.makeData({
      type: new arrow.Utf8(),
      length: n,
      nullCount: cols.lang.nullCount,
      nullBitmap: cols.lang.validity ?? undefined,
      valueOffsets: cols.lang.offsets,
      data: cols.lang.values,
    }),
    arrow.makeData({
      type: new arrow.Binary(),
      length: n,
      nullCount: 0,
      valueOffsets: cols.text.offsets,
      data: cols.text.values,
    }),
    arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: 0, data: cols.nTokens }),
  ];
  const listType = (name: string): arrow.List => schema.fields.find((f) => f.name === name)?.type as arrow.List;
  if (cols.entropies) children.push(listData(listType('entropies'), n, cols.entropies));
  if (cols.patchLengths) children.push(listData(listType('patch_lengths'), n, cols.patchLengths));
  cols.ngramIds.forEach((c, t) => {
    const type = schema.fields[schema.fields.length - cols.ngramIds.length + t]?.type as arrow.List;
    children.push(listData(type, n, c));
  });
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

/** rows → an Arrow table (one record batch): `tableFromColumns(flattenRows(rows))`. */
export function buildShardTable(rows: readonly ShardDoc[], spec: ShardColumnsSpec): arrow.Table {
  return tableFromColumns(flattenRows(rows, spec), spec);
}
