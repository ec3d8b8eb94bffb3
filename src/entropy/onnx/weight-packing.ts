/**
 * Concatenates PyTorch-layout linear weights ([out_k, in] row-major) into one MatMul operand
 * [in, Σ out_k] (the transposes side by side), each optionally scaled (in float64, rounded once).
 */
export function transposeConcat(
  inDim: number,
  mats: readonly { data: Float32Array; out: number; scale?: number }[],
): Float32Array {
  const total = mats.reduce((a, m) => a + m.out, 0);
  const res = new Float32Array(inDim * total);
  let col0 = 0;
  for (const m of mats) {
    const s = m.scale ?? 1;
    for (let o = 0; o < m.out; o++) {
      for (let i = 0; i < inDim; i++) res[i * total + col0 + o] = (m.data[o * inDim + i] ?? 0) * s;
    }
    col0 += m.out;
  }
  return res;
}

/**
 * A PyTorch-layout weight [out, in] with output rows 2i and 2i+1 swapped: x·swapPairRows(W)^T is
 * swapPairs(x·W^T), the partner term of interleaved RoPE, computed by the MatMul itself.
 */
export function swapPairRows(w: Float32Array, out: number, inDim: number): Float32Array {
  const res = new Float32Array(out * inDim);
  for (let o = 0; o < out; o++) res.set(w.subarray((o ^ 1) * inDim, ((o ^ 1) + 1) * inDim), o * inDim);
  return res;
}
