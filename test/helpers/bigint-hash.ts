/**
 * Test oracle for hashed n-gram ids: the reference's formula evaluated with arbitrary-precision
 * integers (Python big-int semantics), then reduced to int64 and floor-modded — written as the
 * spec states it, independent of the rolling wasm kernel.
 */
const PRIMES = [
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

export function referenceHash(x: ArrayLike<number>, g: number, f: number, vocab: number): number[] {
  const p = PRIMES[f] as bigint;
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    let s = 0n;
    for (let k = 0; k < g; k++) {
      const j = i - g + 1 + k;
      const v = j < 0 ? 0n : BigInt(x[j] as number);
      s += v * p ** BigInt(k);
    }
    const h = BigInt.asIntN(64, s);
    let r = h % BigInt(vocab);
    if (r < 0n) r += BigInt(vocab);
    out.push(Number(r));
  }
  return out;
}
