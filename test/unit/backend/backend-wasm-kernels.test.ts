/**
 * The JS kernels registered for wasm (src/backend/wasm-kernels.ts) against the cpu reference.
 * UnsortedSegmentSum accumulates in the same order as cpu, so results are compared exactly
 * (atol 1e-6 to leave room for float32 re-association).
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import { closeness, runOnBackend } from '../../../src/backend/backend-parity.js';
import { initBackend } from '../../../src/backend/select-backend.js';
import { registerMissingWasmKernels, wasmKernelFixes } from '../../../src/backend/wasm-kernels.js';

const ATOL = 1e-6;

function assertClose(got: Float64Array | undefined, want: Float64Array | undefined): void {
  assert.ok(got && want);
  const c = closeness(got, want, ATOL, 0);
  assert.ok(c.ok, `max abs diff ${c.maxAbs} at ${c.worst} exceeds ${ATOL}`);
}

async function onBoth(fn: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const want = await runOnBackend('cpu', fn);
  const got = await runOnBackend('wasm', fn);
  assert.equal(got.backend, 'wasm');
  assert.deepEqual(got.shapes, want.shapes);
  want.values.forEach((w, i) => assertClose(got.values[i], w));
}

const x3 = (): tf.Tensor =>
  tf.tensor3d(
    Array.from({ length: 5 * 2 * 3 }, (_, i) => Math.sin(i) * 3),
    [5, 2, 3],
  );

describe('backend: wasm kernels registered by initBackend', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('UnsortedSegmentSum is registered for wasm, and registering again is a no-op', () => {
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    for (const k of wasmKernelFixes()) assert.ok(names.includes(k), `${k} missing on wasm`);
    assert.deepEqual(registerMissingWasmKernels(), []);
  });

  it('UnsortedSegmentSum (float32, rank 3, repeated ids) equals cpu', async () => {
    await onBoth(() => tf.unsortedSegmentSum(x3(), tf.tensor1d([2, 0, 2, 3, 0], 'int32'), 4));
  });

  it('UnsortedSegmentSum (int32) equals cpu', async () => {
    await onBoth(() =>
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 0, 1, 1], 'int32'), 3),
    );
  });

  it('UnsortedSegmentSum drops ids outside [0, numSegments), like cpu', async () => {
    await onBoth(() =>
      tf.unsortedSegmentSum(
        tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        tf.tensor1d([-1, 1, 7], 'int32'),
        2,
      ),
    );
  });

  it('the gradient of tf.gather (axis 0, embedding-like, repeated ids) equals cpu', async () => {
    await onBoth(() => {
      const ids = tf.tensor1d([3, 1, 3, 0, 3, 4], 'int32');
      const w = tf.tensor2d(
        Array.from({ length: 5 * 4 }, (_, i) => i / 7),
        [5, 4],
      );
      const r = tf.tensor2d(
        Array.from({ length: 6 * 4 }, (_, i) => Math.cos(i)),
        [6, 4],
      );
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), r)))(w);
    });
  });

  it('the gradient of tf.gather along axis 1 with 2-D ids equals cpu', async () => {
    await onBoth(() => {
      const ids = tf.tensor2d(
        [
          [0, 1],
          [1, 1],
        ],
        [2, 2],
        'int32',
      );
      return tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids, 1))))(x3());
    });
  });
});
