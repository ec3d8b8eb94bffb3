import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import {
  DEFAULT_ENTROPY_MODEL,
  defaultEntropyModelDir,
  requireDefaultEntropyModel,
} from '../../../../src/entropy/default-model.js';
import { evaluateBitsPerByte, takeBytes } from '../../../../src/entropy/eval/bits-per-byte.js';
import { computeLogProbs, computeLogProbsBatch } from '../../../../src/entropy/eval/log-probs.js';
import { loadModelScorer, parseModelSpec } from '../../../../src/entropy/eval/model-scorer.js';
import { saveEntropyModel } from '../../../../src/entropy/model-format/model-dir.js';
import { saveNgramModel } from '../../../../src/entropy/ngram/model-io.js';
import { trainNgramModel } from '../../../../src/entropy/ngram/train.js';
import { documentTokens } from '../../../../src/entropy/train/pack.js';
import { forwardLogits } from '../../../../src/entropy/transformer/forward.js';
import {
  createEntropyTransformer,
  disposeEntropyTransformer,
  exportWeightArrays,
} from '../../../../src/entropy/transformer/model.js';
import type { EntropyTransformer } from '../../../../src/entropy/transformer/types.js';
import { singlePassLogProbs, weightsOf } from '../../../helpers/single-pass-reference.js';

const TINY = {
  vocab_size: 260,
  dim: 16,
  n_layers: 1,
  n_heads: 2,
  ffn_dim: 32,
  window: 16,
  max_seqlen: 32,
  rope_theta: 10000,
  norm_eps: 1e-5,
};
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** ln p of tokens[start+1 .. start+len] from one direct forward over tokens[start, start+len). */
async function direct(
  model: EntropyTransformer,
  tokens: Int32Array,
  start: number,
  len: number,
): Promise<Float32Array> {
  const slice = tokens.subarray(start, start + len);
  const lp = tf.tidy(() => tf.logSoftmax(forwardLogits(model, tf.tensor2d(slice, [1, len], 'int32')), -1));
  const data = (await lp.data()) as Float32Array;
  lp.dispose();
  const n = Math.min(len, tokens.length - 1 - start);
  return Float32Array.from({ length: n }, (_, i) => data[i * 260 + (tokens[start + i + 1] as number)] as number);
}

describe('entropy eval: log-probs and bits per byte', () => {
  let model: EntropyTransformer;
  let root: string;
  before(async () => {
    await initBackend('wasm');
    model = createEntropyTransformer(TINY, 3);
    root = await mkdtemp(join(tmpdir(), 'blt-entropy-eval-'));
  });
  after(async () => {
    disposeEntropyTransformer(model);
    await rm(root, { recursive: true, force: true });
  });

  it('a short document equals one direct forward: lp[i] = ln p(tok[i+1] | tok[..i])', async () => {
    const tokens = documentTokens(enc('hello'));
    const got = await computeLogProbs(model, tokens);
    assert.equal(got.length, tokens.length - 1);
    const want = await direct(model, tokens, 0, tokens.length);
    got.forEach((x, i) => assert.ok(Math.abs(x - (want[i] as number)) < 1e-5, `${i}: ${x} vs ${want[i]}`));
  });

  it('a long document is scored in one pass as the reference does (float64 single-pass oracle), its prefix a direct forward', async () => {
    const tokens = documentTokens(enc('The quick brown fox jumps over the lazy dog, twice.'));
    const got = await computeLogProbs(model, tokens);
    const W = TINY.window;
    const first = await direct(model, tokens, 0, W);
    for (let i = 0; i < W; i++) assert.ok(Math.abs((got[i] as number) - (first[i] as number)) < 1e-5);
    const lp = singlePassLogProbs(TINY, weightsOf(exportWeightArrays(model)), tokens);
    for (let i = 0; i < tokens.length - 1; i++) {
      const want = lp[i * 260 + (tokens[i + 1] as number)] as number;
      assert.ok(Math.abs((got[i] as number) - want) < 1e-5, `pos ${i}: ${got[i]} vs ${want}`);
    }
    assert.ok(got.every((x) => Number.isFinite(x) && x < 0));
  });

  it('batched results do not depend on the other documents', async () => {
    const a = documentTokens(enc('abc'));
    const b = documentTokens(enc('a much longer document than the window of sixteen'));
    const [alone] = await computeLogProbsBatch(model, [a]);
    const [together] = await computeLogProbsBatch(model, [a, b], 2);
    assert.deepEqual(Array.from(together as Float32Array), Array.from(alone as Float32Array));
  });

  it('bits per byte counts bytes + EOS as targets; a uniform model scores log2(260)', async () => {
    const uniform = async (docs: readonly Int32Array[]): Promise<Float32Array[]> =>
      docs.map((d) => new Float32Array(d.length - 1).fill(-Math.log(260)));
    const r = await evaluateBitsPerByte(uniform, [enc('abc'), enc('de')]);
    assert.equal(r.targets, 7);
    assert.equal(r.bytes, 5);
    assert.ok(Math.abs(r.bitsPerByte - Math.log2(260)) < 1e-6);
  });

  it('a byte budget is spread over all documents (common prefix cap, water-filling)', () => {
    const lens = (docs: Uint8Array[]): number[] => docs.map((d) => d.length);
    assert.deepEqual(lens(takeBytes([enc('abc'), enc('de')], 4)), [2, 2]);
    assert.deepEqual(lens(takeBytes([enc('0123456789'), enc('a'), enc('b')], 6)), [4, 1, 1]);
    assert.deepEqual(lens(takeBytes([enc('abc'), enc('de')], 100)), [3, 2]);
    assert.deepEqual(lens(takeBytes([enc('abc'), enc('de'), enc('f')], 2)), []);
  });

  it('loads a transformer directory or an n-gram file by spec, with fingerprints', async () => {
    assert.deepEqual(parseModelSpec('ngram:m.bin'), { kind: 'ngram', path: 'm.bin' });
    assert.deepEqual(parseModelSpec('x/model.ngram'), { kind: 'ngram', path: 'x/model.ngram' });
    assert.deepEqual(parseModelSpec('runs/a/model'), { kind: 'transformer', path: 'runs/a/model' });
    const dir = join(root, 'model');
    const { fingerprint } = await saveEntropyModel(dir, model);
    const t = await loadModelScorer(parseModelSpec(dir));
    assert.equal(t.fingerprint, fingerprint);
    const docs = [enc('hello there')];
    const viaScorer = await evaluateBitsPerByte(t.score, docs);
    t.dispose();
    const [lp] = await computeLogProbsBatch(model, docs.map(documentTokens));
    assert.ok(Math.abs(viaScorer.nats + (lp as Float32Array).reduce((s, x) => s + x, 0)) < 1e-3);
    const ng = trainNgramModel([documentTokens(enc('abababab'))], { order: 2 });
    const path = join(root, 'm.ngram');
    saveNgramModel(path, ng);
    const n = await loadModelScorer(parseModelSpec(`ngram:${path}`));
    assert.equal(n.fingerprint, ng.fingerprint);
    assert.ok((await evaluateBitsPerByte(n.score, [enc('abab')])).bitsPerByte < 8);
  });

  it('the default model path is one constant; its absence is a NOT_FOUND saying what to do', async () => {
    assert.ok(defaultEntropyModelDir().endsWith(DEFAULT_ENTROPY_MODEL));
    if (existsSync(join(defaultEntropyModelDir(), 'config.json'))) {
      assert.equal(await requireDefaultEntropyModel(), defaultEntropyModelDir());
      return;
    }
    await assert.rejects(
      requireDefaultEntropyModel(),
      (e: unknown) => e instanceof BltError && e.code === 'NOT_FOUND' && /--model/.test(e.message),
    );
  });
});
