import * as tf from '@tensorflow/tfjs';
import { linear } from './linear.js';
import { applyRope } from './rope.js';

export interface AttentionWeights {
  readonly wq: tf.Tensor2D;
  readonly wk: tf.Tensor2D;
  readonly wv: tf.Tensor2D;
  readonly wo: tf.Tensor2D;
}

/**
 * Per-row-shape constants: RoPE tables cos/sin [T,d], pair swap [d,d], and the attention layout:
 * dense, mask [T,T] over all keys; or blocked (attention-layout.ts), mask [nb,Bq,S] over the
 * S keys gathered per block by `blocks.keyIndex` [nb·S].
 */
export interface AttentionConstants {
  readonly swap: tf.Tensor2D;
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
  readonly mask: tf.Tensor;
  readonly blocks?: { readonly nb: number; readonly Bq: number; readonly S: number };
}

/** [B·T,d] → [B·H, T, hd] (heads become batch rows). */
function splitHeads(x: tf.Tensor2D, B: number, T: number, H: number): tf.Tensor3D {
  const hd = x.shape[1] / H;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);
}

/**
 * The S = r·Bq keys of every query block: x [BH,T,hd] → [BH·nb, S, hd], block b holding rows
 * b·Bq − (S − Bq) .. b·Bq + Bq − 1 (zeros before row 0; the layout masks them). Built from r
 * shifted slices (tfjs-wasm's GatherV2 took half the run time).
 */
function blockKeys(x: tf.Tensor3D, nb: number, Bq: number, S: number): tf.Tensor3D {
  const [BH, , hd] = x.shape;
  const r = S / Bq;
  const blocks = tf.reshape(
    tf.pad(x, [
      [0, 0],
      [S - Bq, 0],
      [0, 0],
    ]),
    [BH, nb + r - 1, Bq, hd],
  );
  const parts = Array.from({ length: r }, (_, o) => tf.slice(blocks, [0, o, 0, 0], [BH, nb, Bq, hd]));
  return tf.reshape(tf.concat(parts, 2), [BH * nb, S, hd]);
}

/**
 * Blocked attention (attention-layout.ts): q, k, v [BH,T,hd] → [BH,T,hd]. Block b's Bq queries
 * score its S keys (blockKeys), masked by mask [nb,Bq,S].
 */
function blockedAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor,
  blocks: NonNullable<AttentionConstants['blocks']>,
): tf.Tensor3D {
  const [BH, T, hd] = q.shape;
  const { nb, Bq, S } = blocks;
  const qb = tf.reshape(q, [BH * nb, Bq, hd]);
  const kb = blockKeys(k, nb, Bq, S);
  const vb = blockKeys(v, nb, Bq, S);
  const scores = tf.add(tf.reshape(tf.matMul(qb, kb, false, true), [BH, nb, Bq, S]), mask); // [BH,nb,Bq,S]
  const p = tf.reshape(tf.softmax(scores, -1), [BH * nb, Bq, S]);
  return tf.reshape(tf.matMul(p, vb), [BH, T, hd]);
}

/**
 * Multi-head self-attention with interleaved RoPE and a causal sliding-window mask
 * (no residual): x [B·T,d] (already normed) → [B·T,d].
 */
export function attention(
  x: tf.Tensor2D,
  B: number,
  T: number,
  nHeads: number,
  w: AttentionWeights,
  k: AttentionConstants,
): tf.Tensor2D {
  const d = x.shape[1];
  const hd = d / nHeads;
  const rope = (t: tf.Tensor2D): tf.Tensor2D =>
    tf.reshape(applyRope(tf.reshape(t, [B, T, d]), k.cos, k.sin, k.swap), [B * T, d]);
  const q = splitHeads(tf.mul(rope(linear(x, w.wq)), 1 / Math.sqrt(hd)) as tf.Tensor2D, B, T, nHeads); // [BH,T,hd]
  const kk = splitHeads(rope(linear(x, w.wk)), B, T, nHeads); // [BH,T,hd]
  const v = splitHeads(linear(x, w.wv), B, T, nHeads); // [BH,T,hd]
  const out = k.blocks
    ? blockedAttention(q, kk, v, k.mask, k.blocks)
    : tf.matMul(tf.softmax(tf.add(tf.matMul(q, tf.transpose(kk, [0, 2, 1])), k.mask), -1), v); // [BH,T,hd]
  const merged: tf.Tensor2D = tf.reshape(tf.transpose(tf.reshape(out, [B, nHeads, T, hd]), [0, 2, 1, 3]), [B * T, d]);
  return linear(merged, w.wo);
}
