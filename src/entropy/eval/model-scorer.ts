/**
 * A model to evaluate, by name, as `blt patch --model` takes it (src/entropy/open-scorer.ts):
 * `ngram:<file>` (here also any path ending in `.ngram`) is an n-gram model file, anything else an
 * entropy-transformer directory (docs/entropy-model-format.md). Both become a LogProbScorer
 * (log-probabilities, where open-scorer gives entropies) plus a fingerprint.
 */
import { join } from 'node:path';
import { isNgramModelDir, NGRAM_MODEL_FILE, resolveShippedModelName } from '../default-model.js';
import { loadEntropyModel } from '../model-format/model-dir.js';
import { loadNgramScoring } from '../ngram/open-model.js';
import { NGRAM_PREFIX } from '../open-scorer.js';
import { disposeEntropyTransformer } from '../transformer/model.js';
import type { LogProbScorer } from './bits-per-byte.js';
import { computeLogProbsBatch } from './log-probs.js';

export type ModelSpec =
  { readonly kind: 'transformer'; readonly path: string } | { readonly kind: 'ngram'; readonly path: string };

export interface ModelScorer {
  readonly kind: ModelSpec['kind'];
  readonly path: string;
  readonly fingerprint: string;
  readonly score: LogProbScorer;
  /** The model's `training` block (transformer) or its order (n-gram). */
  readonly info: Record<string, unknown>;
  dispose(): void;
}

export function parseModelSpec(requested: string): ModelSpec {
  const spec = resolveShippedModelName(requested);
  if (spec.startsWith(NGRAM_PREFIX)) return { kind: 'ngram', path: spec.slice(NGRAM_PREFIX.length) };
  if (spec.endsWith('.ngram')) return { kind: 'ngram', path: spec };
  if (isNgramModelDir(spec)) return { kind: 'ngram', path: join(spec, NGRAM_MODEL_FILE) };
  return { kind: 'transformer', path: spec };
}

/** Loads the model (NOT_FOUND / MODEL_FORMAT errors name the path). `batchSize`: windows per forward. */
export async function loadModelScorer(spec: ModelSpec, batchSize = 8): Promise<ModelScorer> {
  if (spec.kind === 'ngram') {
    const s = loadNgramScoring(spec.path);
    return {
      kind: 'ngram',
      path: spec.path,
      fingerprint: s.fingerprint,
      info: { order: s.model.order, ...(s.adaptive === undefined ? {} : { adaptive: s.adaptive }) },
      score: async (docs) => docs.map((d) => s.logProbs(d)),
      dispose: () => {},
    };
  }
  const loaded = await loadEntropyModel(spec.path);
  return {
    kind: 'transformer',
    path: spec.path,
    fingerprint: loaded.fingerprint,
    info: { ...(loaded.training ?? {}) },
    score: (docs) => computeLogProbsBatch(loaded.model, docs, batchSize),
    dispose: () => disposeEntropyTransformer(loaded.model),
  };
}
