import type { Tensor } from 'onnxruntime-node';
import { AttentionLayoutCache } from '../transformer/attention-layout.js';
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

  constructor(
    private readonly ort: Ort,
    private readonly config: EntropyTransformerConfig,
  ) {
    this.rope = new RopeTableCache(config.dim, headDim(config), config.rope_theta);
    this.layouts = new AttentionLayoutCache(config.window);
  }

  feeds(T: number, position: number): Record<string, Tensor> {
    const d = this.config.dim;
    const { cos, sin } = this.rope.rows(position, T);
    const l = this.layouts.get(T);
    const t = this.ort.Tensor;
    return {
      rope_cos: new t('float32', cos, [T, d]),
      rope_sin: new t('float32', sin, [T, d]),
      key_index: new t('int32', l.keyIndex, [l.nb, l.S]),
      attn_band: new t('float32', l.band, [l.Bq, l.S]),
      key_valid: new t('float32', l.keyValid, [l.nb, l.S]),
    };
  }
}
