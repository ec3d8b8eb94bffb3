/**
 * The slice of the tfjs wasm backend that our JS kernels use, and the argument shape tfjs hands
 * to a kernel. Kernels run synchronously inside the engine: they allocate with `makeOutput`, read
 * and write through `typedArrayFromHeap`, and free their temporaries with `disposeData`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BltError } from '../core/errors.js';

export type WasmBackend = Pick<BackendWasm, 'makeOutput' | 'typedArrayFromHeap' | 'disposeData'>;

/** What tfjs passes to every `kernelFunc`. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Product of a shape's dims (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The input `name` of a kernel call; an INTERNAL error when tfjs did not pass it. */
export function kernelInput(args: KernelArgs, kernel: string, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) {
    throw new BltError(
      'INTERNAL',
      `Kernel ${kernel} expected an input named '${name}', received none. This is a bug; please report it.`,
    );
  }
  return t;
}
