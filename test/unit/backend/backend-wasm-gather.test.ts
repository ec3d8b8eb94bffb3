import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/select-backend.js';
import { isWasmGatherPatched } from '../../../src/backend/wasm-gather.js';

async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  await initBackend(backend);
  const t = fn();
  const out = { shape: t.shape, values: Array.from(await t.data()) };
  t.dispose();
  return out;
}

describe('wasm GatherV2 row-copy kernel', () => {
  it('is installed on wasm and equals cpu for axis 0, other axes, int32 and 2-D indices', async () => {
    await initBackend('wasm');
    assert.ok(isWasmGatherPatched());
    const cases: Array<() => tf.Tensor> = [
      () => tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([2, 0, 2], 'int32')),
      () =>
        tf.gather(
          tf.tensor3d(
            Array.from({ length: 24 }, (_, i) => i),
            [4, 3, 2],
          ),
          tf.tensor2d([3, 1, 0, 0], [2, 2], 'int32'),
        ),
      () => tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), tf.tensor1d([1, 1], 'int32')),
      () => tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor1d([2, 0], 'int32'), 1),
      () => tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor1d([0], 'int32'), -2),
    ];
    for (const c of cases) {
      const w = await on('wasm', () => tf.tidy(c));
      const p = await on('cpu', () => tf.tidy(c));
      assert.deepEqual(w, p);
    }
  });

  it('keeps the gradient (UnsortedSegmentSum) and leaks nothing', async () => {
    await initBackend('wasm');
    const table = tf.variable(tf.randomNormal([10, 4], 0, 1, 'float32', 1));
    const ids = tf.tensor1d([1, 1, 3], 'int32');
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(table));
    const rows = (await g.array()) as number[][];
    assert.deepEqual(rows[1], [2, 2, 2, 2]);
    assert.deepEqual(rows[3], [1, 1, 1, 1]);
    assert.deepEqual(rows[0], [0, 0, 0, 0]);
    g.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([table, ids]);
  });
});
