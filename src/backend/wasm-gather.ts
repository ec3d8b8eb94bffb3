/**
 * A faster wasm `GatherV2` for the common case: rows of a table (axis 0, no batch dims), i.e.
 * every embedding lookup and index gather in the models. The stock wasm kernel copies element by
 * element (~20 M floats/s measured: 27 ms for 4096 rows × 128); this copies whole rows with
 * `TypedArray.set` straight on the wasm heap. Every other case goes to the stock kernel.
 * Out-of-range indices are an error, as in the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../core/errors.js';
import { kernelInput, sizeOf, type KernelArgs, type WasmBackend } from './wasm-backend-types.js';

const PATCHED = Symbol.for('blt-toolkit.wasm-gather');
type PatchedConfig = tf.KernelConfig & { [PATCHED]?: tf.KernelConfig };

function rowGather(stock: tf.KernelConfig): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = kernelInput(args, 'GatherV2', 'x');
    const indices = kernelInput(args, 'GatherV2', 'indices');
    const rawAxis = Number(args.attrs?.['axis'] ?? 0);
    const axis = rawAxis < 0 ? rawAxis + x.shape.length : rawAxis;
    const batchDims = Number(args.attrs?.['batchDims'] ?? 0);
    if (axis !== 0 || batchDims !== 0 || x.shape.length === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
      return stock.kernelFunc(args);
    }
    const backend = args.backend as WasmBackend;
    const rows = x.shape[0] as number;
    const inner = sizeOf(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype); // allocate before any view
    const xs = backend.typedArrayFromHeap(x);
    const ids = backend.typedArrayFromHeap(indices);
    const os = backend.typedArrayFromHeap(out);
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i] as number;
      if (r < 0 || r >= rows) {
        backend.disposeData(out.dataId);
        throw new BltError('BAD_INPUT', `GatherV2: index ${r} at position ${i} is outside [0, ${rows}).`);
      }
      os.set(xs.subarray(r * inner, (r + 1) * inner), i * inner);
    }
    return out;
  };
}

/** Replaces the wasm GatherV2 kernel with the row-copy wrapper. Idempotent; call after setBackend('wasm'). */
export function patchWasmGather(): void {
  const current = tf.getKernel('GatherV2', 'wasm') as PatchedConfig | undefined;
  if (!current || current[PATCHED]) return;
  tf.unregisterKernel('GatherV2', 'wasm');
  const config: PatchedConfig = { kernelName: 'GatherV2', backendName: 'wasm', kernelFunc: rowGather(current) };
  config[PATCHED] = current;
  tf.registerKernel(config);
}

export function isWasmGatherPatched(): boolean {
  return (tf.getKernel('GatherV2', 'wasm') as PatchedConfig | undefined)?.[PATCHED] !== undefined;
}
