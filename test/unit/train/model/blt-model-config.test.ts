import assert from 'node:assert/strict';
import { BltError } from '../../../../src/core/errors.js';
import {
  DEFAULT_BLT_CONFIG,
  bltConfig,
  bltFlops,
  bltParameterCounts,
  bltWeightSpecs,
  ffnDim,
  hasDecoderPatchProjection,
  hasGlobalInputProjection,
  validateBltConfig,
} from '../../../../src/train/model/index.js';

function assertBadOption(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION' && re.test(e.message));
}

describe('BLT model config', () => {
  it('default: local 128 (1 enc + 2 dec layers), global 256 × 4, k = 2 with k·dE = dG, hash 3..8 × 1 × 20011', () => {
    const c = DEFAULT_BLT_CONFIG;
    assert.equal(c.cross_attn_k * c.dim_local_encoder, c.dim_global);
    assert.equal(hasGlobalInputProjection(c), false);
    assert.equal(hasDecoderPatchProjection(c), true);
    assert.deepEqual(c.ngram, { sizes: [3, 4, 5, 6, 7, 8], functions: 1, vocab: 20011 });
    assert.equal(ffnDim(c, 128), 512);
    assert.equal(ffnDim(c, 256), 768);
    assert.deepEqual(validateBltConfig({ ...c }), c);
  });

  it('parameter counts add up to the weight specs; the default has 19.93M (15.40M embeddings)', () => {
    const c = DEFAULT_BLT_CONFIG;
    const total = bltWeightSpecs(c).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    const p = bltParameterCounts(c);
    assert.equal(p.total, total);
    assert.equal(p.embedding + p.localEncoder + p.global + p.localDecoder, total);
    assert.equal(p.embedding, 260 * 128 + 6 * 20011 * 128);
    assert.equal(p.total, 19_927_936);
  });

  it('weights carry the reference state-dict names', () => {
    const names = new Set(
      bltWeightSpecs(
        bltConfig({ cross_attn_all_layers_encoder: true, n_layers_local_encoder: 2, cross_attn_k: 3 }),
      ).map((s) => s.name),
    );
    for (const n of [
      'local_encoder.tok_embeddings.weight',
      'encoder_hash_tok_embedding.5.weight',
      'local_encoder.layers.1.attention.wq.weight',
      'local_encoder.layers.0.feed_forward.w2.weight',
      'local_encoder.layers.0.attention_norm.weight',
      'local_encoder.patch_embedding_projection.weight',
      'local_encoder.cross_attn_layers.1.cross_attn_norm_kv.weight',
      'global_transformer.token_embedding_projection.weight',
      'global_transformer.layers.3.ffn_norm.weight',
      'local_decoder.cross_attn_layers.1.wo.weight',
      'local_decoder.patch_embedding_projection.weight',
      'local_decoder.norm.weight',
      'local_decoder.output.weight',
    ])
      assert.ok(names.has(n), n);
    assert.ok(!names.has('encoder_hash_tok_embedding.6.weight'));
    assert.ok(!names.has('local_decoder.tok_embeddings.weight'));
  });

  it('FLOPs per byte: local per byte + global per patch / mean patch length, training 3×', () => {
    const f = bltFlops(DEFAULT_BLT_CONFIG, { seqLen: 1024, meanPatchLength: 4.5 });
    assert.equal(f.forwardPerByte, f.localPerByte + f.globalPerPatch / 4.5);
    assert.equal(f.trainPerByte, 3 * f.forwardPerByte);
    // one global block at dG 256, hidden 768, context 1024/4.5 patches
    const block = 2 * (4 * 256 * 256 + 3 * 256 * 768) + 4 * 256 * (1024 / 4.5);
    assert.ok(f.globalPerPatch > 4 * block && f.globalPerPatch < 4 * block * 1.3);
    assert.ok(Math.abs(f.forwardPerByte / 4.48e6 - 1) < 0.01, `${f.forwardPerByte}`);
    assert.ok(bltFlops(DEFAULT_BLT_CONFIG, { meanPatchLength: 8 }).forwardPerByte < f.forwardPerByte);
  });

  it('rejects inconsistent configs with BAD_OPTION naming the field', () => {
    const base: Record<string, unknown> = { ...DEFAULT_BLT_CONFIG };
    assertBadOption(() => validateBltConfig({ ...base, dim_local_decoder: 64 }), /dim_local_decoder/);
    assertBadOption(() => validateBltConfig({ ...base, n_heads_local: 3 }), /n_heads_local/);
    assertBadOption(() => validateBltConfig({ ...base, n_heads_global: 256 }), /even head dim/);
    assertBadOption(() => validateBltConfig({ ...base, cross_attn_nheads: 5 }), /cross_attn_nheads/);
    assertBadOption(() => validateBltConfig({ ...base, dim_global: 128, cross_attn_k: 2 }), /cross_attn_k/);
    assertBadOption(
      () => validateBltConfig({ ...base, ngram: { sizes: [], functions: 1, vocab: 10 } }),
      /ngram\.sizes/,
    );
    assertBadOption(
      () => validateBltConfig({ ...base, ngram: { sizes: [3], functions: 12, vocab: 10 } }),
      /ngram\.functions/,
    );
    assertBadOption(() => validateBltConfig({ ...base, global_attention: 'full' }), /global_attention/);
    assertBadOption(() => validateBltConfig({ ...base, local_window: 0 }), /local_window/);
    assertBadOption(() => validateBltConfig({ ...base, cross_attn_all_layers_decoder: 1 }), /a boolean/);
    assertBadOption(() => validateBltConfig({ ...base, dim: 12 }), /Unknown key `dim`/);
    assert.equal(bltConfig({ dim_global: 128, cross_attn_k: 1 }).cross_attn_k, 1);
    assert.equal(bltConfig({ ngram: null, local_window: null }).ngram, null);
  });
});
