/**
 * Training the BLT with tf.variableGrads: the loss falls on a tiny repetitive batch, wasm matches
 * the cpu reference, every kernel exists on wasm, and no tensor leaks per step.
 *
 * Tolerances (float32; XNNPACK sums in another order): loss within 1e-5 absolute, gradients within
 * 1e-5 + 1e-3·|cpu| elementwise.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { closeness } from '../../../../src/backend/backend-parity.js';
import { initBackend, type BackendName } from '../../../../src/backend/select-backend.js';
import { hashNgramIds } from '../../../../src/patching/ngram-hash.js';
import {
  bitsPerByte,
  bltConfig,
  bltForward,
  bltLoss,
  createBltModel,
  disposeBltInputs,
  disposeBltModel,
  maskedCrossEntropySum,
  natsToBitsPerByte,
  prepareBltInputs,
  type BltBatch,
  type BltInputs,
  type BltModel,
} from '../../../../src/train/model/index.js';

const C = bltConfig({
  dim_local_encoder: 16,
  dim_local_decoder: 16,
  n_layers_local_encoder: 1,
  n_layers_local_decoder: 2,
  n_heads_local: 2,
  dim_global: 32,
  n_layers_global: 2,
  n_heads_global: 2,
  cross_attn_k: 2,
  cross_attn_nheads: 2,
  local_window: 8,
  ngram: { sizes: [3, 4], functions: 1, vocab: 53 },
  multiple_of: 16,
});

/** Two rows of "abcabc…" (one with a second document), patches of 3 after the BOS patch. */
function repetitiveBatch(): BltBatch {
  const N = 24;
  const P = 10;
  const docA = [1, ...Array.from({ length: 10 }, (_, i) => 101 + (i % 3)), 2];
  const rows = [
    { tokens: [1, ...Array.from({ length: N }, (_, i) => 101 + (i % 3))], pl: [1, 1, 3, 3, 3, 3, 3, 3, 3, 2] },
    {
      tokens: [...docA, 1, ...Array.from({ length: 12 }, (_, i) => 101 + (i % 3))],
      pl: [1, 1, 3, 3, 3, 1, 1, 3, 3, 6],
    },
  ];
  const x = new Int32Array(2 * N);
  const y = new Int32Array(2 * N);
  const pl = new Int32Array(2 * P);
  const ngramIds = new Int32Array(2 * 2 * N);
  rows.forEach((r, b) => {
    x.set(r.tokens.slice(0, N), b * N);
    y.set(r.tokens.slice(1), b * N);
    pl.set(r.pl, b * P);
    [3, 4].forEach((g, t) => ngramIds.set(hashNgramIds(r.tokens.slice(0, N), g, 0, 53), (t * 2 + b) * N));
  });
  return {
    batchSize: 2,
    seqLen: N,
    numPatches: P,
    x,
    patchLengths: pl,
    ngramIds,
    y,
    mask: new Uint8Array(2 * N).fill(1),
  };
}

function lossOf(model: BltModel, inp: BltInputs): tf.Scalar {
  return bltLoss(bltForward(model, inp), inp.y as tf.Tensor2D, inp.mask as tf.Tensor2D);
}

/** Loss and gradients (in weight order) of one step, read back as arrays. */
function lossAndGrads(model: BltModel, inp: BltInputs): { loss: number; grads: Float32Array[] } {
  const vars = [...model.weights.values()];
  const { value, grads } = tf.variableGrads(() => lossOf(model, inp), vars);
  const out = {
    loss: value.dataSync()[0] as number,
    grads: vars.map((v) => grads[v.name]?.dataSync() as Float32Array),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Loss and grads before, and loss after, one SGD step (lr 0.05) on `backend` from seed 5. */
async function sgdStep(backend: BackendName): Promise<{ loss: number; grads: Float32Array[]; after: number }> {
  await initBackend(backend);
  const model = createBltModel(C, 5);
  const inp = prepareBltInputs(C, repetitiveBatch());
  const first = lossAndGrads(model, inp);
  [...model.weights.values()].forEach((v, i) =>
    tf.tidy(() => v.assign(tf.sub(v, tf.mul(tf.tensor(first.grads[i] as Float32Array, v.shape), 0.05)))),
  );
  const after = tf.tidy(() => lossOf(model, inp).dataSync()[0] as number);
  disposeBltInputs(inp);
  disposeBltModel(model);
  return { ...first, after };
}

describe('BLT training', () => {
  it('wasm gives the cpu loss and gradients within tolerance, before and after an SGD step', async () => {
    const cpu = await sgdStep('cpu');
    const wasm = await sgdStep('wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.ok(Math.abs(wasm.loss - cpu.loss) <= 1e-5, `loss wasm ${wasm.loss} vs cpu ${cpu.loss}`);
    assert.ok(Math.abs(wasm.after - cpu.after) <= 1e-4, `after wasm ${wasm.after} vs cpu ${cpu.after}`);
    assert.ok(cpu.after < cpu.loss);
    cpu.grads.forEach((g, i) => {
      const c = closeness(wasm.grads[i] ?? [], g, 1e-5, 1e-3);
      assert.ok(c.ok, `gradient ${i}: max abs diff ${c.maxAbs}`);
      assert.ok(
        g.some((v) => v !== 0),
        `gradient ${i} is all zero (weight unused?)`,
      );
    });
  });

  it('takes a raw BltBatch inside tf.variableGrads (inputs built and released in the call) with identical gradients', async () => {
    await initBackend('wasm');
    const model = createBltModel(C, 5);
    const batch = repetitiveBatch();
    const inp = prepareBltInputs(C, batch);
    const vars = [...model.weights.values()];
    const a = tf.variableGrads(
      () => bltLoss(bltForward(model, batch), inp.y as tf.Tensor2D, inp.mask as tf.Tensor2D),
      vars,
    );
    const b = tf.variableGrads(() => lossOf(model, inp), vars);
    assert.equal(a.value.dataSync()[0], b.value.dataSync()[0]);
    for (const v of vars) assert.deepEqual(a.grads[v.name]?.dataSync(), b.grads[v.name]?.dataSync(), v.name);
    tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    disposeBltInputs(inp);
    disposeBltModel(model);
  });

  it('uses only kernels registered for wasm (profiled on cpu)', async () => {
    await initBackend('cpu');
    const model = createBltModel(C, 5);
    const inp = prepareBltInputs(C, repetitiveBatch());
    const info = await tf.profile(() => {
      lossAndGrads(model, inp);
    });
    disposeBltInputs(inp);
    disposeBltModel(model);
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const used = [...new Set(info.kernelNames)].filter((k) => !k.endsWith('__op'));
    assert.deepEqual(
      used.filter((k) => !wasm.has(k)),
      [],
    );
  });

  it('Adam on wasm lowers the loss of a repetitive batch over a few steps, leaking no tensor per step', async () => {
    await initBackend('wasm');
    const model = createBltModel(C, 5);
    const batch = repetitiveBatch();
    const opt = tf.train.adam(1e-2);
    const vars = [...model.weights.values()];
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 8; step++) {
      const inp = prepareBltInputs(C, batch);
      const { value, grads } = tf.variableGrads(() => lossOf(model, inp), vars);
      opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      losses.push(value.dataSync()[0] as number);
      tf.dispose([value, ...Object.values(grads)]);
      disposeBltInputs(inp);
      counts.push(tf.memory().numTensors);
    }
    opt.dispose();
    disposeBltModel(model);
    assert.ok((losses[7] as number) < (losses[0] as number) - 1, `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    assert.deepEqual(counts.slice(2), new Array(6).fill(counts[1]), `tensor counts ${counts.join(' ')}`);
  });

  it('bltLoss = Σ CE·mask / (Σ mask + 1e-6); bits per byte divide nats by ln 2', async () => {
    await initBackend('cpu');
    const logits = tf.tensor3d([
      [
        [0, 0, Math.log(2)],
        [5, 0, 0],
      ],
    ]); // V = 3
    const y = tf.tensor2d([[2, 1]], [1, 2], 'int32');
    const mask = tf.tensor2d([[1, 0]]);
    const ce0 = -Math.log(2 / 4);
    assert.ok(Math.abs((bltLoss(logits, y, mask).dataSync()[0] as number) - ce0 / (1 + 1e-6)) < 1e-6);
    assert.ok(Math.abs((maskedCrossEntropySum(logits, y, mask).dataSync()[0] as number) - ce0) < 1e-6);
    assert.equal(bitsPerByte(Math.LN2 * 10, 5), 2);
    assert.equal(natsToBitsPerByte(Math.LN2), 1);
    assert.ok(Number.isNaN(bitsPerByte(1, 0)));
    tf.dispose([logits, y, mask]);
  });
});
