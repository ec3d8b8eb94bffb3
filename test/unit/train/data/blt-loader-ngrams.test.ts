/**
 * N-gram ids of a batch equal the reference's hash of the PACKED row (`hashNgramIds(x_row, g, f, V)`,
 * docs/reference.md §4), and on real preprocessed shards they agree with the stored per-document ids exactly
 * where the g-gram window lies inside one document and inside the row (docs/design.md §6 deviation), and
 * differ only near joins and row starts.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { hashNgramIds } from '../../../../src/patching/ngram-hash.js';
import { resolvePreprocessConfig } from '../../../../src/preprocess/config.js';
import { runPreprocess } from '../../../../src/preprocess/run-preprocess.js';
import { readShardSet } from '../../../../src/shards/reader.js';
import { checkPatchLengths } from '../../../../src/train/model/batch-indices.js';
import { checkBltBatch } from '../../../../src/train/model/blt-batch.js';
import { bltConfig } from '../../../../src/train/model/blt-config.js';
import {
  bltForward,
  bltLoss,
  createBltModel,
  disposeBltInputs,
  disposeBltModel,
  maskedCrossEntropySum,
  prepareBltInputs,
} from '../../../../src/train/model/index.js';
import {
  createLoader,
  createValidationLoader,
  toBltBatch,
  type LoaderBatch,
} from '../../../../src/train/data/index.js';
import { referenceHash } from '../../../helpers/bigint-hash.js';
import { tempDir, writeCorpus } from '../../../helpers/preprocess-fixtures.js';

describe('blt-loader n-gram ids', function () {
  this.timeout(300_000);
  let set: string;
  before(async () => {
    const root = await tempDir('loader-ngrams');
    const corpus = await writeCorpus(root, 40);
    set = join(root, 'shards');
    const s = await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out: set,
        mode: 'space',
        ngramSizes: [3, 4],
        hashVocab: 50002,
        workers: 0,
        docsPerTask: 6,
        shardSizeBytes: 3000,
      }),
    );
    assert.equal(s.status, 'done');
  });

  it('equal hashNgramIds over each packed row, table t = f·|sizes| + gi (and the BigInt oracle on one row)', async () => {
    const ngram = { sizes: [3, 4, 6], functions: 2, vocab: 50002 };
    const loader = await createLoader({
      data: set,
      batchSize: 3,
      seqLenPatches: 12,
      maxEncoderSeqLen: 64,
      bufferSize: 4,
      seed: 5,
      ngram,
      epochs: 2,
    });
    let batches = 0;
    for await (const b of loader) {
      assert.equal(b.ngramIds.length, 6);
      for (let i = 0; i < b.batchSize; i++) {
        const xr = b.x.subarray(i * 64, (i + 1) * 64);
        for (let f = 0; f < 2; f++) {
          ngram.sizes.forEach((g, gi) => {
            const got = (b.ngramIds[f * 3 + gi] as Int32Array).subarray(i * 64, (i + 1) * 64);
            assert.deepEqual(got, hashNgramIds(xr, g, f, 50002), `batch ${batches} row ${i} g=${g} f=${f}`);
            if (batches === 0 && i === 0) assert.deepEqual(Array.from(got), referenceHash(xr, g, f, 50002));
          });
        }
      }
      const blt = toBltBatch(b);
      checkBltBatch(bltConfig({ ngram }), blt); // the model's own contract checks accept the batch
      checkPatchLengths(blt.patchLengths, 3, 12, 64);
      assert.equal(blt.ngramIds?.length, 6 * 3 * 64);
      assert.deepEqual(
        blt.ngramIds?.subarray(3 * 3 * 64, 4 * 3 * 64),
        b.ngramIds[3],
        'BltBatch [T,B,N] is the same memory',
      );
      batches++;
    }
    assert.ok(batches > 10);
  });

  it("agree with the shards' per-document ids where the window is inside one document and the row", async () => {
    // stored ids and documents as one stream, aligned with the tokens the loader reads
    const stored: number[][] = [[], []];
    const docOf: number[] = [];
    const tokens: number[] = [];
    const pl: number[] = [];
    let d = 0;
    for await (const row of readShardSet(set)) {
      row.ngramIds?.forEach((ids, t) => (stored[t] as number[]).push(...ids));
      docOf.push(...new Array<number>(row.nTokens).fill(d++));
      tokens.push(1, ...Array.from(row.bytes, (x) => x + 4), 2);
      pl.push(...(row.patchLengths as Int32Array));
    }
    const P = 10;
    const N = 200; // above any sequence: no truncation, so row k holds the stream from the start of sequence k
    const loader = await createValidationLoader({
      data: set,
      batchSize: 2,
      seqLenPatches: P,
      maxEncoderSeqLen: N,
      seed: 0,
      ngram: { sizes: [3, 4], functions: 1, vocab: 50002 },
    });
    const rows: { b: LoaderBatch; i: number }[] = [];
    for await (const b of loader) for (let i = 0; i < b.batchSize; i++) rows.push({ b, i });
    let [start, same, differ] = [0, 0, 0];
    for (let k = 0; k * P + P <= pl.length; k++) {
      const { b, i } = rows[k] as { b: LoaderBatch; i: number };
      const r = b.mask.subarray(i * N, (i + 1) * N).reduce((a, c) => a + c, 0);
      [3, 4].forEach((g, t) => {
        for (let j = 0; j < r; j++) {
          const pos = start + j;
          assert.equal(b.x[i * N + j], tokens[pos], 'the row is the stream from the sequence start');
          const inside = j >= g - 1 && docOf[pos - g + 1] === docOf[pos];
          const id = (b.ngramIds[t] as Int32Array)[i * N + j];
          if (inside) assert.equal(id, (stored[t] as number[])[pos], `row ${k} pos ${j} g=${g}`);
          else if (id === (stored[t] as number[])[pos]) same++;
          else differ++;
        }
      });
      start += pl.slice(k * P, (k + 1) * P).reduce((a, c) => a + c, 0);
    }
    assert.ok(differ > 0, 'windows across joins and row starts differ from per-document ids (the reason to recompute)');
    assert.ok(same + differ > 0);
  });

  it('feeds the BLT model: a loader batch through prepareBltInputs, bltForward and the masked loss', async () => {
    await initBackend('cpu');
    const config = bltConfig({
      dim_local_encoder: 16,
      dim_local_decoder: 16,
      n_layers_local_encoder: 1,
      n_layers_local_decoder: 1,
      n_heads_local: 2,
      dim_global: 32,
      n_layers_global: 1,
      n_heads_global: 2,
      cross_attn_k: 2,
      cross_attn_nheads: 2,
      local_window: 8,
      ngram: { sizes: [3, 4], functions: 1, vocab: 101 },
      multiple_of: 16,
    });
    const loader = await createValidationLoader({
      data: set,
      batchSize: 2,
      seqLenPatches: 8,
      maxEncoderSeqLen: 48,
      seed: 0,
      ngram: config.ngram,
    });
    const batch = await loader.next();
    await loader.close();
    assert.ok(batch);
    const model = createBltModel(config, 1);
    const inputs = prepareBltInputs(config, toBltBatch(batch));
    const logits = bltForward(model, inputs);
    assert.deepEqual(logits.shape, [2, 48, 260]);
    const loss = bltLoss(logits, inputs.y as tf.Tensor2D, inputs.mask as tf.Tensor2D);
    const sum = maskedCrossEntropySum(logits, inputs.y as tf.Tensor2D, inputs.mask as tf.Tensor2D);
    const [l, s] = [(await loss.data())[0] as number, (await sum.data())[0] as number];
    assert.ok(Number.isFinite(l) && l > 0);
    assert.ok(Math.abs(s / batch.bytesInBatch - l) < 1e-3 * l, 'the loss averages over bytesInBatch targets');
    tf.dispose([logits, loss, sum]);
    disposeBltInputs(inputs);
    disposeBltModel(model);
  });
});
