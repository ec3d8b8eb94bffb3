/**
 * Helpers for backend-equivalence checks (wasm or tensorflow against the cpu reference): run a
 * graph on a named backend and read its outputs back, then compare arrays with a tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendRequest } from './select-backend.js';

export interface BackendRun {
  backend: string;
  values: Float64Array[];
  shapes: number[][];
}

/**
 * Switches to `request`, runs `fn` inside tf.tidy and returns copies of its outputs.
 * The outputs are read after the tidy (never `dataSync` inside a tidy) and then disposed.
 */
export async function runOnBackend(request: BackendRequest, fn: () => tf.Tensor | tf.Tensor[]): Promise<BackendRun> {
  await initBackend(request);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  try {
    return {
      backend: tf.getBackend(),
      values: list.map((t) => Float64Array.from(t.dataSync())),
      shapes: list.map((t) => t.shape.slice()),
    };
  } finally {
    tf.dispose(list);
  }
}

export interface Closeness {
  ok: boolean;
  maxAbs: number;
  worst: number;
  atol: number;
  rtol: number;
}

/**
 * Elementwise `|actual - expected| <= atol + rtol * |expected|` (numpy `allclose`). `worst` is the
 * index with the largest excess over its bound (-1 when the lengths differ or either is empty).
 */
export function closeness(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): Closeness {
  if (actual.length !== expected.length) return { ok: false, maxAbs: Infinity, worst: -1, atol, rtol };
  let ok = true;
  let maxAbs = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    const diff = Math.abs(a - e);
    const excess = Number.isNaN(diff) ? Infinity : diff - (atol + rtol * Math.abs(e));
    if (excess > 0) ok = false;
    if (diff > maxAbs || Number.isNaN(diff)) maxAbs = Number.isNaN(diff) ? Infinity : diff;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  return { ok, maxAbs, worst, atol, rtol };
}
