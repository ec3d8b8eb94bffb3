import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvePreprocessConfig, type PreprocessOptions } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { readShardSet } from '../../src/shards/reader.js';
import { verifyShardSet } from '../../src/shards/verify.js';
import { BltError } from '../../src/core/errors.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { hashNgramIds } from '../../src/patching/ngram-hash.js';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import {
  manifestWithoutTime,
  shardHashes,
  tempDir,
  tinyModelDir,
  writeCorpus,
} from '../helpers/preprocess-fixtures.js';

describe('blt preprocess pipeline', function () {
  this.timeout(300_000);
  let model: string;
  let corpus: string;
  let badCorpus: string;
  before(async () => {
    model = await tinyModelDir();
    const dir = await tempDir('corpus');
    corpus = await writeCorpus(dir, 60);
    badCorpus = await writeCorpus(await tempDir('bad'), 40, { bad: true });
  });

  const opts = (out: string, extra: Partial<PreprocessOptions> = {}): PreprocessOptions => ({
    inputs: [corpus],
    out,
    entropyModel: model,
    docsPerTask: 7,
    shardSizeBytes: 20_000,
    ngramSizes: [3, 4],
    hashVocab: 50002,
    ...extra,
  });

  it('writes verified shards whose columns equal the core functions on each document', async () => {
    const out = await tempDir('pp');
    const s = await runPreprocess(resolvePreprocessConfig(opts(out, { workers: 2 })));
    assert.equal(s.status, 'done');
    assert.equal(s.documents, 60);
    assert.ok(s.shards >= 2, `rolling shards: ${s.shards}`);
    const report = await verifyShardSet(out);
    assert.ok(report.ok, JSON.stringify(report.problems));
    let n = 0;
    for await (const row of readShardSet(out)) {
      const tokens = encodeBytes(row.bytes);
      assert.equal(row.docId, `doc-${n}`);
      assert.equal(row.entropies?.length, tokens.length);
      assert.deepEqual(
        Array.from(row.patchLengths ?? []),
        Array.from(patchLengths(tokens, { mode: 'entropy', entropies: row.entropies as Float32Array })),
      );
      assert.deepEqual(Array.from(row.ngramIds?.[1] ?? []), Array.from(hashNgramIds(tokens, 4, 0, 50002)));
      n++;
    }
    assert.equal(n, 60);
  });

  it('gives identical shard bytes and manifest for 0, 1 and 2 workers', async () => {
    const outs: string[] = [];
    for (const workers of [0, 1, 2]) {
      const out = await tempDir(`w${workers}`);
      await runPreprocess(resolvePreprocessConfig(opts(out, { workers })));
      outs.push(out);
    }
    const [a, b, c] = await Promise.all(outs.map(shardHashes));
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    const strip = (m: unknown): unknown =>
      JSON.parse(
        JSON.stringify(m)
          .split(outs[0] as string)
          .join('OUT'),
      );
    const ms = await Promise.all(outs.map(manifestWithoutTime));
    assert.deepEqual(strip(ms[1]), strip(ms[0]));
  });

  it('resumes after a stop at any task and ends byte-identical; a finished run is a no-op', async () => {
    const ref = await tempDir('ref');
    await runPreprocess(resolvePreprocessConfig(opts(ref, { workers: 1 })));
    const expected = await shardHashes(ref);
    for (const stopAfter of [0, 1, 4, 8]) {
      const out = await tempDir(`stop${stopAfter}`);
      let started = 0;
      const first = await runPreprocess(resolvePreprocessConfig(opts(out, { workers: 2 })), {
        shouldStop: () => started++ >= stopAfter,
      });
      assert.equal(first.status, 'interrupted');
      const second = await runPreprocess(resolvePreprocessConfig(opts(out, { workers: 1 })));
      assert.equal(second.status, 'done');
      assert.equal(second.documents, 60);
      assert.deepEqual(await shardHashes(out), expected, `stopped after ${stopAfter} tasks`);
      const third = await runPreprocess(resolvePreprocessConfig(opts(out, { workers: 1 })));
      assert.equal(third.status, 'already-complete');
    }
  });

  it('refuses to continue a run with other settings in the same directory', async () => {
    const out = await tempDir('other');
    await runPreprocess(resolvePreprocessConfig(opts(out, { workers: 0 })), {
      shouldStop: (() => {
        let n = 0;
        return () => n++ >= 1;
      })(),
    });
    await assert.rejects(
      runPreprocess(resolvePreprocessConfig(opts(out, { workers: 0, threshold: 2 }))),
      (e: unknown) => e instanceof BltError && e.code === 'STATE_FORMAT',
    );
  });

  it('quarantines every bad record with file and line; read = written + quarantined', async () => {
    const out = await tempDir('bad');
    const s = await runPreprocess(
      resolvePreprocessConfig({ ...opts(out, { workers: 2 }), inputs: [badCorpus], mode: 'space', maxDocBytes: 60 }),
    );
    const lines = (await readFile(badCorpus, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    assert.equal(s.documents + s.quarantined, lines.length);
    assert.ok(s.quarantined >= 8);
    const q = (await readFile(join(out, 'quarantine.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; reason: string });
    assert.equal(q.length, s.quarantined);
    for (const r of q) {
      assert.equal(r.file, badCorpus);
      assert.ok(r.line >= 1 && r.line <= lines.length);
      assert.ok(r.reason.length > 5);
    }
    assert.ok(q.some((r) => /JSON/i.test(r.reason)));
    assert.ok(q.some((r) => /exceeds --max-doc-bytes/.test(r.reason)));
    const manifest = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as {
      totals: { quarantined: number; documents: number };
    };
    assert.equal(manifest.totals.quarantined, s.quarantined);
  });

  it('with --on-error fail stops at the first bad record, naming file and line', async () => {
    const out = await tempDir('fail');
    await assert.rejects(
      runPreprocess(
        resolvePreprocessConfig({ ...opts(out, { workers: 0 }), inputs: [badCorpus], mode: 'space', onError: 'fail' }),
      ),
      (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT' && e.message.includes(`${badCorpus}:4`),
    );
  });

  it('space mode stores no entropies; --no-ngram-ids stores no n-gram columns', async () => {
    const out = await tempDir('space');
    await runPreprocess(resolvePreprocessConfig(opts(out, { workers: 0, mode: 'space', ngramIds: false })));
    for await (const row of readShardSet(out)) {
      assert.equal(row.entropies, undefined);
      assert.equal(row.ngramIds?.length ?? 0, 0);
      assert.deepEqual(
        Array.from(row.patchLengths ?? []),
        Array.from(patchLengths(encodeBytes(row.bytes), { mode: 'space' })),
      );
    }
  });
});
