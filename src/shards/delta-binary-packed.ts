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

const widthOf = (max: number): number => (max === 0 ? 0 : max >= 2 ** 31 ? 32 : 32 - Math.clz32(max));

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
  const deltas = new Float64Array(BLOCK);
  const widths = new Array<number>(MINIBLOCKS);
  for (let start = 1; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    let min = Infinity;
    for (let k = 0; k < count; k++) {
      const d = ((values[start + k] as number) - (values[start + k - 1] as number)) | 0;
      deltas[k] = d;
      if (d < min) min = d;
    }
    zigzag(min);
    const used = Math.ceil(count / MINI);
    for (let m = 0; m < MINIBLOCKS; m++) {
      let max = 0;
      for (let k = m * MINI; k < Math.min(count, (m + 1) * MINI); k++) max = Math.max(max, (deltas[k] as number) - min);
      widths[m] = m < used ? widthOf(max) : 0;
      buf[at++] = widths[m] as number;
    }
    for (let m = 0; m < used; m++) {
      const w = widths[m] as number;
      let acc = 0;
      let bits = 0;
      for (let k = m * MINI; k < (m + 1) * MINI && w > 0; k++) {
        const v = k < count ? (deltas[k] as number) - min : 0; // < 2^32
        acc += v * 2 ** bits;
        bits += w;
        while (bits >= 8) {
          const b = acc % 256;
          buf[at++] = b;
          acc = (acc - b) / 256;
          bits -= 8;
        }
      }
    }
  }
  return buf.subarray(0, at);
}
