import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';

/**
 * The floor distribution u mixed into every prediction, p′(x | c) = (1 − λ) p(x | c) + λ u(x):
 * half uniform over the 260 tokens, half the training unigram of the predicted tokens (bytes
 * and EOS). With it no token costs more than log2(520 / λ) bits, whatever the text: a byte the
 * corpus never shows (emoji, rare scripts) is not priced at the ~25 bits Kneser–Ney's nested
 * backoff gives an unseen byte. λ is chosen on held-out data (docs/ngram-model.md).
 * Shape: unigram counts Float64Array[260] → Float64Array[260], sums to 1.
 */
export function floorDistribution(unigram: Float64Array): Float64Array {
  let total = 0;
  for (let x = 0; x < VOCAB_SIZE; x++) total += unigram[x] as number;
  const u = new Float64Array(VOCAB_SIZE);
  for (let x = 0; x < VOCAB_SIZE; x++)
    u[x] = 0.5 / VOCAB_SIZE + (total > 0 ? (0.5 * (unigram[x] as number)) / total : 0.5 / VOCAB_SIZE);
  return u;
}

/** A model's floor: weight λ ∈ [0, 1) and distribution u (Float64Array[260]). λ = 0: plain Kneser–Ney. */
export interface NgramFloor {
  readonly weight: number;
  readonly dist: Float64Array;
}

export function noFloor(): NgramFloor {
  return { weight: 0, dist: new Float64Array(VOCAB_SIZE).fill(1 / VOCAB_SIZE) };
}
