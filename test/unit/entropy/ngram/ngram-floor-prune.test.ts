/**
 * n-gram model: count pruning, the floor mixture, the version-2 file (stored scoring index,
 * lazy trie) and reading version-1 files.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import {
  encodeNgramModel,
  ngramEntropies,
  ngramLogProbs,
  ngramModelFromBytes,
  ngramNextDistribution,
  trainNgramModel,
  type NgramModel,
} from '../../../../src/entropy/ngram/index.js';

const BOS = 1;
const EOS = 2;
const docsArb = fc.array(
  fc.array(fc.integer({ min: 4, max: 9 }), { maxLength: 40 }).map((body) => Int32Array.from([BOS, ...body, EOS])),
  { minLength: 1, maxLength: 8 },
);
const contextArb = fc.array(fc.oneof(fc.integer({ min: 4, max: 10 }), fc.constantFrom(BOS, EOS, 0, 259)), {
  maxLength: 12,
});
const sample = readFileSync('data/samples/multilingual.txt', 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => encodeBytes(l));

const entropyOf = (p: Float64Array): number => p.reduce((h, q) => (q > 0 ? h - q * Math.log(q) : h), 0);
const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

/** The version-1 layout (header 24, discounts, parent, count, token) of a model without floor or pruning. */
function encodeV1(m: NgramModel): Uint8Array {
  const n = m.table.size - 1;
  const out = new Uint8Array(24 + m.discounts.length * 8 + n * 10);
  const v = new DataView(out.buffer);
  out.set(Buffer.from('BLTNGRAM'), 0);
  v.setUint32(8, 1, true);
  v.setUint32(12, m.order, true);
  v.setUint32(16, 260, true);
  v.setUint32(20, m.table.size, true);
  let off = 24;
  for (const a of [
    m.discounts,
    m.table.parent.subarray(1, n + 1),
    m.table.count.subarray(1, n + 1),
    m.table.token.subarray(1, n + 1),
  ]) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  return out;
}

describe('n-gram model: floor and pruning', () => {
  it('with a floor, distributions sum to 1, every token gets ≥ λ·u(x), and entropies are those of the full distribution (property)', () => {
    fc.assert(
      fc.property(
        docsArb,
        contextArb,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0.01, 0.1, 0.5),
        (docs, ctx, order, floorWeight) => {
          const model = trainNgramModel(docs, { order, floorWeight });
          const tokens = Int32Array.from([BOS, ...ctx]);
          const p = ngramNextDistribution(model, tokens);
          close(
            p.reduce((s, q) => s + q, 0),
            1,
            1e-9,
            'sum',
          );
          p.forEach((q, x) =>
            assert.ok(q >= floorWeight * (model.floor.dist[x] as number) * (1 - 1e-12), `token ${x}`),
          );
          const h = ngramEntropies(model, tokens);
          close(h[h.length - 1] as number, entropyOf(p), 1e-4, 'entropy');
          const lp = ngramLogProbs(model, Int32Array.from([...tokens, 5]));
          close(lp[lp.length - 1] as number, Math.log(p[5] as number), 1e-5, 'log-prob');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the floor bounds the cost of any byte: no token costs more than log2(520/λ) bits', () => {
    const model = trainNgramModel(sample, { order: 4, floorWeight: 0.03 });
    const unseen = encodeBytes('\u{1F600}\u{1F680}\u{10348}\u0000\u0001\u0002');
    const bits = [...ngramLogProbs(model, unseen)].map((l) => -l / Math.LN2);
    const plain = [...ngramLogProbs(trainNgramModel(sample, { order: 4 }), unseen)].map((l) => -l / Math.LN2);
    for (const b of bits) assert.ok(b <= Math.log2(520 / 0.03) + 1e-9, `${b} bits`);
    assert.ok(Math.max(...plain) > Math.max(...bits), `plain KN ${Math.max(...plain)} vs floored ${Math.max(...bits)}`);
  });

  it('pruning keeps distributions normalized and the trie closed under parents and suffixes (property)', () => {
    fc.assert(
      fc.property(
        docsArb,
        contextArb,
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 5 }),
        (docs, ctx, order, minCount) => {
          const full = trainNgramModel(docs, { order });
          const model = trainNgramModel(docs, { order, minCount });
          assert.ok(model.table.size <= full.table.size);
          const t = model.table;
          for (let v = 1; v < t.size; v++)
            assert.ok((t.parent[v] as number) < v && (t.depth[v] === 1 || (t.suffix[v] as number) > 0));
          const p = ngramNextDistribution(model, Int32Array.from([BOS, ...ctx]));
          close(
            p.reduce((s, q) => s + q, 0),
            1,
            1e-9,
            'sum',
          );
          const h = ngramEntropies(model, Int32Array.from([BOS, ...ctx]));
          close(h[h.length - 1] as number, entropyOf(p), 1e-4, 'entropy');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('pruning drops n-grams and costs little on real text', () => {
    const train = sample.filter((_, i) => i % 4 !== 0);
    const held = sample.filter((_, i) => i % 4 === 0);
    const bpb = (m: NgramModel): number =>
      held.reduce((s, d) => s - ngramLogProbs(m, d).reduce((a, b) => a + b, 0), 0) /
      Math.LN2 /
      held.reduce((s, d) => s + d.length - 1, 0);
    const full = trainNgramModel(train, { order: 5 });
    const pruned = trainNgramModel(train, { order: 5, minCount: [0, 0, 2, 2, 3] });
    assert.ok(pruned.table.size < 0.6 * full.table.size, `${pruned.table.size} of ${full.table.size}`);
    assert.ok(bpb(pruned) < bpb(full) + 0.15, `${bpb(pruned)} vs ${bpb(full)}`);
  });
});

describe('n-gram model file: version 2 and version 1', () => {
  it('a version-2 file scores from its stored index without building the trie; the trie comes on demand and agrees', () => {
    const model = trainNgramModel(sample, { order: 5, minCount: [0, 0, 2], floorWeight: 0.02 });
    const bytes = encodeNgramModel(model);
    const loaded = ngramModelFromBytes(bytes, 'm.ngram');
    assert.equal(typeof Object.getOwnPropertyDescriptor(loaded, 'table')?.get, 'function'); // lazy
    assert.equal(loaded.fingerprint, model.fingerprint);
    for (const d of sample.slice(0, 6)) assert.deepEqual(ngramEntropies(loaded, d), ngramEntropies(model, d));
    for (const d of sample.slice(0, 3)) assert.deepEqual(ngramLogProbs(loaded, d), ngramLogProbs(model, d));
    assert.deepEqual(loaded.prob, model.prob);
    assert.deepEqual(loaded.pruned, model.pruned);
    assert.deepEqual(encodeNgramModel(loaded), bytes);
  });

  it('a version-1 file (no floor, no index) still loads, scores as before and keeps its fingerprint', () => {
    const model = trainNgramModel(sample, { order: 4 });
    const v1 = encodeV1(model);
    const loaded = ngramModelFromBytes(v1, 'old.ngram');
    assert.equal(loaded.fingerprint, createHash('sha256').update(v1).digest('hex'));
    assert.equal(loaded.floor.weight, 0);
    for (const d of sample.slice(0, 6)) {
      assert.deepEqual(ngramEntropies(loaded, d), ngramEntropies(model, d));
      assert.deepEqual(ngramLogProbs(loaded, d), ngramLogProbs(model, d));
    }
  });
});
