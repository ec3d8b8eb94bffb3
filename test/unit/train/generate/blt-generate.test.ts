/**
 * Generation (docs/reference.md §9): prefix patch lengths with include_next_token, incremental patching
 * (a prefix's boundaries never move as bytes are appended), greedy and seeded sampling, and the
 * loop on a trained tiny run with the entropy model recorded in its data: deterministic, the
 * entropy model sees every growing prefix, and each step's logits equal a direct forward.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../../src/core/rng.js';
import { openEntropyScorer, type EntropyScorer } from '../../../../src/entropy/open-scorer.js';
import { patchLengths } from '../../../../src/patching/patch-lengths.js';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import { resolvePreprocessConfig } from '../../../../src/preprocess/config.js';
import { runPreprocess } from '../../../../src/preprocess/run-preprocess.js';
import { generateBlt } from '../../../../src/train/generate/generate.js';
import { nextByteLogits } from '../../../../src/train/generate/next-byte-logits.js';
import { prefixPatchLengths } from '../../../../src/train/generate/prefix-patches.js';
import { runPatching, type RunPatching } from '../../../../src/train/generate/run-patching.js';
import { sampleToken } from '../../../../src/train/generate/sample-token.js';
import { loadBltRun, type LoadedRun } from '../../../../src/train/trainer/load-run.js';
import { train } from '../../../../src/train/trainer/train-loop.js';
import { tempDir, tinyModelDir, writeCorpus } from '../../../helpers/preprocess-fixtures.js';

const TINY = {
  dim_local_encoder: 16,
  dim_local_decoder: 16,
  n_heads_local: 2,
  dim_global: 32,
  n_layers_global: 1,
  n_heads_global: 2,
  cross_attn_k: 2,
  cross_attn_nheads: 2,
  local_window: 16,
  ngram: { sizes: [3, 4], functions: 1, vocab: 53 },
  multiple_of: 16,
};

describe('blt generate', function () {
  this.timeout(120_000);
  let run: LoadedRun;
  let patching: RunPatching;
  let scorer: EntropyScorer;
  const entropiesOf = async (t: Int32Array): Promise<Float32Array> => (await scorer.score([t]))[0] as Float32Array;

  before(async () => {
    const model = await tinyModelDir();
    const corpus = await writeCorpus(await tempDir('gen-corpus'), 24);
    const shards = await tempDir('gen-shards');
    await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out: shards,
        entropyModel: model,
        ngramIds: false,
        workers: 0,
        threshold: 5.13,
      }),
    );
    const out = await tempDir('gen-run');
    await train({
      data: shards,
      out,
      model: TINY,
      steps: 2,
      batchSize: 2,
      seqLenPatches: 12,
      maxBytesPerRow: 48,
      valFraction: 0,
      logEvery: 1,
    });
    run = await loadBltRun(out);
    patching = await runPatching(run.state);
    assert.equal(patching.entropyModel, model, "the entropy model recorded in the run's data");
    scorer = await openEntropyScorer(model, { backend: 'wasm' });
  });
  after(async () => {
    await scorer.close();
    run.dispose();
  });

  it('prefix patch lengths: include_next_token (Σ = L + 1), first patch 1, boundaries fixed as bytes are appended', async () => {
    const tokens = encodeBytes('Alle Menschen sind frei und gleich an Würde', { eos: false });
    const H = await entropiesOf(tokens);
    const full = prefixPatchLengths(tokens, patching.patching, H);
    assert.deepEqual(
      full,
      patchLengths(tokens, {
        mode: 'entropy',
        entropies: H,
        threshold: patching.patching.threshold as number,
        includeNextToken: true,
      }),
    );
    const starts = (pl: Int32Array): number[] =>
      [...pl].reduce<number[]>((s, l) => [...s, (s[s.length - 1] ?? 0) + l], [0]).slice(0, -1);
    for (let L = 1; L <= tokens.length; L++) {
      const ctx = tokens.subarray(0, L);
      const pl = prefixPatchLengths(ctx, patching.patching, await entropiesOf(ctx));
      assert.equal(
        pl.reduce((a, b) => a + b, 0),
        L + 1,
      );
      assert.equal(pl[0], 1);
      assert.deepEqual(
        starts(pl),
        starts(full).filter((s) => s <= L),
        `prefix ${L}`,
      );
    }
    const stat = prefixPatchLengths(tokens.subarray(0, 10), { mode: 'static', patchSize: 4, monotonicity: false });
    assert.deepEqual([...stat], [1, 3, 4, 3]);
  });

  it('sampling: greedy is the argmax of the allowed ids, top-k 1 is greedy, a seed fixes the sample', () => {
    const logits = Float32Array.from({ length: 260 }, (_, i) => Math.sin(i * 1.7));
    logits[1] = 99; // BOS is never produced
    const allowed = [...logits.keys()].filter((i) => i !== 0 && i !== 1 && i !== 3);
    const argmax = allowed.reduce((a, b) => ((logits[b] as number) > (logits[a] as number) ? b : a));
    assert.equal(sampleToken(logits, { temperature: 0, topK: 0 }), argmax);
    assert.equal(sampleToken(logits, { temperature: 1, topK: 1, rng: Rng.fromSeed(3) }), argmax);
    const draw = (seed: number): number[] => {
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: 20 }, () => sampleToken(logits, { temperature: 1.5, topK: 10, rng }));
    };
    assert.deepEqual(draw(7), draw(7));
    assert.ok(new Set(draw(7)).size > 1);
  });

  it('generates byte by byte: deterministic, entropies of every growing prefix, logits equal a direct forward', async () => {
    const seen: number[] = [];
    const o = {
      prompt: 'Tous les ',
      maxBytes: 12,
      patching: patching.patching,
      entropies: async (t: Int32Array) => (seen.push(t.length), entropiesOf(t)),
    };
    const before = tf.memory().numTensors;
    const a = await generateBlt(run.model, o);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(a.stop === 'eos' || a.bytes === 12, true);
    const promptLen = encodeBytes('Tous les ', { eos: false }).length;
    assert.deepEqual(
      seen,
      Array.from({ length: seen.length }, (_, i) => promptLen + i),
    );
    const b = await generateBlt(run.model, { ...o, entropies: entropiesOf });
    assert.deepEqual(b.tokens, a.tokens);
    // the last step, recomputed directly: its greedy choice is the last generated token
    const ctx = a.tokens.subarray(0, a.tokens.length - 1);
    const logits = nextByteLogits(run.model, ctx, prefixPatchLengths(ctx, patching.patching, await entropiesOf(ctx)));
    if (a.stop === 'max-bytes')
      assert.equal(sampleToken(logits, { temperature: 0, topK: 0 }), a.tokens[a.tokens.length - 1]);
    const s1 = await generateBlt(run.model, { ...o, entropies: entropiesOf, temperature: 1, topK: 20, seed: 5 });
    const s2 = await generateBlt(run.model, { ...o, entropies: entropiesOf, temperature: 1, topK: 20, seed: 5 });
    assert.deepEqual(s1.tokens, s2.tokens);
  });
});
