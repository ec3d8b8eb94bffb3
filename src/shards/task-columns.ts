/**
 * The Arrow data of a task's columns (encode-task.ts), built from its rows one column at a time;
 * n-gram ids may be computed on demand (`NgramIdsOf`).
 */
import * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import { EXTRA_TOKENS, type ShardDoc } from './row.js';
import { columnNames, type ShardColumnsSpec } from './schema.js';

const MAX_VALUES = 2 ** 31 - 1;
const encoder = new TextEncoder();

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
export function checkedIds(a: Int32Array, r: ShardDoc, row: number, name: string): Int32Array {
  const n = r.bytes.length + EXTRA_TOKENS;
  if (a.length !== n)
    throw new BltError(
      'BAD_INPUT',
      `${name} of row ${row} (doc ${JSON.stringify(r.docId)}): ${a.length} values, expected n_tokens = ${n}.`,
    );
  return a;
}

/** The Arrow data of one column of `rows` (built on demand: one column in memory at a time). */
export function columnOf(
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

export function columnData(
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

export function columnsTable(
  schema: arrow.Schema,
  indices: readonly number[],
  data: arrow.Data[],
  rows: number,
): arrow.Table {
  const fields = indices.map((i) => schema.fields[i] as arrow.Field);
  const s = new arrow.Schema(fields);
  return new arrow.Table([
    new arrow.RecordBatch(
      s,
      arrow.makeData({ type: new arrow.Struct(fields), length: rows, nullCount: 0, children: data }),
    ),
  ]);
}
