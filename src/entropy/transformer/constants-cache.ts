import * as tf from '@tensorflow/tfjs';
import type { AttentionConstants } from '../../nn/attention.js';
import { AttentionLayoutCache, isDense } from './attention-layout.js';
import { slidingWindowMaskArray } from '../../nn/attention-mask.js';
import { headDim } from './config.js';
import { pairSwapMatrix, RopeTableCache, ropeTableArrays } from '../../nn/rope.js';
import type { EntropyTransformer } from './types.js';

interface ModelConstants {
  readonly swap: tf.Tensor2D;
  readonly byT: Map<number, AttentionConstants>;
  readonly rope: RopeTableCache;
  readonly layouts: AttentionLayoutCache;
}

/**
 * Per-model cache of constants (pair-swap matrix; RoPE tables and dense mask per sequence length T
 * at positions 0..T−1), kept out of tidy scopes. Each distinct T costs 2·T·d + T² floats; released
 * by releaseConstants.
 */
const caches = new WeakMap<EntropyTransformer, ModelConstants>();

function modelConstants(model: EntropyTransformer): ModelConstants {
  const c = model.config;
  let mc = caches.get(model);
  if (!mc) {
    mc = {
      swap: tf.keep(tf.tensor2d(pairSwapMatrix(c.dim), [c.dim, c.dim])),
      byT: new Map(),
      rope: new RopeTableCache(c.dim, headDim(c), c.rope_theta),
      layouts: new AttentionLayoutCache(c.window),
    };
    caches.set(model, mc);
  }
  return mc;
}

/** The dense constants for sequence length T at positions 0..T−1 (created once per model and T). */
export function attentionConstants(model: EntropyTransformer, T: number): AttentionConstants {
  const c = model.config;
  const mc = modelConstants(model);
  let k = mc.byT.get(T);
  if (!k) {
    const { cos, sin } = ropeTableArrays(T, c.dim, headDim(c), c.rope_theta);
    k = {
      swap: mc.swap,
      cos: tf.keep(tf.tensor2d(cos, [T, c.dim])),
      sin: tf.keep(tf.tensor2d(sin, [T, c.dim])),
      mask: tf.keep(tf.tensor2d(slidingWindowMaskArray(T, c.window), [T, T])),
    };
    mc.byT.set(T, k);
  }
  return k;
}

/**
 * Constants for inference rows of padded length T (rowLength) whose first token sits at RoPE
 * position `position`: the cached dense ones for a short row at position 0, else fresh tensors
 * (blocked layout and/or shifted positions) that `dispose` releases. No max_seqlen limit: RoPE
 * positions are computed for any chunk length (docs/entropy-inference.md).
 */
export function rowConstants(
  model: EntropyTransformer,
  T: number,
  position: number,
): { k: AttentionConstants; dispose: () => void } {
  const c = model.config;
  const dense = isDense(T, c.window);
  if (dense && position === 0) return { k: attentionConstants(model, T), dispose: () => {} };
  const mc = modelConstants(model);
  const rope = mc.rope.rows(position, T);
  const cos = tf.tensor2d(rope.cos, [T, c.dim]);
  const sin = tf.tensor2d(rope.sin, [T, c.dim]);
  if (dense) return { k: { ...attentionConstants(model, T), cos, sin }, dispose: () => tf.dispose([cos, sin]) };
  const l = mc.layouts.get(T);
  // [nb,Bq,S]
  const mask = tf.tidy(() => tf.add(tf.tensor3d(l.band, [1, l.Bq, l.S]), tf.tensor3d(l.keyValid, [l.nb, 1, l.S])));
  return {
    k: { swap: mc.swap, cos, sin, mask, blocks: { nb: l.nb, Bq: l.Bq, S: l.S } },
    dispose: () => tf.dispose([cos, sin, mask]),
  };
}

/** Disposes every cached constant of `model`. */
export function releaseConstants(model: EntropyTransformer): void {
  const mc = caches.get(model);
  if (!mc) return;
  for (const k of mc.byT.values()) tf.dispose([k.cos, k.sin, k.mask]);
  mc.swap.dispose();
  caches.delete(model);
}
