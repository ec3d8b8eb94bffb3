import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import type { NgramFloor } from './floor.js';
import type { NodeTable } from './node-table.js';

/**
 * Entropy (nats) of each context's floored distribution p′ = (1 − λ) p + λ u (floor.ts). There
 * is no closed form for a mixture, so each context's 260 probabilities are materialized:
 * p(x | c) = γ(c)·γ(c′)··· prob[first suffix that has seen x] (one pass over the children of
 * the context and its suffixes, then the unseen rest), then −Σ p′ ln p′. O(260 + Σ children
 * along the suffix chain) per context; only run when the model is built, never at load.
 * Shape: trie, prob[n], gamma[n] → Float32Array[n] (leaves of length order+1 get 0).
 */
export function mixtureEntropies(
  t: NodeTable,
  order: number,
  prob: Float64Array,
  gamma: Float64Array,
  floor: NgramFloor,
): Float32Array {
  const size = t.size;
  // children of each node, CSR
  const start = new Int32Array(size + 1);
  for (let v = 1; v < size; v++) {
    const i = (t.parent[v] as number) + 1;
    start[i] = (start[i] as number) + 1;
  }
  for (let v = 0; v < size; v++) start[v + 1] = (start[v + 1] as number) + (start[v] as number);
  const fill = start.slice(0, size);
  const kids = new Int32Array(Math.max(size - 1, 0));
  for (let v = 1; v < size; v++) {
    const p = t.parent[v] as number;
    kids[fill[p] as number] = v;
    fill[p] = (fill[p] as number) + 1;
  }
  const out = new Float32Array(size);
  const p = new Float64Array(VOCAB_SIZE);
  const stamp = new Int32Array(VOCAB_SIZE);
  const lam = floor.weight;
  const u = floor.dist;
  let epoch = 0;
  for (let c = 0; c < size; c++) {
    if ((t.depth[c] as number) > order) continue;
    epoch++;
    let mult = 1;
    let cur = c;
    for (;;) {
      for (let k = start[cur] as number; k < (start[cur + 1] as number); k++) {
        const v = kids[k] as number;
        const x = t.token[v] as number;
        if (stamp[x] === epoch) continue;
        stamp[x] = epoch;
        p[x] = mult * (prob[v] as number);
      }
      mult *= gamma[cur] as number;
      if (cur === 0) break;
      cur = t.suffix[cur] as number;
    }
    let h = 0;
    const rest = mult / VOCAB_SIZE;
    for (let x = 0; x < VOCAB_SIZE; x++) {
      const q = (1 - lam) * (stamp[x] === epoch ? (p[x] as number) : rest) + lam * (u[x] as number);
      if (q > 0) h -= q * Math.log(q);
    }
    out[c] = h;
  }
  return out;
}
