import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { encodeBytes, patchLengths, DEFAULT_THRESHOLD, type PatchOptions } from '../../../src/index.js';
import { BltError } from '../../../src/core/errors.js';
import { referencePatch, type OracleOptions } from '../../helpers/reference-patcher.js';

interface Fixture {
  token_ids: number[];
  entropies: number[];
  start: number[];
  patch_lengths: number[];
  threshold: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/golden/tokens-with-entropies.json', import.meta.url), 'utf8'),
) as Fixture;
const pl = (tokens: ArrayLike<number>, o: PatchOptions): number[] => Array.from(patchLengths(tokens, o));
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('patching (docs/reference.md §3): the reference fixture', () => {
  it('reproduces the Figure-4 sentence patch lengths at the default threshold', () => {
    assert.equal(DEFAULT_THRESHOLD, fixture.threshold);
    assert.deepEqual(pl(fixture.token_ids, { mode: 'entropy', entropies: fixture.entropies }), fixture.patch_lengths);
  });

  it('reproduces the fixture start column', () => {
    const lengths = pl(fixture.token_ids, {
      mode: 'entropy',
      entropies: fixture.entropies,
      threshold: fixture.threshold,
    });
    const start = new Array<number>(fixture.token_ids.length).fill(0);
    let pos = 0;
    for (const l of lengths) {
      start[pos] = 1;
      pos += l;
    }
    assert.deepEqual(start, fixture.start);
  });

  it('any threshold in (1.2395, 1.3371] gives the same patches; outside it does not', () => {
    for (const t of [1.2396, 1.3, 1.337])
      assert.deepEqual(
        pl(fixture.token_ids, { mode: 'entropy', entropies: fixture.entropies, threshold: t }),
        fixture.patch_lengths,
      );
    assert.notDeepEqual(
      pl(fixture.token_ids, { mode: 'entropy', entropies: fixture.entropies, threshold: 1.2 }),
      fixture.patch_lengths,
    );
    assert.notDeepEqual(
      pl(fixture.token_ids, { mode: 'entropy', entropies: fixture.entropies, threshold: 1.34 }),
      fixture.patch_lengths,
    );
  });

  it('include_next_token adds the decision about the next token', () => {
    const lengths = pl(fixture.token_ids, { mode: 'entropy', entropies: fixture.entropies, includeNextToken: true });
    assert.equal(sum(lengths), 82);
    // H[80] = 4.6e-5 <= θ: the next token continues the last patch
    assert.deepEqual(lengths, [...fixture.patch_lengths.slice(0, -1), 20]);
  });
});

describe('patching: hand-derived cases per mode', () => {
  const tokens = Array.from(encodeBytes('ab cd'));
  // tokens: BOS a b ' ' c d EOS (L = 7)

  it('global threshold: token t >= 2 starts iff H[t-1] > θ (strict)', () => {
    const H = [0, 0, 2, 0, 1, 0, 0];
    // H[2] = 2 > 1 -> token 3 starts; H[4] = 1 is not > 1
    assert.deepEqual(pl(tokens, { mode: 'entropy', entropies: H, threshold: 1 }), [1, 2, 4]);
    assert.deepEqual(pl(tokens, { mode: 'entropy', entropies: H, threshold: 0.5 }), [1, 2, 2, 2]);
  });

  it('compares in float32, as torch does for a float32 tensor and a Python float', () => {
    // fround(0.1) > 0.1 in float64, but equal in float32: not a start
    assert.deepEqual(
      pl([1, 5, 6, 7], { mode: 'entropy', entropies: [0, 0, Math.fround(0.1), 0], threshold: 0.1 }),
      [1, 3],
    );
  });

  it('monotonicity: token 2 always starts; token t >= 3 iff H[t-1] - H[t-2] > θ', () => {
    const H = [9, 9, 0, 3, 3.5, 0, 0];
    assert.deepEqual(pl(tokens, { mode: 'entropy', entropies: H, threshold: 1, monotonicity: true }), [1, 1, 2, 3]);
  });

  it('threshold + threshold_add: tokens 0,1,2 start, 3 never, t >= 4 iff both hold', () => {
    const H = [0, 0, 5, 9, 0, 9, 0];
    // t=4: 9-5 > 0.5 and 9 > 1; t=5: 0-9 no; t=6: 9-0 > 0.5 and 9 > 1
    assert.deepEqual(pl(tokens, { mode: 'entropy', entropies: H, threshold: 1, thresholdAdd: 0.5 }), [1, 1, 2, 2, 1]);
    // token 3 never starts, even when both conditions hold for it
    assert.deepEqual(
      pl(tokens, { mode: 'entropy', entropies: [0, 0, 9, 0, 0, 0, 0], threshold: 1, thresholdAdd: 0.5 }),
      [1, 1, 5],
    );
  });

  it('static: ceil(S / size) patches, the last one the remainder; the first is not 1', () => {
    assert.deepEqual(pl(tokens, { mode: 'static', patchSize: 3 }), [3, 3, 1]);
    assert.deepEqual(pl(tokens, { mode: 'static', patchSize: 3, includeNextToken: true }), [3, 3, 2]);
    assert.deepEqual(pl(tokens, { mode: 'static', patchSize: 7 }), [7]);
  });

  it('byte: all ones', () => {
    assert.deepEqual(pl(tokens, { mode: 'byte' }), [1, 1, 1, 1, 1, 1, 1]);
    assert.equal(pl(tokens, { mode: 'byte', includeNextToken: true }).length, 8);
  });

  it('space: the byte after the first of a run of space-like bytes starts a patch; specials end patches', () => {
    // BOS | a b ' ' | c d EOS -> start mask [T,T, end[1..6]] = positions 0,1,4 and 7 (after EOS)
    assert.deepEqual(pl(tokens, { mode: 'space' }), [1, 3, 3]);
    assert.deepEqual(pl(tokens, { mode: 'space', includeNextToken: true }), [1, 3, 3, 1]);
    // a run of spaces: only the first counts
    assert.deepEqual(pl(encodeBytes('a   b'), { mode: 'space' }), [1, 2, 4]);
    // a UTF-8 lead byte is space-like, so the continuation byte after it starts a patch
    // (reference quirk): BOS | a C3 | A9 EOS
    assert.deepEqual(pl(encodeBytes('aé'), { mode: 'space' }), [1, 2, 2]);
    // ...unless the lead byte follows another space-like byte (BOS): BOS | C3 A9 EOS
    assert.deepEqual(pl(encodeBytes('é'), { mode: 'space' }), [1, 3]);
  });

  it('max_patch_length splits long patches (10, m=4 -> 4,4,2)', () => {
    const t = new Array<number>(12).fill(100);
    assert.deepEqual(pl(t, { mode: 'static', patchSize: 10, maxPatchLength: 4 }), [4, 4, 2, 2]);
    assert.deepEqual(pl(t, { mode: 'byte', maxPatchLength: 1 }), new Array<number>(12).fill(1));
  });

  it('short inputs: L = 1 and L = 0', () => {
    assert.deepEqual(pl([1], { mode: 'entropy', entropies: [3] }), [1]);
    assert.deepEqual(pl([1], { mode: 'entropy', entropies: [3], includeNextToken: true }), [1, 1]);
    assert.deepEqual(pl([1, 2], { mode: 'entropy', entropies: [3, 3] }), [1, 1]);
    assert.deepEqual(pl([], { mode: 'entropy', entropies: [] }), []);
    assert.deepEqual(pl([], { mode: 'entropy', entropies: [], includeNextToken: true }), [1]);
    assert.deepEqual(pl([1], { mode: 'space' }), [1]);
  });
});

describe('patching: bad options', () => {
  const is = (code: string, re: RegExp) => (e: unknown) =>
    e instanceof BltError && e.code === code && re.test(e.message);
  it('explains what is wrong', () => {
    assert.throws(() => patchLengths([1, 2], { mode: 'entropy' }), is('BAD_OPTION', /entropies/));
    assert.throws(
      () => patchLengths([1, 2], { mode: 'entropy', entropies: [1] }),
      is('BAD_OPTION', /one entropy per token \(2\), got 1/),
    );
    assert.throws(() => patchLengths([1, 2], { mode: 'static' }), is('BAD_OPTION', /integer .* got 4\.5/));
    assert.throws(
      () => patchLengths([1, 2], { mode: 'bpe' as 'byte' }),
      is('BAD_OPTION', /`mode`.*'entropy', 'static', 'byte', 'space'/),
    );
    assert.throws(() => patchLengths([1, 2], { mode: 'byte', maxPatchLength: 0 }), is('BAD_OPTION', /maxPatchLength/));
    assert.throws(
      () => patchLengths([1, 2], { mode: 'entropy', entropies: [1, 2], threshold: NaN }),
      is('BAD_OPTION', /threshold/),
    );
    assert.throws(
      () => patchLengths([1, 2], { mode: 'entropy', entropies: [NaN, 1] }),
      is('BAD_OPTION', /NaN at index 0/),
    );
  });
});

describe('patching: agrees with a literal transcription of the torch code (property)', () => {
  const entropy = fc.float({ min: 0, max: Math.fround(5.56), noNaN: true });
  const row = fc.integer({ min: 0, max: 40 }).chain((n) =>
    fc.record({
      tokens: fc.array(
        fc.oneof(fc.integer({ min: 0, max: 259 }), fc.constantFrom(4 + 32, 4 + 97, 4 + 0xc3, 4 + 0xa9, 1, 2)),
        { minLength: n, maxLength: n },
      ),
      entropies: fc.array(fc.oneof(entropy, fc.constantFrom(0, 1, 1.335442066192627, 2)), {
        minLength: n,
        maxLength: n,
      }),
    }),
  );
  const opts = fc.record({
    threshold: fc.oneof(
      fc.constant(undefined),
      fc.double({ min: -1, max: 6, noNaN: true }),
      fc.constantFrom(0, 1, 1.335442066192627),
    ),
    thresholdAdd: fc.oneof(fc.constant(undefined), fc.double({ min: -1, max: 3, noNaN: true })),
    monotonicity: fc.boolean(),
    maxPatchLength: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 8 })),
    patchSize: fc.integer({ min: 1, max: 9 }),
    includeNextToken: fc.boolean(),
  });

  for (const mode of ['entropy', 'static', 'byte', 'space'] as const) {
    it(`${mode} mode`, () => {
      fc.assert(
        fc.property(row, opts, ({ tokens, entropies }, o) => {
          if (mode === 'space' && tokens.length === 0) return; // the reference fails on an empty row
          if (mode === 'entropy' && tokens.length === 0 && !o.includeNextToken) return; // ditto
          const options: OracleOptions = { mode, entropies, ...o };
          const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as OracleOptions;
          assert.deepEqual(pl(tokens, clean as PatchOptions), referencePatch(tokens, clean));
        }),
        { numRuns: 600 },
      );
    });
  }
});

describe('patching: invariants (property)', () => {
  const input = fc.record({
    bytes: fc.uint8Array({ maxLength: 120 }),
    seed: fc.array(fc.float({ min: 0, max: 5, noNaN: true }), { minLength: 122, maxLength: 122 }),
    mode: fc.constantFrom('entropy', 'static', 'byte', 'space') as fc.Arbitrary<
      'entropy' | 'static' | 'byte' | 'space'
    >,
    maxPatchLength: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 6 })),
    includeNextToken: fc.boolean(),
    monotonicity: fc.boolean(),
  });
  it('lengths sum to L (+1), no zero-length patch, each <= max_patch_length, first patch 1 (entropy/space/byte)', () => {
    fc.assert(
      fc.property(input, ({ bytes, seed, mode, maxPatchLength, includeNextToken, monotonicity }) => {
        const tokens = encodeBytes(bytes);
        const o: PatchOptions = {
          mode,
          entropies: seed.slice(0, tokens.length),
          includeNextToken,
          monotonicity,
          patchSize: 4,
        };
        if (maxPatchLength !== undefined) o.maxPatchLength = maxPatchLength;
        const lengths = pl(tokens, o);
        assert.equal(sum(lengths), tokens.length + (includeNextToken ? 1 : 0));
        assert.ok(lengths.every((l) => l >= 1));
        if (maxPatchLength !== undefined) assert.ok(lengths.every((l) => l <= maxPatchLength));
        if (mode !== 'static') assert.equal(lengths[0], 1);
      }),
      { numRuns: 500 },
    );
  });

  it('monotonic and global rules agree on constant entropies (only the forced starts remain)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 50 }), fc.float({ min: 0, max: 5, noNaN: true }), (n, h) => {
        const tokens = new Array<number>(n).fill(100);
        const H = new Array<number>(n).fill(h);
        const mono = pl(tokens, { mode: 'entropy', entropies: H, threshold: 0, monotonicity: true });
        assert.deepEqual(mono, [1, 1, n - 2]); // token 2 always starts in the monotonic rule
        const glob = pl(tokens, { mode: 'entropy', entropies: H, threshold: Math.fround(h) });
        assert.deepEqual(glob, [1, n - 1]);
      }),
    );
  });
});
