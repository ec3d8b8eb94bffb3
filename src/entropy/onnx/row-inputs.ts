import type { Tensor } from 'onnxruntime-node';
import { AttentionLayoutCache, PieceLayoutCache } from '../transformer/attention-layout.js';
import { headDim } from '../transformer/config.js';
import { RopeTableCache } from '../../nn/rope.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';
import type { Ort } from './load-ort.js';

/**
 * The non-token inputs of the entropy graph (build-graph.ts) for rows of padded length T starting
 * at RoPE position `position`: RoPE rows [T,d] and the attention layout (attention-layout.ts).
 * Tables are cached and fed as zero-copy views; the same arrays as the tfjs engine uses.
 */
export class OnnxRowInputs {
  private readonly rope: RopeTableCache;
  private readonly layouts: AttentionLayoutCache;
  private readonly pieces: PieceLayoutCache;

  constructor(
    private readonly ort: Ort,
    private readonly config: EntropyTransformerConfig,
  ) {
    this.rope = new RopeTableCache(config.dim, headDim(config), config.rope_theta);
    this.layouts = new AttentionLayoutCache(config.window);
    this.pieces = new PieceLayoutCache(config.window);
  }

  /** Inputs of the rows graph for rows of padded length T (dense or whole-row blocked layout). */
  feeds(T: number, position: number): Record<string, Tensor> {
    const l = this.layouts.get(T);
    return this.tensors(position, T, { ...l, nv: l.nb });
  }

  /**
   * Inputs of the piece graph (buildEntropyOnnx `carry`) for a piece of P queries at offset `start`
   * of rows whose first token sits at RoPE position `position`; `past` holds each layer's carried
   * keys and values (pastKeys for the first piece, then the previous piece's present outputs).
   */
  pieceFeeds(P: number, start: number, position: number, past: Record<string, Tensor>): Record<string, Tensor> {
    const l = this.pieces.get(P, start);
    return { ...this.tensors(position + start, P, { ...l, nb: l.np }), ...past };
  }

  /** RoPE rows [T,d] from position `from` and a layout's key_index [nb,S], attn_band [Bq,S], key_valid [nv,S]. */
  private tensors(
    from: number,
    T: number,
    l: {
      nb: number;
      nv: number;
      Bq: number;
      S: number;
      keyIndex: Int32Array;
      band: Float32Array;
      keyValid: Float32Array;
    },
  ): Record<string, Tensor> {
    const d = this.config.dim;
    const { cos, sin } = this.rope.rows(from, T);
    const t = this.ort.Tensor;
    return {
      rope_cos: new t('float32', cos, [T, d]),
      rope_sin: new t('float32', sin, [T, d]),
      key_index: new t('int32', l.keyIndex, [l.nb, l.S]),
      attn_band: new t('float32', l.band, [l.Bq, l.S]),
      key_valid: new t('float32', l.keyValid, [l.nv, l.S]),
    };
  }

  /** Zero keys and values carried into the first piece of B rows (masked: they lie before position 0). */
  pastKeys(B: number): Record<string, Tensor> {
    const c = this.config;
    const dims = [B, c.n_heads, this.pieces.lead, headDim(c)];
    const zeros = new Float32Array(B * c.n_heads * this.pieces.lead * headDim(c));
    const past: Record<string, Tensor> = {};
    for (let i = 0; i < c.n_layers; i++) {
      past[`past_k${i}`] = new this.ort.Tensor('float32', zeros, dims);
      past[`past_v${i}`] = new this.ort.Tensor('float32', zeros, dims);
    }
    return past;
  }
}
