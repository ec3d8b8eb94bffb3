/**
 * Unigram baseline: p(token) from add-one-smoothed counts of the training documents' targets
 * (bytes and EOS). The bits per byte a model must beat to have learned anything contextual.
 */
import { EOS_ID, OFFSET } from '../../bytes/byte-vocab.js';
import type { LogProbScorer } from './bits-per-byte.js';

const VOCAB = 260;

/** ln p for each of the 260 ids. */
export function unigramLogProbs(docs: Iterable<Uint8Array>): Float64Array {
  const counts = new Float64Array(VOCAB).fill(1);
  for (const d of docs) {
    for (let i = 0; i < d.length; i++) {
      const k = (d[i] as number) + OFFSET;
      counts[k] = (counts[k] as number) + 1;
    }
    counts[EOS_ID] = (counts[EOS_ID] as number) + 1;
  }
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c) => Math.log(c / total));
}

export function unigramScorer(logp: Float64Array): LogProbScorer {
  return async (docs) => docs.map((t) => Float32Array.from(t.subarray(1), (id) => logp[id] as number));
}
