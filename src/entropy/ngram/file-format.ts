import { endianness } from 'node:os';
import { BltError } from '../../core/errors.js';
import { VOCAB_SIZE } from '../byte-vocab.js';
import type { NodeTable } from './node-table.js';

/**
 * The n-gram model file (version 1), little-endian, everything else derived on load:
 *
 *   0   8 bytes  magic "BLTNGRAM"
 *   8   u32      format version (1)
 *   12  u32      order (longest context in tokens)
 *   16  u32      vocabulary size (260)
 *   20  u32      node count n (root included)
 *   24  f64      discounts [(order + 2) * 3]: (D1, D2, D3+) per n-gram length 0..order+1
 *   ..  i32      parent [n − 1]   of nodes 1..n−1 (parent id < node id)
 *   ..  u32      count  [n − 1]
 *   ..  u16      token  [n − 1]
 *
 * The file is exactly this long. The model fingerprint is sha256 of these bytes.
 */
export const NGRAM_MAGIC = 'BLTNGRAM';
export const NGRAM_FORMAT_VERSION = 1;
const HEADER = 24;

/** What the file stores; the rest of a model is derived from it. */
export interface NgramFileContents {
  order: number;
  discounts: Float64Array;
  table: Pick<NodeTable, 'size' | 'parent' | 'count' | 'token'>;
}

export function encodeNgramModel(m: NgramFileContents): Uint8Array {
  requireLittleEndian();
  const n = m.table.size - 1;
  const discBytes = m.discounts.length * 8;
  const out = new Uint8Array(HEADER + discBytes + n * 10);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(NGRAM_MAGIC, 'ascii'), 0);
  view.setUint32(8, NGRAM_FORMAT_VERSION, true);
  view.setUint32(12, m.order, true);
  view.setUint32(16, VOCAB_SIZE, true);
  view.setUint32(20, m.table.size, true);
  let off = HEADER;
  for (const arr of [m.discounts, m.table.parent.subarray(1, n + 1), m.table.count.subarray(1, n + 1), m.table.token.subarray(1, n + 1)]) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), off);
    off += arr.byteLength;
  }
  return out;
}

/** File bytes → stored contents, checking magic, version, vocabulary and exact length. */
export function decodeNgramModel(bytes: Uint8Array, path: string): NgramFileContents {
  requireLittleEndian();
  const bad = (what: string, hint?: string): BltError =>
    new BltError('MODEL_FORMAT', `${path}: not a valid n-gram model file: ${what}.`, hint ?? 'retrain it with `blt entropy train --model ngram`, or check the path');
  if (bytes.length < HEADER) throw bad(`expected at least ${HEADER} header bytes, got ${bytes.length} (truncated?)`);
  const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (magic !== NGRAM_MAGIC) throw bad(`expected magic "${NGRAM_MAGIC}", got ${JSON.stringify(magic)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== NGRAM_FORMAT_VERSION) {
    throw bad(`expected format version ${NGRAM_FORMAT_VERSION}, got ${version}`, 'use the toolkit version that wrote it, or retrain');
  }
  const order = view.getUint32(12, true);
  const vocab = view.getUint32(16, true);
  const size = view.getUint32(20, true);
  if (order > 254) throw bad(`expected order ≤ 254, got ${order}`);
  if (vocab !== VOCAB_SIZE) throw bad(`expected vocabulary size ${VOCAB_SIZE}, got ${vocab}`);
  if (size < 1) throw bad(`expected a node count ≥ 1, got ${size}`);
  const discBytes = (order + 2) * 3 * 8;
  const expected = HEADER + discBytes + (size - 1) * 10;
  if (bytes.length !== expected) {
    throw bad(`expected ${expected} bytes for order ${order} and ${size} nodes, got ${bytes.length} (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`);
  }
  let off = HEADER;
  const take = (len: number): ArrayBuffer => {
    const buf = new Uint8Array(bytes.subarray(off, off + len)).buffer; // a copy: aligned, and a Buffer's .slice would share memory
    off += len;
    return buf;
  };
  const discounts = new Float64Array(take(discBytes));
  const parent = new Int32Array(size);
  parent.set(new Int32Array(take((size - 1) * 4)), 1);
  const count = new Uint32Array(size);
  count.set(new Uint32Array(take((size - 1) * 4)), 1);
  const token = new Uint16Array(size);
  token.set(new Uint16Array(take((size - 1) * 2)), 1);
  parent[0] = -1;
  return { order, discounts, table: { size, parent, count, token } };
}

function requireLittleEndian(): void {
  if (endianness() !== 'LE') throw new BltError('MODEL_FORMAT', 'n-gram model files are little-endian; this big-endian host is not supported.');
}
