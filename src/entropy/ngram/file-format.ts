import { endianness } from 'node:os';
import { BltError } from '../../core/errors.js';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import type { ContextTable } from './context-table.js';
import type { NgramFloor } from './floor.js';
import type { NodeTable } from './node-table.js';

/**
 * The n-gram model file, little-endian. Version 2 (written since the multilingual default)
 * stores the scoring index, so loading a model for scoring is a read and a copy, not a rebuild:
 *
 *   0   8 bytes  magic "BLTNGRAM"
 *   8   u32      format version (2)
 *   12  u32      order (longest context in tokens)
 *   16  u32      vocabulary size (260)
 *   20  u32      node count n (root included)
 *   24  u32      context slots s (a power of two; 0 when order > 6: no stored index)
 *   28  u32      flags: bit 0 = a pruned-count array follows the counts
 *   32  f64      floor weight λ
 *   40  f64      entropy of the root context (nats)
 *   48  f64      discounts [(order + 2) * 3]: (D1, D2, D3+) per n-gram length 0..order+1
 *   ..  f64      floor distribution [260]
 *   ..  i32      parent [n − 1]   of nodes 1..n−1 (parent id < node id)
 *   ..  u32      count  [n − 1]
 *   ..  u32      pruned [n]        (flag bit 0) counts of each context's pruned children
 *   ..  u16      token  [n − 1], then 0 or 2 zero bytes to a multiple of 4
 *   ..  i32      context slots [4 s]: (key lo, key hi, node, entropy as float32 bits), context-table.ts
 *
 * Version 1 (no floor, no pruning, no index: header of 24 bytes, then discounts, parent, count,
 * token) is still read; its index is rebuilt at load as before. The file is exactly as long as
 * its header says. The model fingerprint is sha256 of the file's bytes.
 */
export const NGRAM_MAGIC = 'BLTNGRAM';
export const NGRAM_FORMAT_VERSION = 2;
const HEADER_V1 = 24;
const HEADER_V2 = 48;

/** What a file stores. */
export interface NgramFileContents {
  order: number;
  discounts: Float64Array;
  table: Pick<NodeTable, 'size' | 'parent' | 'count' | 'token'>;
  floor?: NgramFloor | undefined;
  pruned?: Uint32Array | undefined;
  /** version 2 only: the stored index and root entropy */
  contexts?: ContextTable | undefined;
  rootEntropy?: number | undefined;
}

export interface DecodedNgramFile extends NgramFileContents {
  readonly version: number;
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

export function encodeNgramModel(m: NgramFileContents): Uint8Array {
  requireLittleEndian();
  const n = m.table.size - 1;
  const size = m.table.size;
  const ct = m.contexts;
  const nSlots = ct ? ct.mask + 1 : 0;
  const pruned = m.pruned;
  const floorW = m.floor?.weight ?? 0;
  const floorD = m.floor?.dist ?? new Float64Array(VOCAB_SIZE).fill(1 / VOCAB_SIZE);
  const tokenBytes = n * 2 + pad4(n * 2);
  const len =
    HEADER_V2 + m.discounts.length * 8 + VOCAB_SIZE * 8 + n * 8 + (pruned ? size * 4 : 0) + tokenBytes + nSlots * 16;
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(NGRAM_MAGIC, 'ascii'), 0);
  view.setUint32(8, NGRAM_FORMAT_VERSION, true);
  view.setUint32(12, m.order, true);
  view.setUint32(16, VOCAB_SIZE, true);
  view.setUint32(20, size, true);
  view.setUint32(24, nSlots, true);
  view.setUint32(28, pruned ? 1 : 0, true);
  view.setFloat64(32, floorW, true);
  view.setFloat64(40, m.rootEntropy ?? 0, true);
  let off = HEADER_V2;
  const put = (arr: ArrayBufferView): void => {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), off);
    off += arr.byteLength;
  };
  put(m.discounts);
  put(floorD);
  put(m.table.parent.subarray(1, n + 1));
  put(m.table.count.subarray(1, n + 1));
  if (pruned) put(pruned.subarray(0, size));
  put(m.table.token.subarray(1, n + 1));
  off += pad4(n * 2);
  if (ct) put(ct.slots);
  return out;
}

/** File bytes → stored contents, checking magic, version, vocabulary and exact length. */
export function decodeNgramModel(bytes: Uint8Array, path: string): DecodedNgramFile {
  requireLittleEndian();
  const bad = (what: string, hint?: string): BltError =>
    new BltError(
      'MODEL_FORMAT',
      `${path}: not a valid n-gram model file: ${what}.`,
      hint ?? 'retrain it with `blt entropy train --kind ngram`, or check the path',
    );
  if (bytes.length < HEADER_V1)
    throw bad(`expected at least ${HEADER_V1} header bytes, got ${bytes.length} (truncated?)`);
  const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (magic !== NGRAM_MAGIC) throw bad(`expected magic "${NGRAM_MAGIC}", got ${JSON.stringify(magic)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== 1 && version !== 2) {
    throw bad(
      `expected format version 1 or 2, got ${version}`,
      'a newer toolkit wrote it: upgrade blt-toolkit, or retrain the model with this one',
    );
  }
  const order = view.getUint32(12, true);
  const vocab = view.getUint32(16, true);
  const size = view.getUint32(20, true);
  if (order > 254) throw bad(`expected order ≤ 254, got ${order}`);
  if (vocab !== VOCAB_SIZE) throw bad(`expected vocabulary size ${VOCAB_SIZE}, got ${vocab}`);
  if (size < 1) throw bad(`expected a node count ≥ 1, got ${size}`);
  const n = size - 1;
  const discBytes = (order + 2) * 3 * 8;
  let nSlots = 0;
  let flags = 0;
  let expected: number;
  if (version === 1) {
    expected = HEADER_V1 + discBytes + n * 10;
  } else {
    if (bytes.length < HEADER_V2)
      throw bad(`expected at least ${HEADER_V2} header bytes, got ${bytes.length} (truncated)`);
    nSlots = view.getUint32(24, true);
    flags = view.getUint32(28, true);
    if (nSlots !== 0 && (nSlots & (nSlots - 1)) !== 0)
      throw bad(`expected a power-of-two number of context slots, got ${nSlots}`);
    if (flags > 1) throw bad(`expected flags 0 or 1, got ${flags}`);
    expected =
      HEADER_V2 + discBytes + VOCAB_SIZE * 8 + n * 8 + (flags & 1 ? size * 4 : 0) + n * 2 + pad4(n * 2) + nSlots * 16;
  }
  if (bytes.length !== expected) {
    throw bad(
      `expected ${expected} bytes for version ${version}, order ${order} and ${size} nodes, ` +
        `got ${bytes.length} (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`,
    );
  }
  let off = version === 1 ? HEADER_V1 : HEADER_V2;
  const take = (len: number): ArrayBuffer => {
    // a copy: aligned, and a Buffer's .slice would share memory
    const buf = new Uint8Array(bytes.subarray(off, off + len)).buffer;
    off += len;
    return buf;
  };
  const discounts = new Float64Array(take(discBytes));
  const floorDist = version === 2 ? new Float64Array(take(VOCAB_SIZE * 8)) : undefined;
  const parent = new Int32Array(size);
  parent.set(new Int32Array(take(n * 4)), 1);
  const count = new Uint32Array(size);
  count.set(new Uint32Array(take(n * 4)), 1);
  const pruned = flags & 1 ? new Uint32Array(take(size * 4)) : undefined;
  const token = new Uint16Array(size);
  token.set(new Uint16Array(take(n * 2)), 1);
  off += version === 2 ? pad4(n * 2) : 0;
  parent[0] = -1;
  const contents: DecodedNgramFile = { version, order, discounts, table: { size, parent, count, token }, pruned };
  if (version === 1) return contents;
  const floor: NgramFloor = { weight: view.getFloat64(32, true), dist: floorDist as Float64Array };
  if (!(floor.weight >= 0 && floor.weight < 1)) throw bad(`expected a floor weight in [0, 1), got ${floor.weight}`);
  let contexts: ContextTable | undefined;
  if (nSlots > 0) {
    const slots = new Int32Array(take(nSlots * 16));
    contexts = { slots, entropy: new Float32Array(slots.buffer), mask: nSlots - 1 };
  }
  return { ...contents, floor, contexts, rootEntropy: view.getFloat64(40, true) };
}

function requireLittleEndian(): void {
  if (endianness() !== 'LE')
    throw new BltError('MODEL_FORMAT', 'n-gram model files are little-endian; this big-endian host is not supported.');
}
