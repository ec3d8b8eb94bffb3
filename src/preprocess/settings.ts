/**
 * What a preprocessing worker computes for every document: entropies (optional), patch
 * lengths, hashed n-gram ids (optional). Plain JSON: it crosses the worker boundary and is
 * written into the manifest.
 */
import type { PatchMode } from '../patching/patch-options.js';
import type { PatchingValues } from '../options/patching.js';

/** The patching rule as stored (the manifest's `config.process.patching`): the schema's options, resolved. */
export type PatchingSettings = Omit<PatchingValues, 'mode' | 'monotonicity' | 'includeNextToken'> & {
  mode: PatchMode;
  /**
   * per-script thresholds (global rule only): each document uses its main script's
   * (src/entropy/script-threshold.ts)
   */
  scriptThresholds?: Record<string, number>;
  monotonicity: boolean;
};

export interface NgramSettings {
  /** n-gram sizes, e.g. [3, 4, 5, 6, 7, 8] */
  sizes: number[];
  /** number of hash functions (1..11): functions 0..n-1 */
  functions: number;
  /** hash vocabulary per table */
  vocab: number;
}

export interface EntropySettings {
  /** a transformer model directory, or `ngram:<file>` */
  model: string;
  /** the model's fingerprint (checked by the worker) */
  fingerprint: string;
  engine: 'auto' | 'onnx' | 'tfjs';
}

export interface ProcessSettings {
  patching: PatchingSettings;
  ngrams: NgramSettings | null;
  entropy: EntropySettings | null;
}

/** Column name of one hash table: `ngram_ids_<size>_<function>` (the reference's table order). */
export function ngramColumnNames(ng: NgramSettings): string[] {
  const names: string[] = [];
  for (let f = 0; f < ng.functions; f++) for (const g of ng.sizes) names.push(`ngram_ids_${g}_${f}`);
  return names;
}
