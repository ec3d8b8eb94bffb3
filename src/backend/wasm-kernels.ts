/**
 * JS kernels for what `@tensorflow/tfjs-backend-wasm@4.22` lacks and a transformer trainer needs.
 *
 * Registered on the 'wasm' backend name, so they run on the wasm heap without leaving the backend.
 * The one found missing for forward + backward + Adam(W) is `UnsortedSegmentSum`, the gradient of
 * `tf.gather` (the embedding). test/unit/backend/backend-wasm-kernels.test.ts profiles a training step on cpu and
 * asserts that every kernel it uses is registered for wasm, so a new gap fails a test.
 *
 * Heap rule: allocate the output FIRST, then take typed-array views. `makeOutput` may grow the wasm
 * memory, which detaches every view taken before it.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../core/errors.js';
import { kernelInput, sizeOf, type KernelArgs, type WasmBackend } from './wasm-backend-types.js';

/**
 * `out[s] = Σ x[i]` over every `i` with `segmentIds[i] === s`; ids outside `[0, numSegments)` are
 * dropped (TensorFlow semantics).
 * x: [...idsShape, ...inner], segmentIds: int32 idsShape → out: [numSegments, ...inner].
 */
function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = kernelInput(args, 'UnsortedSegmentSum', 'x');
  const segmentIds = kernelInput(args, 'UnsortedSegmentSum', 'segmentIds');
  const numSegments = args.attrs?.['numSegments'];
  if (typeof numSegments !== 'number' || !Number.isInteger(numSegments) || numSegments < 0) {
    throw new BltError(
      'INTERNAL',
      `UnsortedSegmentSum expected a non-negative integer numSegments, received ${String(numSegments)}.`,
    );
  }
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const rows = sizeOf(segmentIds.shape);
  const inner = sizeOf(innerShape);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype); // allocate before any view
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const os = backend.typedArrayFromHeap(out);
  os.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i] ?? -1;
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let j = 0; j < inner; j++) os[o + j] = (os[o + j] ?? 0) + (xs[xi + j] ?? 0);
  }
  return out;
}

const MISSING_KERNELS: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum as tf.KernelFunc },
];

/**
 * Registers each kernel above that the wasm backend does not have yet. Idempotent.
 * Returns the kernel names this call registered (empty on a second call).
 */
export function registerMissingWasmKernels(): string[] {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const added: string[] = [];
  for (const k of MISSING_KERNELS) {
    if (have.has(k.kernelName)) continue;
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: k.kernelFunc });
    added.push(k.kernelName);
  }
  return added;
}

/** The kernel names this module provides for wasm (registered or not yet). */
export function wasmKernelFixes(): string[] {
  return MISSING_KERNELS.map((k) => k.kernelName);
}
