import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvePreprocessConfig, type PreprocessOptions } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { runRepatch, type RepatchOptions } from '../../src/repatch/run-repatch.js';
import { mergeShardSets } from '../../src/shards/merge.js';
import { readManifest } from '../../src/shards/manifest.js';
import { verifyShardSet } from '../../src/shards/verify.js';
import { BltError } from '../../src/core/errors.js';
import {
  manifestWithoutTime,
  shardHashes,
  tempDir,
  tinyModelDir,
  writeCorpus,
} from '../helpers/preprocess-fixtures.js';

/**
 * The tiny random model's entropies lie in about [4.8, 5.3] nats, so thresholds of 5.05 and 5.14
 * give very different boundaries (and shard counts), and differences of ±0.05 matter in
 * monotonic mode.
 */
const A = 5.05;
const B = 5.14;

describe('blt repatch: identical to a fresh preprocess', function () {
  this.timeout(300_000);
  let model: string;
  let corpus: string;
  before(async () => {
    model = await tinyModelDir();
    corpus = await writeCorpus(await tempDir('rp-corpus'), 60, { bad: true });
  });

  const opts = (out: string, extra: Partial<PreprocessOptions> = {}): PreprocessOptions => ({
    inputs: [corpus],
    out,
    entropyModel: model,
    docsPerTask: 7,
    shardSizeBytes: 20_000,
    ngramSizes: [3, 4],
    hashVocab: 50002,
    workers: 0,
    ...extra,
  });
  const preprocess = async (name: string, extra: Partial<PreprocessOptions> = {}): Promise<string> => {
    const out = await tempDir(name);
    const s = await runPreprocess(resolvePreprocessConfig(opts(out, extra)));
    assert.equal(s.status, 'done');
    return out;
  };
  const assertSameSet = async (got: string, want: string, what: string): Promise<void> => {
    assert.deepEqual(await shardHashes(got), await shardHashes(want), `${what}: shard bytes`);
    assert.deepEqual(
      await manifestWithoutTime(got),
      await manifestWithoutTime(want),
      `${what}: manifest apart from createdAt`,
    );
    assert.equal(
      await readFile(join(got, 'quarantine.jsonl'), 'utf8'),
      await readFile(join(want, 'quarantine.jsonl'), 'utf8'),
      `${what}: quarantine`,
    );
    assert.equal(
      await readFile(join(got, 'run.json'), 'utf8'),
      await readFile(join(want, 'run.json'), 'utf8'),
      `${what}: run record`,
    );
  };

  let sourceA: string;
  before(async () => {
    sourceA = await preprocess('rp-a', { threshold: A });
  });

  it('threshold A → repatch to B gives the shards and manifest of a fresh run with B', async () => {
    const fresh = await preprocess('rp-b', { threshold: B });
    const out = await tempDir('rp-ab');
    const s = await runRepatch({ source: sourceA, out, threshold: B });
    assert.equal(s.status, 'done');
    assert.equal(s.engine, null, 'no entropy model ran');
    assert.deepEqual(s.reused, { entropies: true, ngrams: true, patches: false });
    await assertSameSet(out, fresh, 'A→B');
    const [ma, mb] = [await readManifest(sourceA), await readManifest(out)];
    assert.notEqual(mb.fingerprints.patches, ma.fingerprints.patches);
    assert.equal(mb.fingerprints.content, ma.fingerprints.content);
    assert.equal(mb.fingerprints.entropy, ma.fingerprints.entropy);
    assert.equal(mb.fingerprints.ngrams, ma.fingerprints.ngrams);
    assert.notEqual(mb.shards.length, ma.shards.length, 'the test should cover shard boundaries that move');
    assert.ok((await verifyShardSet(out)).ok);
  });

  const variants: Array<[string, Partial<RepatchOptions>, Partial<PreprocessOptions>]> = [
    [
      'monotonic + max length',
      { monotonicity: true, threshold: 0.05, maxPatchLength: 6 },
      { monotonicity: true, threshold: 0.05, maxPatchLength: 6 },
    ],
    ['threshold-add', { threshold: A, thresholdAdd: 0.02 }, { threshold: A, thresholdAdd: 0.02 }],
    [
      'static (entropies kept)',
      { mode: 'static', patchSize: 4 },
      { mode: 'static', patchSize: 4, storeEntropies: true },
    ],
    ['space (entropies kept)', { mode: 'space' }, { mode: 'space', storeEntropies: true }],
  ];
  for (const [name, repatch, fresh] of variants) {
    it(`${name}: equals the fresh run with those settings`, async () => {
      const want = await preprocess('rp-v', fresh);
      const out = await tempDir('rp-vo');
      await runRepatch({ source: sourceA, out, ...repatch });
      await assertSameSet(out, want, name);
    });
  }

  it('a set with stored entropies made in space mode repatches to entropy mode; a repatched set repatches again', async () => {
    const space = await preprocess('rp-space', { mode: 'space', storeEntropies: true });
    const once = await tempDir('rp-once');
    await runRepatch({ source: space, out: once, threshold: A });
    await assertSameSet(once, sourceA, 'space → entropy A');
    const twice = await tempDir('rp-twice');
    await runRepatch({ source: once, out: twice, threshold: B });
    await assertSameSet(twice, await preprocess('rp-b2', { threshold: B }), 'space → A → B');
  });

  it('refuses entropy mode on a set without entropies, with the way to get them', async () => {
    const space = await preprocess('rp-noent', { mode: 'space' });
    await assert.rejects(
      runRepatch({ source: space, out: await tempDir('rp-x'), threshold: A }),
      (e: unknown) =>
        e instanceof BltError &&
        e.code === 'BAD_OPTION' &&
        /no[ne]* entropies|holds none/.test(e.message) &&
        /--store-entropies/.test(e.message),
    );
    // modes that need no entropies still work
    const out = await tempDir('rp-static');
    await runRepatch({ source: space, out, mode: 'static', patchSize: 3 });
    await assertSameSet(
      out,
      await preprocess('rp-static-fresh', { mode: 'static', patchSize: 3 }),
      'space → static without entropies',
    );
  });

  it('resumes after a stop at any task and ends byte-identical; a finished run is a no-op; preprocess can finish it', async () => {
    const want = await preprocess('rp-want', { threshold: B });
    for (const stopAfter of [0, 2, 5]) {
      const out = await tempDir(`rp-stop${stopAfter}`);
      let n = 0;
      const first = await runRepatch({ source: sourceA, out, threshold: B }, { shouldStop: () => n++ >= stopAfter });
      assert.equal(first.status, 'interrupted');
      const second = await runRepatch({ source: sourceA, out, threshold: B });
      assert.equal(second.status, 'done');
      assert.equal(second.resumedFromTask, stopAfter);
      await assertSameSet(out, want, `stopped after ${stopAfter}`);
      assert.equal((await runRepatch({ source: sourceA, out, threshold: B })).status, 'already-complete');
    }
    // the same task contract: a fresh preprocess continues an interrupted repatch
    const mixed = await tempDir('rp-mixed');
    let n = 0;
    await runRepatch({ source: sourceA, out: mixed, threshold: B }, { shouldStop: () => n++ >= 3 });
    const rest = await runPreprocess(resolvePreprocessConfig(opts(mixed, { threshold: B, storeEntropies: true })));
    assert.equal(rest.resumedFromTask, 3);
    await assertSameSet(mixed, want, 'repatch then preprocess');
  });

  it("the default threshold is the model's, as in blt preprocess; without the model it asks for --threshold", async () => {
    const dir = join(await tempDir('rp-model'), 'model');
    await cp(model, dir, { recursive: true });
    const src = await preprocess('rp-own', { threshold: A, entropyModel: dir });
    const want = await preprocess('rp-own-default', { entropyModel: dir });
    const out = await tempDir('rp-default');
    await runRepatch({ source: src, out });
    await assertSameSet(out, want, 'default threshold');
    await rm(dir, { recursive: true });
    await assert.rejects(
      runRepatch({ source: src, out: await tempDir('rp-gone') }),
      (e: unknown) =>
        e instanceof BltError &&
        e.code === 'BAD_OPTION' &&
        /--threshold/.test(e.message) &&
        /not available/.test(e.message),
    );
  });

  it("a set made with the model's per-script thresholds opens and repatches", async () => {
    // the source's config holds scriptThresholds; they are part of its patches fingerprint
    const dir = join(await tempDir('rp-script-model'), 'model');
    await cp(model, dir, { recursive: true });
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { training?: object };
    cfg.training = { ...cfg.training, patching: { threshold: A, scriptThresholds: { 'script:Latin': B } } };
    await writeFile(join(dir, 'config.json'), JSON.stringify(cfg));
    const src = await preprocess('rp-script', { entropyModel: dir });
    const out = await tempDir('rp-script-out');
    await runRepatch({ source: src, out, threshold: B });
    await assertSameSet(out, await preprocess('rp-script-b', { threshold: B, entropyModel: dir }), 'script source');
  });

  it('refuses merged sets, incomplete sets and writing over the source', async () => {
    const merged = join(await tempDir('rp-merged'), 'set');
    await mergeShardSets([sourceA], merged);
    await assert.rejects(
      runRepatch({ source: merged, out: await tempDir('rp-m'), threshold: B }),
      (e: unknown) => e instanceof BltError && /blt merge/.test(e.message) && /each partition/.test(e.message),
    );
    await assert.rejects(
      runRepatch({ source: await tempDir('rp-empty'), out: await tempDir('rp-e'), threshold: B }),
      (e: unknown) => e instanceof BltError && e.code === 'SHARD_FORMAT',
    );
    await assert.rejects(
      runRepatch({ source: sourceA, out: sourceA, threshold: B }),
      (e: unknown) => e instanceof BltError && /new directory/.test(e.message),
    );
  });
});
