import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeDeltaBinaryPacked } from '../../../src/shards/delta-binary-packed.js';

/** The encoding written the plain way: deltas as numbers, bits accumulated in a number (the first version). */
function reference(values: Int32Array): number[] {
  const out: number[] = [];
  const varint = (v: number): void => {
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
  };
  const zigzag = (v: number): void => varint(v >= 0 ? 2 * v : -2 * v - 1);
  const n = values.length;
  varint(128);
  varint(4);
  varint(n);
  zigzag(n > 0 ? (values[0] as number) : 0);
  for (let start = 1; start < n; start += 128) {
    const count = Math.min(128, n - start);
    const deltas: number[] = [];
    for (let k = 0; k < count; k++)
      deltas.push(((values[start + k] as number) - (values[start + k - 1] as number)) | 0);
    const min = Math.min(...deltas);
    zigzag(min);
    const used = Math.ceil(count / 32);
    const widths = [0, 1, 2, 3].map((m) => {
      if (m >= used) return 0;
      const max = Math.max(...deltas.slice(m * 32, (m + 1) * 32).map((d) => d - min));
      return max === 0 ? 0 : Math.floor(Math.log2(max)) + 1;
    });
    out.push(...widths);
    for (let m = 0; m < used; m++) {
      const w = widths[m] as number;
      let acc = 0;
      let bits = 0;
      for (let k = m * 32; k < (m + 1) * 32 && w > 0; k++) {
        acc += (k < count ? (deltas[k] as number) - min : 0) * 2 ** bits;
        bits += w;
        while (bits >= 8) {
          const b = acc % 256;
          out.push(b);
          acc = (acc - b) / 256;
          bits -= 8;
        }
      }
    }
  }
  return out;
}

describe('shards/delta-binary-packed', () => {
  it('gives the bytes of the plain-arithmetic encoder (property: any int32, hash ids, runs, widths 0..32)', () => {
    const value = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: 500_001 }),
      fc.integer({ min: -2, max: 2 }),
      fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 700 }), (xs) => {
        const v = Int32Array.from(xs);
        assert.deepEqual([...encodeDeltaBinaryPacked(v)], reference(v));
      }),
      { numRuns: 400 },
    );
  });
});
