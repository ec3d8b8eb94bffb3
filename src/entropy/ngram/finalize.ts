import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import { discountFor } from './discounts.js';
import type { NodeTable } from './node-table.js';

/** The derived tables of a model (see model.ts). */
export interface Derived {
  prob: Float64Array;
  gamma: Float64Array;
  entropy: Float32Array;
}

/**
 * From counts to probabilities and per-context entropies, all in closed form, O(nodes):
 *
 *   p(x | c) = max(n(c·x) − D, 0) / N(c) + γ(c) · p(x | c′)     c′ = c without its first token
 *   γ(c)     = (D1·n1(c) + D2·n2(c) + D3·n3+(c)) / N(c)          p(x | ε′) = 1/260 (uniform)
 *
 * For a child node v = c·x, p(x | c′) is the stored prob of suffix(v) = c′·x, so no lookups.
 * The entropy of context c splits into its successors S (stored probs) and the rest, which
 * is γ·q with q = p(· | c′) whose entropy H(c′) is already known:
 *   H(c) = −Σ_{v∈S} p_v ln p_v − γ[(1 − Σ_S q) ln γ + (−H(c′) − Σ_S q ln q)]
 * so the cost is O(distinct successors) per context, and nodes are visited by length.
 * With `pruned` (prune.ts), the counts of a context's dropped children count in N(c) and in
 * its backoff mass γ(c)·N(c), so a dropped n-gram is predicted through its suffix.
 */
export function finalizeTables(t: NodeTable, order: number, discounts: Float64Array, pruned?: Uint32Array): Derived {
  const size = t.size;
  const total = new Float64Array(size);
  const gamma = new Float64Array(size);
  for (let v = 1; v < size; v++) {
    const c = t.parent[v] as number;
    const n = t.count[v] as number;
    total[c] = (total[c] as number) + n;
    gamma[c] = (gamma[c] as number) + discountFor(discounts, t.depth[v] as number, n);
  }
  if (pruned) {
    // pruned children (prune.ts): their counts stay in the context's total and move to its backoff mass
    for (let c = 0; c < size; c++) {
      total[c] = (total[c] as number) + (pruned[c] as number);
      gamma[c] = (gamma[c] as number) + (pruned[c] as number);
    }
  }
  for (let c = 0; c < size; c++) gamma[c] = (total[c] as number) > 0 ? (gamma[c] as number) / (total[c] as number) : 1;

  const byDepth = nodesByDepth(t, order);
  const prob = new Float64Array(size);
  const entropy = new Float32Array(size);
  const sumPlogP = new Float64Array(size);
  const sumQ = new Float64Array(size);
  const sumQlogQ = new Float64Array(size);
  const uniform = 1 / VOCAB_SIZE;
  for (let len = 1; len <= order + 1; len++) {
    for (const v of byDepth[len] as Int32Array) {
      const c = t.parent[v] as number;
      const n = t.count[v] as number;
      const q = len === 1 ? uniform : (prob[t.suffix[v] as number] as number);
      const p = (n > 0 ? (n - discountFor(discounts, len, n)) / (total[c] as number) : 0) + (gamma[c] as number) * q;
      prob[v] = p;
      sumPlogP[c] = (sumPlogP[c] as number) + p * Math.log(p);
      sumQ[c] = (sumQ[c] as number) + q;
      sumQlogQ[c] = (sumQlogQ[c] as number) + q * Math.log(q);
    }
    for (const c of byDepth[len - 1] as Int32Array) {
      const hq = len === 1 ? Math.log(VOCAB_SIZE) : (entropy[t.suffix[c] as number] as number);
      const g = gamma[c] as number;
      const restQ = Math.max(0, 1 - (sumQ[c] as number));
      const restQlogQ = Math.min(0, -hq - (sumQlogQ[c] as number));
      const tail = g > 0 ? g * (restQ * Math.log(g) + restQlogQ) : 0;
      entropy[c] = Math.max(0, -((sumPlogP[c] as number) + tail));
    }
  }
  return { prob, gamma, entropy };
}

/** Node ids grouped by n-gram length 0..order+1 (counting sort, ids ascending in each group). */
function nodesByDepth(t: NodeTable, order: number): Int32Array[] {
  const counts = new Int32Array(order + 2);
  for (let v = 0; v < t.size; v++) counts[t.depth[v] as number] = (counts[t.depth[v] as number] as number) + 1;
  const groups = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(order + 2);
  for (let v = 0; v < t.size; v++) {
    const d = t.depth[v] as number;
    (groups[d] as Int32Array)[fill[d] as number] = v;
    fill[d] = (fill[d] as number) + 1;
  }
  return groups;
}
