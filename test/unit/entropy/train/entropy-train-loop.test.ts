import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { AdamW } from '../../../../src/train/common/adamw.js';
import { resolveTrainConfig, type TrainConfigInput } from '../../../../src/entropy/train/config.js';
import { ByteSequenceLoader } from '../../../../src/entropy/train/loader.js';
import { packDocuments } from '../../../../src/entropy/train/pack.js';
import { trainEntropyModel, type TrainData } from '../../../../src/entropy/train/train-loop.js';
import { trainStep } from '../../../../src/entropy/train/train-step.js';
import { loadEntropyModel } from '../../../../src/entropy/model-format/model-dir.js';
import { createEntropyTransformer, disposeEntropyTransformer } from '../../../../src/entropy/transformer/model.js';

const TINY = { dim: 16, n_layers: 1, n_heads: 2, ffn_dim: 32, window: 16, max_seqlen: 32 };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function repetitiveData(): TrainData {
  const train = Array.from({ length: 12 }, (_, i) => enc(`the cat sat on the mat ${i % 3}. `.repeat(6)));
  const val = [enc('the cat sat on the mat 1. the cat sat on the mat 2. ')];
  return { train, val, recipe: { inputs: ['test'], documents: { train: 12, val: 1 }, bytes: { train: 0, val: 0 } } };
}

function tiny(extra: TrainConfigInput = {}): ReturnType<typeof resolveTrainConfig> {
  return resolveTrainConfig({
    model: TINY,
    seqLen: 16,
    batchSize: 4,
    steps: 6,
    warmup: 2,
    lr: 1e-2,
    evalEvery: 0,
    checkpointEvery: 0,
    logEvery: 1,
    ...extra,
  });
}

describe('entropy train: training loop (wasm)', () => {
  let root: string;
  before(async () => {
    await initBackend('wasm');
    root = await mkdtemp(join(tmpdir(), 'blt-entropy-train-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('kill-and-resume: 3 steps + stop + resume 3 steps gives the losses of an uninterrupted 6-step run', async () => {
    const cfg = tiny();
    const data = repetitiveData();
    const full = await trainEntropyModel(cfg, data, { outDir: join(root, 'full') });
    assert.equal(full.losses.length, 6);
    const out = join(root, 'split');
    let polls = 0; // a SIGINT arriving during step 3
    const first = await trainEntropyModel(cfg, data, { outDir: out, hooks: { shouldStop: () => (polls += 1) >= 3 } });
    assert.equal(first.interrupted, true);
    assert.equal(first.step, 3);
    assert.equal(first.modelDir, null);
    const third = await trainEntropyModel(cfg, data, { outDir: out, resume: true });
    assert.equal(third.step, 6);
    const resumed = [...first.losses, ...third.losses];
    assert.equal(resumed.length, 6);
    resumed.forEach((l, i) =>
      assert.ok(Math.abs(l - (full.losses[i] as number)) < 1e-6, `step ${i + 1}: ${l} vs ${full.losses[i]}`),
    );
    assert.ok(Math.abs((third.heldOut?.bitsPerByte as number) - (full.heldOut?.bitsPerByte as number)) < 1e-6);
    // metrics.jsonl reads as one run: one train line per step, in order
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; step: number });
    assert.deepEqual(
      lines.filter((l) => l.event === 'train').map((l) => l.step),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('writes atomic checkpoints keeping the last N, and the final model with training metadata', async () => {
    const out = join(root, 'ckpt');
    const res = await trainEntropyModel(tiny({ checkpointEvery: 2, keep: 2 }), repetitiveData(), {
      outDir: out,
      metadata: { command: 'test' },
    });
    assert.deepEqual((await readdir(join(out, 'checkpoints'))).sort(), ['0000000004', '0000000006']);
    assert.deepEqual((await readdir(join(out, 'checkpoints', '0000000006'))).sort(), [
      'model.safetensors',
      'optimizer.safetensors',
      'train-state.json',
    ]);
    const state = JSON.parse(
      await readFile(join(out, 'checkpoints', '0000000006', 'train-state.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(state.step, 6);
    for (const k of ['config', 'loader', 'rng', 'optimizer', 'data', 'progress']) assert.ok(k in state, k);
    const loaded = await loadEntropyModel(join(out, 'model'));
    assert.equal(loaded.fingerprint, res.fingerprint);
    const training = loaded.training as Record<string, unknown>;
    assert.equal(training.command, 'test');
    assert.equal(training.seed, 0);
    assert.equal(typeof training.held_out_bpb, 'number');
    disposeEntropyTransformer(loaded.model);
  });

  it('refuses to resume with different numeric options, naming them', async () => {
    const out = join(root, 'mismatch');
    await trainEntropyModel(tiny({ steps: 2 }), repetitiveData(), { outDir: out });
    await assert.rejects(
      trainEntropyModel(tiny({ steps: 2, lr: 5e-3 }), repetitiveData(), { outDir: out, resume: true }),
      /lr: 0\.01 → 0\.005/,
    );
  });

  it('lowers the loss on a tiny repetitive corpus within a few dozen steps', async () => {
    const res = await trainEntropyModel(tiny({ steps: 40, warmup: 4, lr: 2e-2 }), repetitiveData(), {
      outDir: join(root, 'learn'),
    });
    const head = res.losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const tail = res.losses.slice(-3).reduce((a, b) => a + b) / 3;
    assert.ok(tail < head * 0.6, `loss ${head} → ${tail}`);
    assert.ok(
      (res.heldOut?.bitsPerByte as number) < (res.unigramBpb as number),
      `${res.heldOut?.bitsPerByte} vs unigram ${res.unigramBpb}`,
    );
  });

  it('refuses a fresh run in a directory that holds checkpoints, and leaves no tensors behind', async () => {
    const out = join(root, 'twice');
    const before = tf.memory().numTensors;
    await trainEntropyModel(tiny({ steps: 2 }), repetitiveData(), { outDir: out });
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(
      trainEntropyModel(tiny({ steps: 2 }), repetitiveData(), { outDir: out }),
      /already holds checkpoints[\s\S]*--resume/,
    );
  });

  it('does not leak tensors per step', async () => {
    const cfg = tiny();
    const model = createEntropyTransformer(cfg.model, 1);
    const opt = new AdamW(model.weights);
    const loader = ByteSequenceLoader.create(packDocuments(repetitiveData().train), cfg.seqLen, 1);
    const step = (): void => {
      const r = trainStep(model, opt, loader.nextBatch(cfg.batchSize), 1e-3, 1);
      tf.dispose([r.loss, r.gradNorm]);
    };
    step(); // first call builds the per-length constants
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    opt.dispose();
    disposeEntropyTransformer(model);
  });
});
