import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';
import { shardHashes, tempDir, tinyModelDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

interface Summary {
  status: string;
  reused: { entropies: boolean; ngrams: boolean; patches: boolean };
  cache: { dir: string; from: string | null; stored: string | null };
}

describe('blt preprocess --cache-dir and blt cache ls (CLI)', function () {
  this.timeout(600_000);
  let model: string;
  let corpus: string;
  let cache: string;
  before(async () => {
    model = await tinyModelDir();
    corpus = await writeCorpus(await tempDir('cachecli'), 40);
    cache = await tempDir('cachecli-cache');
  });
  const args = (out: string, threshold: string): string[] => [
    'preprocess',
    corpus,
    '--out',
    out,
    '--entropy-model',
    model,
    '--docs-per-task',
    '5',
    '--ngram-sizes',
    '3,4',
    '--workers',
    '0',
    '--threshold',
    threshold,
    '--json',
  ];

  it('reuses what it can, says so per column, and lists the cached boundary sets', async () => {
    const a = await tempDir('cachecli-a');
    const r1 = runCli([...args(a, '5.05'), '--cache-dir', cache]);
    assert.equal(r1.status, 0, r1.stderr);
    const s1 = JSON.parse(r1.stdout) as Summary;
    assert.deepEqual(s1.reused, { entropies: false, ngrams: false, patches: false });
    assert.ok(s1.cache.stored);

    const b = await tempDir('cachecli-b');
    const r2 = runCli([...args(b, '5.14')], { env: { BLT_CACHE_DIR: cache } }); // the environment names the cache too
    assert.equal(r2.status, 0, r2.stderr);
    const s2 = JSON.parse(r2.stdout) as Summary;
    assert.deepEqual(s2.reused, { entropies: true, ngrams: true, patches: false });
    assert.equal(s2.cache.from, s1.cache.stored);
    assert.match(r2.stderr, /cache: entropies reused from/);
    assert.match(r2.stderr, /cache: n-gram ids reused from/);
    assert.match(r2.stderr, /cache: patch lengths recomputed \(mode entropy, threshold 5\.14\)/);

    const c = await tempDir('cachecli-c');
    const r3 = runCli([
      'preprocess',
      corpus,
      '--out',
      c,
      '--entropy-model',
      model,
      '--docs-per-task',
      '5',
      '--ngram-sizes',
      '3,4',
      '--workers',
      '0',
      '--threshold',
      '5.05',
      '--cache-dir',
      cache,
      '--quiet',
    ]);
    assert.equal(r3.status, 0, r3.stderr);
    assert.match(r3.stdout, /reused +entropies, patch lengths, n-gram ids from /);
    assert.deepEqual(await shardHashes(c), await shardHashes(a));

    const ls = runCli(['cache', 'ls', '--cache-dir', cache]);
    assert.equal(ls.status, 0, ls.stderr);
    const lines = ls.stdout.trim().split('\n');
    assert.match(lines[0] as string, /^CORPUS +ENTROPY MODEL +BOUNDARIES +NGRAMS +LAYOUT +DOCS +SIZE +PATH$/);
    assert.equal(lines.length, 3, ls.stdout);
    assert.ok(lines.some((l) => /entropy θ=5\.05/.test(l)) && lines.some((l) => /entropy θ=5\.14/.test(l)), ls.stdout);
    assert.ok(
      lines
        .slice(1)
        .every(
          (l) =>
            / 40 /.test(l) && /parquet 134\.2 MB/.test(l) && /model@[0-9a-f]{8}/.test(l) && /3,4×1\/500002/.test(l),
        ),
      ls.stdout,
    );

    const json = runCli(['cache', 'ls', '--json'], { env: { BLT_CACHE_DIR: cache } });
    assert.equal(json.status, 0, json.stderr);
    const listing = JSON.parse(json.stdout) as {
      sets: Array<{ path: string; documents: number; sizeBytes: number; fingerprints: { content: string } }>;
    };
    assert.equal(listing.sets.length, 2);
    assert.deepEqual(listing.sets.map((e) => e.path).sort(), [s1.cache.stored, s2.cache.stored].sort());
    assert.ok(listing.sets.every((e) => e.documents === 40 && e.sizeBytes > 0));
  });

  it('cache ls needs a cache directory and says how to give one', () => {
    const r = runCli(['cache', 'ls'], { env: { BLT_CACHE_DIR: '' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--cache-dir/);
    const missing = runCli(['cache', 'ls', '--cache-dir', '/nonexistent/cache']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /NOT_FOUND/);
  });
});
