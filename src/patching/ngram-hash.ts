/**
 * Hashed byte n-gram ids, bit-exact with the reference's `byte_group_hash_function`
 * (bytelatent/model/blt.py; docs/reference.md §4):
 *
 *   w[i]  = [x[i-g+1], ..., x[i]]            (x[<0] := 0, the zero prefix of g-1)
 *   h[i]  = Σ_k w[i][k] · p_f^k  mod 2^64     (oldest byte × p^0; int64 wrap-around)
 *   id[i] = asInt64(h[i]) floor-mod V         (torch `%`: result in [0, V))
 *
 * The hot path is a small wasm kernel with native int64 arithmetic (wasm/ngram-hash.wat);
 * tokens that are not int32 integers take an exact BigInt path.
 */
import { requireInt } from '../core/validate.js';
import { BltError, describeValue } from '../core/errors.js';
import { hashWithWasm, type RollingHash } from './wasm/ngram-hash-kernel.js';

/** The reference's primes; index = hash function number. */
export const HASH_PRIMES: readonly bigint[] = [
  1000000007n,
  5915587277n,
  1500450271n,
  3267000013n,
  5754853343n,
  4093082899n,
  9576890767n,
  3628273133n,
  2860486313n,
  5463458053n,
  3367900313n,
];

const MASK64 = (1n << 64n) - 1n;
const rollCache = new Map<string, RollingHash>();

/** p^g and p^-1 (mod 2^64) for the rolling form of the hash. */
function rollingConstants(groupSize: number, hashFunction: number): RollingHash {
  const key = `${groupSize}:${hashFunction}`;
  let roll = rollCache.get(key);
  if (!roll) {
    const p = HASH_PRIMES[hashFunction] as bigint;
    let inv = p; // Newton's iteration doubles the correct low bits: 5 steps reach 64
    for (let i = 0; i < 6; i++) inv = (inv * (2n - p * inv)) & MASK64;
    let pg = 1n;
    for (let k = 0; k < groupSize; k++) pg = (pg * p) & MASK64;
    roll = { groupSize, pg: BigInt.asIntN(64, pg), pinv: BigInt.asIntN(64, inv) };
    if (rollCache.size > 1024) rollCache.clear();
    rollCache.set(key, roll);
  }
  return roll;
}

function validate(tokens: ArrayLike<number>, groupSize: number, hashFunction: number, vocab: number): void {
  if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`tokens\` to be an array or typed array of integers, got ${describeValue(tokens)}.`,
    );
  }
  requireInt('groupSize', groupSize, 1, 1 << 20);
  requireInt('hashFunction', hashFunction, 0, HASH_PRIMES.length - 1);
  requireInt('vocab', vocab, 1, 2 ** 31);
}

/** True when every token is an int32 integer, which the wasm kernel takes as it is. */
function allInt32(tokens: ArrayLike<number>): boolean {
  if (
    tokens instanceof Int32Array ||
    tokens instanceof Uint8Array ||
    tokens instanceof Uint16Array ||
    tokens instanceof Int16Array
  ) {
    return true;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (((tokens[i] as number) | 0) !== tokens[i]) return false;
  }
  return true;
}

/** tokens [N] → ids [N] in [0, vocab): the hashed id of the g-gram ending at each position. */
export function hashNgramIds(
  tokens: ArrayLike<number>,
  groupSize: number,
  hashFunction: number,
  vocab: number,
): Int32Array {
  validate(tokens, groupSize, hashFunction, vocab);
  if (allInt32(tokens)) return hashWithWasm(tokens, rollingConstants(groupSize, hashFunction), vocab);
  return hashExact(tokens, groupSize, hashFunction, vocab);
}

/** The direct sum with BigInt, for tokens outside int32 (slow, exact). */
function hashExact(x: ArrayLike<number>, g: number, hashFunction: number, vocab: number): Int32Array {
  const p = HASH_PRIMES[hashFunction] as bigint;
  const powers: bigint[] = [];
  for (let k = 0, acc = 1n; k < g; k++, acc = (acc * p) & MASK64) powers.push(acc);
  const out = new Int32Array(x.length);
  const v = BigInt(vocab);
  for (let i = 0; i < x.length; i++) {
    let s = 0n;
    for (let k = Math.max(0, g - 1 - i); k < g; k++) {
      const t = x[i - g + 1 + k] as number;
      if (!Number.isSafeInteger(t)) {
        throw new BltError(
          'BAD_INPUT',
          `Expected token ids to be integers, got ${describeValue(t)} at index ${i - g + 1 + k}.`,
        );
      }
      s = (s + BigInt(t) * (powers[k] as bigint)) & MASK64;
    }
    let r = BigInt.asIntN(64, s) % v;
    if (r < 0n) r += v;
    out[i] = Number(r);
  }
  return out;
}
