import * as tf from '@tensorflow/tfjs';
import type { AttentionConstants } from './attention.js';
import { slidingWindowMaskArray } from './attention-mask.js';
import { headDim } from './config.js';
import { pairSwapMatrix, ropeTableArrays } from './rope.js';
import type { EntropyTransformer } from './types.js';

interface ModelConstants {
  readonly swap: tf.Tensor2D;
  readonly byT: Map<number, AttentionConstants>;
}

/**
 * Per-model cache of constants (pair-swap matrix; RoPE tables and mask per sequence length T),
 * kept out of tidy scopes. Each distinct T costs 2·T·d + T² floats; released by releaseConstants.
 */
const caches = new WeakMap<EntropyTransformer, ModelConstants>();

/** The constants for sequence length T (created once per model and T). */
export function attentionConstants(model: EntropyTransformer, T: number): AttentionConstants {
  const c = model.config;
  let mc = caches.get(model);
  if (!mc) {
    mc = { swap: tf.keep(tf.tensor2d(pairSwapMatrix(c.dim), [c.dim, c.dim])), byT: new Map() };
    caches.set(model, mc);
  }
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

/** Disposes every cached constant of `model`. */
export function releaseConstants(model: EntropyTransformer): void {
  const mc = caches.get(model);
  if (!mc) return;
  for (const k of mc.byT.values()) tf.dispose([k.cos, k.sin, k.mask]);
  mc.swap.dispose();
  caches.delete(model);
}
