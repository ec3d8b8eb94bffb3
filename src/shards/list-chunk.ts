/**
 * One list column (`list<float32>` / `list<int32>`, non-null lists of non-null items) of one row
 * group, written as Parquet pages here instead of by parquet-wasm, for row groups too large for
 * it: parquet-wasm holds the column's IPC copy, its Arrow arrays, its levels and the encoded
 * chunk at once (~8× the column: 2 GB for a 64 MiB document's 240 MB id column), and writes one
 * page per row. Here the chunk is a stream of data pages (V1) of at most `pageValues` values,
 * each built and handed back on its own, so memory holds one page; a row's list runs across as
 * many pages as it needs (a V1 page may hold part of a row: its first level has repetition 1).
 *
 * Per page: repetition levels, definition levels (RLE runs, bit width 1, each with its 4-byte
 * length), values: PLAIN (float32, int32) or DELTA_BINARY_PACKED (int32, delta-binary-packed.ts).
 * Uncompressed, no dictionary, no statistics, no page index. Levels: repetition 0 starts a row,
 * 1 continues it; definition 1 is a value, 0 an empty list (one level, no value).
 */
import { encodeDeltaBinaryPacked } from './delta-binary-packed.js';
import { encodeStruct, T, type ThriftStruct } from './thrift-compact.js';

const PAGE_TYPE_DATA = 0;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const ENCODING_DELTA_BINARY_PACKED = 5;
const CODEC_UNCOMPRESSED = 0;
const PHYSICAL_INT32 = 1;
const PHYSICAL_FLOAT = 4;

export interface ListChunkOptions {
  /** column name: the chunk's path is [name, 'list', 'item'] */
  name: string;
  physical: 'float' | 'int32';
  /** 'delta' only for int32 */
  encoding: 'plain' | 'delta';
  /** values per data page (≥ 1) */
  pageValues: number;
}

/** What the chunk's metadata needs, known after its last page. */
export interface ListChunk {
  /** ColumnChunk with its offsets relative to the chunk's first byte (0) */
  columnChunk: ThriftStruct;
  /** bytes written (= total_compressed_size = total_uncompressed_size) */
  bytes: number;
  rows: number;
}

interface Segment {
  values: Float32Array | Int32Array;
  startsRow: boolean;
}

const i32 = (id: number, value: number) => ({ id, type: T.I32, value });
const i64 = (id: number, value: number) => ({ id, type: T.I64, value: BigInt(value) });

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Levels as RLE-hybrid runs (bit width 1), prefixed by their byte length (V1 pages). */
function levelBytes(runs: ReadonlyArray<[value: number, count: number]>): Uint8Array {
  const out: number[] = [0, 0, 0, 0];
  for (const [value, count] of runs) {
    varint(out, count * 2); // RLE run header: count << 1
    out.push(value);
  }
  const b = Uint8Array.from(out);
  new DataView(b.buffer).setUint32(0, b.length - 4, true);
  return b;
}

function addRun(runs: Array<[number, number]>, value: number, count: number): void {
  if (count === 0) return;
  const last = runs.at(-1);
  if (last && last[0] === value) last[1] += count;
  else runs.push([value, count]);
}

/** One data page (header + body) of these segments. */
function page(segments: readonly Segment[], o: ListChunkOptions): { bytes: Uint8Array[]; levels: number } {
  const rep: Array<[number, number]> = [];
  const def: Array<[number, number]> = [];
  let values = 0;
  for (const s of segments) {
    const n = s.values.length;
    if (n === 0) {
      addRun(rep, 0, 1); // an empty list: one level, no value
      addRun(def, 0, 1);
      continue;
    }
    if (s.startsRow) addRun(rep, 0, 1);
    addRun(rep, 1, s.startsRow ? n - 1 : n);
    addRun(def, 1, n);
    values += n;
  }
  const levels = rep.reduce((a, r) => a + r[1], 0);
  let body: Uint8Array;
  if (o.encoding === 'delta') {
    const all = new Int32Array(values);
    let at = 0;
    for (const s of segments) {
      all.set(s.values as Int32Array, at);
      at += s.values.length;
    }
    body = encodeDeltaBinaryPacked(all);
  } else {
    body = new Uint8Array(values * 4);
    let at = 0;
    for (const s of segments) {
      body.set(new Uint8Array(s.values.buffer, s.values.byteOffset, s.values.byteLength), at);
      at += s.values.byteLength;
    }
  }
  const r = levelBytes(rep);
  const d = levelBytes(def);
  const size = r.length + d.length + body.length;
  const header = encodeStruct({
    fields: [
      i32(1, PAGE_TYPE_DATA),
      i32(2, size),
      i32(3, size),
      {
        id: 5,
        type: T.STRUCT,
        value: {
          fields: [
            i32(1, levels),
            i32(2, o.encoding === 'delta' ? ENCODING_DELTA_BINARY_PACKED : ENCODING_PLAIN),
            i32(3, ENCODING_RLE),
            i32(4, ENCODING_RLE),
          ],
        },
      },
    ],
  });
  return { bytes: [header, r, d, body], levels };
}

/**
 * rows' lists (`listOf(i)` for i in [0, rows), asked once each, in order) → the chunk's pages, yielded
 * one page at a time (write each before asking for the next); returns the chunk's metadata.
 */
export function* listChunkPages(
  rows: number,
  listOf: (row: number) => Float32Array | Int32Array,
  o: ListChunkOptions,
): Generator<Uint8Array[], ListChunk> {
  if (o.encoding === 'delta' && o.physical !== 'int32') throw new Error('delta encoding is for int32 lists');
  let bytes = 0;
  let levels = 0;
  let pages = 0;
  let pending: Segment[] = [];
  let pendingValues = 0;
  const flush = function* (): Generator<Uint8Array[]> {
    const p = page(pending, o);
    pending = [];
    pendingValues = 0;
    levels += p.levels;
    pages += 1;
    bytes += p.bytes.reduce((a, b) => a + b.length, 0);
    yield p.bytes;
  };
  for (let i = 0; i < rows; i++) {
    const list = listOf(i);
    if (list.length === 0) pending.push({ values: list, startsRow: true });
    for (let at = 0; at < list.length;) {
      const n = Math.min(o.pageValues - pendingValues, list.length - at);
      pending.push({ values: list.subarray(at, at + n), startsRow: at === 0 });
      pendingValues += n;
      at += n;
      if (pendingValues >= o.pageValues) yield* flush();
    }
  }
  if (pending.length > 0) yield* flush();
  const encoding = o.encoding === 'delta' ? ENCODING_DELTA_BINARY_PACKED : ENCODING_PLAIN;
  const meta: ThriftStruct = {
    fields: [
      i32(1, o.physical === 'float' ? PHYSICAL_FLOAT : PHYSICAL_INT32),
      { id: 2, type: T.LIST, value: { elemType: T.I32, items: [encoding, ENCODING_RLE] } },
      {
        id: 3,
        type: T.LIST,
        value: { elemType: T.BINARY, items: [o.name, 'list', 'item'].map((s) => new TextEncoder().encode(s)) },
      },
      i32(4, CODEC_UNCOMPRESSED),
      i64(5, levels),
      i64(6, bytes),
      i64(7, bytes),
      i64(9, 0),
      {
        id: 13,
        type: T.LIST,
        value: { elemType: T.STRUCT, items: [{ fields: [i32(1, PAGE_TYPE_DATA), i32(2, encoding), i32(3, pages)] }] },
      },
    ],
  };
  return { columnChunk: { fields: [i64(2, 0), { id: 3, type: T.STRUCT, value: meta }] }, bytes, rows };
}
