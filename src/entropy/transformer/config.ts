import { BltError, badOption } from '../../core/errors.js';
import { requireInt, requirePositive } from '../../core/validate.js';
import type { EntropyTransformerConfig } from './types.js';

/** The reference byte vocabulary: 256 bytes + BOE/BOS/EOS/BPE. */
export const BYTE_VOCAB_SIZE = 260;

/**
 * Reference SwiGLU hidden width (bytelatent base_transformer.py):
 * multiple_of * ceil(int(multiplier * int(8 * dim / 3)) / multiple_of).
 */
export function swigluHiddenDim(dim: number, multipleOf = 256, multiplier = 1): number {
  const hidden = Math.floor(multiplier * Math.floor((2 * 4 * dim) / 3));
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/**
 * Default entropy model for a 2-core CPU: d 128, 2 layers, 4 heads (head dim 32),
 * SwiGLU hidden 384 (= swigluHiddenDim(128, 64)), window 256. ~0.49M parameters,
 * ~1.18 MFLOP per byte (flopsPerByte).
 */
export const DEFAULT_ENTROPY_CONFIG: EntropyTransformerConfig = Object.freeze({
  vocab_size: BYTE_VOCAB_SIZE,
  dim: 128,
  n_layers: 2,
  n_heads: 4,
  ffn_dim: swigluHiddenDim(128, 64),
  window: 256,
  rope_theta: 10000,
  norm_eps: 1e-5,
  max_seqlen: 1024,
});

/** The config.json keys that describe the architecture (and enter the fingerprint), sorted. */
export const ARCHITECTURE_KEYS = [
  'dim',
  'ffn_dim',
  'max_seqlen',
  'n_heads',
  'n_layers',
  'norm_eps',
  'rope_theta',
  'vocab_size',
  'window',
] as const satisfies readonly (keyof EntropyTransformerConfig)[];

/**
 * Validates a config (unknown keys are rejected) and returns a frozen copy.
 * Throws BAD_OPTION naming the field, what was expected and what was received.
 */
export function validateEntropyConfig(raw: unknown, where = 'entropy model config'): EntropyTransformerConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badOption(where, 'an object', raw);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!(ARCHITECTURE_KEYS as readonly string[]).includes(k)) {
      throw new BltError(
        'BAD_OPTION',
        `Unknown key \`${k}\` in ${where}.`,
        `allowed keys: ${ARCHITECTURE_KEYS.join(', ')}`,
      );
    }
  }
  const f = (k: string): string => `${where}.${k}`;
  const vocab_size = requireInt(f('vocab_size'), r.vocab_size, 1, 1 << 20);
  const dim = requireInt(f('dim'), r.dim, 2, 1 << 16);
  const n_layers = requireInt(f('n_layers'), r.n_layers, 1, 1024);
  const n_heads = requireInt(f('n_heads'), r.n_heads, 1, dim);
  if (dim % n_heads !== 0 || (dim / n_heads) % 2 !== 0) {
    throw badOption(f('n_heads'), `a divisor of dim=${dim} leaving an even head dim (RoPE rotates pairs)`, n_heads);
  }
  const ffn_dim = requireInt(f('ffn_dim'), r.ffn_dim, 1, 1 << 20);
  const max_seqlen = requireInt(f('max_seqlen'), r.max_seqlen, 1, 1 << 20);
  const window = requireInt(f('window'), r.window, 2, max_seqlen);
  if (window % 2 !== 0) throw badOption(f('window'), 'an even integer (entropies use stride window/2)', window);
  const rope_theta = requirePositive(f('rope_theta'), r.rope_theta);
  const norm_eps = requirePositive(f('norm_eps'), r.norm_eps);
  return Object.freeze({ vocab_size, dim, n_layers, n_heads, ffn_dim, window, rope_theta, norm_eps, max_seqlen });
}

/** Returns DEFAULT_ENTROPY_CONFIG with `overrides` applied, validated. */
export function entropyConfig(overrides: Partial<EntropyTransformerConfig> = {}): EntropyTransformerConfig {
  return validateEntropyConfig({ ...DEFAULT_ENTROPY_CONFIG, ...overrides });
}

/** Head dimension d / n_heads. */
export function headDim(c: EntropyTransformerConfig): number {
  return c.dim / c.n_heads;
}

/** Total parameters (embedding, layers, final norm, output). */
export function parameterCount(c: EntropyTransformerConfig): number {
  return c.vocab_size * c.dim + nonEmbeddingParameterCount(c);
}

/** Parameters except the token embedding (output projection and norms included). */
export function nonEmbeddingParameterCount(c: EntropyTransformerConfig): number {
  const perLayer = 4 * c.dim * c.dim + 3 * c.dim * c.ffn_dim + 2 * c.dim;
  return c.n_layers * perLayer + c.dim + c.vocab_size * c.dim;
}

/**
 * Forward FLOPs per byte (docs/design.md §7): 2·(non-embedding params incl. output) + 4·L·C·d with
 * C = window (each query attends at most `window` keys: q·k and p·v, 2 FLOPs per MAC).
 */
export function flopsPerByte(c: EntropyTransformerConfig): number {
  return 2 * nonEmbeddingParameterCount(c) + 4 * c.n_layers * c.window * c.dim;
}
