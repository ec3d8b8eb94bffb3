import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBytes, hashNgramIds, HASH_PRIMES } from '../../../src/index.js';
import { BltError } from '../../../src/core/errors.js';
import { referenceHash } from '../../helpers/bigint-hash.js';

// "Hello, world!" with BOS (docs/reference.md §4 test vector)
const HELLO = [1, 76, 105, 112, 112, 115, 48, 36, 123, 115, 118, 112, 104, 37];

describe('hashed byte n-gram ids (docs/reference.md §4)', () => {
  it('reproduces the spec vectors', () => {
    assert.deepEqual(
      Array.from(hashNgramIds(HELLO, 3, 0, 500002)),
      [443987, 124875, 393970, 386145, 358223, 190185, 141703, 484917, 141967, 146186, 10172, 334275, 306354, 205291],
    );
    assert.deepEqual(
      Array.from(hashNgramIds(HELLO, 4, 0, 500002)),
      [437197, 433869, 117936, 254402, 246577, 30240, 114083, 12253, 461502, 217488, 33292, 467104, 390141, 114099],
    );
    assert.deepEqual(
      Array.from(hashNgramIds(HELLO, 8, 0, 500002)),
      [172383, 205585, 456240, 129346, 299568, 322649, 430431, 246559, 94549, 155186, 258407, 498251, 491201, 418709],
    );
    assert.deepEqual(
      Array.from(hashNgramIds(HELLO, 4, 1, 30000)),
      [6501, 15269, 29510, 10670, 3873, 14344, 15195, 25787, 5550, 19318, 28316, 25672, 24889, 23991],
    );
  });

  it('has the reference primes table', () => {
    assert.equal(HASH_PRIMES.length, 11);
    assert.equal(HASH_PRIMES[0], 1000000007n);
    assert.equal(HASH_PRIMES[10], 3367900313n);
  });

  it('group size 1 is the token itself mod vocab', () => {
    assert.deepEqual(
      Array.from(hashNgramIds(HELLO, 1, 5, 100)),
      HELLO.map((t) => t % 100),
    );
  });

  it('equals the big-integer formula for g 1..12, every function, vocab up to 2^31 (property)', () => {
    const tokens = fc.array(fc.integer({ min: 0, max: 259 }), { maxLength: 64 });
    fc.assert(
      fc.property(
        tokens,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (x, g, f, v) => {
          assert.deepEqual(Array.from(hashNgramIds(x, g, f, v)), referenceHash(x, g, f, v));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('agrees on multilingual text and edge vocabularies (1, 2, 2^31 - 1, 2^31)', () => {
    const x = Array.from(encodeBytes('Ünïcödé — 世界, мир, عالم, 🌍 hello\u0000\r\n'));
    for (const v of [1, 2, 3, 30000, 50002, 500002, 2 ** 21, 2 ** 21 + 1, 2 ** 31 - 1, 2 ** 31]) {
      for (let g = 1; g <= 8; g++) {
        for (let f = 0; f <= 10; f++)
          assert.deepEqual(Array.from(hashNgramIds(x, g, f, v)), referenceHash(x, g, f, v), `g=${g} f=${f} v=${v}`);
      }
    }
  });

  it('is exact across the kernel chunk boundary and on long inputs', () => {
    const n = (1 << 18) * 2 + 17;
    const x = new Int32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i * 2654435761) % 260;
    for (const g of [1, 3, 8]) {
      const ids = hashNgramIds(x, g, 2, 500002);
      for (const at of [0, (1 << 18) - 3, 1 << 18, (1 << 18) + 5, (1 << 19) + 1, n - 1]) {
        const lo = Math.max(0, at - g - 2);
        const hi = Math.min(n, at + 3);
        // the window ending at `at` only depends on x[at-g+1..at]
        const expected = referenceHash(x.subarray(Math.max(0, lo - g + 1), hi), g, 2, 500002).slice(
          lo - Math.max(0, lo - g + 1),
        );
        assert.deepEqual(Array.from(ids.subarray(lo, hi)), expected, `g=${g} near ${at}`);
      }
    }
  });

  it('takes plain arrays, Uint8Array and tokens outside int32 (exact slow path)', () => {
    assert.deepEqual(
      Array.from(hashNgramIds(Uint8Array.from(HELLO), 3, 0, 500002)),
      Array.from(hashNgramIds(HELLO, 3, 0, 500002)),
    );
    const big = [2 ** 40, 5, 2 ** 33 + 1];
    assert.deepEqual(Array.from(hashNgramIds(big, 2, 3, 1000003)), referenceHash(big, 2, 3, 1000003));
    const neg = [-1, 7, -300];
    assert.deepEqual(Array.from(hashNgramIds(neg, 3, 1, 97)), referenceHash(neg, 3, 1, 97));
  });

  it('returns ids in [0, vocab) (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (b, g, v) => {
          const ids = hashNgramIds(encodeBytes(b), g, 0, v);
          return ids.every((id) => id >= 0 && id < v);
        },
      ),
    );
  });

  it('rejects bad arguments with BAD_OPTION errors that name the argument', () => {
    const bad = (fn: () => unknown, name: string): void => {
      assert.throws(
        fn,
        (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION' && e.message.includes(`\`${name}\``),
      );
    };
    bad(() => hashNgramIds(HELLO, 0, 0, 10), 'groupSize');
    bad(() => hashNgramIds(HELLO, 2.5, 0, 10), 'groupSize');
    bad(() => hashNgramIds(HELLO, 3, 11, 10), 'hashFunction');
    bad(() => hashNgramIds(HELLO, 3, 0, 0), 'vocab');
    bad(() => hashNgramIds(HELLO, 3, 0, 2 ** 31 + 1), 'vocab');
    bad(() => hashNgramIds(null as unknown as number[], 3, 0, 10), 'tokens');
  });

  it('gives an empty result for an empty input', () => {
    assert.equal(hashNgramIds([], 3, 0, 10).length, 0);
  });
});

describe('hashed n-gram ids: both floor-mod paths of the kernel (vocab <= 2^21 and above)', () => {
  it('equals the big-integer formula for small and large vocabularies on long random inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 259 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 10 }),
        fc.oneof(fc.integer({ min: 1, max: 2 ** 21 }), fc.integer({ min: 2 ** 21 + 1, max: 2 ** 31 })),
        (x, g, f, v) => {
          assert.deepEqual(Array.from(hashNgramIds(x, g, f, v)), referenceHash(x, g, f, v));
        },
      ),
      { numRuns: 300 },
    );
  });
});
