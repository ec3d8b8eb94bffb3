import { BltError } from '../../core/errors.js';
import { slidingWindowMaskArray } from '../transformer/attention-mask.js';
import { headDim } from '../transformer/config.js';
import { ropeTableArrays } from '../transformer/rope.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';
import { layerWeightNames, weightSpecs } from '../transformer/weight-specs.js';
import { ONNX_FLOAT, ONNX_INT32, ONNX_INT64, OnnxGraphBuilder } from './graph-builder.js';
import { swapPairRows, transposeConcat } from './weight-packing.js';

export interface OnnxGraphOptions {
  /** Element type of the `tokens` input (default 'int32': no conversion from Int32Array). */
  readonly tokenType?: 'int32' | 'int64';
  /** Longest T the graph accepts (RoPE/mask tables); default config.window, at most max_seqlen. */
  readonly maxLength?: number;
  /** Also output `logits` [B,T,vocab] (default false). */
  readonly logits?: boolean;
}

/** Checks that every contract tensor is present with the right number of values. */
function checkWeights(c: EntropyTransformerConfig, weights: ReadonlyMap<string, Float32Array>): void {
  for (const spec of weightSpecs(c)) {
    const w = weights.get(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) {
      throw new BltError(
        'MODEL_FORMAT',
        `Expected weight \`${spec.name}\` with ${n} float32 values (shape [${spec.shape.join(', ')}]), got ${w ? `${w.length} values` : 'none'}.`,
        'the weights must match the config (docs/entropy-model-format.md)',
      );
    }
  }
}

function weight(weights: ReadonlyMap<string, Float32Array>, name: string): Float32Array {
  const w = weights.get(name);
  if (!w) throw new BltError('MODEL_FORMAT', `Missing weight \`${name}\`.`);
  return w;
}

/**
 * Builds the contract entropy transformer (docs/entropy-model-format.md) as an ONNX model
 * (IR 8, opset 17, default-domain ops only) and returns the serialised ModelProto.
 *
 *   input  tokens    [B,T] int32|int64, B and T dynamic, T <= maxLength
 *   output entropies [B,T] float32: −Σ_v p·ln p over softmax(logits) (nats)
 *   output logits    [B,T,vocab] float32 (only with options.logits)
 *
 * Graph-level choices (numerically equivalent to the tfjs model within float32 rounding):
 * Wq|Wk fused into one MatMul ([d, 2d]) with 1/sqrt(hd) folded into Wq; interleaved RoPE as
 * qk·cos + swapPairs(qk)·sinSigned where swapPairs(qk) comes from a second MatMul with pair-swapped
 * weight rows (cheaper in onnxruntime than a Gather/Split on a [.., d, 2] view); q and k go to
 * heads with one Transpose; W1|W3 fused ([d, 2ffn]); RMSNorm as x / sqrt(mean(x^2) + eps) · w
 * (the pattern onnxruntime fuses into SimplifiedLayerNormalization); silu(x) = x·sigmoid(x).
 */
export function buildEntropyOnnx(
  c: EntropyTransformerConfig,
  weights: ReadonlyMap<string, Float32Array>,
  options: OnnxGraphOptions = {},
): Uint8Array {
  checkWeights(c, weights);
  const maxLen = options.maxLength ?? c.window;
  if (!Number.isInteger(maxLen) || maxLen < 1 || maxLen > c.max_seqlen) {
    throw new BltError('BAD_OPTION', `Expected \`maxLength\` to be an integer in [1, ${c.max_seqlen}], got ${maxLen}.`);
  }
  const { dim: d, n_heads: H, ffn_dim: F, vocab_size: V } = c;
  const hd = headDim(c);
  const g = new OnnxGraphBuilder();

  // Constants.
  const rope = ropeTableArrays(maxLen, 2 * d, hd, c.rope_theta); // tiled over q|k: [maxLen, 2d]
  g.float('rope_cos', [maxLen, 2 * d], rope.cos);
  g.float('rope_sin_signed', [maxLen, 2 * d], rope.sin);
  g.float('attn_mask', [maxLen, maxLen], slidingWindowMaskArray(maxLen, c.window));
  g.float('two', [], new Float32Array([2]));
  g.float('norm_eps', [], new Float32Array([c.norm_eps]));
  g.int64('zero1', [0]);
  g.int64('zero2', [0, 0]);
  g.int64('axes01', [0, 1]);
  g.int64('axis_last', [-1]);
  g.int64('shape_qk_heads', [0, 0, 2 * H, hd]);
  g.int64('shape_heads', [0, 0, H, hd]);
  g.int64('shape_model', [0, 0, d]);
  g.int64('split_heads', [H, H]);
  g.int64('split_ffn', [F, F]);

  const tokenType = options.tokenType === 'int64' ? ONNX_INT64 : ONNX_INT32;
  const tokens = g.input('tokens', tokenType, ['B', 'T']);

  // T-dependent slices of the tables: [T, 2d] and [T, T].
  const T1 = g.node('Shape', [tokens], { start: 1, end: 2 }); // [1] = T
  const cosT = g.node('Slice', ['rope_cos', 'zero1', T1, 'zero1']);
  const sinT = g.node('Slice', ['rope_sin_signed', 'zero1', T1, 'zero1']);
  const maskT = g.node('Slice', ['attn_mask', 'zero2', g.node('Concat', [T1, T1], { axis: 0 }), 'axes01']);

  const rmsNorm = (x: string, w: string): string => {
    const ms = g.node('ReduceMean', [g.node('Pow', [x, 'two'])], { axes: [-1], keepdims: 1 });
    const rms = g.node('Sqrt', [g.node('Add', [ms, 'norm_eps'])]);
    return g.node('Mul', [g.node('Div', [x, rms]), w]);
  };

  let h = g.node('Gather', [g.float('tok_embeddings', [V, d], weight(weights, 'tok_embeddings.weight')), tokens], { axis: 0 }); // [B,T,d]
  for (let l = 0; l < c.n_layers; l++) {
    const n = layerWeightNames(l);
    const scale = 1 / Math.sqrt(hd);
    const wq = weight(weights, n.wq);
    const wk = weight(weights, n.wk);
    g.float(`l${l}.wqk_t`, [d, 2 * d], transposeConcat(d, [{ data: wq, out: d, scale }, { data: wk, out: d }]));
    g.float(`l${l}.wqk_swap_t`, [d, 2 * d], transposeConcat(d, [
      { data: swapPairRows(wq, d, d), out: d, scale }, { data: swapPairRows(wk, d, d), out: d },
    ]));
    g.float(`l${l}.wv_t`, [d, d], transposeConcat(d, [{ data: weight(weights, n.wv), out: d }]));
    g.float(`l${l}.wo_t`, [d, d], transposeConcat(d, [{ data: weight(weights, n.wo), out: d }]));
    g.float(`l${l}.w13_t`, [d, 2 * F], transposeConcat(d, [{ data: weight(weights, n.w1), out: F }, { data: weight(weights, n.w3), out: F }]));
    g.float(`l${l}.w2_t`, [F, d], transposeConcat(F, [{ data: weight(weights, n.w2), out: d }]));
    g.float(`l${l}.attn_norm`, [d], weight(weights, n.attnNorm));
    g.float(`l${l}.ffn_norm`, [d], weight(weights, n.ffnNorm));

    // Attention.
    const a = rmsNorm(h, `l${l}.attn_norm`);
    const qkLin = g.node('MatMul', [a, `l${l}.wqk_t`]); // [B,T,2d]: q | k
    const qkSwap = g.node('MatMul', [a, `l${l}.wqk_swap_t`]); // [B,T,2d]: pairs swapped
    const qk = g.node('Add', [g.node('Mul', [qkLin, cosT]), g.node('Mul', [qkSwap, sinT])]); // RoPE
    const qkHeads = g.node('Transpose', [g.node('Reshape', [qk, 'shape_qk_heads'])], { perm: [0, 2, 1, 3] }); // [B,2H,T,hd]
    const [q, k] = g.nodeN('Split', [qkHeads, 'split_heads'], { axis: 1 }, 2) as [string, string]; // [B,H,T,hd] each
    const v = g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [a, `l${l}.wv_t`]), 'shape_heads'])], { perm: [0, 2, 1, 3] });
    const scores = g.node('MatMul', [q, g.node('Transpose', [k], { perm: [0, 1, 3, 2] })]); // [B,H,T,T]
    const att = g.node('Softmax', [g.node('Add', [scores, maskT])], { axis: -1 });
    const y = g.node('MatMul', [att, v]); // [B,H,T,hd]
    const yModel = g.node('Reshape', [g.node('Transpose', [y], { perm: [0, 2, 1, 3] }), 'shape_model']); // [B,T,d]
    h = g.node('Add', [h, g.node('MatMul', [yModel, `l${l}.wo_t`])]);

    // SwiGLU feed-forward.
    const f13 = g.node('MatMul', [rmsNorm(h, `l${l}.ffn_norm`), `l${l}.w13_t`]); // [B,T,2F]
    const [f1, f3] = g.nodeN('Split', [f13, 'split_ffn'], { axis: -1 }, 2) as [string, string];
    const gated = g.node('Mul', [g.node('Mul', [f1, g.node('Sigmoid', [f1])]), f3]);
    h = g.node('Add', [h, g.node('MatMul', [gated, `l${l}.w2_t`])]);
  }

  g.float('norm', [d], weight(weights, 'norm.weight'));
  g.float('output_t', [d, V], transposeConcat(d, [{ data: weight(weights, 'output.weight'), out: V }]));
  const logits = g.node('MatMul', [rmsNorm(h, 'norm'), 'output_t']); // [B,T,V]
  const logp = g.node('LogSoftmax', [logits], { axis: -1 });
  const plogp = g.node('ReduceSum', [g.node('Mul', [g.node('Exp', [logp]), logp]), 'axis_last'], { keepdims: 0 });
  g.output('entropies', g.node('Neg', [plogp]), ONNX_FLOAT, ['B', 'T']);
  if (options.logits) g.output('logits', logits, ONNX_FLOAT, ['B', 'T', V]);
  return g.encode('blt_entropy_transformer', JSON.stringify({ config: c, maxLength: maxLen }));
}
