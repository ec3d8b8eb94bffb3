/**
 * The reference's `entropy(scores)` (bytelatent/data/patcher.py): per row,
 * H = -Σ_v p(v) ln p(v) with p = softmax(logits), in nats (max ln 260 ≈ 5.56).
 */
import { BltError } from '../core/errors.js';
import { requireInt } from '../core/validate.js';
import { VOCAB_SIZE } from '../bytes/byte-vocab.js';

/** logits [rows·vocab] (row-major) → entropies [rows]. Computed in float64, returned as float32. */
export function entropyFromLogits(logits: Float32Array, vocab: number = VOCAB_SIZE): Float32Array {
  requireInt('vocab', vocab, 1);
  if (!(logits instanceof Float32Array)) {
    throw new BltError('BAD_OPTION', 'Expected `logits` to be a Float32Array of rows·vocab values.');
  }
  if (logits.length % vocab !== 0) {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`logits\` length to be a multiple of vocab (${vocab}), got ${logits.length}.`,
    );
  }
  const rows = logits.length / vocab;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * vocab;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) max = Math.max(max, logits[base + v] as number);
    // log-sum-exp, then H = lse - Σ e^(x-max) (x - max) / Σ e^(x-max) - max... in the stable form
    let z = 0;
    let wsum = 0;
    for (let v = 0; v < vocab; v++) {
      const d = (logits[base + v] as number) - max;
      const e = Math.exp(d);
      z += e;
      wsum += e * d;
    }
    // ln p = d - ln z ; H = -Σ p ln p = ln z - Σ p d
    out[r] = Math.log(z) - wsum / z;
  }
  return out;
}
