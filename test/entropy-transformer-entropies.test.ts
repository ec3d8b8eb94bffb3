import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend/select-backend.js';
import { BltError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import {
  computeEntropies, computeEntropiesBatch, createEntropyTransformer, disposeEntropyTransformer, entropyConfig,
  entropyFromLogits, forwardLogits, planWindows, type EntropyTransformer,
} from '../src/entropy/transformer/index.js';

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

describe('entropy transformer: window plan', () => {
  it('covers every position exactly once; later windows keep only positions with >= window/2 history', () => {
    const W = 8;
    for (let n = 0; n <= 40; n++) {
      const seen = new Int32Array(n);
      for (const w of planWindows(n, W)) {
        assert.ok(w.length <= W && w.length > w.keepFrom && w.start + w.length <= n, `n=${n}: ${JSON.stringify(w)}`);
        if (w.start > 0) assert.ok(w.keepFrom >= W / 2);
        for (let p = w.start + w.keepFrom; p < w.start + w.length; p++) seen[p] = (seen[p] as number) + 1;
      }
      assert.ok(seen.every((c) => c === 1), `n=${n}: coverage ${seen.join(',')}`);
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

    it('one value per token in [0, ln 260]; a long document matches direct forwards window by window', () => {
      const doc = randomDoc(100, 1); // > 2 windows of 32: windows at 0, 16, 32, 48, 64, 80
      const h = computeEntropies(model, doc);
      assert.equal(h.length, 100);
      assert.ok(h.every((v) => v >= 0 && v <= Math.log(260) + 1e-5));
      assertClose(h.subarray(0, 32), direct(model, doc.subarray(0, 32)), 1e-6, 'first window');
      assertClose(h.subarray(48, 64), direct(model, doc.subarray(32, 64)).subarray(16, 32), 1e-6, 'window at 32');
      assertClose(h.subarray(96, 100), direct(model, doc.subarray(80, 100)).subarray(16, 20), 1e-6, 'last (short) window');
    });

    it('a short document equals its direct forward; an empty one gives an empty result', () => {
      const doc = randomDoc(9, 2);
      assertClose(computeEntropies(model, doc), direct(model, doc), 1e-6, 'short doc');
      assert.equal(computeEntropies(model, new Int32Array(0)).length, 0);
    });

    it('batched results are bit-identical to single-document results, at any batch size and order', () => {
      const lengths = [100, 1, 31, 32, 33, 0, 64, 7, 250];
      const docs = lengths.map((n, i) => randomDoc(n, 100 + i));
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
      assert.throws(() => computeEntropiesBatch(model, [new Int32Array([4]), bad]),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT' && /Document 1: token 2 is 260/.test(e.message));
      assert.throws(() => computeEntropies(model, new Int32Array([4]), { batchSize: 0 }),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION');
    });
  });
}
