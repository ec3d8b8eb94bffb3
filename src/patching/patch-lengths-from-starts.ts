/**
 * Start positions → patch lengths (`patch_lengths_from_start_ids`): consecutive differences,
 * the last patch running to `seqLen` (= L, or L + 1 with the next token).
 */
import { invariant } from '../core/errors.js';

/** starts [P] (ascending, < = seqLen) → lengths [P]; zero-length patches only at the end. */
export function lengthsFromStarts(starts: readonly number[], seqLen: number): number[] {
  const lengths: number[] = [];
  for (let p = 0; p < starts.length; p++) {
    const next = p + 1 < starts.length ? (starts[p + 1] as number) : seqLen;
    const len = next - (starts[p] as number);
    invariant(len >= 0, `patch lengths are non-negative (start ${starts[p]}, next ${next})`);
    lengths.push(len);
  }
  return lengths;
}

/** `split_large_numbers`: every length > m becomes m, m, ..., rest (sum kept). */
export function splitLongPatches(lengths: readonly number[], m: number): number[] {
  const out: number[] = [];
  for (let len of lengths) {
    if (len > m) {
      while (len > m) {
        out.push(m);
        len -= m;
      }
    }
    out.push(len);
  }
  return out;
}

/** Drops trailing zero-length patches (the reference trims all-zero trailing columns). */
export function trimTrailingZeros(lengths: readonly number[]): number[] {
  let end = lengths.length;
  while (end > 0 && lengths[end - 1] === 0) end--;
  return lengths.slice(0, end);
}
