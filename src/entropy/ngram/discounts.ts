/**
 * Modified Kneser–Ney discounts (Chen & Goodman 1998) per n-gram length, from the
 * count-of-counts n1..n4 of the (adjusted) counts of that length:
 *   Y = n1 / (n1 + 2 n2),  D1 = 1 − 2Y n2/n1,  D2 = 2 − 3Y n3/n2,  D3+ = 3 − 4Y n4/n3.
 * When a length has too few n-grams for the estimate (some n_i = 0, or a D outside (0, i]),
 * the fallback (0.5, 1.0, 1.5) is used for that length.
 * Shape: counts[nodes], depth[nodes] → Float64Array[(order + 2) * 3], row L = length L (row 0 unused).
 */
export const FALLBACK_DISCOUNTS: readonly [number, number, number] = [0.5, 1.0, 1.5];

export function estimateDiscounts(count: Uint32Array, depth: Uint8Array, size: number, order: number): Float64Array {
  const n = new Float64Array((order + 2) * 5); // n[L*5 + c] for c = 1..4
  for (let v = 1; v < size; v++) {
    const c = count[v] as number;
    if (c >= 1 && c <= 4) n[(depth[v] as number) * 5 + c] = (n[(depth[v] as number) * 5 + c] as number) + 1;
  }
  const out = new Float64Array((order + 2) * 3);
  for (let len = 1; len <= order + 1; len++) {
    const [n1, n2, n3, n4] = [1, 2, 3, 4].map((c) => n[len * 5 + c] as number) as [number, number, number, number];
    let d = FALLBACK_DISCOUNTS as readonly number[];
    if (n1 > 0 && n2 > 0 && n3 > 0 && n4 > 0) {
      const y = n1 / (n1 + 2 * n2);
      const est = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
      if (est.every((di, i) => di > 0 && di <= i + 1)) d = est;
    }
    out.set(d, len * 3);
  }
  return out;
}

/** The discount for an n-gram of this length and count (0 for count 0). */
export function discountFor(discounts: Float64Array, len: number, count: number): number {
  if (count === 0) return 0;
  return discounts[len * 3 + (count >= 3 ? 2 : count - 1)] as number;
}
