import * as tf from '@tensorflow/tfjs';

/**
 * RoPE tables for interleaved pairs (GPT-J style, blt-spec §2.1), tiled over heads so they
 * apply to a [B,T,d] tensor before the head split: for channel c, head-dim index j = c mod hd,
 * pair i = floor(j/2), angle = t · theta^(-2i/hd).
 * cos [T,d] = cos(angle); sin [T,d] = -sin(angle) on even j, +sin(angle) on odd j.
 */
export function ropeTableArrays(T: number, dim: number, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const cos = new Float32Array(T * dim);
  const sin = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < dim; c++) {
      const j = c % headDim;
      const i = j >> 1;
      const freq = Math.fround(1 / theta ** ((2 * i) / headDim));
      const angle = Math.fround(t * freq);
      cos[t * dim + c] = Math.cos(angle);
      sin[t * dim + c] = (j % 2 === 0 ? -1 : 1) * Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Permutation matrix P [d,d] with (x·P)[2i] = x[2i+1] and (x·P)[2i+1] = x[2i]. */
export function pairSwapMatrix(dim: number): Float32Array {
  const p = new Float32Array(dim * dim);
  for (let c = 0; c < dim; c++) p[(c ^ 1) * dim + c] = 1; // row = source channel, column = destination
  return p;
}

/**
 * Interleaved rotary embedding on x [B,T,d] with tables cos/sin [T,d] from ropeTableArrays and
 * swap = pairSwapMatrix(d): out[2i] = x[2i]cos − x[2i+1]sin, out[2i+1] = x[2i]sin + x[2i+1]cos.
 * The pair swap is a 2-D matmul (exact: one 1 per column), far cheaper on wasm than tf.reverse.
 */
export function applyRope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, swap: tf.Tensor2D): tf.Tensor3D {
  const [B, T, d] = x.shape;
  const swapped = tf.reshape(tf.matMul(tf.reshape(x, [B * T, d]), swap), [B, T, d]);
  return tf.add(tf.mul(x, cos), tf.mul(swapped, sin));
}
