/**
 * Routes every wasm `BatchMatMul` to XNNPACK's fast 2-D path.
 *
 * tfjs-backend-wasm@4.22 (`batch_mat_mul_impl.cc`) uses XNNPACK only when
 * `!transposeA && !transposeB && batchA === 1 && batchB === 1`; every other call (all backward
 * matmuls `xᵀ·dy`, `dy·Wᵀ`, and attention's batched `q·kᵀ`) runs a scalar loop at ~1 GFLOP/s.
 * The wrapper rewrites each call into the fast form:
 *   1. transposed operands → explicit `Transpose` kernel (a fresh tensor);
 *   2. `b` has batch 1 → fold a's batch into rows: [batchA·M, K] × [K, N];
 *   3. otherwise → one fast 2-D matmul per (broadcast) batch over fresh heap copies.
 *
 * XNNPACK caches the packed operator keyed on b's tensor id (freed when b is disposed), so a tensor
 * used as `b` must never be mutated in place: each per-batch `b` slice is a fresh allocation.
 * Heap rule: allocate first, then take `typedArrayFromHeap` views (growth detaches older views).
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../core/errors.js';
import { broadcastBatchShape, broadcastSourceIndex, swapLastTwoPerm } from './batch-broadcast.js';
import { kernelInput, sizeOf, type KernelArgs, type WasmBackend } from './wasm-backend-types.js';

const PATCHED = Symbol.for('blt-toolkit.wasm-batch-matmul');
/** A kernel config; ours carries the original (stock) config under PATCHED. */
type PatchedConfig = tf.KernelConfig & { [PATCHED]?: tf.KernelConfig };

function getKernelOrThrow(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm') as tf.KernelConfig | undefined;
  if (!k)
    throw new BltError('INTERNAL', `Kernel ${name} is not registered for wasm; initialise the wasm backend first.`);
  return k;
}

function makeWrapper(orig: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelFunc {
  return (args: KernelArgs) => {
    const backend = args.backend as WasmBackend;
    const a0 = kernelInput(args, 'BatchMatMul', 'a');
    const b0 = kernelInput(args, 'BatchMatMul', 'b');
    if (a0.dtype !== 'float32' || b0.dtype !== 'float32') return orig.kernelFunc(args); // its own error
    const temps: tf.TensorInfo[] = [];
    const swap = (x: tf.TensorInfo): tf.TensorInfo => {
      const attrs = { perm: swapLastTwoPerm(x.shape.length) };
      const y = transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs }) as tf.TensorInfo;
      temps.push(y);
      return y;
    };
    try {
      const a = args.attrs?.['transposeA'] === true ? swap(a0) : a0; // [...batchA, M, K]
      const b = args.attrs?.['transposeB'] === true ? swap(b0) : b0; // [...batchB, K, N]
      return fastMatMul(backend, orig, a, b);
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/** a: [...batchA, M, K], b: [...batchB, K, N] (no transposes) → [...broadcast(batch), M, N]. */
function fastMatMul(backend: WasmBackend, orig: tf.KernelConfig, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const M = a.shape[a.shape.length - 2] ?? 1;
  const K = a.shape[a.shape.length - 1] ?? 1;
  const N = b.shape[b.shape.length - 1] ?? 1;
  const batchShapeA = a.shape.slice(0, -2);
  const batchShapeB = b.shape.slice(0, -2);
  const outBatchShape = broadcastBatchShape(batchShapeA, batchShapeB);
  const batchA = sizeOf(batchShapeA);
  const batchB = sizeOf(batchShapeB);
  const batch = sizeOf(outBatchShape);
  const outShape = [...outBatchShape, M, N];
  if (batch * M * N === 0 || K === 0) {
    const out = backend.makeOutput(outShape, 'float32');
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  const mm2d = (x: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo =>
    orig.kernelFunc({
      inputs: { a: x, b: y },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  if (batchB === 1) {
    // [batchA·M, K] × [K, N]: the rows of every batch share b.
    const o = mm2d({ ...a, shape: [batchA * M, K] }, { ...b, shape: [K, N] });
    return { dataId: o.dataId, shape: outShape, dtype: o.dtype };
  }
  return perBatchMatMul(backend, mm2d, a, b, { M, K, N, outBatchShape, outShape });
}

interface PerBatchPlan {
  M: number;
  K: number;
  N: number;
  outBatchShape: number[];
  outShape: number[];
}

/** out[i] = a[src_a(i)] · b[src_b(i)], each a fast 2-D matmul over fresh heap copies. */
function perBatchMatMul(
  backend: WasmBackend,
  mm2d: (x: tf.TensorInfo, y: tf.TensorInfo) => tf.TensorInfo,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  p: PerBatchPlan,
): tf.TensorInfo {
  const { M, K, N } = p;
  const srcA = broadcastSourceIndex(p.outBatchShape, a.shape.slice(0, -2));
  const srcB = broadcastSourceIndex(p.outBatchShape, b.shape.slice(0, -2));
  const out = backend.makeOutput(p.outShape, 'float32');
  const ai = backend.makeOutput([M, K], 'float32'); // a is not cached by XNNPACK: reuse one buffer
  try {
    for (let i = 0; i < srcA.length; i++) {
      const ia = srcA[i] ?? 0;
      const ib = srcB[i] ?? 0;
      const bi = backend.makeOutput([K, N], 'float32'); // fresh per slice: XNNPACK caches on b's id
      backend.typedArrayFromHeap(ai).set(backend.typedArrayFromHeap(a).subarray(ia * M * K, (ia + 1) * M * K));
      backend.typedArrayFromHeap(bi).set(backend.typedArrayFromHeap(b).subarray(ib * K * N, (ib + 1) * K * N));
      const oi = mm2d(ai, bi);
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(oi), i * M * N);
      backend.disposeData(bi.dataId);
      backend.disposeData(oi.dataId);
    }
  } finally {
    backend.disposeData(ai.dataId);
  }
  return out;
}

/**
 * Replaces the wasm `BatchMatMul` kernel with the wrapper. Call after `tf.setBackend('wasm')`
 * resolved true (the original kernel's setup must have run). Idempotent; returns true when this
 * call installed it. The wrapper keeps the original `setupFunc`, so a re-created backend still works.
 */
export function patchWasmBatchMatMul(): boolean {
  const orig = getKernelOrThrow('BatchMatMul') as PatchedConfig;
  if (orig[PATCHED]) return false; // already ours
  const transpose = getKernelOrThrow('Transpose');
  const patched: PatchedConfig = {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: makeWrapper(orig, transpose),
    ...(orig.setupFunc ? { setupFunc: orig.setupFunc } : {}),
    ...(orig.disposeFunc ? { disposeFunc: orig.disposeFunc } : {}),
    [PATCHED]: orig,
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(patched);
  return true;
}

/** Whether the wasm BatchMatMul currently registered is our wrapper. */
export function isWasmBatchMatMulPatched(): boolean {
  const k = tf.getKernel('BatchMatMul', 'wasm') as PatchedConfig | undefined;
  return k?.[PATCHED] !== undefined;
}

/** Restores the stock kernel (for benchmarks and A/B checks); returns true when it did. */
export function unpatchWasmBatchMatMul(): boolean {
  const k = tf.getKernel('BatchMatMul', 'wasm') as PatchedConfig | undefined;
  const orig = k?.[PATCHED];
  if (!orig) return false;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(orig);
  return true;
}
