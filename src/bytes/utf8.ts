/**
 * UTF-8 with Python's `errors="ignore"` semantics, which the reference tokenizer uses both
 * ways: encoding drops unpaired surrogates, decoding drops every byte that is not part of a
 * well-formed sequence (the WHATWG/Unicode "maximal subpart" rules decide which those are).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** text → UTF-8 bytes, unpaired surrogates dropped (Python `text.encode('utf-8', 'ignore')`). */
export function utf8EncodeIgnore(text: string): Uint8Array {
  return encoder.encode(text.isWellFormed() ? text : text.replace(LONE_SURROGATE, ''));
}

/** Length of the well-formed sequence starting at `i`, or 0 when the byte there starts none. */
export function utf8SequenceLength(bytes: ArrayLike<number>, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k <= need; k++) {
    const b = bytes[i + k];
    if (b === undefined || b < lo || b > hi) return 0;
    lo = 0x80;
    hi = 0xbf;
  }
  return need + 1;
}

/**
 * The one UTF-8 walk: visits bytes[0, end) in order, `visit(start, length)` once per well-formed
 * sequence (length 1..4, which may run past `end`) and once per byte that starts none (length 0;
 * the walk goes on at the next byte: the maximal subpart rule). `visit` returning false stops the
 * walk. Returns where it stopped (`end`, or the start of the sequence whose visit returned false).
 */
export function walkUtf8(
  bytes: ArrayLike<number>,
  visit: (start: number, length: number) => boolean | void,
  end = bytes.length,
): number {
  let i = 0;
  while (i < end) {
    const len = (bytes[i] as number) < 0x80 ? 1 : utf8SequenceLength(bytes, i);
    if (visit(i, len) === false) return i;
    i += len === 0 ? 1 : len;
  }
  return end;
}

/** The code point of the well-formed sequence of `length` bytes at `start`. */
export function codePointAt(bytes: ArrayLike<number>, start: number, length: number): number {
  const b0 = bytes[start] as number;
  if (length <= 1) return b0;
  let cp = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) cp = (cp << 6) | ((bytes[start + k] as number) & 0x3f);
  return cp;
}

/** UTF-8 bytes → text, invalid bytes dropped (Python `bytes.decode('utf-8', 'ignore')`). */
export function utf8DecodeIgnore(bytes: Uint8Array): string {
  const kept = new Uint8Array(bytes.length);
  let n = 0;
  walkUtf8(bytes, (i, len) => {
    // a byte that starts no sequence is dropped; the next one is examined afresh
    for (let k = 0; k < len; k++) kept[n++] = bytes[i + k] as number;
  });
  return decoder.decode(kept.subarray(0, n));
}
