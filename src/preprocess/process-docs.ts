/**
 * The per-document computation of preprocessing, shared by the worker pool and the
 * in-process path: bytes → tokens → entropies → patch lengths → hashed n-gram ids.
 * Pure apart from the scorer (the entropy model).
 */
import { encodeBytes } from '../bytes/tokenizer.js';
import { patchLengths } from '../patching/patch-lengths.js';
import { toPatchOptions } from '../patching/patch-options.js';
import { hashNgramIds } from '../patching/ngram-hash.js';
import type { EntropyScorer } from '../entropy/open-scorer.js';
import type { ProcessSettings } from './settings.js';
import { documentThreshold } from '../entropy/script-threshold.js';

export interface ProcessedDoc {
  /** tokens = bytes + BOS + EOS */
  nTokens: number;
  /** [nTokens] nats, when the settings ask for entropies */
  entropies: Float32Array | null;
  /** patch lengths, summing to nTokens (the reference's include_next_token=False) */
  patchLengths: Int32Array;
  /** one [nTokens] array per hash table, in the order of ngramColumnNames */
  ngramIds: Int32Array[];
}

/** tokens [L] + entropies [L] | null → the patch lengths and n-gram ids of one document. */
export function patchAndHash(tokens: Int32Array, entropies: Float32Array | null, s: ProcessSettings): ProcessedDoc {
  const opts = toPatchOptions(s.patching);
  if (entropies) opts.entropies = entropies;
  if (s.patching.scriptThresholds && opts.mode === 'entropy' && !opts.monotonicity && opts.threshold !== undefined) {
    opts.threshold = documentThreshold(tokens, opts.threshold, s.patching.scriptThresholds);
  }
  const ngramIds: Int32Array[] = [];
  if (s.ngrams) {
    for (let f = 0; f < s.ngrams.functions; f++) {
      for (const g of s.ngrams.sizes) ngramIds.push(hashNgramIds(tokens, g, f, s.ngrams.vocab));
    }
  }
  return { nTokens: tokens.length, entropies, patchLengths: patchLengths(tokens, opts), ngramIds };
}

/**
 * documents' bytes → entropies and patch lengths now, n-gram ids on demand (`ngramIdsOf(doc,
 * table)`, tables in `ngramColumnNames` order), so that the encoder hashes one table at a time.
 * The same values as `patchAndHash` gives for each document whole.
 */
export async function processDocsLazily(
  docs: readonly Uint8Array[],
  s: ProcessSettings,
  scorer: EntropyScorer | null,
): Promise<{ docs: ProcessedDoc[]; ngramIdsOf: (doc: number, table: number) => Int32Array }> {
  const tokens = docs.map((b) => encodeBytes(b));
  const entropies = s.entropy && scorer ? await scorer.score(tokens) : null;
  const patchOnly = { ...s, ngrams: null };
  const out = tokens.map((t, i) => patchAndHash(t, entropies ? (entropies[i] as Float32Array) : null, patchOnly));
  const ng = s.ngrams;
  const tables = ng ? Array.from({ length: ng.functions }, (_, f) => ng.sizes.map((g) => ({ g, f }))).flat() : [];
  const ngramIdsOf = (doc: number, table: number): Int32Array => {
    const t = tables[table];
    if (!ng || !t) throw new Error(`no n-gram table ${table}`);
    return hashNgramIds(tokens[doc] as Int32Array, t.g, t.f, ng.vocab);
  };
  return { docs: out, ngramIdsOf };
}
