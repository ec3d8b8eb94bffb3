import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import { Rng } from '../../../../src/core/rng.js';
import {
  computeEntropies,
  computeEntropiesBatch,
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyConfig,
  entropyFromLogits,
  exportWeightArrays,
  forwardLogits,
  planRows,
  rowLength,
  type EntropyTransformer,
} from '../../../../src/entropy/transformer/index.js';
import { attentionLayout, PieceLayoutCache, rowPieces } from '../../../../src/entropy/transformer/attention-layout.js';
import { singlePassEntropies, weightsOf } from '../../../helpers/single-pass-reference.js';

const config = entropyConfig({ dim: 16, n_layers: 2, n_heads: 2, ffn_dim: 32, window: 32, max_seqlen: 64 });

function randomDoc(n: number, seed: number): Int32Array {
  const rng = Rng.fromSeed(seed);
  return Int32Array.from({ length: n }, () => 4 + rng.int(256));
}

/** Entropies of tokens fed as one row [1,T] (positions 0..T-1), straight from forwardLogits. */
function direct(model: EntropyTransformer, tokens: Int32Array): Float32Array {
  const x = tf.tensor2d(tokens, [1, tokens.length], 'int32');
  const logits = forwardLogits(model, x);
  const h = entropyFromLogits(logits);
  const out = h.dataSync() as Float32Array;
  tf.dispose([x, logits, h]);
  return out;
}

function assertClose(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (b[i] as number)))));
  assert.ok(worst <= tol, `${what}: max abs diff ${worst} > ${tol}`);
}

describe("entropy transformer: row plan (the reference's chunks)", () => {
  it('covers every token exactly once: chunks of chunkLength, split after a mid-chunk EOS, positions from the chunk start', () => {
    const W = 8;
    for (let n = 0; n <= 40; n++) {
      for (const eosAt of [-1, 3, 9, n - 1]) {
        const doc = Int32Array.from({ length: n }, (_, i) => (i === eosAt ? 2 : 4 + i));
        const seen = new Int32Array(n);
        for (const r of planRows([doc], W, 12)) {
          assert.ok(r.length >= 1 && r.T >= r.length && r.T === rowLength(r.length, W), `n=${n}: ${JSON.stringify(r)}`);
          const chunkStart = Math.floor(r.start / 12) * 12;
          assert.equal(r.position, r.start - chunkStart, 'position = offset in the chunk');
          assert.ok(r.start + r.length <= Math.min(n, chunkStart + 12), 'a row never crosses a chunk edge');
          for (let p = r.start; p < r.start + r.length; p++) seen[p] = (seen[p] as number) + 1;
          const eos = [...doc.subarray(r.start, r.start + r.length - 1)].indexOf(2);
          assert.equal(eos, -1, 'an EOS only ever ends a row');
        }
        assert.ok(
          seen.every((c) => c === 1),
          `n=${n}: coverage ${seen.join(',')}`,
        );
      }
    }
    assert.deepEqual(
      planRows([new Int32Array(20000)], 256).map((r) => [r.start, r.length, r.position]),
      [
        [0, 8192, 0],
        [8192, 8192, 0],
        [16384, 3616, 0],
      ],
      'default chunks of 8192 tokens, as calculate_entropies',
    );
  });

  it('pads a row that fits the window to a multiple of 32, a longer one to a multiple of the query block', () => {
    assert.deepEqual(
      [1, 32, 33, 200, 256].map((n) => rowLength(n, 256)),
      [32, 32, 64, 224, 256],
    );
    assert.deepEqual(
      [257, 320, 321, 8192].map((n) => rowLength(n, 256)),
      [320, 320, 384, 8192],
    );
    assert.deepEqual(
      [33, 40, 65].map((n) => rowLength(n, 32)),
      [64, 64, 96],
    );
  });

  it('a long row computed piece by piece gives every query exactly the keys and mask of the whole-row layout', () => {
    for (const [W, T] of [
      [256, 8192],
      [256, 2112],
      [64, 2432],
      [32, 9024],
      [48, 1056],
    ] as const) {
      const whole = attentionLayout(T, W);
      const cache = new PieceLayoutCache(W);
      const pieces = rowPieces(T, W);
      let next = 0;
      for (const p of pieces) {
        assert.equal(p.start, next, `W ${W}: pieces are contiguous`);
        assert.ok(p.length > 0 && p.length <= cache.maxPiece && p.length % whole.Bq === 0, `W ${W}: whole blocks`);
        next += p.length;
      }
      assert.equal(next, T, `W ${W}: pieces cover the row`);
      for (const { start, length } of pieces) {
        const l = cache.get(length, start);
        assert.equal(l.S, whole.S);
        assert.equal(l.Bq, whole.Bq);
        assert.deepEqual(l.band, whole.band);
        for (let j = 0; j < l.np; j++) {
          const b = start / l.Bq + j; // the whole row's block
          for (let kk = 0; kk < l.S; kk++) {
            const valid = l.keyValid[(l.nv === 1 ? 0 : j) * l.S + kk];
            assert.equal(valid, whole.keyValid[b * whole.S + kk], `W ${W} block ${b} key ${kk}: mask`);
            // key kk of the piece's block j: carried/own key index → row position start − lead + index
            const pos = start - l.lead + (l.keyIndex[j * l.S + kk] as number);
            if (valid === 0) assert.equal(pos, whole.keyIndex[b * whole.S + kk], `W ${W} block ${b} key ${kk}`);
            else assert.ok(pos < 0, `W ${W} block ${b} key ${kk}: masked keys lie before position 0`);
          }
        }
      }
    }
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`entropy transformer: entropies (${backend})`, () => {
    let model: EntropyTransformer;
    before(async () => {
      await initBackend(backend);
      model = createEntropyTransformer(config, 11);
    });
    after(() => disposeEntropyTransformer(model));

    it('one value per token in [0, ln 260]; a long document is one pass (the float64 single-pass oracle), its prefix a direct forward', () => {
      const doc = randomDoc(100, 1); // > 3 windows of 32: blocked attention, every token sees min(i+1, 32) tokens
      const h = computeEntropies(model, doc);
      assert.equal(h.length, 100);
      assert.ok(h.every((v) => v >= 0 && v <= Math.log(260) + 1e-5));
      assertClose(
        h,
        Float32Array.from(singlePassEntropies(config, weightsOf(exportWeightArrays(model)), doc)),
        1e-5,
        'single pass',
      );
      assertClose(h.subarray(0, 32), direct(model, doc.subarray(0, 32)), 1e-6, 'first window');
      assertClose(h.subarray(0, 64), direct(model, doc.subarray(0, 64)), 1e-5, 'a 64-token prefix as one dense row');
    });

    it('a short document equals its direct forward; an empty one gives an empty result', () => {
      const doc = randomDoc(9, 2);
      assertClose(computeEntropies(model, doc), direct(model, doc), 1e-6, 'short doc');
      assert.equal(computeEntropies(model, new Int32Array(0)).length, 0);
    });

    it('batched results are bit-identical to single-document results, at any batch size and order', () => {
      const lengths = [100, 1, 31, 32, 33, 0, 64, 7, 250, 97];
      const docs = lengths.map((n, i) => randomDoc(n, 100 + i));
      (docs[9] as Int32Array)[40] = 2; // a mid-document EOS: a row at position 41
      const alone = docs.map((d) => computeEntropies(model, d));
      for (const batchSize of [1, 3, 8, 64]) {
        const batched = computeEntropiesBatch(model, docs, { batchSize });
        batched.forEach((h, i) => assert.deepEqual(h, alone[i], `doc ${i}, batchSize ${batchSize}`));
      }
      const reversed = computeEntropiesBatch(model, [...docs].reverse()).reverse();
      reversed.forEach((h, i) => assert.deepEqual(h, alone[i], `doc ${i}, reversed order`));
    });

    it('does not leak tensors per call', () => {
      const docs = [randomDoc(70, 3), randomDoc(5, 4)];
      computeEntropiesBatch(model, docs); // warm-up: cached constants per padded length
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) computeEntropiesBatch(model, docs);
      assert.equal(tf.memory().numTensors, before);
    });

    it('rejects token ids outside [0, 260) with BAD_INPUT naming the document and position', () => {
      const bad = Int32Array.from([4, 5, 260]);
      assert.throws(
        () => computeEntropiesBatch(model, [new Int32Array([4]), bad]),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT' && /Document 1: token 2 is 260/.test(e.message),
      );
      assert.throws(
        () => computeEntropies(model, new Int32Array([4]), { batchSize: 0 }),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION',
      );
    });
  });
}
