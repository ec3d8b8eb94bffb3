/**
 * Space patching (`find_space_patch_start_ids`, docs/reference.md §3.3): the byte after a "space-like"
 * byte starts a patch. Space-like = not an ASCII letter or digit and not a UTF-8 continuation
 * byte (so multi-byte lead bytes count); only the first of a run of space-like bytes counts;
 * special tokens (< 4) always end a patch.
 */
import { OFFSET } from '../bytes/byte-vocab.js';

const ch = (c: string): number => c.charCodeAt(0);
const ZERO = ch('0');
const NINE = ch('9');
const UPPER_A = ch('A');
const UPPER_Z = ch('Z');
const LOWER_A = ch('a');
const LOWER_Z = ch('z');

function isSpaceLike(token: number): boolean {
  const b = token - OFFSET;
  return (
    b < ZERO || (NINE < b && b < UPPER_A) || (UPPER_Z < b && b < LOWER_A) || (LOWER_Z < b && b < 0x80) || b >= 0xc0
  );
}

/** tokens [L] → patch start positions in [0, L] (ascending; position L is the next token). */
export function spacePatchStarts(tokens: ArrayLike<number>): number[] {
  const n = tokens.length;
  const starts = n > 0 ? [0, 1] : [0];
  let prevSpaceLike = n > 0 && isSpaceLike(tokens[0] as number);
  for (let i = 1; i < n; i++) {
    const t = tokens[i] as number;
    const spaceLike = isSpaceLike(t);
    // end[i] = spaceLike[i] & !spaceLike[i-1] (original values), then | special
    const end = (spaceLike && !prevSpaceLike) || t < OFFSET;
    if (end) starts.push(i + 1);
    prevSpaceLike = spaceLike;
  }
  return starts;
}
