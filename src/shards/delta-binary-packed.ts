/**
 * Parquet's DELTA_BINARY_PACKED encoding of int32 values (the page body of list-chunk.ts),
 * as parquet-rs writes it: blocks of 128 deltas in 4 miniblocks of 32, deltas in wrapping int32
 * arithmetic, each miniblock bit-packed (LSB first) at the width of its largest `delta - min`.
 *
 *   header: <block size 128> <miniblocks 4> <value count> <first value, zigzag>   (ULEB128)
 *   block:  <min delta, zigzag> <4 bit widths, 1 byte each> <miniblocks, each 32 × width bits>
 * Miniblocks of the last block past the last delta have width 0 and no bytes; the last
 * miniblock with deltas is padded to 32 values.
 */
const BLOCK = 128;
const MINIBLOCKS = 4;
const MINI = BLOCK / MINIBLOCKS;

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** values [N] → the encoded bytes. */
export function encodeDeltaBinaryPacked(values: Int32Array): Uint8Array {
  const n = values.length;
  // at most: header 4 varints, per block a 10-byte min delta, 4 widths and 4 miniblocks of 32 × 32 bits
  const buf = new Uint8Array(40 + Math.ceil(n / BLOCK) * (14 + BLOCK * 4));
  let at = 0;
  const varint = (v: number): void => {
    while (v >= 0x80) {
      buf[at++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[at++] = v;
  };
  const zigzag = (v: number): void => varint(v >= 0 ? 2 * v : -2 * v - 1);
  varint(BLOCK);
  varint(MINIBLOCKS);
  varint(n);
  zigzag(n > 0 ? (values[0] as number) : 0);
  const deltas = new Int32Array(BLOCK);
  // one miniblock packed: 32 values × w bits = w 32-bit words, LSB first
  const words = new Uint32Array(MINI);
  const wordBytes = new Uint8Array(words.buffer);
  const widths = new Int32Array(MINIBLOCKS);
  for (let start = 1; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    let min = 0x7fffffff;
    for (let k = 0; k < count; k++) {
      const d = ((values[start + k] as number) - (values[start + k - 1] as number)) | 0;
      deltas[k] = d;
      if (d < min) min = d;
    }
    zigzag(min);
    const used = Math.ceil(count / MINI);
    for (let m = 0; m < MINIBLOCKS; m++) {
      let bits = 0; // OR of (delta - min) as uint32: the same bit width as their maximum
      const end = Math.min(count, (m + 1) * MINI);
      for (let k = m * MINI; k < end; k++) bits |= ((deltas[k] as number) - min) >>> 0;
      widths[m] = m < used ? 32 - Math.clz32(bits) : 0;
      buf[at++] = widths[m] as number;
    }
    for (let m = 0; m < used; m++) {
      const w = widths[m] as number;
      if (w === 0) continue;
      words.fill(0, 0, w);
      const first = m * MINI;
      for (let j = 0; j < MINI; j++) {
        const k = first + j;
        const v = k < count ? ((deltas[k] as number) - min) >>> 0 : 0; // padding: 0
        const bit = j * w;
        const word = bit >>> 5;
        const shift = bit & 31;
        words[word] = ((words[word] as number) | (v << shift)) >>> 0;
        if (shift + w > 32) words[word + 1] = ((words[word + 1] as number) | (v >>> (32 - shift))) >>> 0;
      }
      if (LITTLE_ENDIAN) buf.set(wordBytes.subarray(0, 4 * w), at);
      else for (let b = 0; b < 4 * w; b++) buf[at + b] = ((words[b >>> 2] as number) >>> (8 * (b & 3))) & 0xff;
      at += 4 * w;
    }
  }
  return buf.subarray(0, at);
}
