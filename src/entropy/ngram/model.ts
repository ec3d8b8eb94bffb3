import type { ContextTable } from './context-table.js';
import type { NodeTable } from './node-table.js';

/**
 * An interpolated modified Kneser–Ney byte n-gram model over the 260-token vocabulary
 * (see docs/ngram-model.md). Everything is typed arrays indexed by trie node (node-table.ts).
 * `order` = the longest context in tokens: the model is an (order+1)-gram model.
 */
export interface NgramModel {
  readonly kind: 'ngram-kn';
  readonly order: number;
  readonly vocabSize: number;
  /** Float64Array[(order + 2) * 3]: (D1, D2, D3+) for n-gram length L at [3L, 3L+3) */
  readonly discounts: Float64Array;
  /** sha256 (hex) of the model's file bytes (saveNgramModel writes exactly those bytes) */
  readonly fingerprint: string;
  /** the trie: n-grams, counts, suffix links, hash table */
  readonly table: NodeTable;
  /** [nodes] interpolated p(token[v] | parent[v]) */
  readonly prob: Float64Array;
  /** [nodes] as a context: its backoff weight γ (1 for a context never followed by anything) */
  readonly gamma: Float64Array;
  /** [nodes] as a context: entropy (nats) of its full 260-way next-token distribution */
  readonly entropy: Float32Array;
  /** exact-key index of the contexts for fast scoring (order ≤ 6), see context-table.ts */
  readonly contexts: ContextTable | undefined;
}
