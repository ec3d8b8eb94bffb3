/**
 * Test oracle: the reference's calculate_entropies (bytelatent/data/patcher.py + LMTransformer,
 * docs/reference.md §2.1–2.3) written out in plain float64 JavaScript, independently of src/entropy:
 * each document is split into chunks of `chunkLength` (8192) tokens; every chunk is one
 * sequence with RoPE positions 0..L−1 (frequencies and angles rounded to float32 as torch's
 * precompute_freqs_cis computes them) and a dense [L,L] local_block_causal mask: key j is visible
 * to query i iff j ≤ i, i − j < window, and no EOS lies in [j, i) (a block ends at and including
 * each EOS). No blocking, no batching, no tfjs.
 */
import type { EntropyTransformerConfig } from '../../src/entropy/transformer/types.js';

const EOS = 2;
const f32 = Math.fround;

type Weights = ReadonlyMap<string, Float32Array>;

function w(weights: Weights, name: string): Float32Array {
  const x = weights.get(name);
  if (!x) throw new Error(`missing weight ${name}`);
  return x;
}

/** y [n, out] = x [n, inp] · Wᵀ with W [out, inp] (PyTorch Linear layout). */
function linear(x: Float64Array, n: number, inp: number, W: Float32Array, out: number): Float64Array {
  const y = new Float64Array(n * out);
  for (let t = 0; t < n; t++) {
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = 0; i < inp; i++) s += (x[t * inp + i] as number) * (W[o * inp + i] as number);
      y[t * out + o] = s;
    }
  }
  return y;
}

function rmsNorm(x: Float64Array, n: number, d: number, g: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    let ms = 0;
    for (let i = 0; i < d; i++) ms += (x[t * d + i] as number) ** 2;
    const r = 1 / Math.sqrt(ms / d + eps);
    for (let i = 0; i < d; i++) y[t * d + i] = (x[t * d + i] as number) * r * (g[i] as number);
  }
  return y;
}

/** In place: interleaved pairs (2i, 2i+1) of each head rotated by angle t·freq_i. */
function rope(x: Float64Array, n: number, d: number, hd: number, theta: number): void {
  const freqs = Array.from({ length: hd / 2 }, (_, i) => f32(1 / f32(theta ** f32((2 * i) / hd))));
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < d / hd; h++) {
      for (let i = 0; i < hd / 2; i++) {
        const a = f32(t * (freqs[i] as number));
        const [c, s] = [Math.cos(a), Math.sin(a)];
        const k = t * d + h * hd + 2 * i;
        const [x0, x1] = [x[k] as number, x[k + 1] as number];
        x[k] = x0 * c - x1 * s;
        x[k + 1] = x0 * s + x1 * c;
      }
    }
  }
}

/** Log-softmax of the logits [n, vocab] of one sequence of n tokens (one chunk), positions 0..n−1. */
function sequenceLogProbs(c: EntropyTransformerConfig, weights: Weights, tokens: Int32Array): Float64Array {
  const n = tokens.length;
  const { dim: d, n_heads: H, ffn_dim: F, vocab_size: V, window: W } = c;
  const hd = d / H;
  const emb = w(weights, 'tok_embeddings.weight');
  let h = new Float64Array(n * d);
  for (let t = 0; t < n; t++) for (let i = 0; i < d; i++) h[t * d + i] = emb[(tokens[t] as number) * d + i] as number;
  // blockStart[i]: first position of i's EOS-delimited block.
  const blockStart = new Int32Array(n);
  for (let i = 1; i < n; i++) blockStart[i] = tokens[i - 1] === EOS ? i : (blockStart[i - 1] as number);
  for (let l = 0; l < c.n_layers; l++) {
    const p = `layers.${l}.`;
    const a = rmsNorm(h, n, d, w(weights, `${p}attention_norm.weight`), c.norm_eps);
    const q = linear(a, n, d, w(weights, `${p}attention.wq.weight`), d);
    const k = linear(a, n, d, w(weights, `${p}attention.wk.weight`), d);
    const v = linear(a, n, d, w(weights, `${p}attention.wv.weight`), d);
    rope(q, n, d, hd, c.rope_theta);
    rope(k, n, d, hd, c.rope_theta);
    const att = new Float64Array(n * d);
    const scores = new Float64Array(n);
    for (let head = 0; head < H; head++) {
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          // dense row of the [n,n] mask
          const visible = j <= i && i - j < W && j >= (blockStart[i] as number);
          if (!visible) {
            scores[j] = -Infinity;
            continue;
          }
          let s = 0;
          for (let e = 0; e < hd; e++) s += (q[i * d + head * hd + e] as number) * (k[j * d + head * hd + e] as number);
          scores[j] = s / Math.sqrt(hd);
          max = Math.max(max, scores[j] as number);
        }
        let z = 0;
        for (let j = 0; j < n; j++) z += Math.exp((scores[j] as number) - max);
        for (let j = 0; j < n; j++) {
          const pj = Math.exp((scores[j] as number) - max) / z;
          if (pj === 0) continue;
          for (let e = 0; e < hd; e++)
            att[i * d + head * hd + e] =
              (att[i * d + head * hd + e] as number) + pj * (v[j * d + head * hd + e] as number);
        }
      }
    }
    const o = linear(att, n, d, w(weights, `${p}attention.wo.weight`), d);
    for (let i = 0; i < n * d; i++) h[i] = (h[i] as number) + (o[i] as number);
    const f = rmsNorm(h, n, d, w(weights, `${p}ffn_norm.weight`), c.norm_eps);
    const g1 = linear(f, n, d, w(weights, `${p}feed_forward.w1.weight`), F);
    const g3 = linear(f, n, d, w(weights, `${p}feed_forward.w3.weight`), F);
    for (let i = 0; i < n * F; i++) {
      const x = g1[i] as number;
      g1[i] = (x / (1 + Math.exp(-x))) * (g3[i] as number);
    }
    const f2 = linear(g1, n, F, w(weights, `${p}feed_forward.w2.weight`), d);
    h = h.map((x, i) => x + (f2[i] as number));
  }
  const logits = linear(rmsNorm(h, n, d, w(weights, 'norm.weight'), c.norm_eps), n, d, w(weights, 'output.weight'), V);
  for (let t = 0; t < n; t++) {
    let max = -Infinity;
    for (let u = 0; u < V; u++) max = Math.max(max, logits[t * V + u] as number);
    let z = 0;
    for (let u = 0; u < V; u++) z += Math.exp((logits[t * V + u] as number) - max);
    const lz = max + Math.log(z);
    for (let u = 0; u < V; u++) logits[t * V + u] = (logits[t * V + u] as number) - lz;
  }
  return logits;
}

/** Log-softmax [n, vocab] of one document: chunks of chunkLength, each its own sequence. */
export function singlePassLogProbs(
  c: EntropyTransformerConfig,
  weights: Weights,
  tokens: Int32Array,
  chunkLength = 8192,
): Float64Array {
  const V = c.vocab_size;
  const out = new Float64Array(tokens.length * V);
  for (let s = 0; s < tokens.length; s += chunkLength)
    out.set(sequenceLogProbs(c, weights, tokens.subarray(s, s + chunkLength)), s * V);
  return out;
}

/** calculate_entropies for one document (entropy of each position's prediction, nats). */
export function singlePassEntropies(
  c: EntropyTransformerConfig,
  weights: Weights,
  tokens: Int32Array,
  chunkLength = 8192,
): Float64Array {
  const V = c.vocab_size;
  const lp = singlePassLogProbs(c, weights, tokens, chunkLength);
  return Float64Array.from({ length: tokens.length }, (_, t) => {
    let h = 0;
    for (let u = 0; u < V; u++) h -= Math.exp(lp[t * V + u] as number) * (lp[t * V + u] as number);
    return h;
  });
}

/** The weights of a live model as the oracle takes them (contract name → float32, PyTorch layout). */
export function weightsOf(arrays: ReadonlyMap<string, { readonly data: Float32Array }>): Map<string, Float32Array> {
  return new Map([...arrays].map(([k, v]) => [k, v.data]));
}
