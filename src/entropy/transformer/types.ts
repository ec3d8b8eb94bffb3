import type * as tf from '@tensorflow/tfjs';

/**
 * Architecture of a byte-level entropy transformer (docs/entropy-model-format.md).
 * Field names are those of config.json (snake_case, like the reference's params.json).
 */
export interface EntropyTransformerConfig {
  /** 260: 256 bytes + 4 special ids (BOE/pad 0, BOS 1, EOS 2, BPE 3). */
  readonly vocab_size: number;
  /** Model width d; must be divisible by n_heads, and d / n_heads must be even (RoPE pairs). */
  readonly dim: number;
  readonly n_layers: number;
  readonly n_heads: number;
  /** SwiGLU hidden width (see swigluHiddenDim for the reference formula). */
  readonly ffn_dim: number;
  /** Sliding attention window: key j is visible to query i iff j <= i and i - j < window. */
  readonly window: number;
  readonly rope_theta: number;
  readonly norm_eps: number;
  /**
   * Longest sequence forwardLogits accepts for training (T <= max_seqlen); window <= max_seqlen.
   * Inference (entropies, log-probs) runs chunks of 8192 tokens whatever max_seqlen (docs/entropy-inference.md).
   */
  readonly max_seqlen: number;
}

/** How a weight is initialised: trunc-normal(0, std, ±3std) or all ones (RMSNorm gains). */
export type WeightInit = { readonly kind: 'trunc_normal'; readonly std: number } | { readonly kind: 'ones' };

/** One tensor of the model: contract name, PyTorch layout ([out, in] for linear weights). */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: WeightInit;
}

/** A plain (framework-free) float32 tensor, as stored in safetensors. */
export interface WeightArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * A live tfjs model. `weights` holds one trainable tf.Variable per contract name
 * (`tok_embeddings.weight`, `layers.0.attention.wq.weight`, ...), in PyTorch layout.
 * Variable names (tf.Variable.name) are unique per model instance and are NOT the contract names.
 * Internal caches (RoPE tables, masks) are private; release everything with disposeEntropyTransformer.
 */
export interface EntropyTransformer {
  readonly config: EntropyTransformerConfig;
  readonly weights: ReadonlyMap<string, tf.Variable>;
}

/** Options of computeEntropiesBatch. */
export interface EntropyBatchOptions {
  /**
   * Tokens per forward call, in rows of `window` (default 8: 8·window tokens; a longer row runs alone).
   * Results do not depend on it.
   */
  readonly batchSize?: number;
  /** Tokens per independent context (default 8192, the reference's calculate_entropies max_length). */
  readonly chunkLength?: number;
}
