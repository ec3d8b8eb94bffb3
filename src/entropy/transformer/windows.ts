/**
 * One model call's slice of a document: tokens [start, start+length) are fed at positions
 * 0..length-1, and outputs from offset `keepFrom` on are kept (doc positions start+keepFrom ..).
 */
export interface EntropyWindow {
  readonly start: number;
  readonly length: number;
  readonly keepFrom: number;
}

/**
 * Covers a document of n tokens with windows of `window` tokens at stride window/2.
 * The first window keeps all its outputs; every later one keeps only its second half, so each
 * position after the first window sees at least window/2 tokens of history. n = 0 → [].
 */
export function planWindows(n: number, window: number): EntropyWindow[] {
  if (n <= 0) return [];
  const s = window / 2;
  const out: EntropyWindow[] = [{ start: 0, length: Math.min(n, window), keepFrom: 0 }];
  for (let k = 1; (k + 1) * s < n; k++) {
    const start = k * s;
    out.push({ start, length: Math.min(window, n - start), keepFrom: s });
  }
  return out;
}

/**
 * The padded sequence length a window of `length` tokens is run at: rounded up to a multiple of
 * `quantum`, capped at `window`. It depends only on the window itself, so the shape (and the
 * floats) of a window's computation never depend on which other windows share its batch.
 */
export function paddedLength(length: number, window: number, quantum = 32): number {
  return Math.min(window, Math.ceil(length / quantum) * quantum);
}
