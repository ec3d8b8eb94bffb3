import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { brownDocuments } from '../../../../src/ingest/corpora/index.js';
import { resolveTrainConfig } from '../../../../src/entropy/train/config.js';
import { splitByDocument } from '../../../../src/entropy/train/split.js';
import { trainEntropyModel } from '../../../../src/entropy/train/train-loop.js';
import { utf8EncodeIgnore } from '../../../../src/bytes/utf8.js';

describe('entropy train: a short run on real text (Brown, wasm)', () => {
  let root: string;
  before(async () => {
    await initBackend('wasm');
    root = await mkdtemp(join(tmpdir(), 'blt-entropy-real-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('held-out bits per byte fall below 8 and below the unigram baseline', async () => {
    const docs = [...brownDocuments()].slice(0, 24).map((d) => ({ id: d.id, bytes: utf8EncodeIgnore(d.text) }));
    const cfg = resolveTrainConfig({
      model: { dim: 32, n_layers: 1, n_heads: 2, ffn_dim: 64, window: 32, max_seqlen: 64 },
      steps: 60,
      batchSize: 8,
      seqLen: 32,
      lr: 1e-2,
      warmup: 5,
      evalEvery: 0,
      checkpointEvery: 0,
      finalEvalBytes: 8192,
      valFraction: 0.1,
    });
    const { train, val } = splitByDocument(docs, cfg.valFraction);
    assert.ok(val.length >= 1 && train.length >= 10);
    const res = await trainEntropyModel(
      cfg,
      {
        train: train.map((d) => d.bytes),
        val: val.map((d) => d.bytes),
        recipe: {
          inputs: ['brown[:24]'],
          documents: { train: train.length, val: val.length },
          bytes: { train: 0, val: 0 },
        },
      },
      { outDir: join(root, 'run') },
    );
    const bpb = res.heldOut?.bitsPerByte as number;
    assert.ok(bpb < 8, `held-out ${bpb} bits/byte`);
    assert.ok(bpb < (res.unigramBpb as number), `held-out ${bpb} vs unigram ${res.unigramBpb}`);
  });
});
