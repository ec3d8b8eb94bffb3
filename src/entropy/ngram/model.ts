import type { ContextTable } from './context-table.js';
import type { NgramFloor } from './floor.js';
import type { NodeTable } from './node-table.js';

/**
 * An interpolated modified Kneser–Ney byte n-gram model over the 260-token vocabulary, mixed
 * with a floor distribution (floor.ts), see docs/ngram-model.md. Everything is typed arrays
 * indexed by trie node (node-table.ts). `order` = the longest context in tokens: the model is
 * an (order+1)-gram model.
 *
 * A model loaded from a version-2 file has its scoring index (`contexts`) and `rootEntropy`
 * ready at once; `table`, `prob`, `gamma` and `entropy` (needed only for log-probabilities,
 * full distributions and orders above 6) are derived from the stored counts on first access.
 */
export interface NgramModel {
  readonly kind: 'ngram-kn';
  readonly order: number;
  readonly vocabSize: number;
  /** Float64Array[(order + 2) * 3]: (D1, D2, D3+) for n-gram length L at [3L, 3L+3) */
  readonly discounts: Float64Array;
  /** sha256 (hex) of the model's file bytes (saveNgramModel writes exactly those bytes) */
  readonly fingerprint: string;
  /** p′(x | c) = (1 − weight)·p_KN(x | c) + weight·dist[x] */
  readonly floor: NgramFloor;
  /** [nodes] counts of each context's pruned children (prune.ts), or undefined when nothing was pruned */
  readonly pruned: Uint32Array | undefined;
  /** entropy (nats) of the floored distribution with no context (the root) */
  readonly rootEntropy: number;
  /** the trie: n-grams, counts, suffix links, hash table */
  readonly table: NodeTable;
  /** [nodes] interpolated Kneser–Ney p(token[v] | parent[v]), before the floor */
  readonly prob: Float64Array;
  /** [nodes] as a context: its backoff weight γ (1 for a context never followed by anything) */
  readonly gamma: Float64Array;
  /** [nodes] as a context: entropy (nats) of its full floored 260-way next-token distribution */
  readonly entropy: Float32Array;
  /** exact-key index of the contexts for fast scoring (order ≤ 6), see context-table.ts */
  readonly contexts: ContextTable | undefined;
}
