/**
 * Runs the wasm hash kernel (ngram-hash.wat) over tokens in chunks of CHUNK positions, so its
 * memory stays bounded (~CHUNK·8 bytes) whatever the input length. Each chunk carries the
 * g-1 tokens before it, so the result equals one pass over the whole sequence.
 */
import { WASM_BASE64 } from './ngram-hash-wasm.js';

const CHUNK = 1 << 18;

interface Kernel {
  memory: WebAssembly.Memory;
  hash: (
    tok: number,
    n: number,
    g: number,
    pg: bigint,
    pinv: bigint,
    vocab: bigint,
    out: number,
    start: number,
  ) => void;
}

let kernel: Kernel | undefined;

function getKernel(): Kernel {
  if (!kernel) {
    const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module).exports as unknown as Kernel;
    kernel = { memory: exports.memory, hash: exports.hash };
  }
  return kernel;
}

function ensureBytes(k: Kernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Rolling constants for one (p, g): p^g and p^-1 mod 2^64, as signed int64. */
export interface RollingHash {
  groupSize: number;
  pg: bigint;
  pinv: bigint;
}

/** tokens [N] (int32 values) → ids [N] in [0, vocab). */
export function hashWithWasm(tokens: ArrayLike<number>, roll: RollingHash, vocab: number): Int32Array {
  const k = getKernel();
  const g = roll.groupSize;
  const n = tokens.length;
  const out = new Int32Array(n);
  const ctx = g - 1;
  const maxIn = Math.min(n, CHUNK + ctx);
  const tokPtr = 0;
  const outPtr = maxIn * 4;
  ensureBytes(k, outPtr + Math.min(n, CHUNK) * 4);
  const v = BigInt(vocab);
  for (let begin = 0; begin < n; begin += CHUNK) {
    const end = Math.min(n, begin + CHUNK);
    const from = Math.max(0, begin - ctx);
    const tok = new Int32Array(k.memory.buffer, tokPtr, end - from);
    if (isTypedArray(tokens)) tok.set(tokens.subarray(from, end));
    else for (let i = from; i < end; i++) tok[i - from] = tokens[i] as number;
    k.hash(tokPtr, end - from, g, roll.pg, roll.pinv, v, outPtr, begin - from);
    out.set(new Int32Array(k.memory.buffer, outPtr, end - begin), begin);
  }
  return out;
}

type NumericTypedArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

function isTypedArray(x: ArrayLike<number>): x is NumericTypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}
