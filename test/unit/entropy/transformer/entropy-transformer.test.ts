import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import { slidingWindowMaskArray, MASKED } from '../../../../src/nn/attention-mask.js';
import { applyRope, pairSwapMatrix, ropeTableArrays } from '../../../../src/nn/rope.js';
import {
  DEFAULT_ENTROPY_CONFIG,
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyConfig,
  entropyTransformerFromArrays,
  exportWeightArrays,
  flopsPerByte,
  forwardLogits,
  nonEmbeddingParameterCount,
  parameterCount,
  swigluHiddenDim,
  validateEntropyConfig,
  weightSpecs,
  type EntropyTransformer,
  type EntropyTransformerConfig,
} from '../../../../src/entropy/transformer/index.js';

const tiny = entropyConfig({ dim: 16, n_layers: 2, n_heads: 2, ffn_dim: 32, window: 4, max_seqlen: 32 });

function ids(B: number, T: number, seed: number): Int32Array {
  return Int32Array.from({ length: B * T }, (_, i) => 4 + ((i * 7919 + seed * 104729) % 256));
}

/** logits of tokens [1,T] as a flat Float32Array [T·V]. */
function logitsOf(model: EntropyTransformer, tokens: Int32Array): Float32Array {
  const x = tf.tensor2d(tokens, [1, tokens.length], 'int32');
  const y = forwardLogits(model, x);
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return out;
}

function rowsEqual(a: Float32Array, b: Float32Array, V: number, pos: number): boolean {
  for (let v = 0; v < V; v++) if (a[pos * V + v] !== b[pos * V + v]) return false;
  return true;
}

function assertBadOption(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION' && re.test(e.message));
}

describe('entropy transformer: config', () => {
  it('default config: d128 L2 H4 ffn384 window256, FLOPs/byte and parameter count by formula', () => {
    const c = DEFAULT_ENTROPY_CONFIG;
    assert.deepEqual(
      { ...c },
      {
        vocab_size: 260,
        dim: 128,
        n_layers: 2,
        n_heads: 4,
        ffn_dim: 384,
        window: 256,
        rope_theta: 10000,
        norm_eps: 1e-5,
        max_seqlen: 1024,
      },
    );
    const total = weightSpecs(c).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(parameterCount(c), total);
    assert.equal(parameterCount(c), 493_184);
    assert.equal(nonEmbeddingParameterCount(c), total - 260 * 128);
    assert.equal(flopsPerByte(c), 2 * (total - 260 * 128) + 4 * 2 * 256 * 128);
  });

  it('swigluHiddenDim follows the reference formula', () => {
    assert.equal(swigluHiddenDim(128, 64), 384);
    assert.equal(swigluHiddenDim(768), 2048); // the reference entropy model's FFN
    assert.equal(swigluHiddenDim(1024), 2816);
  });

  it('rejects bad configs with BAD_OPTION naming the field', () => {
    const base: Record<string, unknown> = { ...DEFAULT_ENTROPY_CONFIG };
    assertBadOption(() => validateEntropyConfig({ ...base, n_heads: 3 }), /n_heads/);
    assertBadOption(() => validateEntropyConfig({ ...base, dim: 12, n_heads: 4 }), /even head dim/);
    assertBadOption(() => validateEntropyConfig({ ...base, window: 255 }), /window/);
    assertBadOption(() => validateEntropyConfig({ ...base, window: 2048 }), /window/);
    assertBadOption(() => validateEntropyConfig({ ...base, norm_eps: 0 }), /norm_eps/);
    assertBadOption(() => validateEntropyConfig({ ...base, dim: 1.5 }), /dim/);
    assertBadOption(() => validateEntropyConfig({ ...base, heads: 4 }), /Unknown key `heads`/);
    assertBadOption(() => validateEntropyConfig(null), /an object/);
  });
});

describe('entropy transformer: layers', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('RoPE rotates interleaved pairs (2i, 2i+1) by pos·theta^(-2i/hd), per head', () => {
    // d = 8, two heads of hd = 4: pair 0 has frequency 1, pair 1 has 10000^(-1/2) = 0.01.
    const T = 2;
    const { cos, sin } = ropeTableArrays(T, 8, 4, 10000);
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const xt = tf.tensor3d(Float32Array.from([...x, ...x]), [1, T, 8]);
    const [c, s, p] = [tf.tensor2d(cos, [T, 8]), tf.tensor2d(sin, [T, 8]), tf.tensor2d(pairSwapMatrix(8), [8, 8])];
    const y = applyRope(xt, c, s, p);
    const out = y.dataSync();
    tf.dispose([xt, c, s, p, y]);
    const rot = (a: number, b: number, ang: number): [number, number] => [
      a * Math.cos(ang) - b * Math.sin(ang),
      a * Math.sin(ang) + b * Math.cos(ang),
    ];
    const expected = [...x, ...rot(1, 2, 1), ...rot(3, 4, 0.01), ...rot(5, 6, 1), ...rot(7, 8, 0.01)];
    expected.forEach((e, i) => assert.ok(Math.abs((out[i] as number) - e) < 1e-5, `index ${i}: ${out[i]} vs ${e}`));
  });

  it('sliding-window mask: key j visible to query i iff j <= i and i - j < window', () => {
    const m = slidingWindowMaskArray(5, 2);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) assert.equal(m[i * 5 + j], j <= i && i - j < 2 ? 0 : MASKED, `(${i},${j})`);
    }
  });
});

describe('entropy transformer: model', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('init: contract names and shapes, deterministic per seed, trunc-normal ±3σ, norms 1', () => {
    const a = createEntropyTransformer(tiny, 7);
    const b = createEntropyTransformer(tiny, 7);
    const c = createEntropyTransformer(tiny, 8);
    try {
      const specs = weightSpecs(tiny);
      assert.deepEqual(
        [...a.weights.keys()],
        specs.map((s) => s.name),
      );
      assert.ok(a.weights.has('layers.1.feed_forward.w2.weight'));
      const wa = exportWeightArrays(a);
      const wb = exportWeightArrays(b);
      const wc = exportWeightArrays(c);
      for (const s of specs) {
        const x = wa.get(s.name);
        assert.ok(x);
        assert.deepEqual(x.shape, s.shape);
        assert.deepEqual(x.data, wb.get(s.name)?.data, `${s.name} differs for the same seed`);
        if (s.init.kind === 'ones') {
          assert.ok(x.data.every((v) => v === 1));
        } else {
          const std = s.init.std;
          assert.notDeepEqual(x.data, wc.get(s.name)?.data);
          assert.ok(
            x.data.every((v) => Math.abs(v) <= 3 * std + 1e-7),
            `${s.name} outside ±3σ`,
          );
          const rms = Math.sqrt(x.data.reduce((q, v) => q + v * v, 0) / x.data.length);
          assert.ok(rms > 0.7 * std && rms < 1.2 * std, `${s.name}: rms ${rms} vs σ ${std}`);
        }
      }
      assert.deepEqual(wa.get('layers.0.feed_forward.w2.weight')?.shape, [16, 32]);
      assert.deepEqual(wa.get('output.weight')?.shape, [260, 16]);
    } finally {
      [a, b, c].forEach(disposeEntropyTransformer);
    }
  });

  it('forwardLogits: [B,T] int32 → [B,T,260], finite; rows are independent', () => {
    const m = createEntropyTransformer(tiny, 1);
    try {
      const x = tf.tensor2d(ids(3, 10, 1), [3, 10], 'int32');
      const y = forwardLogits(m, x);
      assert.deepEqual(y.shape, [3, 10, 260]);
      const all = y.dataSync() as Float32Array;
      assert.ok(all.every(Number.isFinite));
      const row1 = logitsOf(m, ids(3, 10, 1).subarray(10, 20));
      assert.deepEqual(all.subarray(2600, 5200), row1);
      tf.dispose([x, y]);
    } finally {
      disposeEntropyTransformer(m);
    }
  });

  it('rejects tokens of the wrong dtype/rank or longer than max_seqlen', () => {
    const m = createEntropyTransformer(tiny, 1);
    try {
      const f = tf.tensor2d([[4, 5]], [1, 2], 'float32');
      const long = tf.zeros([1, 33], 'int32') as tf.Tensor2D;
      assertBadOption(() => forwardLogits(m, f), /int32/);
      assertBadOption(() => forwardLogits(m, long), /max_seqlen/);
      tf.dispose([f, long]);
    } finally {
      disposeEntropyTransformer(m);
    }
  });

  it('is causal: changing token t leaves logits at positions < t unchanged', () => {
    const c: EntropyTransformerConfig = entropyConfig({ ...tiny, window: 16 });
    const m = createEntropyTransformer(c, 2);
    try {
      const base = ids(1, 12, 3);
      const ref = logitsOf(m, base);
      for (const t of [0, 5, 11]) {
        const changed = base.slice();
        changed[t] = ((changed[t] as number) + 17) % 260;
        const out = logitsOf(m, changed);
        for (let i = 0; i < t; i++)
          assert.ok(rowsEqual(ref, out, 260, i), `position ${i} changed when token ${t} changed`);
        assert.ok(!rowsEqual(ref, out, 260, t), `position ${t} did not react to its own token`);
      }
    } finally {
      disposeEntropyTransformer(m);
    }
  });

  it('sliding window: with one layer, position i ignores tokens j with i - j >= window', () => {
    const c = entropyConfig({ ...tiny, n_layers: 1, window: 4 });
    const m = createEntropyTransformer(c, 3);
    try {
      const base = ids(1, 12, 4);
      const ref = logitsOf(m, base);
      const changed = base.slice();
      changed[2] = ((changed[2] as number) + 31) % 260;
      const out = logitsOf(m, changed);
      for (let i = 0; i < 12; i++) {
        const visible = i >= 2 && i - 2 < 4;
        assert.equal(!rowsEqual(ref, out, 260, i), visible, `position ${i}: changed=${!visible}`);
      }
    } finally {
      disposeEntropyTransformer(m);
    }
  });

  it('sliding window: with L layers, the receptive field is L·(window−1) tokens back', () => {
    const m = createEntropyTransformer(tiny, 4); // 2 layers, window 4 → reach 6
    try {
      const base = ids(1, 14, 5);
      const ref = logitsOf(m, base);
      const changed = base.slice();
      changed[1] = ((changed[1] as number) + 31) % 260;
      const out = logitsOf(m, changed);
      for (let i = 8; i < 14; i++) assert.ok(rowsEqual(ref, out, 260, i), `position ${i} saw token 1`);
      assert.ok(!rowsEqual(ref, out, 260, 7), 'position 7 should see token 1 through two layers');
    } finally {
      disposeEntropyTransformer(m);
    }
  });

  it('is differentiable: variableGrads gives a gradient for every weight', () => {
    const m = createEntropyTransformer(tiny, 5);
    try {
      const x = tf.tensor2d(ids(2, 8, 6), [2, 8], 'int32');
      const y = tf.tensor1d(ids(2, 8, 7), 'int32');
      forwardLogits(m, x).dispose(); // creates the cached constants for T = 8
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => {
        const logits = tf.reshape(forwardLogits(m, x), [16, 260]);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 260), logits) as tf.Scalar;
      }, [...m.weights.values()]);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      for (const [name, v] of m.weights) {
        const g = grads[v.name];
        assert.ok(g, `no gradient for ${name}`);
        assert.deepEqual(g.shape, v.shape);
        assert.ok(
          (g.dataSync() as Float32Array).some((e) => e !== 0),
          `zero gradient for ${name}`,
        );
      }
      tf.dispose([value, ...Object.values(grads)]);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([x, y]);
    } finally {
      disposeEntropyTransformer(m);
    }
  });

  it('does not leak tensors per call, and dispose releases everything', () => {
    const start = tf.memory().numTensors;
    const m = createEntropyTransformer(tiny, 6);
    const x = tf.tensor2d(ids(2, 8, 8), [2, 8], 'int32');
    forwardLogits(m, x).dispose(); // warm-up creates the cached constants for T = 8
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) forwardLogits(m, x).dispose();
    tf.tidy(() => {
      forwardLogits(m, x);
    });
    assert.equal(tf.memory().numTensors, warm);
    x.dispose();
    disposeEntropyTransformer(m);
    assert.equal(tf.memory().numTensors, start);
  });
});

describe('entropy transformer: weight arrays', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('exported and imported arrays are copies: mutating them never changes a live model', () => {
    const m = createEntropyTransformer(tiny, 9);
    const arrays = exportWeightArrays(m);
    const copy = entropyTransformerFromArrays(tiny, arrays);
    try {
      const before = logitsOf(m, ids(1, 6, 1));
      assert.deepEqual(logitsOf(copy, ids(1, 6, 1)), before);
      for (const a of arrays.values()) a.data.fill(0);
      assert.deepEqual(logitsOf(m, ids(1, 6, 1)), before);
      assert.deepEqual(logitsOf(copy, ids(1, 6, 1)), before);
    } finally {
      disposeEntropyTransformer(m);
      disposeEntropyTransformer(copy);
    }
  });
});
