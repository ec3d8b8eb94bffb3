/**
 * The machine limit every benchmark divides by: GFLOP/s of one square float32 matmul on the
 * active tfjs backend (call `initBackend` first). A matmul of size n costs 2·n³ flops.
 */
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { requireInt } from '../core/validate.js';

export interface MatmulGflopsOptions {
  /** Matrix side n (default 512). */
  size?: number;
  /** Timed runs after one warm-up (default 5). */
  repeats?: number;
}

export interface MatmulGflops {
  /** Median over the timed runs. */
  gflops: number;
  min: number;
  max: number;
  size: number;
  runs: number;
  /** `tf.getBackend()` during the measurement. */
  backend: string;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/**
 * Times `repeats` runs of a·b (a, b: [n, n]) including `dataSync` of the result, after one
 * warm-up run (which also lets wasm/XNNPACK pack b once, as it does for weights).
 */
export function measureMatmulGflops(opts: MatmulGflopsOptions = {}): MatmulGflops {
  const size = requireInt('size', opts.size ?? 512, 1, 8192);
  const repeats = requireInt('repeats', opts.repeats ?? 5, 1, 1000);
  const flops = 2 * size ** 3;
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  try {
    const once = (): number => {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      const ms = performance.now() - t0;
      c.dispose();
      return ms;
    };
    once(); // warm-up
    const rates = Array.from({ length: repeats }, () => flops / (Math.max(once(), 1e-3) * 1e6));
    return {
      gflops: median(rates),
      min: Math.min(...rates),
      max: Math.max(...rates),
      size,
      runs: repeats,
      backend: tf.getBackend(),
    };
  } finally {
    tf.dispose([a, b]);
  }
}
