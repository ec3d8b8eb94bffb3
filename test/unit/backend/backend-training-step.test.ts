/**
 * One training step of a tiny transformer-like graph on wasm equals the cpu reference, runs
 * entirely on wasm, and leaks nothing.
 *
 * Graph: gather embedding + sliced positions → LayerNorm (mean, rsqrt) → fused QKV matMul → split
 * into heads (transpose) → q·kᵀ (batched, transposeB) with a causal `where` mask → softmax → ·v →
 * unstack/concat heads → output matMul → sigmoid-GELU MLP → logSoftmax + one-hot NLL. Then
 * clip-by-global-norm (square, sum, sqrt, maximum) and an AdamW update (decoupled weight decay).
 *
 * Tolerances (float32; XNNPACK sums in a different order): loss within 1e-5 absolute; gradients
 * and updated parameters within 1e-6 + 1e-4·|cpu| elementwise. Measured on the second step:
 * loss diff 2.4e-7 (loss 3.33); gradient max abs diff ≤ 6e-8 (gradients up to 0.16);
 * parameter max abs diff ≤ 9e-8 (parameters up to 1.02).
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import { closeness } from '../../../src/backend/backend-parity.js';
import { initBackend, type BackendName } from '../../../src/backend/select-backend.js';

const LOSS_ATOL = 1e-5;
const ATOL = 1e-6;
const RTOL = 1e-4;
const CFG = { V: 48, d: 16, H: 2, T: 8, B: 2, ffn: 32 };
const ADAMW = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clip: 1.0 };

type Params = Record<string, tf.Variable>;
let modelCount = 0;
interface Model {
  params: Params;
  m: Params;
  v: Params;
  t: number;
}

/** Deterministic normal-ish values (sum of uniforms) from an LCG: identical on every backend. */
function init(n: number, seed: number, std: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const u = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < n; i++) out[i] = (u() + u() + u() - 1.5) * 2 * std;
  return out;
}

function createModel(): Model {
  const { V, d, T, ffn } = CFG;
  modelCount += 1;
  const shapes: Record<string, number[]> = {
    wte: [V, d],
    wpe: [T, d],
    lnG: [d],
    wqkv: [d, 3 * d],
    wo: [d, d],
    w1: [d, ffn],
    w2: [ffn, d],
    lnfG: [d],
    head: [d, V],
  };
  const params: Params = {};
  const m: Params = {};
  const v: Params = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = name.startsWith('ln') ? new Float32Array(n).fill(1) : init(n, 17 + i, 0.2);
    params[name] = tf.variable(tf.tensor(values, shape), true, `backend_test_${modelCount}_${name}`);
    m[name] = tf.variable(tf.zeros(shape), false);
    v[name] = tf.variable(tf.zeros(shape), false);
  });
  return { params, m, v, t: 0 };
}

function disposeModel(model: Model): void {
  tf.dispose([...Object.values(model.params), ...Object.values(model.m), ...Object.values(model.v)]);
}

const p = (ps: Params, name: string): tf.Variable => {
  const t = ps[name];
  if (!t) throw new Error(`no param ${name}`);
  return t;
};

/** x: [..., d] → normalised over the last axis, scaled by g: [d]. */
function layerNorm(x: tf.Tensor, g: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), g);
}

/** ids, targets: int32 [B, T] → mean next-token NLL (scalar). */
function loss(ps: Params, ids: tf.Tensor, targets: tf.Tensor, expectBackend: string): tf.Scalar {
  const { V, d, H, T, B } = CFG;
  const dh = d / H;
  assert.equal(tf.getBackend(), expectBackend);
  const emb = tf.reshape(tf.gather(p(ps, 'wte'), tf.reshape(ids, [-1])), [B, T, d]);
  const x = tf.add(emb, tf.slice(p(ps, 'wpe'), [0, 0], [T, d])); // [B, T, d]
  const h = tf.reshape(layerNorm(x, p(ps, 'lnG')), [B * T, d]);
  const [q, k, v] = tf
    .split(tf.matMul(h, p(ps, 'wqkv')), 3, 1)
    .map((t) => tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]));
  const causal = tf.cast(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 'bool'); // [T, T]
  const scores = tf.mul(tf.matMul(q as tf.Tensor, k as tf.Tensor, false, true), 1 / Math.sqrt(dh)); // [B, H, T, T]
  const att = tf.softmax(tf.where(tf.broadcastTo(causal, scores.shape), scores, tf.fill(scores.shape, -1e9)), -1);
  const heads = tf.unstack(tf.matMul(att, v as tf.Tensor), 1); // H × [B, T, dh]
  const y = tf.reshape(tf.concat(heads, -1), [B * T, d]);
  const x1 = tf.add(tf.reshape(x, [B * T, d]), tf.matMul(y, p(ps, 'wo')));
  const a = tf.matMul(x1, p(ps, 'w1'));
  const x2 = tf.add(x1, tf.matMul(tf.mul(a, tf.sigmoid(tf.mul(a, 1.702))), p(ps, 'w2')));
  const logits = tf.matMul(layerNorm(x2, p(ps, 'lnfG')), p(ps, 'head')); // [B·T, V]
  const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(tf.reshape(targets, [-1]), V), tf.logSoftmax(logits, -1)), -1));
  return tf.mean(nll);
}

/** One step: loss, grads, clip by global norm, AdamW. Returns [loss, ...grads, ...updated params]. */
function step(model: Model, ids: tf.Tensor, targets: tf.Tensor, expectBackend: string): tf.Tensor[] {
  const { lr, beta1, beta2, eps, weightDecay, clip } = ADAMW;
  model.t += 1;
  const t = model.t;
  return tf.tidy(() => {
    const names = Object.keys(model.params);
    const { value, grads } = tf.variableGrads(
      () => loss(model.params, ids, targets, expectBackend),
      names.map((n) => p(model.params, n)),
    );
    const gs = names.map((n) => grads[p(model.params, n).name] as tf.Tensor);
    const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.div(clip, tf.maximum(norm, clip));
    names.forEach((n, i) => {
      const g = tf.mul(gs[i] as tf.Tensor, scale);
      const m = p(model.m, n);
      const v = p(model.v, n);
      const w = p(model.params, n);
      m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
      v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const mHat = tf.div(m, 1 - beta1 ** t);
      const vHat = tf.div(v, 1 - beta2 ** t);
      w.assign(tf.sub(w, tf.mul(tf.add(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), tf.mul(w, weightDecay)), lr)));
    });
    return [value, ...gs, ...names.map((n) => tf.clone(p(model.params, n)))];
  });
}

function batch(): { ids: tf.Tensor; targets: tf.Tensor } {
  const { B, T, V } = CFG;
  const seq = Array.from({ length: B * (T + 1) }, (_, i) => (i * 7 + (i >> 3)) % V);
  const all = tf.tensor2d(seq, [B, T + 1], 'int32');
  const ids = tf.slice(all, [0, 0], [B, T]);
  const targets = tf.slice(all, [0, 1], [B, T]);
  all.dispose();
  return { ids, targets };
}

/** Runs two steps on `backend` and returns the second step's outputs as arrays. */
async function twoSteps(backend: BackendName): Promise<{ outs: Float32Array[]; backendSeen: string }> {
  await initBackend(backend);
  const model = createModel();
  const { ids, targets } = batch();
  tf.dispose(step(model, ids, targets, backend));
  const second = step(model, ids, targets, backend);
  const outs = second.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...second, ids, targets]);
  disposeModel(model);
  return { outs, backendSeen: tf.getBackend() };
}

describe('backend: a training step on wasm equals cpu', () => {
  let cpu: Float32Array[];
  let wasm: Float32Array[];

  before(async () => {
    cpu = (await twoSteps('cpu')).outs;
    const w = await twoSteps('wasm');
    assert.equal(w.backendSeen, 'wasm');
    wasm = w.outs;
  });

  it(`gives the same loss within ${LOSS_ATOL}`, () => {
    const a = wasm[0]?.[0] ?? NaN;
    const b = cpu[0]?.[0] ?? NaN;
    assert.ok(Number.isFinite(b) && b > 0);
    assert.ok(Math.abs(a - b) <= LOSS_ATOL, `wasm loss ${a} vs cpu ${b}`);
  });

  it(`gives the same gradients and AdamW-updated parameters within ${ATOL} + ${RTOL}·|cpu|`, () => {
    assert.equal(wasm.length, cpu.length);
    cpu.slice(1).forEach((want, i) => {
      const c = closeness(wasm[i + 1] ?? [], want, ATOL, RTOL);
      assert.ok(c.ok, `output ${i + 1}: max abs diff ${c.maxAbs} at ${c.worst}`);
    });
  });

  it('uses only kernels registered for wasm (profiled on cpu, so a missing kernel is named)', async () => {
    await initBackend('cpu');
    const model = createModel();
    const { ids, targets } = batch();
    const info = await tf.profile(() => tf.dispose(step(model, ids, targets, 'cpu')));
    tf.dispose([ids, targets]);
    disposeModel(model);
    const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const kernels = [...new Set(info.kernelNames)].filter((k) => !k.endsWith('__op')); // __op: customGrad names, not kernels
    assert.ok(kernels.includes('UnsortedSegmentSum') && kernels.includes('BatchMatMul'));
    assert.deepEqual(
      kernels.filter((k) => !wasmKernels.has(k)),
      [],
    );
  });

  it('runs every kernel on wasm and leaks no tensor across a tidy step', async () => {
    await initBackend('wasm');
    const model = createModel();
    const { ids, targets } = batch();
    tf.dispose(step(model, ids, targets, 'wasm')); // warm-up
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    const info = await tf.profile(() => tf.dispose(step(model, ids, targets, 'wasm')));
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), dataIds);
    for (const k of new Set(info.kernelNames))
      if (!k.endsWith('__op')) assert.ok(tf.getKernel(k, 'wasm'), `${k} not on wasm`);
    tf.dispose([ids, targets]);
    disposeModel(model);
  });
});
