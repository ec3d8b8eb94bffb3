/**
 * Patch boundaries that split a character: a patch that starts at a byte inside a well-formed
 * multi-byte UTF-8 sequence (any byte of it but the first). Stray continuation bytes of
 * invalid UTF-8 belong to no character and do not count as "inside".
 *
 * Tokens: token 0 is BOS, token t (1 ≤ t ≤ nBytes) is byte t − 1, then EOS. Only patch starts
 * on bytes are boundaries here (the BOS patch and a patch starting at EOS are not).
 */
import { walkUtf8 } from '../bytes/utf8.js';

export interface Utf8BoundaryCounts {
  /** patch starts at byte positions (tokens 1..nBytes) */
  boundaries: number;
  /** of those, starts at a non-first byte of a well-formed multi-byte character */
  insideCharacter: number;
}

/** bytes [n] → mask [n]: 1 where the byte continues a well-formed multi-byte character. */
export function insideCharacterMask(bytes: Uint8Array): Uint8Array {
  const mask = new Uint8Array(bytes.length);
  walkUtf8(bytes, (i, len) => {
    for (let k = 1; k < len; k++) mask[i + k] = 1;
  });
  return mask;
}

/** bytes [n], patch lengths over the n + 2 tokens [P] → boundary counts. */
export function countUtf8Boundaries(bytes: Uint8Array, lengths: ArrayLike<number>): Utf8BoundaryCounts {
  let boundaries = 0;
  let insideCharacter = 0;
  let mask: Uint8Array | undefined;
  let start = 0;
  for (let p = 0; p < lengths.length; p++) {
    if (start >= 1 && start <= bytes.length) {
      boundaries++;
      // most text is ASCII: build the mask only when a start lands on a non-ASCII byte
      if ((bytes[start - 1] as number) >= 0x80) {
        mask ??= insideCharacterMask(bytes);
        if (mask[start - 1]) insideCharacter++;
      }
    }
    start += lengths[p] as number;
  }
  return { boundaries, insideCharacter };
}
