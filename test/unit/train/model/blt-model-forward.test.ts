/**
 * The BLT forward pass: shapes, information flow (causality, document masking, no target leak
 * through the decoder's patch alignment) and each layer against a dense reference formulation.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import { hashNgramIds } from '../../../../src/patching/ngram-hash.js';
import { linear } from '../../../../src/nn/linear.js';
import { rmsNorm } from '../../../../src/nn/rms-norm.js';
import { crossAttentionWeights } from '../../../../src/train/model/cross-attention-weights.js';
import { decoderCrossAttentionOutput } from '../../../../src/train/model/decoder-cross-attention.js';
import { encoderCrossAttentionOutput } from '../../../../src/train/model/encoder-cross-attention.js';
import {
  MASKED,
  bltConfig,
  bltForward,
  createBltModel,
  decoderPatchIdsFromLengths,
  disposeBltInputs,
  disposeBltModel,
  patchIdsFromLengths,
  prepareBltInputs,
  type BltBatch,
  type BltModel,
  type BltModelConfig,
} from '../../../../src/train/model/index.js';
import { maskedAttention } from '../../../../src/train/model/masked-attention.js';
import { patchMaxPool } from '../../../../src/train/model/patch-pooling.js';

/** Tiny: 2 encoder layers with cross-attention after each, window 5, 4 hash tables (2 sizes × 2 functions). */
const TINY: BltModelConfig = bltConfig({
  dim_local_encoder: 16,
  dim_local_decoder: 16,
  n_layers_local_encoder: 2,
  n_layers_local_decoder: 2,
  n_heads_local: 2,
  dim_global: 32,
  n_layers_global: 2,
  n_heads_global: 2,
  cross_attn_k: 2,
  cross_attn_nheads: 2,
  cross_attn_all_layers_encoder: true,
  cross_attn_all_layers_decoder: true,
  local_window: 5,
  ngram: { sizes: [2, 3], functions: 2, vocab: 37 },
  multiple_of: 16,
});

interface Row {
  /** N + 1 tokens: x = tokens[0..N), y = tokens[1..N]. */
  readonly tokens: readonly number[];
  /** Patch lengths (first 1, sum N + 1); zero-padded to P. */
  readonly pl: readonly number[];
  /** Lengths of the documents the hash n-grams are computed over (default: the whole row). */
  readonly segments?: readonly number[];
}

/** Rows → a BltBatch with n-gram ids hashed per segment (so windows never cross documents). */
function makeBatch(c: BltModelConfig, rows: readonly Row[], P: number): BltBatch {
  const B = rows.length;
  const N = (rows[0] as Row).tokens.length - 1;
  const x = new Int32Array(B * N);
  const y = new Int32Array(B * N);
  const pl = new Int32Array(B * P);
  const T = c.ngram ? c.ngram.functions * c.ngram.sizes.length : 0;
  const ngramIds = new Int32Array(T * B * N);
  rows.forEach((r, b) => {
    x.set(r.tokens.slice(0, N), b * N);
    y.set(r.tokens.slice(1), b * N);
    pl.set(r.pl, b * P);
    let t = 0;
    for (let f = 0; f < (c.ngram?.functions ?? 0); f++) {
      for (const g of c.ngram?.sizes ?? []) {
        let start = 0;
        for (const len of r.segments ?? [N + 1]) {
          const ids = hashNgramIds(r.tokens.slice(start, start + len), g, f, c.ngram?.vocab ?? 1).subarray(
            0,
            Math.max(0, N - start),
          );
          ngramIds.set(ids, t * B * N + b * N + start);
          start += len;
        }
        t++;
      }
    }
  });
  return {
    batchSize: B,
    seqLen: N,
    numPatches: P,
    x,
    patchLengths: pl,
    ngramIds,
    y,
    mask: Uint8Array.from(y, (v) => (v === 0 ? 0 : 1)),
  };
}

function logitsOf(model: BltModel, batch: BltBatch): Float32Array {
  const out = bltForward(model, batch);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

/** Positions (of row 0) whose logits differ between a and b. */
function changedPositions(a: Float32Array, b: Float32Array, V: number): number[] {
  const out: number[] = [];
  for (let i = 0; i * V < a.length; i++) {
    for (let v = 0; v < V; v++) {
      if (a[i * V + v] !== b[i * V + v]) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

/** A single-document row of N + 1 tokens from a seed, with random patch lengths (first 1). */
function randomRow(N: number, seed: number): Row {
  let s = seed >>> 0;
  const rnd = (n: number): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n;
  const tokens = [1, ...Array.from({ length: N }, () => 4 + rnd(256))];
  const pl = [1];
  for (let left = N; left > 0;) {
    const l = Math.min(left, 1 + rnd(4));
    pl.push(l);
    left -= l;
  }
  return { tokens, pl };
}

describe('BLT forward: shapes and inputs', () => {
  let model: BltModel;
  before(async () => {
    await initBackend('cpu');
    model = createBltModel(TINY, 7);
  });
  after(() => disposeBltModel(model));

  it('maps [B,N] bytes to finite logits [B,N,260], from a BltBatch or prepared inputs alike', () => {
    const rows = [randomRow(12, 1), randomRow(12, 2)];
    const P = Math.max(...rows.map((r) => r.pl.length));
    const batch = makeBatch(TINY, rows, P);
    tf.dispose(bltForward(model, batch)); // the first call caches RoPE tables for N and P
    const before = tf.memory().numTensors;
    const logits = bltForward(model, batch);
    assert.deepEqual(logits.shape, [2, 12, 260]);
    assert.equal(logits.dtype, 'float32');
    assert.ok((logits.dataSync() as Float32Array).every(Number.isFinite));
    const inp = prepareBltInputs(TINY, batch);
    const again = bltForward(model, inp);
    assert.deepEqual(again.dataSync(), logits.dataSync());
    disposeBltInputs(inp);
    tf.dispose([logits, again]);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });

  it('builds and runs the projection variants (k·dE ≠ dG; dG = dD with k = 1) and no n-grams', () => {
    for (const c of [
      bltConfig({ ...TINY, cross_attn_k: 3 }),
      bltConfig({
        ...TINY,
        dim_global: 16,
        cross_attn_k: 1,
        ngram: null,
        global_attention: 'causal',
        local_window: null,
      }),
    ]) {
      const m = createBltModel(c, 1);
      const out = bltForward(m, makeBatch(c, [randomRow(10, 3)], randomRow(10, 3).pl.length));
      assert.deepEqual(out.shape, [1, 10, 260]);
      out.dispose();
      disposeBltModel(m);
    }
  });

  it('initialises deterministically from the seed', () => {
    const a = createBltModel(TINY, 7);
    const b = createBltModel(TINY, 8);
    const name = 'local_decoder.cross_attn_layers.1.wk.weight';
    assert.deepEqual(a.weights.get(name)?.dataSync(), model.weights.get(name)?.dataSync());
    assert.notDeepEqual(b.weights.get(name)?.dataSync(), model.weights.get(name)?.dataSync());
    assert.deepEqual([...(a.weights.get('local_decoder.norm.weight')?.dataSync() ?? [])], new Array(16).fill(1));
    disposeBltModel(a);
    disposeBltModel(b);
  });

  it('rejects batches that do not fit the config with BAD_INPUT', () => {
    const batch = makeBatch(TINY, [randomRow(8, 4)], randomRow(8, 4).pl.length);
    const bad = (b: BltBatch, re: RegExp): void =>
      assert.throws(
        () => bltForward(model, b),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT' && re.test(e.message),
      );
    bad({ ...batch, ngramIds: null }, /no `ngramIds`/);
    bad({ ...batch, x: batch.x.map((v) => v + 300) }, /`x` values in \[0, 260\)/);
    bad({ ...batch, patchIds: new Int32Array(8) }, /`patchIds`/);
    bad({ ...batch, patchLengths: batch.patchLengths.map((v, i) => (i === 0 ? 2 : v)) }, /first = 1/);
  });
});

describe('BLT forward: information flow', () => {
  let model: BltModel;
  before(async () => {
    await initBackend('cpu');
    model = createBltModel(TINY, 11);
  });
  after(() => disposeBltModel(model));

  it('is causal: changing byte t changes no logits at positions < t (targets never leak) — fast-check', () => {
    const N = 14;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: N - 1 }), (seed, t) => {
        const row = randomRow(N, seed);
        const edited = { ...row, tokens: row.tokens.map((v, i) => (i === t ? 4 + ((v + 97) % 256) : v)) };
        const P = row.pl.length;
        const changed = changedPositions(
          logitsOf(model, makeBatch(TINY, [row], P)),
          logitsOf(model, makeBatch(TINY, [edited], P)),
          260,
        );
        assert.ok(changed.length > 0 && Math.min(...changed) >= t, `t=${t}: changed ${changed.join(',')}`);
      }),
      { numRuns: 12 },
    );
  });

  it('the logits of position i do not depend on the patch holding its target x[i+1]', () => {
    // pl = [1, 3, 4, 4, 3]: the patch [8..11] holds the target of position 7 (x[8]); edit x[9] and x[10]
    const row: Row = { tokens: [1, ...Array.from({ length: 14 }, (_, i) => 10 + i)], pl: [1, 3, 4, 4, 3] };
    const edited = { ...row, tokens: row.tokens.map((v, i) => (i === 9 || i === 10 ? v + 50 : v)) };
    const changed = changedPositions(
      logitsOf(model, makeBatch(TINY, [row], 5)),
      logitsOf(model, makeBatch(TINY, [edited], 5)),
      260,
    );
    assert.equal(Math.min(...changed), 9);
  });

  // doc A = [BOS, 5 bytes, EOS], doc B = [BOS, 6 bytes, EOS], 3 pad tokens; patches never cross documents
  const A = [1, 10, 11, 12, 13, 14, 2];
  const Bd = [1, 20, 21, 22, 23, 24, 25, 2];
  const packed: Row = { tokens: [...A, ...Bd, 0, 0, 0], pl: [1, 2, 4, 1, 3, 4, 3], segments: [7, 8, 3] };
  const editA = { ...packed, tokens: packed.tokens.map((v, i) => (i === 3 ? 99 : v)) };

  it('isolates documents packed in one row: editing document A changes no logit of document B or the padding', () => {
    const changed = changedPositions(
      logitsOf(model, makeBatch(TINY, [packed], 7)),
      logitsOf(model, makeBatch(TINY, [editA], 7)),
      260,
    );
    assert.ok(changed.length > 0 && Math.max(...changed) < 7, `changed ${changed.join(',')}`);
  });

  it('(control) with a plain causal global mask, document A does reach document B', () => {
    const c = bltConfig({ ...TINY, global_attention: 'causal' });
    const m = createBltModel(c, 11);
    const changed = changedPositions(
      logitsOf(m, makeBatch(c, [packed], 7)),
      logitsOf(m, makeBatch(c, [editA], 7)),
      260,
    );
    disposeBltModel(m);
    assert.ok(Math.max(...changed) >= 7);
  });
});

describe('BLT layers against dense reference formulations', () => {
  let model: BltModel;
  const [B, N, P, k, H, d] = [2, 9, 5, 2, 2, 16];
  // row 0: patches [0] [1,2] [] [3..6] [7,8 | next]; row 1: [0] [1..4] [5] [6..8 | next] []
  const pl = Int32Array.from([1, 2, 0, 4, 3, 1, 4, 1, 4, 0]);
  const pids = patchIdsFromLengths(pl, B, P, N);
  before(async () => {
    await initBackend('cpu');
    model = createBltModel(TINY, 3);
  });
  after(() => disposeBltModel(model));

  function inputs(): { h: tf.Tensor2D; pe: tf.Tensor2D; inp: ReturnType<typeof prepareBltInputs> } {
    const x = new Int32Array(B * N).fill(40);
    const batch: BltBatch = {
      batchSize: B,
      seqLen: N,
      numPatches: P,
      x,
      patchLengths: pl,
      ngramIds: new Int32Array(4 * B * N),
    };
    const h = tf.randomNormal([B * N, d], 0, 1, 'float32', 5) as tf.Tensor2D;
    const pe = tf.randomNormal([B * P * k, d], 0, 1, 'float32', 6) as tf.Tensor2D;
    return { h, pe, inp: prepareBltInputs(TINY, batch) };
  }

  it('max-pools each patch’s bytes; empty patches are exactly 0', () => {
    const { h, pe, inp } = inputs();
    const pooled = patchMaxPool(h, inp.patchIndex, inp.patchPad, inp.patchNonEmpty).arraySync();
    const hs = h.arraySync();
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) {
        const rows = hs.filter((_, r) => Math.floor(r / N) === b && pids[r] === p);
        const want = Array.from({ length: d }, (_, c) =>
          rows.length ? Math.max(...rows.map((r) => r[c] as number)) : 0,
        );
        assert.deepEqual(
          pooled[b * P + p]?.map((v) => v + 0),
          want,
          `patch ${p} of row ${b}`,
        ); // +0: −0 counts as 0
      }
    }
    tf.dispose([h, pe]);
    disposeBltInputs(inp);
  });

  it('encoder cross-attention = dense attention with the [P·k, N] own-patch mask; fully masked rows give exactly 0', () => {
    const { h, pe, inp } = inputs();
    const w = crossAttentionWeights(model, 'local_encoder', 1);
    const got = encoderCrossAttentionOutput(
      pe,
      h,
      w,
      { index: inp.patchIndex, pad: inp.patchPad, nonEmpty: inp.patchNonEmpty },
      k,
      H,
      1e-5,
    );
    const mask = new Float32Array(B * P * k * N).fill(MASKED);
    const any = new Float32Array(B * P * k);
    for (let b = 0; b < B; b++) {
      for (let q = 0; q < P * k; q++) {
        for (let j = 0; j < N; j++) {
          if (pids[b * N + j] === Math.floor(q / k)) {
            mask[(b * P * k + q) * N + j] = 0;
            any[b * P * k + q] = 1;
          }
        }
      }
    }
    const want = tf.tidy(() => {
      const q = tf.mul(linear(rmsNorm(pe, w.normQ, 1e-5), w.wq), 1 / Math.sqrt(d / H)) as tf.Tensor2D;
      const kv = rmsNorm(h, w.normKv, 1e-5);
      const att = maskedAttention(
        q,
        linear(kv, w.wk),
        linear(kv, w.wv),
        B,
        P * k,
        N,
        H,
        tf.tensor4d(mask, [B, 1, P * k, N]),
      );
      return linear(tf.mul(att, tf.tensor2d(any, [B * P * k, 1])) as tf.Tensor2D, w.wo);
    });
    const g = got.dataSync();
    const e = want.dataSync();
    for (let i = 0; i < e.length; i++) assert.ok(Math.abs((g[i] as number) - (e[i] as number)) < 1e-5, `element ${i}`);
    const empty = [2, 9].flatMap((bp) => [bp * k, bp * k + 1]); // row 0 patch 2; row 1 patch 4
    for (const r of empty)
      assert.ok(
        g.subarray(r * d, (r + 1) * d).every((v) => v === 0),
        `slot ${r}`,
      ); // ±0
    tf.dispose([h, pe, got, want]);
    disposeBltInputs(inp);
  });

  it('decoder cross-attention = dense attention with the [N, P·k] dec_pid mask', () => {
    const { h, pe, inp } = inputs();
    const w = crossAttentionWeights(model, 'local_decoder', 0);
    const got = decoderCrossAttentionOutput(h, pe, w, inp.slotIndex, k, H, 1e-5);
    const dec = decoderPatchIdsFromLengths(pl, B, P, N);
    const mask = new Float32Array(B * N * P * k).fill(MASKED);
    for (let r = 0; r < B * N; r++)
      for (let s = 0; s < P * k; s++) if (Math.floor(s / k) === dec[r]) mask[r * P * k + s] = 0;
    const want = tf.tidy(() => {
      const q = tf.mul(linear(rmsNorm(h, w.normQ, 1e-5), w.wq), 1 / Math.sqrt(d / H)) as tf.Tensor2D;
      const kv = rmsNorm(pe, w.normKv, 1e-5);
      return linear(
        maskedAttention(q, linear(kv, w.wk), linear(kv, w.wv), B, N, P * k, H, tf.tensor4d(mask, [B, 1, N, P * k])),
        w.wo,
      );
    });
    const g = got.dataSync();
    const e = want.dataSync();
    for (let i = 0; i < e.length; i++) assert.ok(Math.abs((g[i] as number) - (e[i] as number)) < 1e-5, `element ${i}`);
    tf.dispose([h, pe, got, want]);
    disposeBltInputs(inp);
  });
});
