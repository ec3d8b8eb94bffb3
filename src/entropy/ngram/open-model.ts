import { adaptiveScorer } from './adaptive-mixture.js';
import { adaptiveFingerprint, readAdaptiveConfig, type AdaptiveConfig } from './adaptive-config.js';
import type { NgramModel } from './model.js';
import { loadNgramModel } from './model-io.js';
import { ngramEntropies, ngramLogProbs } from './score.js';

/**
 * An n-gram model file as the commands score it: the model, plus the in-document adaptive mixture
 * when the config.json beside the file asks for it (adaptive-config.ts). Without one, exactly the
 * static model. The fingerprint covers the adaptive settings (adaptiveFingerprint).
 */
export interface NgramScoring {
  readonly model: NgramModel;
  readonly adaptive: AdaptiveConfig | undefined;
  readonly fingerprint: string;
  /** Int32Array[L] → Float32Array[L], nats */
  entropies(tokens: Int32Array): Float32Array;
  /** Int32Array[L] → Float32Array[L − 1], ln p of each predicted token */
  logProbs(tokens: Int32Array): Float32Array;
}

export function loadNgramScoring(path: string): NgramScoring {
  const adaptive = readAdaptiveConfig(path);
  const model = loadNgramModel(path);
  if (adaptive === undefined) {
    return {
      model,
      adaptive,
      fingerprint: model.fingerprint,
      entropies: (t) => ngramEntropies(model, t),
      logProbs: (t) => ngramLogProbs(model, t),
    };
  }
  const scorer = adaptiveScorer(model, adaptive);
  return {
    model,
    adaptive,
    fingerprint: adaptiveFingerprint(model.fingerprint, adaptive),
    entropies: scorer.entropies,
    logProbs: scorer.logProbs,
  };
}

/** The fingerprint loadNgramScoring gives, from the file's sha256 (without loading the model). */
export function ngramScoringFingerprint(path: string, fileSha256: string): string {
  return adaptiveFingerprint(fileSha256, readAdaptiveConfig(path));
}
