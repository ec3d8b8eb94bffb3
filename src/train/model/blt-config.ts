/**
 * Architecture of a Byte Latent Transformer (docs/reference.md §0, §4–§7). Field names follow the
 * reference's `ByteLatentTransformerArgs` (snake_case, as in its params.json) where one exists.
 * Cross-attention in encoder and decoder, pooling-initialised patch queries (max) and the
 * "window None" cross masks are fixed (the released-model setting), not options.
 */
import { BltError, badOption } from '../../core/errors.js';
import { requireInt, requireOneOf, requirePositive } from '../../core/validate.js';
import { BYTE_VOCAB_SIZE, swigluHiddenDim } from '../../entropy/transformer/config.js';
import { HASH_PRIMES } from '../../patching/ngram-hash.js';

/** Hashed byte n-gram embedding tables (docs/reference.md §4): F·|sizes| tables of `vocab` rows each. */
export interface BltNgramConfig {
  /** n-gram sizes G (reference 1B: [3..8]). */
  readonly sizes: readonly number[];
  /** Number of hash functions F (prime index 0..F-1; reference 1B: 1). */
  readonly functions: number;
  /** Rows per table Vh (reference 1B: 500002). */
  readonly vocab: number;
}

export type GlobalAttention = 'block_causal' | 'causal';

export interface BltModelConfig {
  /** 260: 256 bytes + BOE/pad 0, BOS 1, EOS 2, BPE 3. */
  readonly vocab_size: number;
  readonly dim_local_encoder: number;
  /** Must equal dim_local_encoder: the decoder starts from the encoder's byte states. */
  readonly dim_local_decoder: number;
  readonly n_layers_local_encoder: number;
  readonly n_layers_local_decoder: number;
  /** Self-attention heads of encoder and decoder layers (head dim must be even: RoPE pairs). */
  readonly n_heads_local: number;
  readonly dim_global: number;
  readonly n_layers_global: number;
  readonly n_heads_global: number;
  /** k: query slots per patch. k·dim_local_encoder ≠ dim_global adds a global input projection. */
  readonly cross_attn_k: number;
  readonly cross_attn_nheads: number;
  /** Cross-attention after every encoder layer (queries pooled after layer 0), else after the last only. */
  readonly cross_attn_all_layers_encoder: boolean;
  /** Cross-attention before every decoder layer, else before the first only. */
  readonly cross_attn_all_layers_decoder: boolean;
  /** Byte sliding window of local self-attention (key j visible to i iff i − j < window); null = none. */
  readonly local_window: number | null;
  /** Patch mask of the global model: block-causal by EOS patches (paper, debug.yaml) or causal (code default). */
  readonly global_attention: GlobalAttention;
  readonly ngram: BltNgramConfig | null;
  readonly rope_theta: number;
  readonly norm_eps: number;
  /** SwiGLU hidden = multiple_of·ceil(int(8d/3)/multiple_of) (reference formula, multiplier 1). */
  readonly multiple_of: number;
}

/**
 * Default for a 2-core CPU (docs/blt-model.md): local 128 wide (4 heads), 1 encoder + 2 decoder
 * layers, global 256 wide × 4 layers (4 heads), k = 2 so k·dE = dG (no input projection), 4
 * cross-attention heads, byte window 512, hash n-grams 3..8 × 1 function × 20011 rows (prime;
 * 15.4M of the 19.9M parameters — the reference's 500002 rows would be 384M).
 */
export const DEFAULT_BLT_CONFIG: BltModelConfig = Object.freeze({
  vocab_size: BYTE_VOCAB_SIZE,
  dim_local_encoder: 128,
  dim_local_decoder: 128,
  n_layers_local_encoder: 1,
  n_layers_local_decoder: 2,
  n_heads_local: 4,
  dim_global: 256,
  n_layers_global: 4,
  n_heads_global: 4,
  cross_attn_k: 2,
  cross_attn_nheads: 4,
  cross_attn_all_layers_encoder: false,
  cross_attn_all_layers_decoder: true,
  local_window: 512,
  global_attention: 'block_causal',
  ngram: Object.freeze({ sizes: Object.freeze([3, 4, 5, 6, 7, 8]), functions: 1, vocab: 20011 }),
  rope_theta: 10000,
  norm_eps: 1e-5,
  multiple_of: 256,
});

const KEYS = Object.keys(DEFAULT_BLT_CONFIG) as (keyof BltModelConfig)[];

function requireBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw badOption(name, 'a boolean', v);
  return v;
}

function requireHeads(name: string, heads: unknown, dim: number, evenHeadDim: boolean): number {
  const h = requireInt(name, heads, 1, dim);
  if (dim % h !== 0 || (evenHeadDim && (dim / h) % 2 !== 0)) {
    throw badOption(
      name,
      `a divisor of ${dim}${evenHeadDim ? ' leaving an even head dim (RoPE rotates pairs)' : ''}`,
      heads,
    );
  }
  return h;
}

function validateNgram(raw: unknown, where: string): BltNgramConfig | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badOption(where, 'null or {sizes, functions, vocab}', raw);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!['sizes', 'functions', 'vocab'].includes(k))
      throw new BltError('BAD_OPTION', `Unknown key \`${k}\` in ${where}.`, 'allowed keys: sizes, functions, vocab');
  }
  if (!Array.isArray(r.sizes) || r.sizes.length === 0)
    throw badOption(`${where}.sizes`, 'a non-empty array of n-gram sizes', r.sizes);
  const sizes = r.sizes.map((g, i) => requireInt(`${where}.sizes[${i}]`, g, 1, 64));
  const functions = requireInt(`${where}.functions`, r.functions, 1, HASH_PRIMES.length);
  const vocab = requireInt(`${where}.vocab`, r.vocab, 1, 2 ** 31 - 1);
  return Object.freeze({ sizes: Object.freeze(sizes), functions, vocab });
}

/** Validates a config (unknown keys rejected) and returns a frozen copy; BAD_OPTION names the field. */
export function validateBltConfig(raw: unknown, where = 'BLT model config'): BltModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badOption(where, 'an object', raw);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!(KEYS as string[]).includes(k))
      throw new BltError('BAD_OPTION', `Unknown key \`${k}\` in ${where}.`, `allowed keys: ${KEYS.join(', ')}`);
  }
  const f = (k: string): string => `${where}.${k}`;
  const dE = requireInt(f('dim_local_encoder'), r.dim_local_encoder, 2, 1 << 16);
  const dD = requireInt(f('dim_local_decoder'), r.dim_local_decoder, 2, 1 << 16);
  if (dD !== dE)
    throw badOption(
      f('dim_local_decoder'),
      `equal to dim_local_encoder=${dE} (the decoder reads the encoder's byte states)`,
      dD,
    );
  const dG = requireInt(f('dim_global'), r.dim_global, 2, 1 << 16);
  const k = requireInt(f('cross_attn_k'), r.cross_attn_k, 1, 64);
  if (dG === dD && k !== 1) {
    throw badOption(
      f('cross_attn_k'),
      `1 when dim_global == dim_local_decoder (${dG}): the reference then has no decoder patch projection ` +
        `to make k slots`,
      k,
    );
  }
  const window = r.local_window === null ? null : requireInt(f('local_window'), r.local_window, 1, 1 << 24);
  return Object.freeze({
    vocab_size: requireInt(f('vocab_size'), r.vocab_size, 1, 1 << 20),
    dim_local_encoder: dE,
    dim_local_decoder: dD,
    n_layers_local_encoder: requireInt(f('n_layers_local_encoder'), r.n_layers_local_encoder, 1, 256),
    n_layers_local_decoder: requireInt(f('n_layers_local_decoder'), r.n_layers_local_decoder, 1, 256),
    n_heads_local: requireHeads(f('n_heads_local'), r.n_heads_local, dE, true),
    dim_global: dG,
    n_layers_global: requireInt(f('n_layers_global'), r.n_layers_global, 1, 256),
    n_heads_global: requireHeads(f('n_heads_global'), r.n_heads_global, dG, true),
    cross_attn_k: k,
    cross_attn_nheads: requireHeads(f('cross_attn_nheads'), r.cross_attn_nheads, dE, false),
    cross_attn_all_layers_encoder: requireBool(f('cross_attn_all_layers_encoder'), r.cross_attn_all_layers_encoder),
    cross_attn_all_layers_decoder: requireBool(f('cross_attn_all_layers_decoder'), r.cross_attn_all_layers_decoder),
    local_window: window,
    global_attention: requireOneOf(f('global_attention'), r.global_attention, ['block_causal', 'causal'] as const),
    ngram: validateNgram(r.ngram, f('ngram')),
    rope_theta: requirePositive(f('rope_theta'), r.rope_theta),
    norm_eps: requirePositive(f('norm_eps'), r.norm_eps),
    multiple_of: requireInt(f('multiple_of'), r.multiple_of, 1, 1 << 16),
  });
}

/** DEFAULT_BLT_CONFIG with `overrides` applied, validated. */
export function bltConfig(overrides: Partial<BltModelConfig> = {}): BltModelConfig {
  return validateBltConfig({ ...DEFAULT_BLT_CONFIG, ...overrides });
}

/** SwiGLU hidden width of a block of width `dim` under this config. */
export function ffnDim(c: BltModelConfig, dim: number): number {
  return swigluHiddenDim(dim, c.multiple_of);
}

/** Number of hash embedding tables F·|G| (0 without n-grams). */
export function ngramTableCount(c: BltModelConfig): number {
  return c.ngram ? c.ngram.functions * c.ngram.sizes.length : 0;
}

/** True when k·dE ≠ dG: the global model starts with token_embedding_projection. */
export function hasGlobalInputProjection(c: BltModelConfig): boolean {
  return c.cross_attn_k * c.dim_local_encoder !== c.dim_global;
}

/** True when dG ≠ dD: the decoder projects global states to k slots (patch_embedding_projection). */
export function hasDecoderPatchProjection(c: BltModelConfig): boolean {
  return c.dim_global !== c.dim_local_decoder;
}
