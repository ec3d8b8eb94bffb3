/**
 * Reads the uncompressed list column chunks that list-chunk.ts writes (huge documents) without
 * parquet-wasm, page by page, straight into the column's offsets and values: parquet-wasm holds
 * the decoded column, its levels and an IPC copy at once (~1.5 GB of heap for a 60 MB document's
 * 240 MB column). Chunks this reader does not handle (compressed, dictionary-encoded, V2 pages,
 * nullable levels) give null and the caller reads them through parquet-wasm.
 *
 * Handled: V1 data pages, RLE/bit-packed levels (repetition ≤ 1, definition ≤ 1), PLAIN
 * float32/int32 or DELTA_BINARY_PACKED int32 values, no compression.
 */
import { open, type FileHandle } from 'node:fs/promises';
import * as arrow from 'apache-arrow';
import { decodeStructPrefix, field, i64Of, listOf, structOf, type ThriftStruct } from './thrift-compact.js';

const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const ENCODING_DELTA_BINARY_PACKED = 5;

class Bytes {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new Error('page ended early');
    return this.b[this.pos++] as number;
  }
  varint(): number {
    let out = 0;
    let scale = 1;
    for (;;) {
      const x = this.byte();
      out += (x & 0x7f) * scale;
      if ((x & 0x80) === 0) return out;
      scale *= 128;
    }
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
}

/** Little-endian bit unpacking (LSB first) of `count` values of `width` bits. */
function unpack(r: Bytes, width: number, count: number, out: (v: number) => void): void {
  let acc = 0;
  let bits = 0;
  const scale = 2 ** width;
  for (let k = 0; k < count; k++) {
    while (bits < width) {
      acc += r.byte() * 2 ** bits;
      bits += 8;
    }
    const v = acc % scale;
    out(v);
    acc = (acc - v) / scale;
    bits -= width;
  }
}

/** RLE/bit-packed hybrid levels of bit width 1, with their 4-byte length (V1) → [n]. */
function levels(page: Uint8Array, at: number, n: number): { levels: Uint8Array; end: number } | null {
  const len = new DataView(page.buffer, page.byteOffset + at, 4).getUint32(0, true);
  const r = new Bytes(page.subarray(at + 4, at + 4 + len));
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const h = r.varint();
    if (h % 2 === 1) {
      const count = Math.floor(h / 2) * 8;
      unpack(r, 1, count, (v) => {
        if (i < n) out[i++] = v;
      });
    } else {
      const v = r.byte();
      if (v > 1) return null;
      out.fill(v, i, Math.min(n, i + Math.floor(h / 2)));
      i += Math.floor(h / 2);
    }
  }
  return { levels: out, end: at + 4 + len };
}

/** One miniblock: `perMini` values of `width` bits (LSB first) at r.pos, added to `prev + min` in turn. */
function miniblock(
  r: Bytes,
  width: number,
  perMini: number,
  keep: number,
  min: number,
  prev: number,
  out: Int32Array,
  at: number,
): number {
  const b = r.b;
  let pos = r.pos;
  if (pos + (perMini * width) / 8 > b.length) throw new Error('page ended early');
  if (width <= 24) {
    // integer fast path: the accumulator stays below 2^32
    const mask = width === 0 ? 0 : 0xffffffff >>> (32 - width);
    let acc = 0;
    let bits = 0;
    for (let k = 0; k < keep; k++) {
      while (bits < width) {
        acc = (acc | ((b[pos++] as number) << bits)) >>> 0;
        bits += 8;
      }
      prev = (prev + min + ((acc & mask) >>> 0)) | 0;
      out[at + k] = prev;
      acc = width === 0 ? acc : acc >>> width;
      bits -= width;
    }
  } else {
    let acc = 0;
    let bits = 0;
    const scale = 2 ** width;
    for (let k = 0; k < keep; k++) {
      while (bits < width) {
        acc += (b[pos++] as number) * 2 ** bits;
        bits += 8;
      }
      const v = acc % scale;
      prev = (prev + min + v) | 0;
      out[at + k] = prev;
      acc = (acc - v) / scale;
      bits -= width;
    }
  }
  r.pos += (perMini * width) / 8;
  return prev;
}

/** DELTA_BINARY_PACKED int32 values → out[at..]; returns how many. */
function deltaValues(r: Bytes, out: Int32Array, at: number): number {
  const blockSize = r.varint();
  const miniblocks = r.varint();
  const total = r.varint();
  let prev = r.zigzag();
  if (total === 0) return 0;
  out[at] = prev;
  let got = 1;
  const perMini = blockSize / miniblocks;
  if (!Number.isInteger(perMini) || perMini % 8 !== 0) throw new Error('bad delta block header');
  while (got < total) {
    const min = r.zigzag();
    const widths = Array.from({ length: miniblocks }, () => r.byte());
    for (const w of widths) {
      if (got >= total) break;
      if (w > 32) throw new Error('bad delta bit width');
      const keep = Math.min(perMini, total - got);
      prev = miniblock(r, w, perMini, keep, min, prev, out, at + got);
      got += keep;
    }
  }
  return total;
}

/**
 * Column `name` of row group `group` (FileMetaData `meta`) as the Arrow data of `type` (a list of
 * float32/int32), or null when the chunk is not one this reader handles.
 */
async function readListChunk(
  fh: FileHandle,
  meta: ThriftStruct,
  group: number,
  name: string,
  type: arrow.List,
): Promise<arrow.Data | null> {
  const rg = listOf(meta, 4).items[group] as ThriftStruct | undefined;
  const rows = Number(rg ? (i64Of(rg, 3) ?? 0n) : 0n);
  const cc = (rg ? (listOf(rg, 1).items as ThriftStruct[]) : []).find((c) => {
    const path = listOf(structOf(c, 3), 3).items as Uint8Array[];
    return path.length === 3 && new TextDecoder().decode(path[0]) === name;
  });
  if (!cc) return null;
  const md = structOf(cc, 3);
  if (field(md, 4)?.value !== 0 || field(md, 11) !== undefined) return null; // compressed, or a dictionary
  const isFloat = type.children[0]?.type instanceof arrow.Float32;
  const totalLevels = Number(i64Of(md, 5) ?? 0n);
  let pos = Number(i64Of(md, 9) ?? 0n);
  const end = pos + Number(i64Of(md, 7) ?? 0n);
  const values = isFloat ? new Float32Array(totalLevels) : new Int32Array(totalLevels);
  const offsets = new Int32Array(rows + 1);
  let nValues = 0;
  let row = -1;
  const head = new Uint8Array(256);
  while (pos < end) {
    const { bytesRead } = await fh.read(head, 0, Math.min(head.length, end - pos), pos);
    let header: { struct: ThriftStruct; length: number };
    try {
      header = decodeStructPrefix(head.subarray(0, bytesRead));
    } catch {
      return null; // a header longer than we read (statistics): not one of ours
    }
    const { struct: ph, length } = header;
    const size = Number(field(ph, 3)?.value);
    if (field(ph, 1)?.value !== 0 || field(ph, 2)?.value !== size) return null; // not an uncompressed V1 page
    const dp = structOf(ph, 5);
    const n = Number(field(dp, 1)?.value);
    const encoding = field(dp, 2)?.value;
    if (field(dp, 3)?.value !== ENCODING_RLE || field(dp, 4)?.value !== ENCODING_RLE) return null;
    const page = new Uint8Array(size);
    await fh.read(page, 0, size, pos + length);
    const rep = levels(page, 0, n);
    const def = rep && levels(page, rep.end, n);
    if (!rep || !def) return null;
    let present = 0;
    for (let i = 0; i < n; i++) {
      if (rep.levels[i] === 0) {
        row += 1;
        if (row >= rows) return null;
        offsets[row] = nValues + present;
      }
      present += def.levels[i] as number;
    }
    const body = page.subarray(def.end);
    if (encoding === ENCODING_PLAIN) {
      if (body.length !== present * 4) return null;
      new Uint8Array(values.buffer, nValues * 4, body.length).set(body);
    } else if (encoding === ENCODING_DELTA_BINARY_PACKED && !isFloat) {
      if (deltaValues(new Bytes(body), values as Int32Array, nValues) !== present) return null;
    } else return null;
    nValues += present;
    pos += length + size;
  }
  if (row + 1 !== rows) return null;
  offsets[rows] = nValues;
  const item = type.children[0]?.type;
  const child =
    item instanceof arrow.Float32
      ? arrow.makeData({ type: item, length: nValues, nullCount: 0, data: values.subarray(0, nValues) as Float32Array })
      : arrow.makeData({
          type: item as arrow.Int32,
          length: nValues,
          nullCount: 0,
          data: values.subarray(0, nValues) as Int32Array,
        });
  return arrow.makeData({ type, length: rows, nullCount: 0, valueOffsets: offsets, child });
}

/** readListChunk on one file, opened (and its footer read) on first use. */
export class OwnListReader {
  private state: Promise<{ fh: FileHandle; meta: ThriftStruct }> | undefined;
  constructor(private readonly path: string) {}

  async read(group: number, name: string, type: arrow.List): Promise<arrow.Data | null> {
    this.state ??= (async () => {
      const fh = await open(this.path, 'r');
      return { fh, meta: await readFooter(fh) };
    })();
    const { fh, meta } = await this.state;
    return readListChunk(fh, meta, group, name, type);
  }

  async close(): Promise<void> {
    const s = this.state;
    this.state = undefined;
    if (s) await (await s).fh.close();
  }
}

/** The FileMetaData of an open Parquet file. */
async function readFooter(fh: FileHandle): Promise<ThriftStruct> {
  const size = (await fh.stat()).size;
  const tail = new Uint8Array(8);
  await fh.read(tail, 0, 8, size - 8);
  const len = new DataView(tail.buffer).getUint32(0, true);
  const footer = new Uint8Array(len);
  await fh.read(footer, 0, len, size - 8 - len);
  return decodeStructPrefix(footer).struct;
}
