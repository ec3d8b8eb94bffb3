import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { AdamW } from '../../../../src/train/common/adamw.js';
import { clipByGlobalNorm } from '../../../../src/train/common/clip.js';
import { accumulateClipped } from '../../../../src/train/common/grads.js';

/** float64 reference of one PyTorch AdamW step. */
function refStep(p: number[], m: number[], v: number[], g: number[], t: number, lr: number, wd: number): void {
  const [b1, b2, eps] = [0.9, 0.95, 1e-8];
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] as number;
    p[i] = (p[i] as number) * (1 - lr * wd);
    m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
    v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
    const mhat = (m[i] as number) / (1 - b1 ** t);
    const vhat = (v[i] as number) / (1 - b2 ** t);
    p[i] = (p[i] as number) - (lr * mhat) / (Math.sqrt(vhat) + eps);
  }
}

describe('train common: AdamW and clipping', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('first AdamW step equals the hand-computed update on a 2-element variable', async () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'adamw_test_w1');
    const opt = new AdamW(new Map([['w', w]]), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
    const g = tf.tensor1d([0.5, 0.1]);
    opt.apply(new Map([['w', g]]), 0.1);
    // t=1: mhat = g, vhat = g², so the step is lr·g/(|g|+eps) ≈ lr·sign(g); decay multiplies p by 1 − 0.1·0.1.
    const got = Array.from(await w.data());
    assert.ok(Math.abs((got[0] as number) - (1 * 0.99 - 0.1)) < 1e-6, `got ${got[0]}`);
    assert.ok(Math.abs((got[1] as number) - (-2 * 0.99 - 0.1)) < 1e-6, `got ${got[1]}`);
    assert.equal(opt.step, 1);
    tf.dispose([g, w]);
    opt.dispose();
  });

  it('several steps follow the float64 reference (bias correction, decay)', async () => {
    const w = tf.variable(tf.tensor1d([0.3, -0.7]), true, 'adamw_test_w2');
    const opt = new AdamW(new Map([['w', w]]));
    const p = [0.3, -0.7];
    const m = [0, 0];
    const v = [0, 0];
    const grads = [
      [0.2, -1.5],
      [0.1, 0.4],
      [-0.3, 0.05],
    ];
    const lrs = [0.01, 0.02, 0.005];
    for (let t = 0; t < 3; t++) {
      const g = tf.tensor1d(grads[t] as number[]);
      opt.apply(new Map([['w', g]]), lrs[t] as number);
      g.dispose();
      refStep(p, m, v, grads[t] as number[], t + 1, lrs[t] as number, 0.1);
    }
    const got = Array.from(await w.data());
    got.forEach((x, i) => assert.ok(Math.abs(x - (p[i] as number)) < 1e-6, `${x} vs ${p[i]}`));
    const st = await opt.getState();
    assert.equal(st.t, 3);
    assert.ok(Math.abs((st.m.get('w')?.[0] as number) - (m[0] as number)) < 1e-7);
    assert.ok(Math.abs((st.v.get('w')?.[1] as number) - (v[1] as number)) < 1e-7);
    w.dispose();
    opt.dispose();
  });

  it('getState/setState restore the moments and step exactly', async () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]), true, 'adamw_test_a');
    const opt = new AdamW(new Map([['a', a]]));
    const g = tf.tensor1d([0.1, -0.2, 0.3]);
    opt.apply(new Map([['a', g]]), 0.01);
    const st = await opt.getState();
    const b = tf.variable(tf.tensor1d([1, 2, 3]), true, 'adamw_test_b');
    const opt2 = new AdamW(new Map([['a', b]]));
    opt2.setState(st);
    assert.deepEqual(await opt2.getState(), st);
    tf.dispose([a, b, g]);
    opt.dispose();
    opt2.dispose();
  });

  it('creates and disposes its moment variables without stray tensors', () => {
    const before = tf.memory().numTensors;
    const z = tf.zeros([3]);
    const w = tf.variable(z, true, 'adamw_test_c');
    z.dispose();
    const opt = new AdamW(new Map([['w', w]]));
    const g = tf.ones([3]);
    opt.apply(new Map([['w', g]]), 0.1);
    opt.dispose();
    tf.dispose([w, g]);
    assert.equal(tf.memory().numTensors, before);
  });

  it('clips by global norm like clip_grad_norm_', async () => {
    const grads = new Map([
      ['a', tf.tensor1d([3])],
      ['b', tf.tensor1d([0, 4])],
    ]);
    const c = clipByGlobalNorm(grads, 1);
    assert.ok(Math.abs(((await c.norm.data())[0] as number) - 5) < 1e-6);
    const b = Array.from(await (c.grads.get('b') as tf.Tensor).data());
    assert.ok(Math.abs((b[1] as number) - 4 / (5 + 1e-6)) < 1e-6);
    const loose = clipByGlobalNorm(grads, 10);
    assert.deepEqual(Array.from(await (loose.grads.get('a') as tf.Tensor).data()), [3]);
    tf.dispose([...grads.values(), ...c.grads.values(), c.norm, ...loose.grads.values(), loose.norm]);
  });

  it('accumulates micro-batch gradients, clipping the running sum after each one', async () => {
    const before = tf.memory().numTensors;
    const g = (a: number, b: number): Map<string, tf.Tensor> =>
      new Map([
        ['a', tf.tensor1d([a])],
        ['b', tf.tensor1d([b])],
      ]);
    const first = accumulateClipped(null, g(3, 4), 1); // norm 5 → scaled to ~1
    const second = accumulateClipped(first.grads, g(0.6, 0.8), 10); // sum (1.2, 1.6): norm 2, under 10
    assert.ok(Math.abs(((await first.norm.data())[0] as number) - 5) < 1e-6);
    assert.ok(Math.abs(((await second.norm.data())[0] as number) - 2) < 1e-5);
    const a = (await (second.grads.get('a') as tf.Tensor).data())[0] as number;
    assert.ok(Math.abs(a - (3 / (5 + 1e-6) + 0.6)) < 1e-6, `a ${a}`);
    tf.dispose([first.norm, second.norm, ...second.grads.values()]);
    assert.equal(tf.memory().numTensors, before, 'the inputs and the previous sum are released');
  });
});
