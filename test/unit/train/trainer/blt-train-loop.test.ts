/**
 * The BLT training loop on real shard sets (a tiny random entropy model, entropy patching):
 * exact resume after a stop at any step, checkpoint contents and keep-N, hooks and early stop,
 * validation split by document and the reference's bits per byte, no tensor leak per step,
 * gradient accumulation, and the refusals (mixing runs, changed options, cpu).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BltError } from '../../../../src/core/errors.js';
import { isHeldOut } from '../../../../src/ingest/corpora/held-out-split.js';
import { resolvePreprocessConfig } from '../../../../src/preprocess/config.js';
import { runPreprocess } from '../../../../src/preprocess/run-preprocess.js';
import { readShardSet } from '../../../../src/shards/reader.js';
import { evaluateRun } from '../../../../src/train/eval/eval-run.js';
import { train, type BltTrainOptions } from '../../../../src/train/trainer/train-loop.js';
import { parseBltTrainState } from '../../../../src/train/trainer/train-state.js';
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

describe('blt train: loop, checkpoints, resume', function () {
  this.timeout(120_000);
  let shards: string;
  before(async () => {
    const model = await tinyModelDir();
    const corpus = await writeCorpus(await tempDir('corpus'), 40);
    shards = await tempDir('shards');
    // the tiny random model's entropies are ~5.0–5.2 nats: this threshold gives ~3 bytes per patch
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
  });

  const opts = async (extra: Partial<BltTrainOptions> = {}): Promise<BltTrainOptions> => ({
    data: shards,
    out: await tempDir('run'),
    model: TINY,
    steps: 6,
    batchSize: 2,
    seqLenPatches: 12,
    maxBytesPerRow: 48,
    bufferSize: 4,
    lr: 3e-3,
    warmup: 1,
    evalEvery: 0,
    evalBatches: 2,
    checkpointEvery: 0,
    logEvery: 1,
    valFraction: 0.2,
    ...extra,
  });

  it('a run stopped at step k (AbortSignal) and resumed gives the losses of an uninterrupted run', async () => {
    const full = await train(await opts());
    assert.equal(full.losses.length, 6);
    for (const k of [1, 4]) {
      const o = await opts();
      const ac = new AbortController();
      const first = await train({ ...o, signal: ac.signal }, { onStep: (s) => void (s.step === k && ac.abort()) });
      assert.equal(first.stopped, true);
      assert.equal(first.step, k);
      assert.deepEqual(await readdir(join(o.out, 'checkpoints')), [String(k).padStart(10, '0')]);
      const rest = await train({ ...o, resume: true });
      assert.equal(rest.stopped, false);
      const losses = [...first.losses, ...rest.losses];
      assert.equal(losses.length, 6);
      losses.forEach((l, i) =>
        assert.ok(Math.abs(l - (full.losses[i] as number)) <= 1e-6, `k=${k} step ${i + 1}: ${l} vs ${full.losses[i]}`),
      );
      assert.ok(Math.abs((rest.finalEval?.bitsPerByte ?? NaN) - (full.finalEval?.bitsPerByte ?? NaN)) <= 1e-6);
      const lines = (await readFile(join(o.out, 'metrics.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; step: number });
      assert.deepEqual(
        lines.filter((l) => l.event === 'train').map((l) => l.step),
        [1, 2, 3, 4, 5, 6],
        'metrics read as one run',
      );
    }
  });

  it('checkpoints atomically with weights, optimizer, loader, RNG and config, keeping the newest N', async () => {
    const o = await opts({ steps: 4, checkpointEvery: 1, keep: 2, gradAccum: 2 });
    const r = await train(o);
    const dirs = await readdir(join(o.out, 'checkpoints'));
    assert.deepEqual(dirs, ['0000000003', '0000000004']);
    const dir = join(o.out, 'checkpoints', '0000000004');
    assert.deepEqual((await readdir(dir)).sort(), ['model.safetensors', 'optimizer.safetensors', 'train-state.json']);
    const s = parseBltTrainState(await readFile(join(dir, 'train-state.json'), 'utf8'), dir);
    assert.equal(s.step, 4);
    assert.equal(s.optimizer.t, 4);
    assert.equal(s.loader.counts.batches, 8, 'gradAccum 2: two micro-batches per step');
    assert.equal(s.rng.kind, 'sfc32');
    assert.deepEqual(s.config, JSON.parse(JSON.stringify(r.config)));
    const summary = JSON.parse(await readFile(join(o.out, 'summary.json'), 'utf8')) as {
      val_bpb: number;
      flops_per_byte: { train: number };
    };
    assert.equal(summary.val_bpb, r.finalEval?.bitsPerByte);
    assert.ok(summary.flops_per_byte.train > 0);
  });

  it('validates on a by-document split with the reference bpb formula over every byte; `evaluateRun` on that split gives the same number', async () => {
    const o = await opts({ steps: 2 });
    let start: { val: readonly string[]; train: readonly string[] } | null = null;
    const r = await train(o, { onStart: (s) => void (start = s.plan) });
    const plan = start as unknown as { val: string[]; train: string[] };
    const ids = async (dirs: readonly string[]): Promise<string[]> => {
      const out: string[] = [];
      for (const d of dirs) for await (const row of readShardSet(d, { columns: [] })) out.push(row.docId);
      return out;
    };
    const all = await ids([shards]);
    assert.deepEqual(
      await ids(plan.val),
      all.filter((id) => isHeldOut(id, { fraction: 0.2, seed: 0 })),
    );
    assert.deepEqual(
      await ids(plan.train),
      all.filter((id) => !isHeldOut(id, { fraction: 0.2, seed: 0 })),
    );
    const ev = r.finalEval;
    assert.ok(ev && ev.bytes > 0);
    assert.ok(Math.abs(ev.bitsPerByte - ev.natsSum / Math.LN2 / ev.bytes) < 1e-12);
    assert.ok(r.unigramBpb !== null && r.unigramBpb > 0);
    const again = await evaluateRun({ checkpoint: o.out, data: plan.val });
    assert.equal(again.bitsPerByte, ev.bitsPerByte);
    assert.equal(again.bytes, ev.bytes);
    assert.equal(again.step, 2);
    assert.equal(again.coverage, 'covering');
    assert.equal(again.bytes, again.available, 'every byte of the split is scored once');
    assert.equal(again.scoredShare, 1);
    const ref = await evaluateRun({ checkpoint: o.out, data: plan.val, coverage: 'reference' });
    assert.equal(ref.available, again.available);
    assert.ok(ref.bytes < again.bytes, `the reference iteration scores what fits: ${ref.bytes} of ${ref.available}`);
  });

  it('hooks: onEval false stops early (checkpointed); no tensor survives the steps or the run', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const evals: number[] = [];
    const o = await opts({ steps: 6, evalEvery: 2 });
    const r = await train(o, {
      onStep: () => void counts.push(tf.memory().numTensors),
      onEval: (e) => {
        evals.push(e.step);
        return e.step < 4;
      },
    });
    assert.equal(r.stopped, true);
    assert.equal(r.step, 4);
    assert.deepEqual(evals, [2, 4]);
    assert.deepEqual(await readdir(join(o.out, 'checkpoints')), ['0000000004']);
    assert.ok(
      counts.every((c) => c === counts[0]),
      `tensors per step: ${counts.join(',')}`,
    );
    assert.equal(tf.memory().numTensors, before);
  });

  it('refuses to mix runs, to resume with other numbers, and to train silently on cpu', async () => {
    const o = await opts({ steps: 1 });
    await train(o);
    await assert.rejects(
      train(o),
      (e: BltError) => e.code === 'BAD_OPTION' && /already holds checkpoints/.test(e.message),
    );
    await assert.rejects(
      train({ ...o, lr: 1e-2, resume: true }),
      (e: BltError) => e.code === 'BAD_OPTION' && /lr: 0.003 → 0.01/.test(e.message),
    );
    await assert.rejects(
      train({ ...(await opts()), backend: 'cpu' }),
      (e: BltError) => e.code === 'BACKEND_UNAVAILABLE' && /--allow-cpu/.test(e.message),
    );
    await assert.rejects(
      train({ ...(await opts()), stepz: 1 } as unknown as BltTrainOptions),
      (e: BltError) => e.code === 'BAD_OPTION' && /Unknown training option `stepz`/.test(e.message),
    );
  });

  it("baselines: --patching static re-derives the patches into the run directory (cached) with that scheme's FLOPs per byte", async () => {
    const stored = await train(await opts({ steps: 1, valFraction: 0 }));
    const o = await opts({ steps: 1, valFraction: 0, patching: { mode: 'static', patchSize: 8 } });
    const logs: string[] = [];
    const r = await train(o, { log: (m) => logs.push(m) });
    assert.ok(r.flops.meanPatchLength > 5 && r.flops.meanPatchLength <= 8, `mean ${r.flops.meanPatchLength}`);
    assert.ok(r.flops.trainPerByte < stored.flops.trainPerByte, 'longer patches: fewer global FLOPs per byte');
    const derived = (await readdir(join(o.out, 'data'))).filter((d) => d.startsWith('patches-'));
    assert.equal(derived.length, 1);
    const m = JSON.parse(await readFile(join(o.out, 'data', derived[0] as string, 'index.json'), 'utf8')) as {
      config: { process: { patching: { mode: string; patchSize: number } } };
    };
    assert.deepEqual([m.config.process.patching.mode, m.config.process.patching.patchSize], ['static', 8]);
    assert.equal(logs.filter((l) => l.startsWith('repatching')).length, 1);
    const again = await evaluateRun({ checkpoint: o.out, data: shards, maxBatches: 1, log: (m) => logs.push(m) });
    assert.equal(again.batches, 1);
    assert.equal(logs.filter((l) => l.startsWith('repatching')).length, 1, 'eval reuses the cached derived set');
  });
});
