import { sha256Hex } from '../../core/hash.js';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BltError } from '../../core/errors.js';

/**
 * The in-document adaptive experts (adaptive-mixture.ts) as a model directory's config.json stores them:
 * `"adaptive": {"scheme": "doc-switch-v1", "alpha": α, "share": σ, "margin": κ}`. A model file
 * whose config has no `adaptive` key (every model written before it) scores exactly as before.
 */
export interface AdaptiveConfig {
  readonly scheme: typeof ADAPTIVE_SCHEME;
  /** α > 0: pseudo-count of every token in the count models, q(x) = (n(x) + α) / (N + 260 α) */
  readonly alpha: number;
  /** σ ∈ (0, 1): fixed-share rate, the part of the weights moved back to uniform after each token */
  readonly share: number;
  /** κ ≥ 1: a count model predicts only while its weight exceeds κ times the static model's */
  readonly margin: number;
}

export const ADAPTIVE_SCHEME = 'doc-switch-v1';

/** The shipped default's settings (docs/ngram-model.md "In-document adaptive mixture"). */
export const DEFAULT_ADAPTIVE: AdaptiveConfig = Object.freeze({
  scheme: ADAPTIVE_SCHEME,
  alpha: 0.05,
  share: 0.002,
  margin: 64,
});

/** Checks a config value; BAD_OPTION naming `where` on anything else. */
export function parseAdaptiveConfig(v: unknown, where: string): AdaptiveConfig {
  const o = v as Record<string, unknown> | null;
  const bad = (what: string): BltError =>
    new BltError(
      'MODEL_FORMAT',
      `${where}: expected "adaptive": {"scheme": "${ADAPTIVE_SCHEME}", "alpha": >0, "share": (0,1), "margin": >=1}, ` +
        `got ${JSON.stringify(v)} (${what}).`,
      'fix or remove the adaptive block of the model config',
    );
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw bad('not an object');
  if (o.scheme !== ADAPTIVE_SCHEME) throw bad('unknown scheme: a newer toolkit may read it');
  const num = (k: string, ok: (x: number) => boolean): number => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) throw bad(`bad ${k}`);
    return x;
  };
  return {
    scheme: ADAPTIVE_SCHEME,
    alpha: num('alpha', (x) => x > 0 && x <= 64),
    share: num('share', (x) => x > 0 && x < 1),
    margin: num('margin', (x) => x >= 1),
  };
}

/**
 * The adaptive block of the config.json next to an n-gram file, when that config is a
 * `blt-entropy-ngram` config naming this very file; undefined otherwise (a bare model file, an old config).
 */
export function readAdaptiveConfig(modelFile: string): AdaptiveConfig | undefined {
  const configFile = join(dirname(modelFile), 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (config.format !== 'blt-entropy-ngram' || config.file !== basename(modelFile)) return undefined;
  return config.adaptive === undefined ? undefined : parseAdaptiveConfig(config.adaptive, configFile);
}

/**
 * The fingerprint of a model file scored with `adaptive`: the file's sha256 alone without it (as
 * always), else sha256 of that hash and the canonical settings, so shards record what scored them.
 */
export function adaptiveFingerprint(fileSha256: string, adaptive: AdaptiveConfig | undefined): string {
  if (adaptive === undefined) return fileSha256;
  const { scheme, alpha, share, margin } = adaptive;
  const canonical = JSON.stringify({ alpha, margin, scheme, share });
  return sha256Hex(`${fileSha256}\nadaptive:${canonical}`);
}
