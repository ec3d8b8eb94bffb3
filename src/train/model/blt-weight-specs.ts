/**
 * Every tensor of a BLT model under the reference's state-dict names (docs/reference.md §8.5), PyTorch
 * layout ([out, in] for linear weights), with the reference init (docs/reference.md §8.4, init_std_factor
 * disabled): trunc-normal ±3σ with σ = d^-0.5 for embeddings, attention, w1/w3, cross-attention
 * and output (d = the module's width), σ = hidden^-0.5 for w2, σ = dim_patch_emb^-0.5 for patch
 * projections (encoder dE, decoder dG), σ = (k·dE)^-0.5 for the global input projection, σ = dE^-0.5
 * for hash tables; RMSNorm gains 1.
 */
import { layerWeightNames } from '../../entropy/transformer/weight-specs.js';
import type { WeightSpec } from '../../entropy/transformer/types.js';
import {
  ffnDim,
  hasDecoderPatchProjection,
  hasGlobalInputProjection,
  ngramTableCount,
  type BltModelConfig,
} from './blt-config.js';

const ones = { kind: 'ones' } as const;
const tn = (std: number): WeightSpec['init'] => ({ kind: 'trunc_normal', std });

/** `${prefix}.layers.${i}.…` of one pre-norm transformer block of width d. */
function blockSpecs(prefix: string, i: number, d: number, hidden: number): WeightSpec[] {
  const n = layerWeightNames(i);
  const p = (name: string): string => `${prefix}.${name}`;
  return [
    ...[n.wq, n.wk, n.wv, n.wo].map((name) => ({ name: p(name), shape: [d, d], init: tn(d ** -0.5) })),
    { name: p(n.w1), shape: [hidden, d], init: tn(d ** -0.5) },
    { name: p(n.w2), shape: [d, hidden], init: tn(hidden ** -0.5) },
    { name: p(n.w3), shape: [hidden, d], init: tn(d ** -0.5) },
    { name: p(n.attnNorm), shape: [d], init: ones },
    { name: p(n.ffnNorm), shape: [d], init: ones },
  ];
}

/** `${prefix}.cross_attn_layers.${i}.…` (CrossAttention of width d, no bias). */
function crossSpecs(prefix: string, i: number, d: number): WeightSpec[] {
  const p = `${prefix}.cross_attn_layers.${i}`;
  return [
    ...['wq', 'wk', 'wv', 'wo'].map((w) => ({ name: `${p}.${w}.weight`, shape: [d, d], init: tn(d ** -0.5) })),
    { name: `${p}.cross_attn_norm_q.weight`, shape: [d], init: ones },
    { name: `${p}.cross_attn_norm_kv.weight`, shape: [d], init: ones },
  ];
}

/** Names of cross-attention layer i's tensors under `prefix`. */
export function crossWeightNames(
  prefix: string,
  i: number,
): { wq: string; wk: string; wv: string; wo: string; normQ: string; normKv: string } {
  const p = `${prefix}.cross_attn_layers.${i}`;
  return {
    wq: `${p}.wq.weight`,
    wk: `${p}.wk.weight`,
    wv: `${p}.wv.weight`,
    wo: `${p}.wo.weight`,
    normQ: `${p}.cross_attn_norm_q.weight`,
    normKv: `${p}.cross_attn_norm_kv.weight`,
  };
}

/** Every tensor of the model, in a stable order (embeddings, encoder, global, decoder). */
export function bltWeightSpecs(c: BltModelConfig): WeightSpec[] {
  const dE = c.dim_local_encoder;
  const dG = c.dim_global;
  const dD = c.dim_local_decoder;
  const k = c.cross_attn_k;
  const specs: WeightSpec[] = [
    { name: 'local_encoder.tok_embeddings.weight', shape: [c.vocab_size, dE], init: tn(dE ** -0.5) },
  ];
  for (let i = 0; i < ngramTableCount(c); i++) {
    specs.push({
      name: `encoder_hash_tok_embedding.${i}.weight`,
      shape: [c.ngram?.vocab ?? 0, dE],
      init: tn(dE ** -0.5),
    });
  }
  for (let i = 0; i < c.n_layers_local_encoder; i++) specs.push(...blockSpecs('local_encoder', i, dE, ffnDim(c, dE)));
  specs.push({ name: 'local_encoder.patch_embedding_projection.weight', shape: [dE * k, dE], init: tn(dE ** -0.5) });
  const nCrossEnc = c.cross_attn_all_layers_encoder ? c.n_layers_local_encoder : 1;
  for (let i = 0; i < nCrossEnc; i++) specs.push(...crossSpecs('local_encoder', i, dE));
  if (hasGlobalInputProjection(c)) {
    specs.push({
      name: 'global_transformer.token_embedding_projection.weight',
      shape: [dG, k * dE],
      init: tn((k * dE) ** -0.5),
    });
  }
  for (let i = 0; i < c.n_layers_global; i++) specs.push(...blockSpecs('global_transformer', i, dG, ffnDim(c, dG)));
  for (let i = 0; i < c.n_layers_local_decoder; i++) specs.push(...blockSpecs('local_decoder', i, dD, ffnDim(c, dD)));
  const nCrossDec = c.cross_attn_all_layers_decoder ? c.n_layers_local_decoder : 1;
  for (let i = 0; i < nCrossDec; i++) specs.push(...crossSpecs('local_decoder', i, dD));
  if (hasDecoderPatchProjection(c)) {
    specs.push({ name: 'local_decoder.patch_embedding_projection.weight', shape: [dD * k, dG], init: tn(dG ** -0.5) });
  }
  specs.push({ name: 'local_decoder.norm.weight', shape: [dD], init: ones });
  specs.push({ name: 'local_decoder.output.weight', shape: [c.vocab_size, dD], init: tn(dD ** -0.5) });
  return specs;
}
