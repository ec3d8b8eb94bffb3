/**
 * Helpers for the loader's JSON states: typed arrays as base64 of their little-endian bytes
 * (compact and exact), and field checks that throw STATE_FORMAT naming what is wrong.
 */
import { endianness } from 'node:os';
import { BltError } from '../../core/errors.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Int32Array / Uint16Array → base64 of its little-endian bytes. */
export function encodeArray(a: Int32Array | Uint16Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const buf = Buffer.alloc(a.byteLength);
  if (a instanceof Int32Array) a.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  else a.forEach((v, i) => buf.writeUInt16LE(v, i * 2));
  return buf.toString('base64');
}

function decodeBytes(s: unknown, width: number, where: string): Buffer {
  if (typeof s !== 'string') throw stateError(where, 'a base64 string', s);
  const buf = Buffer.from(s, 'base64');
  if (buf.length % width !== 0)
    throw stateError(where, `base64 of a multiple of ${width} bytes`, `${buf.length} bytes`);
  return buf;
}

export function decodeInt32(s: unknown, where: string): Int32Array {
  const buf = decodeBytes(s, 4, where);
  if (LITTLE_ENDIAN) return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  return Int32Array.from({ length: buf.length / 4 }, (_, i) => buf.readInt32LE(i * 4));
}

export function decodeUint16(s: unknown, where: string): Uint16Array {
  const buf = decodeBytes(s, 2, where);
  if (LITTLE_ENDIAN) return new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  return Uint16Array.from({ length: buf.length / 2 }, (_, i) => buf.readUInt16LE(i * 2));
}

export function stateError(where: string, expected: string, got: unknown): BltError {
  const shown = typeof got === 'string' ? got : JSON.stringify(got)?.slice(0, 120);
  return new BltError(
    'STATE_FORMAT',
    `Loader state: expected ${where} to be ${expected}, got ${shown}.`,
    'pass the object that getState() returned (after a JSON round trip is fine); states of other versions cannot be resumed',
  );
}

/** Checks `{ kind, v }` and that the object has exactly `fields` (plus kind and v). */
export function checkTagged(
  value: unknown,
  kind: string,
  v: number,
  fields: readonly string[],
  where: string,
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw stateError(where, `an object {kind:'${kind}', v:${v}}`, value);
  const o = value as Record<string, unknown>;
  if (o.kind !== kind || o.v !== v) throw stateError(where, `{kind:'${kind}', v:${v}}`, { kind: o.kind, v: o.v });
  const allowed = new Set(['kind', 'v', ...fields]);
  const extra = Object.keys(o).filter((k) => !allowed.has(k));
  const missing = fields.filter((k) => !(k in o));
  if (extra.length > 0 || missing.length > 0) {
    throw stateError(
      `${where} fields`,
      `exactly kind, v, ${fields.join(', ')}`,
      `missing [${missing.join(', ')}], unknown [${extra.join(', ')}]`,
    );
  }
  return o;
}

/** A non-negative safe integer field. */
export function checkCount(o: Record<string, unknown>, key: string, where: string): number {
  const n = o[key];
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw stateError(`${where}.${key}`, 'a non-negative integer', n);
  return n;
}
