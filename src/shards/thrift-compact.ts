/**
 * A generic Thrift compact-protocol codec, enough to read, edit and rewrite Parquet footers
 * (FileMetaData) without a schema: a struct decodes to its fields in wire order, each with its
 * id, wire type and value, and encodes back to the same bytes. Integers of type i64 are
 * bigints, i8/i16/i32 numbers; binary is a Uint8Array (a view of the input).
 *
 * Wire format (Apache Thrift compact protocol): a field header byte `delta << 4 | type`
 * (delta 0: a zigzag-varint i16 field id follows), STOP = 0; ints as zigzag ULEB128 varints;
 * binary as varint length + bytes; list/set header `size << 4 | elemType` (size 15: varint
 * size follows); map as varint size then `keyType << 4 | valType`; booleans in fields live in
 * the type nibble (1 true, 2 false), in lists as one byte each.
 */
import { BltError } from '../core/errors.js';

export const T = {
  TRUE: 1,
  FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftMap | ThriftStruct;
export interface ThriftField {
  id: number;
  /** wire type (T.*); booleans are T.TRUE */
  type: number;
  value: ThriftValue;
}
export interface ThriftStruct {
  fields: ThriftField[];
}
export interface ThriftList {
  elemType: number;
  items: ThriftValue[];
  set?: boolean;
}
export interface ThriftMap {
  keyType: number;
  valType: number;
  entries: Array<[ThriftValue, ThriftValue]>;
}

const fail = (what: string): never => {
  throw new BltError(
    'SHARD_FORMAT',
    `Parquet footer: ${what}.`,
    'the file is damaged or not a Parquet file; `blt verify <dir>` checks a shard set',
  );
};

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) fail('unexpected end of the footer');
    return this.b[this.pos++] as number;
  }
  varint(): bigint {
    const start = this.pos;
    const n = this.smallVarint();
    if (n >= 0) return BigInt(n);
    this.pos = start;
    let shift = 0n;
    let out = 0n;
    for (;;) {
      const x = this.byte();
      out |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return out;
      shift += 7n;
      if (shift > 70n) fail('varint too long');
    }
  }
  /** A varint of at most 7 bytes (< 2^49) as a number; -1 (position moved) when longer. */
  smallVarint(): number {
    let out = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const x = this.byte();
      out += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return out;
      mul *= 128;
    }
    return -1;
  }
  zigzag(): bigint {
    const start = this.pos;
    const n = this.smallVarint();
    if (n >= 0) return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
    this.pos = start;
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }
  /** A zigzag varint that fits an i32 (i16/i32 fields) as a number. */
  zigzag32(): number {
    const start = this.pos;
    const n = this.smallVarint();
    if (n >= 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    this.pos = start;
    return Number(this.zigzag());
  }
  size(): number {
    const start = this.pos;
    const n = this.smallVarint();
    if (n >= 0) return n;
    this.pos = start;
    return Number(this.varint());
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.b.length) fail('binary field past the end');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function readValue(r: Reader, type: number, depth: number): ThriftValue {
  if (depth > 64) fail('nesting too deep');
  switch (type) {
    case T.TRUE:
      return true;
    case T.FALSE:
      return false;
    case T.I8: {
      const x = r.byte();
      return x > 127 ? x - 256 : x;
    }
    case T.I16:
    case T.I32:
      return r.zigzag32();
    case T.I64:
      return r.zigzag();
    case T.DOUBLE: {
      const b = r.bytes(8);
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    }
    case T.BINARY:
      return r.bytes(r.size());
    case T.LIST:
    case T.SET: {
      const h = r.byte();
      let size = h >> 4;
      if (size === 15) size = r.size();
      const elemType = h & 0x0f;
      const items: ThriftValue[] = [];
      for (let i = 0; i < size; i++)
        items.push(elemType === T.TRUE || elemType === T.FALSE ? r.byte() === 1 : readValue(r, elemType, depth + 1));
      return type === T.SET ? { elemType, items, set: true } : { elemType, items };
    }
    case T.MAP: {
      const size = r.size();
      if (size === 0) return { keyType: 0, valType: 0, entries: [] };
      const kv = r.byte();
      const m: ThriftMap = { keyType: kv >> 4, valType: kv & 0x0f, entries: [] };
      for (let i = 0; i < size; i++)
        m.entries.push([readValue(r, m.keyType, depth + 1), readValue(r, m.valType, depth + 1)]);
      return m;
    }
    case T.STRUCT:
      return readStruct(r, depth + 1);
    default:
      return fail(`unknown wire type ${type}`);
  }
}

function readStruct(r: Reader, depth: number): ThriftStruct {
  const fields: ThriftField[] = [];
  let last = 0;
  for (;;) {
    const h = r.byte();
    if (h === 0) return { fields };
    const type = h & 0x0f;
    const delta = h >> 4;
    const id = delta === 0 ? r.zigzag32() : last + delta;
    last = id;
    const value = readValue(r, type, depth);
    fields.push({ id, type: type === T.FALSE ? T.TRUE : type, value });
  }
}

/** Decodes one struct from `bytes` (the whole buffer must be that struct). */
export function decodeStruct(bytes: Uint8Array): ThriftStruct {
  const r = new Reader(bytes);
  const s = readStruct(r, 0);
  if (r.pos !== bytes.length) fail(`${bytes.length - r.pos} bytes after the metadata struct`);
  return s;
}

/** Decodes the struct at the start of `bytes` (a Parquet page header); also returns its length. */
export function decodeStructPrefix(bytes: Uint8Array): { struct: ThriftStruct; length: number } {
  const r = new Reader(bytes);
  const struct = readStruct(r, 0);
  return { struct, length: r.pos };
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const HALF_SAFE = 2n ** 52n;

class Writer {
  private buf = new Uint8Array(1024);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(x: number): void {
    this.room(1);
    this.buf[this.len++] = x & 0xff;
  }
  varint(v: bigint): void {
    if (v >= 0n && v <= SAFE) return this.uvarint(Number(v));
    let x = v;
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.byte(b);
    } while (x > 0n);
  }
  /** 0 <= x <= 2^53 - 1 */
  uvarint(x: number): void {
    this.room(8);
    while (x >= 0x80) {
      this.buf[this.len++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.len++] = x;
  }
  zigzag(v: bigint): void {
    if (v >= -HALF_SAFE && v <= HALF_SAFE) return this.zigzagNumber(Number(v));
    this.varint(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }
  /** |x| <= 2^52 */
  zigzagNumber(x: number): void {
    this.uvarint(x >= 0 ? 2 * x : -2 * x - 1);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function writeValue(w: Writer, type: number, v: ThriftValue): void {
  switch (type) {
    case T.TRUE:
    case T.FALSE:
      return w.byte(v === true ? 1 : 0);
    case T.I8:
      return w.byte(v as number);
    case T.I16:
    case T.I32:
      return w.zigzagNumber(v as number);
    case T.I64:
      return w.zigzag(typeof v === 'bigint' ? v : BigInt(v as number));
    case T.DOUBLE: {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v as number, true);
      return w.bytes(b);
    }
    case T.BINARY: {
      const b = v as Uint8Array;
      w.uvarint(b.length);
      return w.bytes(b);
    }
    case T.LIST:
    case T.SET: {
      const l = v as ThriftList;
      const n = l.items.length;
      if (n < 15) w.byte((n << 4) | l.elemType);
      else {
        w.byte(0xf0 | l.elemType);
        w.uvarint(n);
      }
      for (const it of l.items) writeValue(w, l.elemType, it);
      return;
    }
    case T.MAP: {
      const m = v as ThriftMap;
      w.uvarint(m.entries.length);
      if (m.entries.length === 0) return;
      w.byte((m.keyType << 4) | m.valType);
      for (const [k, x] of m.entries) {
        writeValue(w, m.keyType, k);
        writeValue(w, m.valType, x);
      }
      return;
    }
    case T.STRUCT:
      return writeStruct(w, v as ThriftStruct);
    default:
      fail(`cannot write wire type ${type}`);
  }
}

function writeStruct(w: Writer, s: ThriftStruct): void {
  let last = 0;
  for (const f of s.fields) {
    const type = f.type === T.TRUE || f.type === T.FALSE ? (f.value === true ? T.TRUE : T.FALSE) : f.type;
    const delta = f.id - last;
    if (delta > 0 && delta <= 15) w.byte((delta << 4) | type);
    else {
      w.byte(type);
      w.zigzagNumber(f.id);
    }
    last = f.id;
    if (type !== T.TRUE && type !== T.FALSE) writeValue(w, type, f.value);
  }
  w.byte(0);
}

export function encodeStruct(s: ThriftStruct): Uint8Array {
  const w = new Writer();
  writeStruct(w, s);
  return w.result();
}

/** The field `id` of `s`, or undefined. */
export function field(s: ThriftStruct, id: number): ThriftField | undefined {
  return s.fields.find((f) => f.id === id);
}

/** Sets field `id` (inserted in id order when absent). */
export function setField(s: ThriftStruct, id: number, type: number, value: ThriftValue): void {
  const f = field(s, id);
  if (f) {
    f.type = type;
    f.value = value;
    return;
  }
  const at = s.fields.findIndex((x) => x.id > id);
  const nf = { id, type, value };
  if (at < 0) s.fields.push(nf);
  else s.fields.splice(at, 0, nf);
}

export function removeFields(s: ThriftStruct, ids: readonly number[]): void {
  s.fields = s.fields.filter((f) => !ids.includes(f.id));
}

export function i64Of(s: ThriftStruct, id: number): bigint | undefined {
  const f = field(s, id);
  return f === undefined ? undefined : typeof f.value === 'bigint' ? f.value : BigInt(f.value as number);
}

export function structOf(s: ThriftStruct, id: number): ThriftStruct {
  const f = field(s, id);
  if (!f || f.type !== T.STRUCT) return fail(`expected struct field ${id}`);
  return f.value as ThriftStruct;
}

export function listOf(s: ThriftStruct, id: number): ThriftList {
  const f = field(s, id);
  if (!f || f.type !== T.LIST) return fail(`expected list field ${id}`);
  return f.value as ThriftList;
}
