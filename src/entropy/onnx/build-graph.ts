import { BltError } from '../../core/errors.js';
import { headDim } from '../transformer/config.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';
import { layerWeightNames, weightSpecs } from '../transformer/weight-specs.js';
import { ONNX_FLOAT, ONNX_INT32, ONNX_INT64, OnnxGraphBuilder } from './graph-builder.js';
import { swapPairRows, transposeConcat } from './weight-packing.js';

export interface OnnxGraphOptions {
  /** Element type of the `tokens` input (default 'int32': no conversion from Int32Array). */
  readonly tokenType?: 'int32' | 'int64';
  /** Also output `logits` [B,T,vocab] (default false). */
  readonly logits?: boolean;
  /** The piece graph of long rows: per layer, keys/values of the `lead` positions before the piece in, and out. */
  readonly carry?: boolean;
}

/** Checks that every contract tensor is present with the right number of values. */
function checkWeights(c: EntropyTransformerConfig, weights: ReadonlyMap<string, Float32Array>): void {
  for (const spec of weightSpecs(c)) {
    const w = weights.get(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) {
      throw new BltError(
        'MODEL_FORMAT',
        `Expected weight \`${spec.name}\` with ${n} float32 values (shape [${spec.shape.join(', ')}]), ` +
          `got ${w ? `${w.length} values` : 'none'}.`,
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
 *   input  tokens    [B,T] int32|int64, B and T dynamic
 *   input  rope_cos, rope_sin [T,d] float32: ropeTableArrays rows of the row's positions
 *   input  key_index [nb,S] int32, attn_band [Bq,S], key_valid [nb,S] float32: the attention
 *          layout (attention-layout.ts; T = nb·Bq), dense (nb 1) or blocked; see onnxRowInputs
 *   output entropies [B,T] float32: −Σ_v p·ln p over softmax(logits) (nats)
 *   output logits    [B,T,vocab] float32 (only with options.logits)
 *
 * Graph-level choices (numerically equivalent to the tfjs model within float32 rounding):
 * Wq|Wk fused into one MatMul ([d, 2d]) with 1/sqrt(hd) folded into Wq; interleaved RoPE as
 * qk·cos + swapPairs(qk)·sinSigned where swapPairs(qk) comes from a second MatMul with pair-swapped
 * weight rows (cheaper in onnxruntime than a Gather/Split on a [.., d, 2] view); q and k go to
 * heads with one Transpose, then each block's S keys and values are gathered from [B,H,T,hd]
 * (contiguous hd rows; transposing the gathered [B,nb,S,d] instead cost 30 % of the run); W1|W3 fused ([d, 2ffn]);
 * RMSNorm as x / sqrt(mean(x^2) + eps) · w
 * (the pattern onnxruntime fuses into SimplifiedLayerNormalization); silu(x) = x·sigmoid(x).
 */
export function buildEntropyOnnx(
  c: EntropyTransformerConfig,
  weights: ReadonlyMap<string, Float32Array>,
  options: OnnxGraphOptions = {},
): Uint8Array {
  checkWeights(c, weights);
  const { dim: d, n_heads: H, ffn_dim: F, vocab_size: V } = c;
  const hd = headDim(c);
  const g = new OnnxGraphBuilder();

  // Constants.
  g.float('two', [], new Float32Array([2]));
  g.float('norm_eps', [], new Float32Array([c.norm_eps]));
  g.int64('axis0', [0]);
  g.int64('axis1', [1]);
  g.int64('axis_last', [-1]);
  g.int64('shape_q_blocks', [0, 0, -1]);
  g.int64('shape_hd', [hd]);
  g.int64('shape_qk_heads', [0, 0, 2 * H, hd]);
  g.int64('shape_heads', [0, 0, H, hd]);
  g.int64('shape_head_rows', [0, 0, -1, hd]);
  g.int64('shape_model', [0, 0, d]);
  g.int64('split_heads', [H, H]);
  g.int64('split_ffn', [F, F]);

  const tokenType = options.tokenType === 'int64' ? ONNX_INT64 : ONNX_INT32;
  const tokens = g.input('tokens', tokenType, ['B', 'T']);
  const ropeCos = g.input('rope_cos', ONNX_FLOAT, ['T', d]);
  const ropeSin = g.input('rope_sin', ONNX_FLOAT, ['T', d]);
  const keyIndex = g.input('key_index', ONNX_INT32, ['nb', 'S']);
  const band = g.input('attn_band', ONNX_FLOAT, ['Bq', 'S']);
  const keyValid = g.input('key_valid', ONNX_FLOAT, ['nb', 'S']);
  const carry = options.carry === true;
  if (carry) {
    g.int64('axis2', [2]);
    g.int64('int_max', [2 ** 53 - 1]);
  }

  // Per-call tables: RoPE tiled over q|k [T,2d]; mask [nb,Bq,S]; q blocks shape [B,H,nb,Bq,hd].
  const cosT = g.node('Concat', [ropeCos, ropeCos], { axis: 1 });
  const sinT = g.node('Concat', [ropeSin, ropeSin], { axis: 1 });
  const mask = g.node('Add', [g.node('Unsqueeze', [band, 'axis0']), g.node('Unsqueeze', [keyValid, 'axis1'])]);
  const Bq = g.node('Shape', [band], { start: 0, end: 1 });
  const shapeQ = g.node('Concat', ['shape_q_blocks', Bq, 'shape_hd'], { axis: 0 });

  const rmsNorm = (x: string, w: string): string => {
    const ms = g.node('ReduceMean', [g.node('Pow', [x, 'two'])], { axes: [-1], keepdims: 1 });
    const rms = g.node('Sqrt', [g.node('Add', [ms, 'norm_eps'])]);
    return g.node('Mul', [g.node('Div', [x, rms]), w]);
  };

  let h = g.node('Gather', [g.float('tok_embeddings', [V, d], weight(weights, 'tok_embeddings.weight')), tokens], {
    axis: 0,
  }); // [B,T,d]
  for (let l = 0; l < c.n_layers; l++) {
    const n = layerWeightNames(l);
    const scale = 1 / Math.sqrt(hd);
    const wq = weight(weights, n.wq);
    const wk = weight(weights, n.wk);
    g.float(
      `l${l}.wqk_t`,
      [d, 2 * d],
      transposeConcat(d, [
        { data: wq, out: d, scale },
        { data: wk, out: d },
      ]),
    );
    g.float(
      `l${l}.wqk_swap_t`,
      [d, 2 * d],
      transposeConcat(d, [
        { data: swapPairRows(wq, d, d), out: d, scale },
        { data: swapPairRows(wk, d, d), out: d },
      ]),
    );
    g.float(`l${l}.wv_t`, [d, d], transposeConcat(d, [{ data: weight(weights, n.wv), out: d }]));
    g.float(`l${l}.wo_t`, [d, d], transposeConcat(d, [{ data: weight(weights, n.wo), out: d }]));
    g.float(
      `l${l}.w13_t`,
      [d, 2 * F],
      transposeConcat(d, [
        { data: weight(weights, n.w1), out: F },
        { data: weight(weights, n.w3), out: F },
      ]),
    );
    g.float(`l${l}.w2_t`, [F, d], transposeConcat(F, [{ data: weight(weights, n.w2), out: d }]));
    g.float(`l${l}.attn_norm`, [d], weight(weights, n.attnNorm));
    g.float(`l${l}.ffn_norm`, [d], weight(weights, n.ffnNorm));

    // Attention over the layout's blocks.
    const a = rmsNorm(h, `l${l}.attn_norm`);
    const qkLin = g.node('MatMul', [a, `l${l}.wqk_t`]); // [B,T,2d]: q | k
    const qkSwap = g.node('MatMul', [a, `l${l}.wqk_swap_t`]); // [B,T,2d]: pairs swapped
    const qk = g.node('Add', [g.node('Mul', [qkLin, cosT]), g.node('Mul', [qkSwap, sinT])]); // RoPE
    // [B,2H,T,hd]
    const qkHeads = g.node('Transpose', [g.node('Reshape', [qk, 'shape_qk_heads'])], { perm: [0, 2, 1, 3] });
    const [qh, kh] = g.nodeN('Split', [qkHeads, 'split_heads'], { axis: 1 }, 2) as [string, string]; // [B,H,T,hd] each
    const vh = g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [a, `l${l}.wv_t`]), 'shape_heads'])], {
      perm: [0, 2, 1, 3],
    });
    const q = g.node('Reshape', [qh, shapeQ]); // [B,H,nb,Bq,hd]
    let kSrc = kh;
    let vSrc = vh;
    if (carry) {
      const pastK = g.input(`past_k${l}`, ONNX_FLOAT, ['B', H, 'lead', hd]);
      const pastV = g.input(`past_v${l}`, ONNX_FLOAT, ['B', H, 'lead', hd]);
      kSrc = g.node('Concat', [pastK, kh], { axis: 2 }); // [B,H,lead+T,hd]
      vSrc = g.node('Concat', [pastV, vh], { axis: 2 });
      const from = g.node('Neg', [g.node('Shape', [pastK], { start: 2, end: 3 })]);
      g.output(`present_k${l}`, g.node('Slice', [kSrc, from, 'int_max', 'axis2']), ONNX_FLOAT, ['B', H, 'lead', hd]);
      g.output(`present_v${l}`, g.node('Slice', [vSrc, from, 'int_max', 'axis2']), ONNX_FLOAT, ['B', H, 'lead', hd]);
    }
    // [B,H,nb,hd,S]
    const kTr = g.node('Transpose', [g.node('Gather', [kSrc, keyIndex], { axis: 2 })], { perm: [0, 1, 2, 4, 3] });
    const v = g.node('Gather', [vSrc, keyIndex], { axis: 2 }); // [B,H,nb,S,hd]
    const scores = g.node('MatMul', [q, kTr]); // [B,H,nb,Bq,S]
    const att = g.node('Softmax', [g.node('Add', [scores, mask])], { axis: -1 });
    const y = g.node('MatMul', [att, v]); // [B,H,nb,Bq,hd]
    const yHeads = g.node('Reshape', [y, 'shape_head_rows']); // [B,H,T,hd]
    const yModel = g.node('Reshape', [g.node('Transpose', [yHeads], { perm: [0, 2, 1, 3] }), 'shape_model']); // [B,T,d]
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
  return g.encode('blt_entropy_transformer', JSON.stringify({ config: c }));
}

/** The two graphs a scorer opens: `rows` for rows of at most `window` tokens, `pieces` (carry) for longer rows. */
export interface OnnxEntropyGraphs {
  readonly rows: Uint8Array;
  readonly pieces: Uint8Array;
}

/** buildEntropyOnnx without and with `carry` (int32 tokens). */
export function buildEntropyOnnxGraphs(
  c: EntropyTransformerConfig,
  weights: ReadonlyMap<string, Float32Array>,
): OnnxEntropyGraphs {
  return { rows: buildEntropyOnnx(c, weights), pieces: buildEntropyOnnx(c, weights, { carry: true }) };
}
