import type { EntropyTransformerConfig, WeightSpec } from './types.js';

/**
 * Every tensor of the model in contract order (docs/entropy-model-format.md), with its
 * PyTorch shape ([out, in] for linear weights) and the reference init (docs/reference.md §8.4):
 * trunc-normal ±3σ, σ = dim^-0.5 except w2 (σ = ffn_dim^-0.5); RMSNorm gains 1.
 */
export function weightSpecs(c: EntropyTransformerConfig): WeightSpec[] {
  const d = c.dim;
  const sd = { kind: 'trunc_normal', std: d ** -0.5 } as const;
  const sf = { kind: 'trunc_normal', std: c.ffn_dim ** -0.5 } as const;
  const ones = { kind: 'ones' } as const;
  const specs: WeightSpec[] = [{ name: 'tok_embeddings.weight', shape: [c.vocab_size, d], init: sd }];
  for (let i = 0; i < c.n_layers; i++) {
    const p = `layers.${i}`;
    for (const w of ['wq', 'wk', 'wv', 'wo'])
      specs.push({ name: `${p}.attention.${w}.weight`, shape: [d, d], init: sd });
    specs.push({ name: `${p}.feed_forward.w1.weight`, shape: [c.ffn_dim, d], init: sd });
    specs.push({ name: `${p}.feed_forward.w2.weight`, shape: [d, c.ffn_dim], init: sf });
    specs.push({ name: `${p}.feed_forward.w3.weight`, shape: [c.ffn_dim, d], init: sd });
    specs.push({ name: `${p}.attention_norm.weight`, shape: [d], init: ones });
    specs.push({ name: `${p}.ffn_norm.weight`, shape: [d], init: ones });
  }
  specs.push({ name: 'norm.weight', shape: [d], init: ones });
  specs.push({ name: 'output.weight', shape: [c.vocab_size, d], init: sd });
  return specs;
}

/** Contract names of layer `i`'s tensors, for code that walks the layers. */
export function layerWeightNames(i: number): {
  wq: string;
  wk: string;
  wv: string;
  wo: string;
  w1: string;
  w2: string;
  w3: string;
  attnNorm: string;
  ffnNorm: string;
} {
  const p = `layers.${i}`;
  return {
    wq: `${p}.attention.wq.weight`,
    wk: `${p}.attention.wk.weight`,
    wv: `${p}.attention.wv.weight`,
    wo: `${p}.attention.wo.weight`,
    w1: `${p}.feed_forward.w1.weight`,
    w2: `${p}.feed_forward.w2.weight`,
    w3: `${p}.feed_forward.w3.weight`,
    attnNorm: `${p}.attention_norm.weight`,
    ffnNorm: `${p}.ffn_norm.weight`,
  };
}
