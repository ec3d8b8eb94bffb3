/**
 * The wasm BatchMatMul wrapper (src/backend/wasm-batch-matmul.ts) against the cpu reference, for
 * every transposeA × transposeB × batch/broadcast combination.
 *
 * Tolerance: |wasm − cpu| ≤ 1e-5 + 1e-5·|cpu| per element (float32; XNNPACK sums in another
 * order; measured max abs error 2.9e-6 at K = 64 with inputs in [-1, 1)). The reference multiplies
 * operands made explicit with tf.broadcastTo, because the cpu kernel itself mishandles two-sided
 * batch broadcasting such as [2,1] × [1,3] (it indexes batches modulo max(batchA, batchB)).
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import { closeness, runOnBackend } from '../../../src/backend/backend-parity.js';
import { initBackend } from '../../../src/backend/select-backend.js';
import { broadcastBatchShape, broadcastSourceIndex, swapLastTwoPerm } from '../../../src/backend/batch-broadcast.js';
import { isWasmBatchMatMulPatched } from '../../../src/backend/wasm-batch-matmul.js';

const ATOL = 1e-5;
const RTOL = 1e-5;

interface Case {
  name: string;
  batchA: number[];
  batchB: number[];
  M: number;
  K: number;
  N: number;
}

const CASES: Case[] = [
  { name: '2-D × 2-D', batchA: [], batchB: [], M: 5, K: 7, N: 3 },
  { name: 'batched × batched', batchA: [4], batchB: [4], M: 6, K: 5, N: 7 },
  { name: 'batched × 2-D (fold)', batchA: [3], batchB: [], M: 4, K: 6, N: 5 },
  { name: '2-D × batched', batchA: [], batchB: [3], M: 4, K: 6, N: 5 },
  { name: 'rank 4 attention-like', batchA: [2, 3], batchB: [2, 3], M: 8, K: 4, N: 8 },
  { name: 'rank 4 × rank 3 (leading broadcast)', batchA: [2, 3], batchB: [3], M: 3, K: 5, N: 2 },
  { name: 'batch 1 × batched', batchA: [1], batchB: [4], M: 3, K: 5, N: 2 },
  { name: 'two-sided broadcast [2,1] × [1,3]', batchA: [2, 1], batchB: [1, 3], M: 3, K: 4, N: 5 },
  { name: 'K = 64, M = N = 33', batchA: [2], batchB: [2], M: 33, K: 64, N: 33 },
];

/** Deterministic values in [-1, 1) without tfjs randomness (identical on every backend). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function operand(batch: number[], rows: number, cols: number, transposed: boolean, seed: number): tf.Tensor {
  const shape = [...batch, ...(transposed ? [cols, rows] : [rows, cols])];
  return tf.tensor(
    values(
      shape.reduce((x, y) => x * y, 1),
      seed,
    ),
    shape,
  );
}

/** Pure reference: swap axes if transposed, broadcast both batches explicitly, then matMul. */
function reference(c: Case, tA: boolean, tB: boolean): tf.Tensor {
  const outBatch = broadcastBatchShape(c.batchA, c.batchB);
  let a = operand(c.batchA, c.M, c.K, tA, 1);
  let b = operand(c.batchB, c.K, c.N, tB, 2);
  if (tA) a = tf.transpose(a, swapLastTwoPerm(a.rank));
  if (tB) b = tf.transpose(b, swapLastTwoPerm(b.rank));
  if (outBatch.length > 0) {
    a = tf.broadcastTo(a, [...outBatch, c.M, c.K]);
    b = tf.broadcastTo(b, [...outBatch, c.K, c.N]);
  }
  return tf.matMul(a, b);
}

describe('backend: wasm BatchMatMul wrapper', () => {
  before(async () => {
    await initBackend('wasm');
    assert.equal(isWasmBatchMatMulPatched(), true);
  });

  for (const c of CASES) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`${c.name}, transposeA=${tA}, transposeB=${tB}: equals cpu`, async () => {
          const want = await runOnBackend('cpu', () => reference(c, tA, tB));
          const got = await runOnBackend('wasm', () =>
            tf.matMul(operand(c.batchA, c.M, c.K, tA, 1), operand(c.batchB, c.K, c.N, tB, 2), tA, tB),
          );
          assert.equal(got.backend, 'wasm');
          assert.deepEqual(got.shapes, want.shapes);
          const close = closeness(got.values[0] ?? [], want.values[0] ?? [], ATOL, RTOL);
          assert.ok(close.ok, `max abs diff ${close.maxAbs} at ${close.worst} exceeds ${ATOL} + ${RTOL}·|cpu|`);
        });
      }
    }
  }

  it('frees every temporary it allocates on the wasm heap', async () => {
    await initBackend('wasm');
    const a = operand([3], 4, 5, true, 3);
    const b = operand([3], 6, 5, false, 4);
    const backend = tf.backend();
    tf.dispose(tf.matMul(a, b, true, true)); // warm-up
    const before = backend.numDataIds();
    tf.dispose(tf.matMul(a, b, true, true));
    assert.equal(backend.numDataIds(), before);
    tf.dispose([a, b]);
  });

  it('an empty inner dimension gives zeros, like cpu', async () => {
    const got = await runOnBackend('wasm', () => tf.matMul(tf.zeros([2, 3, 0]), tf.zeros([2, 0, 4])));
    assert.deepEqual(got.shapes, [[2, 3, 4]]);
    assert.ok(got.values[0]?.every((v) => v === 0));
  });
});

describe('backend: BatchMatMul shape helpers', () => {
  it('swapLastTwoPerm swaps the last two axes', () => {
    assert.deepEqual(swapLastTwoPerm(2), [1, 0]);
    assert.deepEqual(swapLastTwoPerm(4), [0, 1, 3, 2]);
  });

  it('broadcastBatchShape follows numpy rules and rejects mismatches', () => {
    assert.deepEqual(broadcastBatchShape([2, 1], [1, 3]), [2, 3]);
    assert.deepEqual(broadcastBatchShape([], [4]), [4]);
    assert.throws(() => broadcastBatchShape([2], [3]), /cannot broadcast/);
  });

  it('broadcastSourceIndex maps each output batch to its source batch', () => {
    assert.deepEqual(broadcastSourceIndex([2, 3], [2, 1]), [0, 0, 0, 1, 1, 1]);
    assert.deepEqual(broadcastSourceIndex([2, 3], [1, 3]), [0, 1, 2, 0, 1, 2]);
    assert.deepEqual(broadcastSourceIndex([2, 3], [3]), [0, 1, 2, 0, 1, 2]);
    assert.deepEqual(broadcastSourceIndex([4], []), [0, 0, 0, 0]);
  });
});
