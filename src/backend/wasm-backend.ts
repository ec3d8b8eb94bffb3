/**
 * Probing and activating the `wasm` backend (`@tensorflow/tfjs-backend-wasm`: XNNPACK + SIMD).
 *
 * Activation = pin the binary path, `tf.setBackend('wasm')` (asserted true: on failure tfjs keeps
 * the previous backend silently), then register the kernels wasm lacks and the BatchMatMul wrapper.
 */
import * as tf from '@tensorflow/tfjs';
import type * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { BltError } from '../core/errors.js';
import { isWasmBatchMatMulPatched, patchWasmBatchMatMul } from './wasm-batch-matmul.js';
import { findWasmBinaries, firstLine } from './wasm-binaries.js';
import { registerMissingWasmKernels, wasmKernelFixes } from './wasm-kernels.js';
import { patchWasmGather } from './wasm-gather.js';

type WasmModule = typeof tfWasm;

let loaded: Promise<WasmModule> | undefined;
let pathPinned = false;

/** Imports the package once (which registers the 'wasm' backend factory). */
function loadWasmModule(): Promise<WasmModule> {
  loaded ??= import('@tensorflow/tfjs-backend-wasm');
  return loaded;
}

/** Cheap check: the package imports and its binaries are on disk. Does not initialise wasm. */
export async function probeWasm(): Promise<{ available: boolean; detail: string }> {
  const bins = findWasmBinaries();
  if (!bins.found) return { available: false, detail: bins.detail };
  try {
    const mod = await loadWasmModule();
    return { available: true, detail: `@tensorflow/tfjs-backend-wasm ${mod.version_wasm}, binaries in ${bins.dir}` };
  } catch (err) {
    return { available: false, detail: `@tensorflow/tfjs-backend-wasm could not be imported: ${firstLine(err)}` };
  }
}

/** What `activateWasm` did, for BackendInfo. */
export interface WasmActivation {
  threads: number;
  kernelFixes: string[];
  batchMatMulPatched: boolean;
}

/**
 * Makes wasm the active tfjs backend with our kernels installed. Throws BACKEND_UNAVAILABLE when
 * the package, its binaries or `setBackend('wasm')` fail.
 */
export async function activateWasm(): Promise<WasmActivation> {
  const bins = findWasmBinaries();
  if (!bins.found) throw unavailable(bins.detail);
  let mod: WasmModule;
  try {
    mod = await loadWasmModule();
  } catch (err) {
    throw unavailable(`@tensorflow/tfjs-backend-wasm could not be imported: ${firstLine(err)}`);
  }
  if (!pathPinned) {
    mod.setWasmPaths(`${bins.dir}/`);
    pathPinned = true;
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    throw unavailable(`tf.setBackend('wasm') threw: ${firstLine(err)}`);
  }
  if (!ok || tf.getBackend() !== 'wasm')
    throw unavailable(`tf.setBackend('wasm') returned false (binaries in ${bins.dir})`);
  registerMissingWasmKernels();
  patchWasmBatchMatMul();
  patchWasmGather();
  return {
    threads: mod.getThreadsCount(),
    kernelFixes: wasmKernelFixes(),
    batchMatMulPatched: isWasmBatchMatMulPatched(),
  };
}

function unavailable(why: string): BltError {
  return new BltError(
    'BACKEND_UNAVAILABLE',
    `Backend 'wasm' is unavailable: ${why}.`,
    'reinstall dependencies (npm ci) so @tensorflow/tfjs-backend-wasm and its dist/*.wasm files are ' +
      'present; --backend cpu works without it (about 25x slower)',
  );
}
