/** Additive mask value for hidden keys (exp underflows to exactly 0 in float32). */
export const MASKED = -1e9;

/**
 * Causal sliding-window mask [T,T] (row = query i, column = key j): 0 where j <= i and
 * i − j < window, MASKED elsewhere.
 */
export function slidingWindowMaskArray(T: number, window: number): Float32Array {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      if (j > i || i - j >= window) m[i * T + j] = MASKED;
    }
  }
  return m;
}
