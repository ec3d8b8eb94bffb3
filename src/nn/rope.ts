import * as tf from '@tensorflow/tfjs';

/**
 * RoPE frequency of pair i, rounded as the reference computes it in float32
 * (precompute_freqs_cis: `1.0 / theta ** (arange(0, hd, 2).float() / hd)`): exponent, power and
 * reciprocal each rounded to float32.
 */
function ropeFrequency(i: number, headDim: number, theta: number): number {
  const exponent = Math.fround((2 * i) / headDim);
  return Math.fround(1 / Math.fround(theta ** exponent));
}

/**
 * RoPE tables for interleaved pairs (GPT-J style, docs/reference.md §2.1), tiled over heads so they
 * apply to a [B,T,d] tensor before the head split: for channel c, head-dim index j = c mod hd,
 * pair i = floor(j/2), angle = fround(t · ropeFrequency(i)) at absolute position t = start + row
 * (the reference's float32 `outer(t, freqs)`).
 * cos [T,d] = cos(angle); sin [T,d] = -sin(angle) on even j, +sin(angle) on odd j.
 */
export function ropeTableArrays(
  T: number,
  dim: number,
  headDim: number,
  theta: number,
  start = 0,
): { cos: Float32Array; sin: Float32Array } {
  const cos = new Float32Array(T * dim);
  const sin = new Float32Array(T * dim);
  const freqs = Array.from({ length: headDim / 2 }, (_, i) => ropeFrequency(i, headDim, theta));
  for (let r = 0; r < T; r++) {
    const t = start + r;
    for (let c = 0; c < dim; c++) {
      const j = c % headDim;
      const angle = Math.fround(t * (freqs[j >> 1] as number));
      cos[r * dim + c] = Math.cos(angle);
      sin[r * dim + c] = (j % 2 === 0 ? -1 : 1) * Math.sin(angle);
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

/**
 * ropeTableArrays for positions 0..capacity−1, grown on demand; `rows(start, T)` returns zero-copy
 * views of positions start..start+T−1 ([T,dim] each). One per model (tfjs) or session (onnx).
 */
export class RopeTableCache {
  private cos: Float32Array = new Float32Array(0);
  private sin: Float32Array = new Float32Array(0);
  private capacity = 0;

  constructor(
    private readonly dim: number,
    private readonly headDim: number,
    private readonly theta: number,
  ) {}

  rows(start: number, T: number): { cos: Float32Array; sin: Float32Array } {
    const need = start + T;
    if (need > this.capacity) {
      this.capacity = Math.max(need, Math.min(2 * this.capacity, need + 8192));
      ({ cos: this.cos, sin: this.sin } = ropeTableArrays(this.capacity, this.dim, this.headDim, this.theta));
    }
    const d = this.dim;
    return { cos: this.cos.subarray(start * d, need * d), sin: this.sin.subarray(start * d, need * d) };
  }
}
