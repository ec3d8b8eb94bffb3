/**
 * Per-model cache of interleaved-RoPE constants (src/nn/rope.ts): cos/sin [T,d]
 * per (T, d, head dim) and the pair-swap matrix [d,d] per d. Kept out of tidy scopes (tf.keep);
 * released by releaseRopeTables (disposeBltModel calls it).
 */
import * as tf from '@tensorflow/tfjs';
import { pairSwapMatrix, ropeTableArrays } from '../../nn/rope.js';

export interface RopeTables {
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
  readonly swap: tf.Tensor2D;
}

const caches = new WeakMap<object, Map<string, RopeTables>>();
const swaps = new WeakMap<object, Map<number, tf.Tensor2D>>();

/** RoPE tables for positions 0..T-1 of width `dim` split into heads of `headDim`. */
export function ropeTables(owner: object, T: number, dim: number, headDim: number, theta: number): RopeTables {
  let byKey = caches.get(owner);
  if (!byKey) caches.set(owner, (byKey = new Map()));
  const key = `${T}:${dim}:${headDim}:${theta}`;
  let r = byKey.get(key);
  if (!r) {
    let bySize = swaps.get(owner);
    if (!bySize) swaps.set(owner, (bySize = new Map()));
    let swap = bySize.get(dim);
    if (!swap) bySize.set(dim, (swap = tf.keep(tf.tensor2d(pairSwapMatrix(dim), [dim, dim]))));
    const { cos, sin } = ropeTableArrays(T, dim, headDim, theta);
    r = { cos: tf.keep(tf.tensor2d(cos, [T, dim])), sin: tf.keep(tf.tensor2d(sin, [T, dim])), swap };
    byKey.set(key, r);
  }
  return r;
}

/** Disposes every table cached for `owner`. */
export function releaseRopeTables(owner: object): void {
  for (const r of caches.get(owner)?.values() ?? []) tf.dispose([r.cos, r.sin]);
  for (const s of swaps.get(owner)?.values() ?? []) s.dispose();
  caches.delete(owner);
  swaps.delete(owner);
}
