/**
 * n-gram entropy model: probabilities against an independent, map-based interpolated modified
 * Kneser–Ney oracle; normalisation, closed-form entropies and both scoring paths (properties).
 */
import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { BltError } from '../../../../src/core/errors.js';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import {
  ngramEntropies,
  ngramLogProbs,
  ngramNextDistribution,
  trainNgramModel,
  type NgramModel,
} from '../../../../src/entropy/ngram/index.js';

const LN260 = Math.log(260);
const BOS = 1;
const EOS = 2;

/** Random documents [BOS, small-alphabet tokens..., EOS] (many repeats, so all count levels occur). */
const docsArb = fc.array(
  fc.array(fc.integer({ min: 4, max: 9 }), { maxLength: 40 }).map((body) => Int32Array.from([BOS, ...body, EOS])),
  { minLength: 1, maxLength: 8 },
);
const contextArb = fc.array(fc.oneof(fc.integer({ min: 4, max: 10 }), fc.constantFrom(BOS, EOS, 0, 259)), {
  maxLength: 12,
});

/**
 * The oracle: KenLM-style adjusted counts from scratch (raw counts for the longest n-gram at
 * each position, distinct left extensions for the others), Chen–Goodman discounts, and the
 * recursive interpolation, written with string-keyed maps.
 */
function oracle(docs: Int32Array[], order: number): (history: number[]) => Float64Array {
  const raw = new Map<string, number>();
  const leftExt = new Map<string, Set<number>>();
  const rawKeys = new Set<string>();
  for (const d of docs) {
    for (let i = 1; i < d.length; i++) {
      const start = Math.max(0, i - order);
      const top = [...d.slice(start, i + 1)];
      raw.set(top.join(','), (raw.get(top.join(',')) ?? 0) + 1);
      rawKeys.add(top.join(','));
      for (let j = start + 1; j <= i; j++) {
        const g = [...d.slice(j, i + 1)].join(',');
        if (!leftExt.has(g)) leftExt.set(g, new Set());
        (leftExt.get(g) as Set<number>).add(d[j - 1] as number);
      }
    }
  }
  const adj = new Map<string, number>();
  for (const [g, s] of leftExt) adj.set(g, s.size);
  for (const g of rawKeys) adj.set(g, raw.get(g) as number); // longest-at-position n-grams: raw counts
  // discounts per length
  const D = new Map<number, number[]>();
  for (let len = 1; len <= order + 1; len++) {
    const n = [0, 0, 0, 0, 0];
    for (const [g, c] of adj) if (g.split(',').length === len && c <= 4) n[c] = (n[c] as number) + 1;
    const [, n1, n2, n3, n4] = n as [number, number, number, number, number];
    let d = [0.5, 1.0, 1.5];
    if (n1 > 0 && n2 > 0 && n3 > 0 && n4 > 0) {
      const y = n1 / (n1 + 2 * n2);
      const est = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
      if (est.every((di, i) => di > 0 && di <= i + 1)) d = est;
    }
    D.set(len, d);
  }
  const disc = (len: number, c: number): number =>
    c === 0 ? 0 : ((D.get(len) as number[])[Math.min(c, 3) - 1] as number);
  const dist = (ctx: number[]): Float64Array => {
    const lower = ctx.length === 0 ? new Float64Array(260).fill(1 / 260) : dist(ctx.slice(1));
    const counts = Array.from({ length: 260 }, (_, x) => adj.get([...ctx, x].join(',')) ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) return lower;
    const gamma = counts.reduce((a, c) => a + disc(ctx.length + 1, c), 0) / total;
    return lower.map((q, x) =>
      (counts[x] as number) > 0
        ? ((counts[x] as number) - disc(ctx.length + 1, counts[x] as number)) / total + gamma * q
        : gamma * q,
    );
  };
  return (history) => dist(history.slice(Math.max(0, history.length - order)));
}

function entropyOf(p: Float64Array): number {
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return h;
}

/** The same model scored through the trie walk instead of the exact-key context table. */
const trieOnly = (m: NgramModel): NgramModel => ({ ...m, contexts: undefined });

describe('n-gram model: probabilities', () => {
  it('equal an independent interpolated modified Kneser–Ney oracle (property)', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 0, max: 4 }), contextArb, (docs, order, ctx) => {
        const model = trainNgramModel(docs, { order });
        const ref = oracle(docs, order);
        const histories = [[BOS, ...ctx], ctx, [...(docs[0] ?? [])].slice(0, 3)];
        for (const h of histories) {
          const got = ngramNextDistribution(model, h);
          const want = ref(h);
          for (let x = 0; x < 260; x++)
            assert.ok(Math.abs((got[x] as number) - (want[x] as number)) < 1e-12, `x=${x} order=${order} h=${h}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('sum to 1 over the 260 tokens and are all > 0, for random contexts (property)', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 0, max: 8 }), contextArb, (docs, order, ctx) => {
        const p = ngramNextDistribution(trainNgramModel(docs, { order }), [BOS, ...ctx]);
        assert.equal(p.length, 260);
        assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
        assert.ok(p.every((v) => v > 0));
      }),
      { numRuns: 100 },
    );
  });
});

describe('n-gram model: entropies and log-probs', () => {
  it('H[i] = entropy (nats) of the distribution of token i+1 given tokens ≤ i, in [0, ln 260] (property)', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 0, max: 8 }), contextArb, (docs, order, ctx) => {
        const model = trainNgramModel(docs, { order });
        const tokens = Int32Array.from([BOS, ...ctx, EOS]);
        const h = ngramEntropies(model, tokens);
        assert.equal(h.length, tokens.length);
        for (let i = 0; i < tokens.length; i++) {
          const dense = entropyOf(ngramNextDistribution(model, tokens.subarray(0, i + 1)));
          assert.ok(Math.abs((h[i] as number) - dense) < 1e-5, `i=${i}: ${h[i]} vs ${dense}`);
          assert.ok((h[i] as number) >= 0 && (h[i] as number) <= LN260 + 1e-6);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('log-probs: out[i] = ln p(tokens[i+1] | tokens ≤ i), one fewer than tokens (property)', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 0, max: 6 }), contextArb, (docs, order, ctx) => {
        const model = trainNgramModel(docs, { order });
        const tokens = Int32Array.from([BOS, ...ctx, EOS]);
        const lp = ngramLogProbs(model, tokens);
        assert.equal(lp.length, tokens.length - 1);
        for (let i = 0; i < lp.length; i++) {
          const p = ngramNextDistribution(model, tokens.subarray(0, i + 1))[tokens[i + 1] as number] as number;
          assert.ok(Math.abs((lp[i] as number) - Math.log(p)) < 1e-5);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the exact-key fast path and the trie walk give identical results (property)', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 1, max: 6 }), contextArb, (docs, order, ctx) => {
        const model = trainNgramModel(docs, { order });
        assert.ok(model.contexts !== undefined);
        const tokens = Int32Array.from([BOS, ...ctx, ...(docs[0] ?? []), ...ctx]);
        assert.deepEqual(ngramEntropies(model, tokens), ngramEntropies(trieOnly(model), tokens));
        assert.deepEqual(ngramLogProbs(model, tokens), ngramLogProbs(trieOnly(model), tokens));
      }),
      { numRuns: 60 },
    );
  });

  it('orders above 6 use the trie walk and stay exact', () => {
    const docs = [encodeBytes('the cat sat on the mat; the cat sat on the hat.')];
    const model = trainNgramModel(docs, { order: 9 });
    assert.equal(model.contexts, undefined);
    const h = ngramEntropies(model, docs[0] as Int32Array);
    h.forEach((v, i) =>
      assert.ok(
        Math.abs(v - entropyOf(ngramNextDistribution(model, (docs[0] as Int32Array).subarray(0, i + 1)))) < 1e-5,
      ),
    );
  });

  it('a model trained on repetitive text has low entropy on it', () => {
    const text = 'abcdefgh'.repeat(500);
    const tokens = encodeBytes(text);
    const model = trainNgramModel([tokens, encodeBytes(text.slice(3))], { order: 4 });
    const h = ngramEntropies(model, tokens);
    const inner = h.subarray(8, h.length - 2);
    const mean = inner.reduce((a, b) => a + b, 0) / inner.length;
    assert.ok(mean < 0.05, `mean entropy ${mean}`);
    assert.ok(Math.max(...inner) < 0.1);
    const random = ngramEntropies(model, encodeBytes('zq#%xv!k'));
    assert.ok(
      random.slice(2).every((v) => v > 1),
      'unseen bytes are uncertain',
    );
  });

  it('empty input gives empty output; a lone BOS gives one value', () => {
    const model = trainNgramModel([encodeBytes('hello')], { order: 3 });
    assert.equal(ngramEntropies(model, new Int32Array(0)).length, 0);
    assert.equal(ngramLogProbs(model, new Int32Array(0)).length, 0);
    assert.equal(ngramEntropies(model, Int32Array.of(BOS)).length, 1);
  });

  it('rejects tokens outside [0, 260) and bad orders', () => {
    const model = trainNgramModel([encodeBytes('hello')], { order: 3 });
    const bad = (code: string) => (e: unknown) => e instanceof BltError && e.code === code;
    assert.throws(() => ngramEntropies(model, Int32Array.of(1, 260)), bad('BAD_INPUT'));
    assert.throws(() => ngramLogProbs(model, Int32Array.of(-1)), bad('BAD_INPUT'));
    assert.throws(() => trainNgramModel([Int32Array.of(1, 300)], { order: 2 }), bad('BAD_INPUT'));
    assert.throws(() => trainNgramModel([], { order: -1 }), bad('BAD_OPTION'));
    assert.throws(() => trainNgramModel([], { order: 2.5 }), bad('BAD_OPTION'));
    assert.throws(() => trainNgramModel([], { order: 17 }), bad('BAD_OPTION'));
  });

  it('an empty training set gives the uniform distribution', () => {
    const model = trainNgramModel([], { order: 3 });
    const h = ngramEntropies(model, encodeBytes('abc'));
    h.forEach((v) => assert.ok(Math.abs(v - LN260) < 1e-6));
  });
});
