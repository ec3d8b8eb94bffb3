/**
 * Accounting over whole epochs: with a shuffle buffer > 1, every token of every document read
 * ends up in exactly one batch row or in one of the reference's documented drops (the last patch
 * of a sequence whose first patch was forced to 1; bytes past N + 1; the final < P patches), checked
 * as multisets against an independent re-cut of the shard stream. Also epochs, shard order and the
 * validation iteration (docs/reference.md §3.6 step 5, §8.2).
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BltError } from '../../../../src/core/errors.js';
import { fingerprint } from '../../../../src/shards/fingerprint.js';
import { buildManifest, readManifest, writeManifest } from '../../../../src/shards/manifest.js';
import { readShardRows } from '../../../../src/shards/reader.js';
import type { ShardColumnsSpec } from '../../../../src/shards/schema.js';
import { ShardWriter } from '../../../../src/shards/shard-writer.js';
import { syntheticRows } from '../../../../src/shards/synthetic-rows.js';
import {
  createLoader,
  createValidationLoader,
  epochShardOrder,
  type LoaderBatch,
  type LoaderOptions,
} from '../../../../src/train/data/index.js';

const SPEC: ShardColumnsSpec = { entropies: false, patchLengths: true, ngramTables: [] };

async function writeSet(
  dir: string,
  tasks: number,
  docsPerTask: number,
  seed: number,
  firstId = 0,
  columns = SPEC,
): Promise<string> {
  const w = await ShardWriter.open({ dir, columns, shardSizeBytes: 500, rowGroupRows: 4 });
  for (let t = 0; t < tasks; t++)
    await w.addTask(
      t,
      syntheticRows(seed + t, docsPerTask, columns, { meanBytes: 50, emptyFraction: 0.1 }, firstId + t * docsPerTask),
    );
  const shards = await w.finish();
  await writeManifest(
    dir,
    buildManifest({
      config: {},
      inputs: [],
      shards,
      totals: { ...w.getState().totals, quarantined: 0 },
      fingerprints: { content: fingerprint([`epochs-${seed}`]) },
    }),
  );
  await w.dispose();
  return dir;
}

interface Stream {
  tokens: number[];
  pl: number[];
  docs: string[];
}

/** The documents of `dirs` in the order the loader reads them (epoch by epoch), as one stream. */
async function readStream(dirs: string[], seed: number, epochs: number, shuffle: boolean): Promise<Stream> {
  const files: string[] = [];
  for (const d of dirs) for (const s of (await readManifest(d)).shards) files.push(join(d, s.file));
  const out: Stream = { tokens: [], pl: [], docs: [] };
  for (let e = 0; e < epochs; e++) {
    for (const i of epochShardOrder(seed, e, files.length, shuffle)) {
      for await (const row of readShardRows(files[i] as string)) {
        out.tokens.push(1, ...Array.from(row.bytes, (b) => b + 4), 2);
        out.pl.push(...(row.patchLengths as Int32Array));
        out.docs.push(row.docId);
      }
    }
  }
  return out;
}

/** The oracle: cut the stream into P-patch sequences, apply the forced first patch and the N + 1 cap. */
function expectedRows(
  s: Stream,
  P: number,
  N: number,
): { rows: string[]; droppedLastPatch: number; droppedTruncated: number; droppedTail: number } {
  const rows: string[] = [];
  let [t0, droppedLastPatch, droppedTruncated] = [0, 0, 0];
  const nSeq = Math.floor(s.pl.length / P);
  for (let k = 0; k < nSeq; k++) {
    const pl = s.pl.slice(k * P, (k + 1) * P);
    const n = pl.reduce((a, b) => a + b, 0);
    let kept = s.tokens.slice(t0, t0 + n);
    t0 += n;
    if ((pl[0] as number) > 1) {
      droppedLastPatch += pl[P - 1] as number;
      kept = kept.slice(0, n - (pl[P - 1] as number));
    }
    droppedTruncated += Math.max(0, kept.length - (N + 1));
    rows.push(kept.slice(0, N + 1).join(','));
  }
  return { rows, droppedLastPatch, droppedTruncated, droppedTail: s.tokens.length - t0 };
}

/** Each row's kept tokens: x[0..r) then y[r−1] (r = its mask count); padding rows (r = 0) are skipped. */
function batchRows(batches: LoaderBatch[]): string[] {
  const rows: string[] = [];
  for (const b of batches) {
    const N = b.seqLen;
    for (let i = 0; i < b.batchSize; i++) {
      const r = b.mask.subarray(i * N, (i + 1) * N).reduce((a, c) => a + c, 0);
      if (r > 0) rows.push([...b.x.subarray(i * N, i * N + r), b.y[i * N + r - 1]].join(','));
    }
  }
  return rows;
}

async function collect(
  opts: LoaderOptions,
): Promise<{ batches: LoaderBatch[]; state: ReturnType<Awaited<ReturnType<typeof createLoader>>['getState']> }> {
  const loader = await createLoader(opts);
  const batches: LoaderBatch[] = [];
  for await (const b of loader) batches.push(b);
  return { batches, state: loader.getState() };
}

describe('blt-loader epochs and accounting', function () {
  this.timeout(300_000);
  let a: string;
  let b: string;
  before(async () => {
    const root = await mkdtemp(join(tmpdir(), 'blt-loader-epochs-'));
    a = await writeSet(join(root, 'a'), 10, 5, 11);
    b = await writeSet(join(root, 'b'), 4, 5, 90, 1000);
  });

  for (const [name, N, epochs] of [
    ['no truncation, 1 epoch', 200, 1],
    ['with truncation, 2 epochs', 40, 2],
  ] as const) {
    it(`loses and duplicates nothing with bufferSize > 1 (${name})`, async () => {
      const opts: LoaderOptions = {
        data: [a, b],
        batchSize: 3,
        seqLenPatches: 7,
        maxEncoderSeqLen: N,
        bufferSize: 5,
        seed: 3,
        ngram: null,
        epochs,
      };
      const { batches, state } = await collect(opts);
      const stream = await readStream([a, b], 3, epochs, true);
      const want = expectedRows(stream, 7, N);
      const got = batchRows(batches);
      assert.deepEqual([...got].sort(), [...want.rows].sort(), "rows = the stream's sequences, each once");
      assert.notDeepEqual(got, want.rows, 'the buffer shuffled them');
      assert.equal(state.buffer.documents, stream.docs.length, 'every document read');
      assert.equal(new Set(stream.docs).size * epochs, stream.docs.length);
      assert.equal(state.counts.droppedLastPatch, want.droppedLastPatch);
      assert.equal(state.counts.droppedTruncated, want.droppedTruncated);
      assert.equal(state.buffer.droppedTail, want.droppedTail);
      assert.ok(want.droppedTail < stream.tokens.length && want.droppedLastPatch > 0);
      if (N === 200) assert.equal(want.droppedTruncated, 0);
      else assert.ok(want.droppedTruncated > 0);
      const kept = got.reduce((s, r) => s + r.split(',').length, 0);
      assert.equal(
        kept + want.droppedLastPatch + want.droppedTruncated + want.droppedTail,
        stream.tokens.length,
        'Σ kept + Σ drops = Σ tokens',
      );
      assert.equal(
        state.counts.targets,
        batches.reduce((s, x) => s + x.bytesInBatch, 0),
      );
      assert.equal(state.counts.targets, kept - got.length);
    });
  }

  it('reads the shards in a seeded order that changes per epoch, or in manifest order without shuffle', async () => {
    const o0 = epochShardOrder(3, 0, 12, true);
    assert.deepEqual(
      [...o0].sort((x, y) => x - y),
      Array.from({ length: 12 }, (_, i) => i),
    );
    assert.notDeepEqual(epochShardOrder(3, 1, 12, true), o0);
    assert.deepEqual(epochShardOrder(3, 0, 12, true), o0, 'a pure function');
    assert.deepEqual(
      epochShardOrder(3, 5, 12, false),
      Array.from({ length: 12 }, (_, i) => i),
    );
    const opts: LoaderOptions = {
      data: a,
      batchSize: 2,
      seqLenPatches: 5,
      maxEncoderSeqLen: 64,
      bufferSize: 1,
      seed: 3,
      ngram: null,
      shuffleShards: false,
    };
    const { batches } = await collect(opts);
    const want = expectedRows(await readStream([a], 3, 1, false), 5, 64);
    assert.deepEqual(batchRows(batches), want.rows, "bufferSize 1 and no shard shuffle: the stream's order");
  });

  it('runs the validation iteration: one pass in order, partial last batch with all-zero mask rows', async () => {
    const loader = await createValidationLoader({
      data: [a, b],
      batchSize: 4,
      seqLenPatches: 6,
      maxEncoderSeqLen: 48,
      seed: 0,
      ngram: null,
    });
    const batches: LoaderBatch[] = [];
    for await (const x of loader) batches.push(x);
    const want = expectedRows(await readStream([a, b], 0, 1, false), 6, 48);
    assert.deepEqual(batchRows(batches), want.rows);
    assert.equal(batches.length, Math.ceil(want.rows.length / 4));
    const last = batches.at(-1) as LoaderBatch;
    const realRows = want.rows.length - 4 * (batches.length - 1);
    assert.ok(realRows >= 1 && realRows < 4, `this fixture ends with a partial batch (${realRows} rows)`);
    for (let i = realRows; i < 4; i++) {
      assert.deepEqual(Array.from(last.mask.subarray(i * 48, (i + 1) * 48)), new Array(48).fill(0));
      assert.deepEqual(
        Array.from(last.patchLengths.subarray(i * 6, (i + 1) * 6)),
        Array.from(last.patchLengths.subarray((realRows - 1) * 6, realRows * 6)),
      );
    }
    for (const x of batches) assert.equal(x.x.length, 4 * 48, 'rows padded to N');
  });

  it('says what is wrong with a set without patch lengths, a damaged shard, or no documents', async () => {
    const root = await mkdtemp(join(tmpdir(), 'blt-loader-bad-'));
    const opts = (data: string): LoaderOptions => ({
      data,
      batchSize: 2,
      seqLenPatches: 4,
      maxEncoderSeqLen: 32,
      bufferSize: 2,
      seed: 0,
      ngram: null,
    });
    const noPatches = await writeSet(join(root, 'np'), 2, 3, 5, 0, {
      entropies: true,
      patchLengths: false,
      ngramTables: [],
    });
    await assert.rejects(
      createLoader(opts(noPatches)).then((l) => l.next()),
      (e: BltError) => e.code === 'BAD_INPUT' && /no patch_lengths/.test(e.message) && /repatch/.test(e.message),
    );
    const damaged = await writeSet(join(root, 'dmg'), 2, 3, 5);
    await appendFile(join(damaged, (await readManifest(damaged)).shards[0]?.file as string), 'x');
    await assert.rejects(
      createLoader({ ...opts(damaged), shuffleShards: false }).then((l) => l.next()),
      (e: BltError) => e.code === 'SHARD_FORMAT' && /sha256/.test(e.message),
    );
    const empty = await writeSet(join(root, 'empty'), 1, 0, 5);
    await assert.rejects(
      createLoader(opts(empty)),
      (e: BltError) => e.code === 'BAD_INPUT' && /no document/.test(e.message),
    );
  });

  it('loops over the data without end when epochs is Infinity', async () => {
    const loader = await createLoader({
      data: b,
      batchSize: 4,
      seqLenPatches: 8,
      maxEncoderSeqLen: 64,
      bufferSize: 2,
      seed: 1,
      ngram: null,
      epochs: Infinity,
    });
    for (let i = 0; i < 40; i++) assert.ok(await loader.next(), `batch ${i}`);
    assert.ok(loader.getState().buffer.source.epoch >= 2, 'past several epochs');
    assert.equal(loader.getState().config.epochs, null);
    await loader.close();
  });
});
