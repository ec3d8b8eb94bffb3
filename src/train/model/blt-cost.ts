/**
 * Parameter counts and forward FLOPs of a BLT (docs/design.md §7): parts that run per byte (local encoder
 * and decoder) plus parts that run per patch (global model, patch projections, the patch side of
 * cross-attention) divided by the mean patch length. A multiply-add is 2 FLOPs; attention costs
 * 4·d per (query, visible key) pair (q·k and p·v). Training ≈ 3× forward (backward ≈ 2× forward).
 */
import type { BltModelConfig } from './blt-config.js';
import { ffnDim, hasDecoderPatchProjection, hasGlobalInputProjection, ngramTableCount } from './blt-config.js';
import { bltWeightSpecs } from './blt-weight-specs.js';

export interface BltParameterCounts {
  readonly total: number;
  /** Byte embedding + hash tables (lookups: no FLOPs). */
  readonly embedding: number;
  readonly localEncoder: number;
  readonly global: number;
  readonly localDecoder: number;
}

/** Parameters per part, from the weight specs. */
export function bltParameterCounts(c: BltModelConfig): BltParameterCounts {
  let embedding = 0;
  let localEncoder = 0;
  let global = 0;
  let localDecoder = 0;
  for (const s of bltWeightSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.name.startsWith('encoder_hash_tok_embedding.') || s.name === 'local_encoder.tok_embeddings.weight')
      embedding += n;
    else if (s.name.startsWith('local_encoder.')) localEncoder += n;
    else if (s.name.startsWith('global_transformer.')) global += n;
    else localDecoder += n;
  }
  return { total: embedding + localEncoder + global + localDecoder, embedding, localEncoder, global, localDecoder };
}

export interface BltFlopsOptions {
  /** Bytes per row N (bounds the local attention context). Default 1024. */
  readonly seqLen?: number;
  /** Mean bytes per patch (the BLT paper's entropy patching ≈ 4.5). Default 4.5. */
  readonly meanPatchLength?: number;
}

export interface BltFlops {
  /** Forward FLOPs of the per-byte parts, per byte. */
  readonly localPerByte: number;
  /** Forward FLOPs of the per-patch parts, per patch. */
  readonly globalPerPatch: number;
  /** localPerByte + globalPerPatch / meanPatchLength. */
  readonly forwardPerByte: number;
  /** 3 × forwardPerByte. */
  readonly trainPerByte: number;
}

/** 2·(4d² + 3·d·hidden) weights FLOPs + 4·d·context attention FLOPs of one block, per position. */
function blockFlops(d: number, hidden: number, context: number): number {
  return 2 * (4 * d * d + 3 * d * hidden) + 4 * d * context;
}

/**
 * Forward FLOPs per byte. Local attention context = min(local_window, N) keys per query (an upper
 * bound: causal and document masks see fewer); global context = N / meanPatchLength patches.
 */
export function bltFlops(c: BltModelConfig, opts: BltFlopsOptions = {}): BltFlops {
  const N = opts.seqLen ?? 1024;
  const L = opts.meanPatchLength ?? 4.5;
  const dE = c.dim_local_encoder;
  const dD = c.dim_local_decoder;
  const dG = c.dim_global;
  const k = c.cross_attn_k;
  const ctx = Math.min(c.local_window ?? N, N);
  const nCrossEnc = c.cross_attn_all_layers_encoder ? c.n_layers_local_encoder : 1;
  const nCrossDec = c.cross_attn_all_layers_decoder ? c.n_layers_local_decoder : 1;
  const hashAdds = ngramTableCount(c) * dE;
  // per byte: blocks; encoder cross wk,wv + k queries per byte as a key; decoder cross wq,wo + k keys; output
  const localPerByte =
    hashAdds +
    c.n_layers_local_encoder * blockFlops(dE, ffnDim(c, dE), ctx) +
    nCrossEnc * (2 * 2 * dE * dE + 4 * k * dE) +
    c.n_layers_local_decoder * blockFlops(dD, ffnDim(c, dD), ctx) +
    nCrossDec * (2 * 2 * dD * dD + 4 * k * dD) +
    2 * dD * c.vocab_size;
  // per patch: pooled query projection, encoder cross wq,wo on k slots, global, decoder slots and their wk,wv
  const globalPerPatch =
    2 * dE * k * dE +
    nCrossEnc * 2 * 2 * k * dE * dE +
    (hasGlobalInputProjection(c) ? 2 * k * dE * dG : 0) +
    c.n_layers_global * blockFlops(dG, ffnDim(c, dG), N / L) +
    (hasDecoderPatchProjection(c) ? 2 * dG * k * dD : 0) +
    nCrossDec * 2 * 2 * k * dD * dD;
  const forwardPerByte = localPerByte + globalPerPatch / L;
  return { localPerByte, globalPerPatch, forwardPerByte, trainPerByte: 3 * forwardPerByte };
}
