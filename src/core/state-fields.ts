/**
 * Field checks for decoding JSON states (src/core/state.ts): a `FieldReader` over one tagged object
 * reads typed fields and throws STATE_FORMAT naming the state, the field path, what was expected and
 * what was received. Typed arrays travel as base64 of their little-endian bytes (compact, exact).
 */
import { endianness } from 'node:os';
import { BltError } from './errors.js';

export const DEFAULT_STATE_HINT = 'resume with the state written by the same run, or start over without it';

/** Where a (possibly nested) state sits, for messages. */
export interface StateSite {
  /** the outermost state's label, e.g. 'loader state' */
  readonly label: string;
  /** its source, e.g. a file path */
  readonly where?: string | undefined;
  /** the field path down to this state, ending in '.' ('' at the top) */
  readonly path: string;
}

/** What `FieldReader.nested` needs of a child state's codec. */
export interface NestedDecoder<T> {
  decodeAt(value: unknown, site: StateSite): T;
}

/** The error of a state that does not decode: `Invalid <label> (<where>): <what>.` */
export function stateError(site: StateSite, what: string, hint?: string): BltError {
  const at = site.where === undefined ? '' : ` (${site.where})`;
  return new BltError('STATE_FORMAT', `Invalid ${site.label}${at}: ${what}.`, hint ?? DEFAULT_STATE_HINT);
}

/** A received value for a message, short. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Int32Array / Uint16Array → base64 of its little-endian bytes. */
export function encodeArray(a: Int32Array | Uint16Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const buf = Buffer.alloc(a.byteLength);
  if (a instanceof Int32Array) a.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  else a.forEach((v, i) => buf.writeUInt16LE(v, i * 2));
  return buf.toString('base64');
}

/** Reads the fields of one decoded-so-far state object. */
export class FieldReader {
  constructor(
    /** the object, its tag and field names already checked */
    readonly o: Readonly<Record<string, unknown>>,
    readonly site: StateSite,
    private readonly hint: string = DEFAULT_STATE_HINT,
  ) {}

  /** Throws STATE_FORMAT with `what` (e.g. "expected `a` and `b` together"). */
  fail(what: string, hint?: string): never {
    throw stateError(this.site, what, hint ?? this.hint);
  }

  /** `what` as the expectation on field `key`: "expected `path.key` to be <what>, got <value>". */
  expected(key: string, what: string, got: unknown = this.o[key]): never {
    return this.fail(`expected \`${this.site.path}${key}\` to be ${what}, got ${shown(got)}`);
  }

  /** An integer ≥ 0 (a safe integer). */
  count(key: string): number {
    const v = this.o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return this.expected(key, 'an integer ≥ 0');
    return v;
  }

  /** An integer ≥ 0, or undefined when the field is absent. */
  optionalCount(key: string): number | undefined {
    return this.o[key] === undefined ? undefined : this.count(key);
  }

  /** A finite number. */
  number(key: string): number {
    const v = this.o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.expected(key, 'a finite number');
    return v;
  }

  bool(key: string): boolean {
    const v = this.o[key];
    if (typeof v !== 'boolean') return this.expected(key, 'a boolean');
    return v;
  }

  string(key: string): string {
    const v = this.o[key];
    if (typeof v !== 'string') return this.expected(key, 'a string');
    return v;
  }

  /** A string or null. */
  nullableString(key: string): string | null {
    const v = this.o[key];
    if (v !== null && typeof v !== 'string') return this.expected(key, 'a string or null');
    return v;
  }

  /** A JSON object (not null, not an array). */
  object(key: string): Record<string, unknown> {
    const v = this.o[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.expected(key, 'a JSON object');
    return v as Record<string, unknown>;
  }

  array(key: string): unknown[] {
    const v = this.o[key];
    if (!Array.isArray(v)) return this.expected(key, 'an array');
    return v;
  }

  /** A reader over the plain (untagged) object in field `key`; messages name its fields by their path. */
  sub(key: string): FieldReader {
    return new FieldReader(this.object(key), { ...this.site, path: `${this.site.path}${key}.` }, this.hint);
  }

  /** A child state, decoded by its own codec; messages name it by its path under this state. */
  nested<T>(key: string, codec: NestedDecoder<T>): T {
    return codec.decodeAt(this.o[key], { ...this.site, path: `${this.site.path}${key}.` });
  }

  /** Base64 of little-endian int32s. */
  int32Array(key: string): Int32Array {
    const buf = this.base64(key, 4);
    if (LITTLE_ENDIAN) return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    return Int32Array.from({ length: buf.length / 4 }, (_, i) => buf.readInt32LE(i * 4));
  }

  /** Base64 of little-endian uint16s. */
  uint16Array(key: string): Uint16Array {
    const buf = this.base64(key, 2);
    if (LITTLE_ENDIAN) return new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    return Uint16Array.from({ length: buf.length / 2 }, (_, i) => buf.readUInt16LE(i * 2));
  }

  private base64(key: string, width: number): Buffer {
    const s = this.o[key];
    if (typeof s !== 'string') return this.expected(key, 'a base64 string');
    const buf = Buffer.from(s, 'base64');
    if (buf.length % width !== 0) return this.expected(key, `base64 of a multiple of ${width} bytes`, s);
    return buf;
  }
}
