import { createHash } from 'node:crypto';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import { buildContextTable, type ContextTable } from './context-table.js';
import { finalizeTables, type Derived } from './finalize.js';
import { encodeNgramModel } from './file-format.js';
import { noFloor, type NgramFloor } from './floor.js';
import { mixtureEntropies } from './mixture-entropy.js';
import type { NgramModel } from './model.js';
import type { NodeTable } from './node-table.js';

export interface ModelParts {
  readonly order: number;
  readonly discounts: Float64Array;
  readonly floor?: NgramFloor | undefined;
  readonly pruned?: Uint32Array | undefined;
}

/** Probabilities and (floored) entropies of a linked trie. */
function deriveTables(table: NodeTable, parts: ModelParts): Derived {
  const derived = finalizeTables(table, parts.order, parts.discounts, parts.pruned);
  derived.entropy = flooredEntropies(table, parts, derived);
  return derived;
}

/** The entropies of the floored distributions (the closed-form ones of `derived` when there is no floor). */
export function flooredEntropies(table: NodeTable, parts: ModelParts, derived: Derived): Float32Array {
  const floor = parts.floor ?? noFloor();
  if (floor.weight <= 0) return derived.entropy;
  return mixtureEntropies(table, parts.order, derived.prob, derived.gamma, floor);
}

/**
 * counts + discounts (+ floor, pruning) → a complete model (probabilities, entropies, scoring index,
 * fingerprint = sha256 of `fileBytes` when it was read from a file, else of the bytes it would be saved as).
 */
export function buildModel(table: NodeTable, parts: ModelParts, fileBytes?: Uint8Array): NgramModel {
  const floor = parts.floor ?? noFloor();
  const derived = deriveTables(table, parts);
  const contexts = buildContextTable(table, parts.order, derived.entropy);
  const base = {
    order: parts.order,
    discounts: parts.discounts,
    floor,
    pruned: parts.pruned,
    table,
    contexts,
    rootEntropy: derived.entropy[0] as number,
  };
  const bytes = fileBytes ?? encodeNgramModel(base);
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  return { kind: 'ngram-kn', vocabSize: VOCAB_SIZE, fingerprint, ...base, ...derived };
}

/**
 * A model whose trie-derived tables are computed on first access (a loaded version-2 file:
 * scoring needs only `contexts` and `rootEntropy`). `table`, `prob` and `gamma` come from
 * `materialize` (linking the trie and the closed-form probabilities, ~0.2 s for the default);
 * `entropy` additionally from `entropies` (the floored mixture entropies, seconds), so log-probabilities
 * and the adaptive mixture (adaptive-mixture.ts) never pay for it. The getters are own enumerable
 * properties, so spreading the model materializes them.
 */
export function lazyModel(
  fixed: Omit<NgramModel, 'table' | 'prob' | 'gamma' | 'entropy' | 'kind' | 'vocabSize'>,
  materialize: () => Omit<Derived, 'entropy'> & { table: NodeTable },
  entropies: (t: Omit<Derived, 'entropy'> & { table: NodeTable }) => Float32Array,
): NgramModel {
  let full: (Omit<Derived, 'entropy'> & { table: NodeTable }) | undefined;
  let entropy: Float32Array | undefined;
  const get = (): Omit<Derived, 'entropy'> & { table: NodeTable } => (full ??= materialize());
  const m = { kind: 'ngram-kn', vocabSize: VOCAB_SIZE, ...fixed } as Record<string, unknown>;
  for (const key of ['table', 'prob', 'gamma'] as const) {
    Object.defineProperty(m, key, { enumerable: true, configurable: true, get: () => get()[key] });
  }
  Object.defineProperty(m, 'entropy', {
    enumerable: true,
    configurable: true,
    get: () => (entropy ??= entropies(get())),
  });
  return m as unknown as NgramModel;
}

export type { ContextTable };
