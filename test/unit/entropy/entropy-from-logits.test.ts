import assert from 'node:assert/strict';
import fc from 'fast-check';
import { entropyFromLogits } from '../../../src/index.js';
import { BltError } from '../../../src/core/errors.js';

describe('entropyFromLogits (docs/reference.md §2.2)', () => {
  it('uniform logits give ln(vocab) nats', () => {
    const h = entropyFromLogits(new Float32Array(2 * 260).fill(3));
    assert.equal(h.length, 2);
    for (const x of h) assert.ok(Math.abs(x - Math.log(260)) < 1e-5);
  });

  it('a one-hot-like row has ~0 entropy; two equal peaks give ln 2', () => {
    const row = new Float32Array(260).fill(-1e4);
    row[7] = 0;
    assert.ok((entropyFromLogits(row)[0] as number) < 1e-6);
    row[9] = 0;
    assert.ok(Math.abs((entropyFromLogits(row)[0] as number) - Math.LN2) < 1e-6);
  });

  it('equals -Σ p ln p computed naively, and is shift invariant (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.float({ min: -50, max: 50, noNaN: true }),
        (xs, shift) => {
          const z = xs.reduce((a, x) => a + Math.exp(x), 0);
          const naive = -xs.reduce((a, x) => a + (Math.exp(x) / z) * (x - Math.log(z)), 0);
          const h = entropyFromLogits(Float32Array.from(xs), 5)[0] as number;
          const hs = entropyFromLogits(
            Float32Array.from(xs, (x) => x + shift),
            5,
          )[0] as number;
          return Math.abs(h - naive) < 1e-5 && Math.abs(h - hs) < 1e-4;
        },
      ),
    );
  });

  it('rejects a length that is not a multiple of vocab', () => {
    assert.throws(
      () => entropyFromLogits(new Float32Array(7), 5),
      (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION',
    );
  });
});
