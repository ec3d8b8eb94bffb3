import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint } from '../../src/shards/fingerprint.js';
import { buildManifest, writeManifest } from '../../src/shards/manifest.js';
import type { ShardDoc } from '../../src/shards/row.js';
import type { ShardColumnsSpec } from '../../src/shards/schema.js';
import { ShardWriter } from '../../src/shards/shard-writer.js';
import { computeShardStats } from '../../src/stats/shard-stats.js';
import { countUtf8Boundaries } from '../../src/stats/utf8-boundaries.js';
import { detectScript } from '../../src/stats/script-bucket.js';
import { runCli } from '../helpers/run-cli.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const i32 = (...v: number[]): Int32Array => Int32Array.from(v);

async function writeSet(
  dir: string,
  columns: ShardColumnsSpec,
  rows: ShardDoc[],
  config: Record<string, unknown>,
): Promise<void> {
  const w = await ShardWriter.open({ dir, columns });
  await w.addTask(0, rows);
  const shards = await w.finish();
  await writeManifest(
    dir,
    buildManifest({
      config,
      inputs: [],
      shards,
      totals: { ...w.getState().totals, quarantined: 0 },
      fingerprints: { content: fingerprint(['stats-test']) },
    }),
  );
  await w.dispose();
}

/**
 * Three documents whose statistics are computed by hand below:
 *  A "abcd"  (s1, en)   tokens 6, lengths [1,1,2,2]    starts on bytes: tokens 1,2,4 (none inside a char)
 *  B "世界"  (s2, none) tokens 8, lengths [1,1,3,1,2]  starts on bytes: tokens 1,2,5,6 → bytes 0 (lead), 1, 4, 5 (inside)
 *  C ""      (s1, en)   tokens 2, lengths [1,1]        no byte: token 1 is EOS
 * Entropies: A all 1, B all 2, C all 3, except the last of each (after EOS, not counted) = 5.9.
 */
const ROWS: ShardDoc[] = [
  {
    docId: 'A',
    source: 's1',
    lang: 'en',
    bytes: enc('abcd'),
    entropies: f32(1, 1, 1, 1, 1, 5.9),
    patchLengths: i32(1, 1, 2, 2),
  },
  {
    docId: 'B',
    source: 's2',
    bytes: enc('世界'),
    entropies: f32(2, 2, 2, 2, 2, 2, 2, 5.9),
    patchLengths: i32(1, 1, 3, 1, 2),
  },
  { docId: 'C', source: 's1', lang: 'en', bytes: enc(''), entropies: f32(3, 5.9), patchLengths: i32(1, 1) },
];

describe('stats: computeShardStats on a hand-computable shard set', function () {
  this.timeout(120_000);
  let root: string;
  let small: string;
  let ngram: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-stats-'));
    small = join(root, 'small');
    await writeSet(small, { entropies: true, patchLengths: true, ngramTables: [] }, ROWS, {
      process: { patching: { mode: 'entropy', monotonicity: false } },
    });
    // "abab": tokens [1, 101, 102, 101, 102, 2]; bigrams (zero prefix) and crafted ids:
    // (0,1)→0  (1,101)→5  (101,102)→3  (102,101)→3  (101,102)→3  (102,2)→7
    // distinct ids {0,3,5,7} of 8 → occupancy 0.5; 5 distinct bigrams, 2 of them share id 3 → rate 0.4
    ngram = join(root, 'ngram');
    await writeSet(
      ngram,
      { entropies: false, patchLengths: true, ngramTables: [{ groupSize: 2, hashFunction: 0 }] },
      [{ docId: 'ab', source: 'x', bytes: enc('abab'), patchLengths: i32(1, 1, 4), ngramIds: [i32(0, 5, 3, 3, 3, 7)] }],
      { process: { patching: { mode: 'space' }, ngrams: { sizes: [2], functions: 1, vocab: 8 } } },
    );
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('counts documents, bytes, tokens, patches and the patch-length distribution', async () => {
    const r = await computeShardStats(small);
    assert.equal(r.documents, 3);
    assert.equal(r.bytes, 10);
    assert.equal(r.tokens, 16);
    assert.equal(r.patches, 11);
    assert.equal(r.complete, true);
    assert.deepEqual(r.patching, {
      source: 'stored',
      mode: 'entropy',
      threshold: 1.335442066192627,
      monotonicity: false,
    });
    const p = r.patchLength;
    assert.ok(p);
    assert.equal(p.mean, 16 / 11);
    assert.deepEqual(p.histogram, { 1: 7, 2: 3, 3: 1 });
    assert.equal(p.median, 1); // 6th of 11
    assert.equal(p.p90, 2); // 10th of 11
    assert.equal(p.p99, 3);
    assert.equal(p.max, 3);
    assert.equal(r.bytesPerPatch, 10 / 11);
  });

  it('summarises the entropies that predict a byte or EOS (not the one after EOS)', async () => {
    const e = (await computeShardStats(small)).entropy;
    assert.ok(e);
    assert.equal(e.count, 5 + 7 + 1);
    assert.ok(Math.abs(e.mean - (5 * 1 + 7 * 2 + 3) / 13) < 1e-12);
    assert.equal(e.min, 1);
    assert.equal(e.max, 3);
    assert.ok(Math.abs((e.quantiles.p50 as number) - 2) <= e.resolution);
    assert.equal(
      e.histogram.counts.reduce((a, b) => a + b, 0),
      13,
    );
  });

  it('measures patch starts inside a multi-byte UTF-8 character', async () => {
    const r = await computeShardStats(small);
    assert.deepEqual(r.utf8, { boundaries: 7, insideCharacter: 3, share: 3 / 7 });
  });

  it('breaks down by source and by language (lang column, else the detected script)', async () => {
    const r = await computeShardStats(small);
    const s1 = r.bySource.find((g) => g.key === 's1');
    const s2 = r.bySource.find((g) => g.key === 's2');
    assert.deepEqual([s1?.documents, s1?.bytes, s1?.tokens, s1?.patches], [2, 4, 8, 6]);
    assert.deepEqual([s2?.documents, s2?.bytes, s2?.tokens, s2?.patches], [1, 6, 8, 5]);
    assert.deepEqual(
      r.bySource.map((g) => g.key),
      ['s2', 's1'],
    ); // largest first
    const en = r.byLanguage.find((g) => g.key === 'en');
    const han = r.byLanguage.find((g) => g.key === 'script:Han');
    assert.equal(en?.origin, 'column');
    assert.equal(han?.origin, 'script');
    assert.equal(en?.bytesPerPatch, 4 / 6);
    assert.equal(han?.bytesPerPatch, 6 / 5);
    assert.equal(han?.insideCharacterShare, 3 / 4);
    assert.equal(en?.meanEntropy, (5 * 1 + 3) / 6);
    assert.equal(r.ngrams, null);
  });

  it('re-derives patches from stored entropies with --threshold', async () => {
    // θ = 1.5: A (all 1) → only the forced starts [1, 5]; B (all 2) → every token starts; C → [1, 1]
    const r = await computeShardStats(small, { threshold: 1.5 });
    assert.equal(r.patching.source, 'recomputed');
    assert.equal(r.patches, 2 + 8 + 2);
    assert.deepEqual(r.patchLength?.histogram, { 1: 11, 5: 1 });
  });

  it('stops at maxDocs and says so', async () => {
    const r = await computeShardStats(small, { maxDocs: 2 });
    assert.equal(r.documents, 2);
    assert.equal(r.complete, false);
  });

  it('measures n-gram table occupancy and collisions on a crafted table', async () => {
    const r = await computeShardStats(ngram);
    assert.equal(r.entropy, null);
    assert.equal(r.patching.source, 'stored');
    const t = r.ngrams?.[0];
    assert.ok(t);
    assert.equal(t.column, 'ngram_ids_2_0');
    assert.equal(t.vocab, 8);
    assert.equal(t.vocabFrom, 'manifest');
    assert.equal(t.distinctIds, 4);
    assert.equal(t.occupancy, 0.5);
    assert.equal(t.positions, 6);
    assert.equal(t.outOfRange, 0);
    assert.equal(t.collisions.sampleRate, 1);
    assert.equal(t.collisions.ngrams, 5);
    assert.equal(t.collisions.collidingNgrams, 2);
    assert.equal(t.collisions.rate, 0.4);
    assert.equal(t.collisions.idCollisionRate, 0.25);
    const other = await computeShardStats(ngram, { ngramVocab: 16 });
    assert.equal(other.ngrams?.[0]?.vocabFrom, 'option');
    assert.equal(other.ngrams?.[0]?.occupancy, 0.25);
    assert.equal((await computeShardStats(ngram, { ngrams: false })).ngrams, null);
    // tables read in passes of their own (shards holding huge documents) give the same report
    assert.deepEqual(await computeShardStats(ngram, { columnwiseBytes: 0 }), r);
    assert.deepEqual(
      await computeShardStats(ngram, { columnwiseBytes: 0, maxDocs: 1 }),
      await computeShardStats(ngram, { maxDocs: 1 }),
    );
  });

  it('blt stats --json keeps its keys', () => {
    const r = runCli(['stats', small, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j), [
      'format',
      'version',
      'shardDir',
      'documents',
      'bytes',
      'tokens',
      'patches',
      'complete',
      'patching',
      'patchLength',
      'bytesPerPatch',
      'entropy',
      'utf8',
      'bySource',
      'byLanguage',
      'ngrams',
      'languageSpread',
    ]);
    assert.equal(j.format, 'blt-stats');
    assert.equal(j.version, 1);
    assert.deepEqual(Object.keys(j.patchLength as object), [
      'documents',
      'tokens',
      'patches',
      'mean',
      'median',
      'p90',
      'p99',
      'max',
      'histogram',
    ]);
    assert.deepEqual(Object.keys(j.entropy as object), [
      'count',
      'mean',
      'min',
      'max',
      'quantiles',
      'resolution',
      'histogram',
    ]);
    assert.deepEqual(Object.keys((j.entropy as { quantiles: object }).quantiles), [
      'p01',
      'p10',
      'p25',
      'p50',
      'p75',
      'p90',
      'p99',
    ]);
    assert.deepEqual(Object.keys(j.utf8 as object), ['boundaries', 'insideCharacter', 'share']);
    assert.deepEqual(Object.keys((j.byLanguage as object[])[0] as object), [
      'key',
      'origin',
      'documents',
      'bytes',
      'tokens',
      'patches',
      'meanPatchLength',
      'medianPatchLength',
      'p90PatchLength',
      'bytesPerPatch',
      'meanEntropy',
      'insideCharacterShare',
    ]);
    const n = runCli(['stats', ngram, '--json']);
    assert.equal(n.status, 0, n.stderr);
    const t = (JSON.parse(n.stdout) as { ngrams: Array<Record<string, unknown>> }).ngrams[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(t), [
      'column',
      'groupSize',
      'hashFunction',
      'vocabFrom',
      'vocab',
      'distinctIds',
      'occupancy',
      'positions',
      'outOfRange',
      'collisions',
    ]);
    assert.deepEqual(Object.keys(t.collisions as object), [
      'sampledIds',
      'sampleRate',
      'occupiedSampledIds',
      'ngrams',
      'collidingNgrams',
      'rate',
      'idCollisionRate',
      'estimatedDistinctNgrams',
      'expectedUniform',
    ]);
  });

  it('blt stats prints tables and writes a self-contained HTML report with SVG charts', async () => {
    const html = join(root, 'report.html');
    const r = runCli(['stats', small, '--html', html]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /documents\s+3/);
    assert.match(r.stdout, /patch length\s+mean 1\.455\s+median 1\s+p90 2\s+p99 3\s+max 3/);
    assert.match(r.stdout, /boundaries inside a UTF-8 character: 3 of 7/);
    assert.match(r.stdout, /script:Han/);
    const page = await readFile(html, 'utf8');
    assert.match(page, /^<!DOCTYPE html>/);
    assert.ok((page.match(/<svg\b/g) ?? []).length >= 3, 'charts');
    assert.doesNotMatch(page, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i, 'no external resources');
    assert.doesNotMatch(page, /<script\b|<link\b|<img\b|@import|url\(/i);
  });

  it('blt stats rejects what it cannot do with a clear error', () => {
    const r = runCli(['stats', ngram, '--threshold', '1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /BAD_OPTION.*entropies column/);
    const m = runCli(['stats', join(root, 'nope')]);
    assert.equal(m.status, 2);
  });
});

describe('stats: building blocks', () => {
  it('countUtf8Boundaries: starts at continuation bytes of well-formed characters only', () => {
    // "aé" = 61 C3 A9: tokens BOS a C3 A9 EOS; lengths [1,1,1,2] start at tokens 0,1,2,3 → bytes 0, 1 (lead), 2 (inside)
    assert.deepEqual(countUtf8Boundaries(enc('aé'), [1, 1, 1, 2]), { boundaries: 3, insideCharacter: 1 });
    // a stray continuation byte (invalid UTF-8) is not inside a character
    assert.deepEqual(countUtf8Boundaries(new Uint8Array([0x61, 0x80, 0x62]), [1, 1, 1, 2]), {
      boundaries: 3,
      insideCharacter: 0,
    });
    // a 4-byte emoji split after each byte: 3 inside
    assert.deepEqual(countUtf8Boundaries(enc('😀'), [1, 1, 1, 1, 2]), { boundaries: 4, insideCharacter: 3 });
  });

  it('detectScript: the majority script of the letters', () => {
    assert.equal(detectScript(enc('Hello, world')), 'script:Latin');
    assert.equal(detectScript(enc('Привет, мир! ok')), 'script:Cyrillic');
    assert.equal(detectScript(enc('人人生而自由')), 'script:Han');
    assert.equal(detectScript(enc('すべての人間は、生まれながらにして自由')), 'script:Kana');
    assert.equal(detectScript(enc('مرحبا بالعالم')), 'script:Arabic');
    assert.equal(detectScript(enc('मानव अधिकार')), 'script:Devanagari');
    assert.equal(detectScript(enc('12345 !?')), 'script:none');
    assert.equal(detectScript(new Uint8Array([0xff, 0xfe])), 'script:none');
  });
});
