/**
 * IEEE 754 binary16 conversion as numpy's `np.float16(x)` does it (the reference's
 * preprocess_entropies stores `np.array(scores.tolist(), dtype=np.float16)`): round to nearest,
 * ties to even; overflow (|x| ≥ 65520) → ±Infinity; below the smallest subnormal half → ±0;
 * NaN → a quiet NaN (0x7e00). apache-arrow's own `float64ToUint16` truncates instead of
 * rounding, so the export converts here and hands arrow the raw bits.
 */

/** Round half to even of a non-negative double (exact: the fraction is computed without error). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  return r > 0.5 || (r === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** The binary16 bits of `x` (a float32 or any double), rounded to nearest even. */
export function float16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // rounds to ≥ 2^16: Infinity (and ±Infinity itself)
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal; 1024 is the smallest normal's bits
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a)
    e--; // log2 may round up just below a power of two
  else if (2 ** (e + 1) <= a) e++;
  const k = roundHalfEven(a * 2 ** (10 - e)); // in [1024, 2048]; scaling by a power of two is exact
  return k === 2048 ? sign | ((e + 16) << 10) : sign | ((e + 15) << 10) | (k - 1024);
}

/** The value of binary16 bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

/** float32 entropies → binary16 bits, one per value. */
export function toFloat16Array(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i] as number);
  return out;
}
