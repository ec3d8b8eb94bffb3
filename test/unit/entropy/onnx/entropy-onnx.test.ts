import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import { Rng } from '../../../../src/core/rng.js';
import { buildEntropyOnnx } from '../../../../src/entropy/onnx/build-graph.js';
import { loadOrt } from '../../../../src/entropy/onnx/load-ort.js';
import { OnnxEntropyScorer } from '../../../../src/entropy/onnx/onnx-scorer.js';
import { OnnxRowInputs } from '../../../../src/entropy/onnx/row-inputs.js';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import {
  computeEntropiesBatch,
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyConfig,
  entropyTransformerFromArrays,
  exportWeightArrays,
  forwardLogits,
  planBatches,
  planRows,
  type EntropyTransformer,
} from '../../../../src/entropy/transformer/index.js';

/** Parity tolerance (max abs diff, nats) between onnxruntime and tfjs; measured ~1e-6 (docs/entropy-inference.md). */
const TOL = 2e-5;

// Small model: window 32 so a 100-token document spans several overlapping windows.
const config = entropyConfig({ dim: 32, n_layers: 2, n_heads: 4, ffn_dim: 64, window: 32, max_seqlen: 64 });

/** Random init scaled ×2 so the entropies spread over (0, ln 260) instead of sitting near uniform. */
function sharpModel(seed: number): EntropyTransformer {
  const base = createEntropyTransformer(config, seed);
  const arrays = exportWeightArrays(base);
  disposeEntropyTransformer(base);
  for (const [name, a] of arrays) if (!name.endsWith('norm.weight')) a.data.forEach((v, i) => (a.data[i] = v * 2));
  return entropyTransformerFromArrays(config, arrays);
}

function weightMap(model: EntropyTransformer): Map<string, Float32Array> {
  return new Map([...exportWeightArrays(model)].map(([k, v]) => [k, v.data]));
}

function randomDoc(rng: Rng, n: number): Int32Array {
  return Int32Array.from({ length: n }, () => 4 + (rng.nextUint32() % 256));
}

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let m = 0;
  a.forEach((x, k) => {
    const y = b[k] as Float32Array;
    assert.equal(x.length, y.length);
    x.forEach((v, i) => (m = Math.max(m, Math.abs(v - (y[i] as number)))));
  });
  return m;
}

describe('entropy ONNX engine (onnxruntime-node vs tfjs)', function () {
  let model: EntropyTransformer;
  let scorer: OnnxEntropyScorer;
  const rng = Rng.fromSeed(11);
  const text = 'Entropy patching: bytes that are hard to predict start new patches. Ünïcödé → ✓ 字节. '.repeat(2);
  const docs = [
    encodeBytes(text),
    randomDoc(rng, 1),
    randomDoc(rng, 5),
    randomDoc(rng, 31),
    randomDoc(rng, 32),
    randomDoc(rng, 33),
    randomDoc(rng, 100),
    new Int32Array(0),
    randomDoc(rng, 64),
  ];

  before(async function () {
    await initBackend('cpu');
    await loadOrt();
    model = sharpModel(3);
    scorer = await OnnxEntropyScorer.fromWeights(config, weightMap(model), { batchSize: 4 });
  });
  after(async function () {
    await scorer?.close();
    if (model) disposeEntropyTransformer(model);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matches tfjs-${backend} computeEntropiesBatch within ${TOL} (long document + batch of mixed lengths)`, async function () {
      await initBackend(backend);
      const ref = computeEntropiesBatch(model, docs, { batchSize: 4 });
      const got = await scorer.score(docs);
      const diff = maxAbsDiff(got, ref);
      console.log(`      onnx vs tfjs-${backend}: max abs diff ${diff.toExponential(2)}`);
      assert.ok(diff < TOL, `max abs diff ${diff.toExponential(2)} >= ${TOL}`);
      // The model is not trivially uniform: entropies spread well below ln(260) ≈ 5.56.
      const all = got.flatMap((x) => [...x]);
      assert.ok(Math.min(...all) < 3.5 && Math.max(...all) > 4, 'entropies should vary');
    });
  }

  it('gives a document the same floats alone, in a batch, and at any batchSize', async function () {
    const batched = await scorer.score(docs);
    for (const [k, d] of docs.entries()) {
      const [alone] = await scorer.score([d]);
      assert.deepEqual(alone, batched[k], `document ${k} (length ${d.length})`);
    }
    const other = await OnnxEntropyScorer.fromWeights(config, weightMap(model), { batchSize: 16 });
    try {
      assert.deepEqual(await other.score([...docs].reverse()), [...batched].reverse());
    } finally {
      await other.close();
    }
  });

  it('right padding never changes real positions (causal attention)', async function () {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(
      buildEntropyOnnx(config, weightMap(model), { tokenType: 'int64' }),
    );
    const doc = randomDoc(rng, 20);
    const run = async (T: number): Promise<Float32Array> => {
      const ids = new BigInt64Array(2 * T);
      doc.forEach((t, i) => (ids[i] = ids[T + i] = BigInt(t)));
      for (let i = doc.length; i < T; i++) ids[T + i] = BigInt(4 + i); // row 1: other tokens, not zeros
      const out = (
        await session.run({
          tokens: new ort.Tensor('int64', ids, [2, T]),
          ...new OnnxRowInputs(ort, config).feeds(T, 0),
        })
      ).entropies;
      return out?.data as Float32Array;
    };
    const exact = await run(20);
    const padded = await run(32);
    for (let i = 0; i < 20; i++) {
      assert.equal(padded[i], padded[32 + i], `position ${i}: zero vs non-zero padding`);
      assert.ok(Math.abs((padded[i] as number) - (exact[i] as number)) < 1e-6, `position ${i}: T=32 vs T=20`);
    }
    await session.release();
  });

  it('optionally outputs logits equal to tfjs forwardLogits', async function () {
    await initBackend('cpu');
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(buildEntropyOnnx(config, weightMap(model), { logits: true }));
    const doc = randomDoc(rng, 24);
    const out = await session.run({
      tokens: new ort.Tensor('int32', doc, [1, 24]),
      ...new OnnxRowInputs(ort, config).feeds(24, 0),
    });
    const ref = tf.tidy(() => forwardLogits(model, tf.tensor2d(doc, [1, 24], 'int32')));
    const refData = ref.dataSync() as Float32Array;
    ref.dispose();
    assert.deepEqual(out.logits?.dims, [1, 24, 260]);
    assert.ok(maxAbsDiff([out.logits?.data as Float32Array], [refData]) < 1e-4);
    await session.release();
  });

  it('plans rows like tfjs: one row per chunk, padded lengths grouped longest first, batchSize·window tokens per call', function () {
    const docs = [
      new Int32Array(100).fill(5),
      new Int32Array(5).fill(5),
      new Int32Array(40).fill(5),
      new Int32Array(100).fill(5),
    ];
    const batches = planBatches(planRows(docs, 32), 32, 2);
    assert.deepEqual(
      batches.map((b) => b.map((r) => [r.doc, r.start, r.length, r.position, r.T])),
      [
        [[0, 0, 100, 0, 128]],
        [[3, 0, 100, 0, 128]], // 128 tokens > 2·32: one row per call
        [[2, 0, 40, 0, 64]],
        [[1, 0, 5, 0, 32]],
      ],
    );
  });

  it('rejects bad tokens, missing weights and use after close with BltErrors', async function () {
    await assert.rejects(
      scorer.score([Int32Array.from([4, 260])]),
      (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT',
    );
    const w = weightMap(model);
    w.delete('layers.1.feed_forward.w2.weight');
    assert.throws(
      () => buildEntropyOnnx(config, w),
      (e: unknown) => e instanceof BltError && e.code === 'MODEL_FORMAT' && /w2/.test(e.message),
    );
    const s = await OnnxEntropyScorer.fromWeights(config, weightMap(model));
    await s.close();
    await s.close();
    await assert.rejects(s.score([Int32Array.from([4])]), /closed/);
  });
});
