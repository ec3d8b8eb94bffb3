/**
 * Start positions → patch lengths (`patch_lengths_from_start_ids`): consecutive differences,
 * the last patch running to `seqLen` (= L, or L + 1 with the next token).
 */
import { invariant } from '../core/errors.js';

/** starts [P] (ascending, < = seqLen) → lengths [P]; zero-length patches only at the end. */
export function lengthsFromStarts(starts: ArrayLike<number>, seqLen: number): Int32Array {
  const lengths = new Int32Array(starts.length);
  for (let p = 0; p < starts.length; p++) {
    const next = p + 1 < starts.length ? (starts[p + 1] as number) : seqLen;
    const len = next - (starts[p] as number);
    invariant(len >= 0, `patch lengths are non-negative (start ${starts[p]}, next ${next})`);
    lengths[p] = len;
  }
  return lengths;
}

/** `split_large_numbers`: every length > m becomes m, m, ..., rest (sum kept). */
export function splitLongPatches(lengths: ArrayLike<number>, m: number): Int32Array {
  let count = 0;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i] as number;
    count += len > m ? Math.ceil(len / m) : 1;
  }
  const out = new Int32Array(count);
  let o = 0;
  for (let i = 0; i < lengths.length; i++) {
    let len = lengths[i] as number;
    while (len > m) {
      out[o++] = m;
      len -= m;
    }
    out[o++] = len;
  }
  return out;
}

/** Drops trailing zero-length patches (the reference trims all-zero trailing columns); no copy when none. */
export function trimTrailingZeros(lengths: Int32Array): Int32Array {
  let end = lengths.length;
  while (end > 0 && lengths[end - 1] === 0) end--;
  return end === lengths.length ? lengths : lengths.slice(0, end);
}
