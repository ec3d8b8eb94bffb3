/**
 * safetensors (https://github.com/huggingface/safetensors) for float32 tensors:
 *   u64 little-endian N | N bytes of JSON header, space-padded to a multiple of 8 |
 *   data (tensors back to back, in header order).
 * Header: {"__metadata__"?: {str: str}, name: {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}}
 * with offsets relative to the data section. Like the Python/Rust writer, tensors are laid out
 * sorted by name (all have one dtype), "__metadata__" comes first and the JSON is compact.
 */
import { readFile } from 'node:fs/promises';
import { BltError } from '../../core/errors.js';
import type { WeightArray } from '../transformer/types.js';

/** The content of a safetensors file. */
export interface SafetensorsContent {
  readonly tensors: Map<string, WeightArray>;
  readonly metadata: Record<string, string> | undefined;
}

/** The Rust library refuses headers above 100 MB; so do we (a corrupt length would allocate GBs). */
const MAX_HEADER = 100_000_000;
const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Float32Array views below assume a little-endian host (x86, ARM: every Node target in practice). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN_HOST) throw new BltError('INTERNAL', 'safetensors I/O needs a little-endian host.');
}

function fail(
  source: string,
  what: string,
  hint = 'the file is corrupt or not a safetensors file; re-save the model',
): BltError {
  return new BltError('MODEL_FORMAT', `${source}: ${what}`, hint);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encodes float32 tensors (any insertion order; written sorted by name). */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, WeightArray>,
  metadata?: Record<string, string>,
): Uint8Array {
  requireLittleEndian();
  const names = [...tensors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new BltError('BAD_OPTION', `safetensors metadata values must be strings; \`${k}\` is ${typeof v}.`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as WeightArray;
    if (name === '__metadata__') throw new BltError('BAD_OPTION', 'a tensor cannot be named __metadata__.');
    if (t.data.length !== product(t.shape)) {
      throw new BltError('INTERNAL', `tensor ${name}: ${t.data.length} values for shape [${t.shape.join(',')}]`);
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const name of names) {
    const d = (tensors.get(name) as WeightArray).data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(source: string, name: string, v: unknown): Entry {
  const o = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (typeof o !== 'object' || o === null) throw fail(source, `header entry ${name} is not an object.`);
  if (typeof o.dtype !== 'string' || !(o.dtype in DTYPE_BYTES))
    throw fail(source, `tensor ${name} has unknown dtype ${JSON.stringify(o.dtype)}.`);
  if (o.dtype !== 'F32') {
    throw fail(
      source,
      `tensor ${name} has dtype ${o.dtype}; only F32 is supported.`,
      'convert the checkpoint to float32 before loading (e.g. {k: v.float() for k, v in sd.items()} in PyTorch)',
    );
  }
  const shape = o.shape;
  if (!Array.isArray(shape) || !shape.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
    throw fail(source, `tensor ${name} has an invalid shape ${JSON.stringify(shape)}.`);
  }
  const off = o.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
    throw fail(source, `tensor ${name} has invalid data_offsets ${JSON.stringify(off)}.`);
  }
  const [begin, end] = off as [number, number];
  if (end < begin) throw fail(source, `tensor ${name} has data_offsets [${begin},${end}] with end < begin.`);
  if (end - begin !== product(shape as number[]) * 4) {
    throw fail(
      source,
      `tensor ${name} has shape [${shape.join(',')}] (${product(shape as number[]) * 4} bytes of F32) but ` +
        `data_offsets span ${end - begin} bytes.`,
    );
  }
  return { name, shape: shape as number[], begin, end };
}

function parseHeader(bytes: Uint8Array, source: string): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8)
    throw fail(source, `file is ${bytes.length} bytes, too short for the 8-byte header length (truncated?).`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw fail(
      source,
      `header length ${n} exceeds the ${bytes.length - 8} bytes after the length field (truncated or not safetensors).`,
    );
  }
  const dataStart = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    throw fail(source, `header is not valid UTF-8 JSON (${(err as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw fail(source, 'header JSON is not an object.');
  return { header: header as Record<string, unknown>, dataStart };
}

function parseMetadata(source: string, m: unknown): Record<string, string> | undefined {
  if (m === undefined) return undefined;
  if (
    typeof m !== 'object' ||
    m === null ||
    Array.isArray(m) ||
    !Object.values(m).every((v) => typeof v === 'string')
  ) {
    throw fail(source, '__metadata__ must be an object of strings.');
  }
  return { ...(m as Record<string, string>) };
}

/** Decodes and validates a safetensors buffer (F32 only). `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors buffer'): SafetensorsContent {
  requireLittleEndian();
  const { header, dataStart } = parseHeader(bytes, source);
  const metadata = parseMetadata(source, header.__metadata__);
  const entries = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([k, v]) => parseEntry(source, k, v));
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLen = bytes.length - dataStart;
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected)
      throw fail(
        source,
        `tensor ${e.name} starts at data offset ${e.begin}, expected ${expected} (tensors must be ` +
          `contiguous, no gaps or overlaps).`,
      );
    expected = e.end;
  }
  if (expected !== dataLen) {
    throw fail(
      source,
      expected > dataLen
        ? `tensor data needs ${expected} bytes but the file has ${dataLen} after the header (truncated).`
        : `file has ${dataLen - expected} trailing bytes after the last tensor.`,
    );
  }
  const tensors = new Map<string, WeightArray>();
  for (const e of entries) {
    // Copy into a fresh, aligned Float32Array (`bytes` may be a Node Buffer, whose slice() is a view).
    const data = new Float32Array((e.end - e.begin) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** Reads and validates a safetensors file; MODEL_FORMAT/NOT_FOUND errors name the path. */
export async function readSafetensors(path: string): Promise<SafetensorsContent> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new BltError(
      'NOT_FOUND',
      `Cannot read ${path}: ${(err as Error).message}.`,
      'check the model directory path',
    );
  }
  return decodeSafetensors(bytes, path);
}
