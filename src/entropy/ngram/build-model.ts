import { createHash } from 'node:crypto';
import { VOCAB_SIZE } from '../byte-vocab.js';
import { buildContextTable } from './context-table.js';
import { finalizeTables } from './finalize.js';
import { encodeNgramModel } from './file-format.js';
import type { NgramModel } from './model.js';
import type { NodeTable } from './node-table.js';

/** counts + discounts → a complete model (probabilities, entropies, fingerprint). */
export function buildModel(table: NodeTable, order: number, discounts: Float64Array, fileBytes?: Uint8Array): NgramModel {
  const derived = finalizeTables(table, order, discounts);
  const bytes = fileBytes ?? encodeNgramModel({ order, discounts, table });
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const contexts = buildContextTable(table, order, derived.entropy);
  return { kind: 'ngram-kn', order, vocabSize: VOCAB_SIZE, discounts, fingerprint, table, ...derived, contexts };
}
