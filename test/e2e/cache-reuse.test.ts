import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/select-backend.js';
import { createEntropyTransformer, disposeEntropyTransformer } from '../../src/entropy/transformer/model.js';
import { entropyConfig } from '../../src/entropy/transformer/config.js';
import { saveEntropyModel } from '../../src/entropy/model-format/model-dir.js';
import { resolvePreprocessConfig, type PreprocessOptions } from '../../src/preprocess/config.js';
import { runPreprocess, type PreprocessSummary } from '../../src/preprocess/run-preprocess.js';
import { listCache } from '../../src/cache/list-cache.js';
import { verifyShardSet } from '../../src/shards/verify.js';
import { manifestWithoutTime, shardHashes, tempDir, tinyModelDir } from '../helpers/preprocess-fixtures.js';

const A = 5.05; // thresholds inside the tiny model's entropy range (see repatch-identity.test.ts)
const B = 5.14;

/** The tiny model's architecture with other random weights (seed 2): another entropy fingerprint. */
async function otherModelDir(): Promise<string> {
  await initBackend('wasm');
  const dir = join(await tempDir('model2'), 'model');
  const model = createEntropyTransformer(
    entropyConfig({ dim: 32, n_layers: 1, n_heads: 2, ffn_dim: 64, window: 32, max_seqlen: 64 }),
    2,
  );
  await saveEntropyModel(dir, model);
  disposeEntropyTransformer(model);
  return dir;
}

describe('blt preprocess --cache-dir: reuse across experiments', function () {
  this.timeout(300_000);
  let model: string;
  let corpusDir: string;
  let cache: string;
  before(async () => {
    model = await tinyModelDir();
    corpusDir = await tempDir('cache-corpus');
    for (const name of ['a', 'b']) {
      const lines = Array.from({ length: 30 }, (_, i) =>
        JSON.stringify({
          id: `${name}-${i}`,
          text: `Document ${name}${i}: Alle Menschen sind frei ${'é'.repeat(i % 5)} 人人生而自由 ${i}`,
        }),
      );
      await writeFile(join(corpusDir, `${name}.jsonl`), `${lines.join('\n')}\n`);
    }
    cache = await tempDir('cache');
  });

  const opts = (out: string, extra: Partial<PreprocessOptions> = {}): PreprocessOptions => ({
    inputs: [corpusDir],
    out,
    entropyModel: model,
    docsPerTask: 7,
    shardSizeBytes: 15_000,
    ngramSizes: [3, 4],
    hashVocab: 50002,
    workers: 0,
    ...extra,
  });
  const logs: string[] = [];
  const cached = async (
    name: string,
    extra: Partial<PreprocessOptions> = {},
  ): Promise<PreprocessSummary & { out: string }> => {
    const out = await tempDir(name);
    logs.length = 0;
    const s = await runPreprocess(resolvePreprocessConfig(opts(out, { cacheDir: cache, ...extra })), {
      log: (m) => logs.push(m),
    });
    return { ...s, out };
  };
  /** The same run without a cache: what the cached run must equal. */
  const fresh = async (extra: Partial<PreprocessOptions> = {}): Promise<string> => {
    const out = await tempDir('fresh');
    await runPreprocess(resolvePreprocessConfig(opts(out, extra)));
    return out;
  };
  const assertSameSet = async (got: string, want: string, what: string): Promise<void> => {
    assert.deepEqual(await shardHashes(got), await shardHashes(want), `${what}: shard bytes`);
    assert.deepEqual(
      await manifestWithoutTime(got),
      await manifestWithoutTime(want),
      `${what}: manifest apart from createdAt`,
    );
  };

  let first: PreprocessSummary & { out: string };
  before(async () => {
    first = await cached('c1', { threshold: A });
  });

  it('a first run computes every column and stores its set', () => {
    assert.equal(first.status, 'done');
    assert.deepEqual(first.reused, { entropies: false, ngrams: false, patches: false });
    assert.notEqual(first.engine, null, 'the entropy model ran');
    assert.equal(first.cache?.from, null);
    assert.ok(first.cache?.stored?.startsWith(join(cache, 'sets')));
  });

  it('same everything → the whole result is reused (links), equal to the first run', async () => {
    const s = await cached('c2', { threshold: A });
    assert.deepEqual(s.reused, { entropies: true, ngrams: true, patches: true });
    assert.equal(s.engine, null);
    assert.equal(s.cache?.from, first.cache?.stored);
    await assertSameSet(s.out, first.out, 'whole reuse');
    for (const column of ['entropies', 'patch lengths', 'n-gram ids'])
      assert.ok(
        logs.some((l) => l.startsWith(`cache: ${column} reused from`)),
        `${column}: ${logs.join(' | ')}`,
      );
  });

  it('a new threshold → only patch lengths are recomputed; equal to a fresh run', async () => {
    const s = await cached('c3', { threshold: B });
    assert.deepEqual(s.reused, { entropies: true, ngrams: true, patches: false });
    assert.equal(s.engine, null, 'no entropy model run');
    assert.ok(logs.some((l) => l.startsWith('cache: patch lengths recomputed')));
    await assertSameSet(s.out, await fresh({ threshold: B }), 'threshold B');
  });

  it('other n-gram settings → entropies reused, n-gram ids recomputed; equal to a fresh run', async () => {
    const s = await cached('c4', { threshold: B, ngramSizes: [3, 5], hashFunctions: 2 });
    assert.deepEqual(s.reused, { entropies: true, ngrams: false, patches: false });
    await assertSameSet(s.out, await fresh({ threshold: B, ngramSizes: [3, 5], hashFunctions: 2 }), 'n-grams');
  });

  it('another shard size → whole columns reused but rewritten; equal to a fresh run', async () => {
    const s = await cached('c5', { threshold: A, shardSizeBytes: 9_000 });
    assert.deepEqual(s.reused, { entropies: true, ngrams: true, patches: false });
    await assertSameSet(s.out, await fresh({ threshold: A, shardSizeBytes: 9_000 }), 'layout');
  });

  it('the boundary sets of one corpus coexist in the cache and are listed', async () => {
    const l = await listCache(cache, { sizes: true });
    const ours = l.sets.filter((e) => e.fingerprints.content === first.fingerprints.content);
    assert.ok(ours.length >= 4, `sets: ${ours.length}`);
    assert.ok(ours.some((e) => e.patching.threshold === A) && ours.some((e) => e.patching.threshold === B));
    for (const e of ours) {
      assert.equal(e.documents, 60);
      assert.equal(e.entropyModel?.spec, model);
      assert.ok((e.sizeBytes ?? 0) > 0);
    }
  });

  it('a changed model → entropies recomputed', async () => {
    const s = await cached('c6', { threshold: A, entropyModel: await otherModelDir() });
    assert.deepEqual(s.reused, { entropies: false, ngrams: false, patches: false });
    assert.notEqual(s.engine, null);
    assert.notEqual(s.fingerprints.entropy, first.fingerprints.entropy);
    assert.equal(s.fingerprints.content, first.fingerprints.content);
  });

  it('an interrupted cached run is not stored, resumes, and ends equal to a fresh run', async () => {
    const out = await tempDir('c7');
    let n = 0;
    const stop = await runPreprocess(resolvePreprocessConfig(opts(out, { cacheDir: cache, threshold: 5.1 })), {
      shouldStop: () => n++ >= 2,
    });
    assert.equal(stop.status, 'interrupted');
    assert.equal(stop.cache?.stored, null);
    const again = await runPreprocess(resolvePreprocessConfig(opts(out, { cacheDir: cache, threshold: 5.1 })));
    assert.equal(again.status, 'done');
    assert.equal(again.resumedFromTask, 2);
    await assertSameSet(out, await fresh({ threshold: 5.1 }), 'resumed');
  });

  it('a damaged cached set is skipped, not linked', async () => {
    const s = await cached('c8', { threshold: B, ngramSizes: [3, 5], hashFunctions: 2 });
    assert.ok(s.cache?.from);
    const shard = join(s.cache.from, 'shard-00000.parquet');
    const bytes = await readFile(shard);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
    await writeFile(shard, bytes); // the cache and c8 share the inode: both are damaged now
    const again = await cached('c9', { threshold: B, ngramSizes: [3, 5], hashFunctions: 2 });
    assert.ok(
      logs.some((l) => /skipping .*does not match its checksum/.test(l)),
      logs.join(' | '),
    );
    assert.notEqual(again.cache?.from, s.cache.from);
    await assertSameSet(again.out, await fresh({ threshold: B, ngramSizes: [3, 5], hashFunctions: 2 }), 'after damage');
    assert.equal(again.cache?.stored, s.cache.from, 'the damaged set was replaced by the new one');
    assert.ok((await verifyShardSet(s.cache.from)).ok);
  });

  it('a changed input file → entropies recomputed; a later run reuses the new set', async () => {
    await appendFile(join(corpusDir, 'b.jsonl'), `${JSON.stringify({ id: 'b-new', text: 'a new document' })}\n`);
    const s = await cached('c10', { threshold: A });
    assert.deepEqual(s.reused, { entropies: false, ngrams: false, patches: false });
    assert.notEqual(s.engine, null);
    assert.notEqual(s.fingerprints.content, first.fingerprints.content);
    await assertSameSet(s.out, await fresh({ threshold: A }), 'changed input');
    const t = await cached('c11', { threshold: B });
    assert.deepEqual(t.reused, { entropies: true, ngrams: true, patches: false });
    assert.equal(t.cache?.from, s.cache?.stored);
  });
});
