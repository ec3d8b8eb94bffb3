/**
 * Long documents are scored as the reference's calculate_entropies scores them (issue 15): one
 * pass per chunk of 8192 tokens, positions 0..L−1, every token seeing exactly min(i+1, window)
 * tokens. Expected values come from an independent float64 oracle with a dense [L,L] mask
 * (test/helpers/single-pass-reference.ts), on random weights and on the shipped model, for
 * UDHR texts of > 2,000 tokens in several scripts; onnx == tfjs; batch composition does not matter;
 * patch starts are identical; no token is computed twice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { Rng } from '../../../../src/core/rng.js';
import { htmlToText } from '../../../../src/ingest/corpora/html-text.js';
import { packageDir } from '../../../../src/ingest/corpora/package-dir.js';
import { loadEntropyModel } from '../../../../src/entropy/model-format/index.js';
import { OnnxEntropyScorer } from '../../../../src/entropy/onnx/onnx-scorer.js';
import { entropyPatchStarts } from '../../../../src/patching/entropy-patch-starts.js';
import { BOS_ID, EOS_ID, OFFSET } from '../../../../src/bytes/byte-vocab.js';
import {
  computeEntropies,
  computeEntropiesBatch,
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyConfig,
  entropyTransformerFromArrays,
  exportWeightArrays,
  planRows,
  type EntropyTransformer,
  type EntropyTransformerConfig,
} from '../../../../src/entropy/transformer/index.js';
import { singlePassEntropies, weightsOf } from '../../../helpers/single-pass-reference.js';

/** The transformer model directory checked in with the project (loaded explicitly, whatever the default is). */
const SHIPPED_MODEL = 'models/entropy-default';
/** Acceptance: max abs difference to the single-pass formulation (nats). */
const TOL = 1e-4;

/** [BOS] + the first `bytes` bytes of a UDHR text + [EOS] (> 2,000 tokens). */
function udhrTokens(code: string, bytes: number): Int32Array {
  const html = readFileSync(join(packageDir('udhr'), 'declaration', `${code}.html`), 'utf8');
  const b = new TextEncoder().encode(htmlToText(html)).subarray(0, bytes);
  assert.equal(b.length, bytes, `udhr:${code} has fewer than ${bytes} bytes`);
  return Int32Array.from([BOS_ID, ...Array.from(b, (x) => x + OFFSET), EOS_ID]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

const starts = (h: ArrayLike<number>, threshold: number): number[] =>
  entropyPatchStarts(Float32Array.from(h), threshold, undefined, false, true);

/**
 * A threshold near the median that no oracle entropy comes within 2·TOL of (the midpoint of the
 * first such gap outward from the median): values within TOL of the oracle then give the same starts.
 */
function median(h: ArrayLike<number>): number {
  const s = Array.from(h).sort((x, y) => x - y);
  const m = s.length >> 1;
  for (let o = 0; o < m; o++) {
    for (const i of [m + o, m - o - 1]) {
      const [a, b] = [s[i] as number, s[i + 1] as number];
      if (b - a > 4 * TOL) return (a + b) / 2;
    }
  }
  throw new Error('no gap in the entropies');
}

/** Random init scaled ×2 so the entropies spread over (0, ln 260) instead of sitting near uniform. */
function sharpModel(c: EntropyTransformerConfig, seed: number): EntropyTransformer {
  const base = createEntropyTransformer(c, seed);
  const arrays = exportWeightArrays(base);
  disposeEntropyTransformer(base);
  for (const [name, a] of arrays) if (!name.endsWith('norm.weight')) a.data.forEach((v, i) => (a.data[i] = v * 2));
  return entropyTransformerFromArrays(c, arrays);
}

const SCRIPTS = [
  ['eng', 'Latin'],
  ['rus', 'Cyrillic'],
  ['cmn_hans', 'Han'],
  ['arb', 'Arabic'],
  ['hin', 'Devanagari'],
  ['ell_monotonic', 'Greek'],
] as const;

describe('entropy transformer: long documents as the reference scores them (single pass per 8192-token chunk)', function () {
  describe('random weights (d 32, 2 layers, window 64): six scripts, 2,400 bytes each', function () {
    const config = entropyConfig({ dim: 32, n_layers: 2, n_heads: 4, ffn_dim: 64, window: 64, max_seqlen: 128 });
    const docs = SCRIPTS.map(([code]) => udhrTokens(code, 2400));
    let model: EntropyTransformer;
    let weights: Map<string, Float32Array>;
    let expected: Float64Array[];
    let onnx: Float32Array[];

    before(async function () {
      await initBackend('cpu');
      model = sharpModel(config, 21);
      weights = weightsOf(exportWeightArrays(model));
      expected = docs.map((d) => singlePassEntropies(config, weights, d));
      const scorer = await OnnxEntropyScorer.fromWeights(config, weights, { batchSize: 4 });
      onnx = await scorer.score(docs);
      await scorer.close();
    });
    after(() => disposeEntropyTransformer(model));

    for (const backend of ['cpu', 'wasm'] as const) {
      it(`tfjs-${backend} and onnx match the oracle within ${TOL} nats, with identical patch starts`, async function () {
        await initBackend(backend);
        const tfjs = computeEntropiesBatch(model, docs);
        docs.forEach((d, k) => {
          const [code, script] = SCRIPTS[k] as readonly [string, string];
          const want = expected[k] as Float64Array;
          assert.ok(d.length > 2000);
          const dt = maxAbsDiff(tfjs[k] as Float32Array, want);
          const dox = maxAbsDiff(onnx[k] as Float32Array, want);
          console.log(
            `      udhr:${code} (${script}, ${d.length} tokens): tfjs-${backend} ${dt.toExponential(1)}, onnx ${dox.toExponential(1)}`,
          );
          assert.ok(dt <= TOL && dox <= TOL, `${script}: tfjs ${dt}, onnx ${dox}`);
          const theta = median(want);
          assert.deepEqual(starts(tfjs[k] as Float32Array, theta), starts(want, theta), `${script}: tfjs patch starts`);
          assert.deepEqual(starts(onnx[k] as Float32Array, theta), starts(want, theta), `${script}: onnx patch starts`);
        });
        // onnx == tfjs (both float32; docs/entropy-inference.md: up to ~4e-5 on these sharp weights)
        docs.forEach((_d, k) => assert.ok(maxAbsDiff(onnx[k] as Float32Array, tfjs[k] as Float32Array) < TOL / 2));
      });
    }

    it('the old windowing would fail this test: context beyond window/2 matters on these documents', function () {
      // Guard against a vacuous oracle: restarting the context half a window back (what stride-W/2
      // windows did) moves some entropies by far more than the tolerance.
      const d = docs[0] as Int32Array;
      const restarted = singlePassEntropies(config, weights, d.subarray(1000 - 32));
      const gap = maxAbsDiff(restarted.subarray(32, 64), (expected[0] as Float64Array).subarray(1000, 1032));
      assert.ok(gap > 1e-2, `context change moved entropies by only ${gap}`);
    });

    it('a document gets the same floats alone, in any batch, at any batchSize and order (tfjs and onnx)', async function () {
      await initBackend('wasm');
      const rng = Rng.fromSeed(4);
      const mixed = [
        docs[0] as Int32Array,
        Int32Array.from({ length: 40 }, () => 4 + rng.int(256)),
        docs[2] as Int32Array,
        Int32Array.from({ length: 300 }, () => 4 + rng.int(256)),
        new Int32Array(0),
      ];
      const alone = mixed.map((d) => computeEntropies(model, d));
      for (const batchSize of [1, 3, 16]) {
        computeEntropiesBatch(model, mixed, { batchSize }).forEach((h, k) =>
          assert.deepEqual(h, alone[k], `tfjs doc ${k}, batchSize ${batchSize}`),
        );
      }
      computeEntropiesBatch(model, [...mixed].reverse())
        .reverse()
        .forEach((h, k) => assert.deepEqual(h, alone[k], `tfjs doc ${k}, reversed`));
      const a = await OnnxEntropyScorer.fromWeights(config, weights, { batchSize: 1 });
      const b = await OnnxEntropyScorer.fromWeights(config, weights, { batchSize: 32 });
      try {
        const onnxAlone = await Promise.all(mixed.map(async (d) => (await a.score([d]))[0] as Float32Array));
        assert.deepEqual(await a.score(mixed), onnxAlone);
        assert.deepEqual((await b.score([...mixed].reverse())).reverse(), onnxAlone);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('computes every token once: the rows of a document add up to its length (no overlap)', function () {
      for (const n of [2402, 8192, 16384, 20000]) {
        const rows = planRows([new Int32Array(n).fill(5)], config.window);
        assert.equal(
          rows.reduce((s, r) => s + r.length, 0),
          n,
        );
        assert.ok(
          rows.every((r) => r.T - r.length < 64),
          `n=${n}: padding stays below one query block`,
        );
      }
    });
  });

  describe('beyond 8192 tokens and after a mid-document EOS (d 16, window 32)', function () {
    const config = entropyConfig({ dim: 16, n_layers: 2, n_heads: 2, ffn_dim: 32, window: 32, max_seqlen: 64 });
    let model: EntropyTransformer;
    before(async function () {
      await initBackend('wasm');
      model = sharpModel(config, 5);
    });
    after(() => disposeEntropyTransformer(model));

    it('a 9,000-token document: chunks of 8192 with positions restarting, as calculate_entropies; onnx == tfjs == oracle', async function () {
      const rng = Rng.fromSeed(8);
      const doc = Int32Array.from({ length: 9000 }, () => 4 + rng.int(256));
      const weights = weightsOf(exportWeightArrays(model));
      const want = singlePassEntropies(config, weights, doc);
      const got = computeEntropies(model, doc);
      const scorer = await OnnxEntropyScorer.fromWeights(config, weights);
      const [onnx] = await scorer.score([doc]);
      await scorer.close();
      assert.ok(maxAbsDiff(got, want) <= TOL, `tfjs vs oracle ${maxAbsDiff(got, want)}`);
      assert.ok(
        maxAbsDiff(onnx as Float32Array, want) <= TOL,
        `onnx vs oracle ${maxAbsDiff(onnx as Float32Array, want)}`,
      );
      // The second chunk is an independent context: it scores like a document of its own.
      assert.ok(maxAbsDiff(got.subarray(8192), computeEntropies(model, doc.subarray(8192))) < 1e-6);
      assert.ok(
        maxAbsDiff(got.subarray(8100, 8192), computeEntropies(model, doc.subarray(8100, 8192))) > 1e-3,
        'context before 8192 is used',
      );
    });

    it('a mid-document EOS ends an attention block, positions run on (local_block_causal); onnx == tfjs == oracle', async function () {
      const rng = Rng.fromSeed(9);
      const doc = Int32Array.from({ length: 500 }, () => 4 + rng.int(256));
      doc[200] = EOS_ID;
      const weights = weightsOf(exportWeightArrays(model));
      const want = singlePassEntropies(config, weights, doc);
      const got = computeEntropies(model, doc);
      const scorer = await OnnxEntropyScorer.fromWeights(config, weights);
      const [onnx] = await scorer.score([doc]);
      await scorer.close();
      assert.ok(maxAbsDiff(got, want) <= TOL && maxAbsDiff(onnx as Float32Array, want) <= TOL);
    });
  });

  describe(`the shipped model (${SHIPPED_MODEL}): three scripts, 2,100 bytes each`, function () {
    this.timeout(300000);
    const docs = [udhrTokens('eng', 2100), udhrTokens('rus', 2100), udhrTokens('cmn_hans', 2100)];

    it(`onnx and tfjs-wasm match the oracle within ${TOL} nats, with identical patch starts`, async function () {
      await initBackend('wasm');
      const loaded = await loadEntropyModel(SHIPPED_MODEL);
      try {
        const { model } = loaded;
        const weights = weightsOf(exportWeightArrays(model));
        const scorer = await OnnxEntropyScorer.fromWeights(model.config, weights);
        const onnx = await scorer.score(docs);
        await scorer.close();
        const tfjs = computeEntropiesBatch(model, docs);
        docs.forEach((d, k) => {
          const want = singlePassEntropies(model.config, weights, d);
          const [dt, dox] = [maxAbsDiff(tfjs[k] as Float32Array, want), maxAbsDiff(onnx[k] as Float32Array, want)];
          console.log(
            `      doc ${k} (${d.length} tokens): tfjs-wasm ${dt.toExponential(1)}, onnx ${dox.toExponential(1)}`,
          );
          assert.ok(dt <= TOL && dox <= TOL, `doc ${k}: tfjs ${dt}, onnx ${dox}`);
          for (const theta of [1.335442066192627, median(want)]) {
            assert.deepEqual(starts(onnx[k] as Float32Array, theta), starts(want, theta), `doc ${k}, θ ${theta}: onnx`);
            assert.deepEqual(starts(tfjs[k] as Float32Array, theta), starts(want, theta), `doc ${k}, θ ${theta}: tfjs`);
          }
        });
      } finally {
        disposeEntropyTransformer(loaded.model);
      }
    });
  });
});
