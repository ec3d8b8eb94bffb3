import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readShardSet } from '../../src/shards/reader.js';
import { killAfterProgress as killAfter, runCli } from '../helpers/run-cli.js';
import { shardHashes, tempDir, tinyModelDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

describe('blt preprocess CLI', function () {
  this.timeout(600_000);
  let model: string;
  let corpus: string;
  before(async () => {
    model = await tinyModelDir();
    corpus = await writeCorpus(await tempDir('cli'), 300);
  });
  const args = (out: string, workers: number): string[] => [
    'preprocess',
    corpus,
    '--out',
    out,
    '--entropy-model',
    model,
    '--docs-per-task',
    '4',
    '--shard-size',
    '30kB',
    '--ngram-sizes',
    '3,4',
    '--workers',
    String(workers),
  ];

  it('a run SIGKILLed at any moment and started again ends with the shards of an uninterrupted run', async () => {
    const ref = await tempDir('ref');
    const r = runCli([...args(ref, 1), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { status: string; documents: number; mbPerSecond: number };
    assert.equal(summary.status, 'done');
    assert.equal(summary.documents, 300);
    const expected = await shardHashes(ref);
    for (const events of [1, 6]) {
      const out = await tempDir(`kill${events}`);
      await killAfter(args(out, 2), events);
      const again = runCli([...args(out, 2), '--json']);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(await shardHashes(out), expected, `killed after ${events} progress events`);
      const noop = runCli([...args(out, 2), '--json']);
      assert.equal((JSON.parse(noop.stdout) as { status: string }).status, 'already-complete');
    }
  });

  it('DuckDB reads the Parquet shards and sees the same rows', async () => {
    const out = await tempDir('duck');
    assert.equal(runCli([...args(out, 2), '--quiet']).status, 0);
    const rows: Array<{ id: string; n: number; p: number }> = [];
    for await (const row of readShardSet(out))
      rows.push({ id: row.docId, n: row.nTokens, p: row.patchLengths?.length ?? 0 });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(
      `SELECT doc_id, n_tokens, len(patch_lengths) AS p, len(entropies) AS e, list_sum(patch_lengths) AS s FROM read_parquet('${join(out, 'shard-*.parquet')}') ORDER BY doc_id`,
    );
    const got = reader
      .getRowObjects()
      .map((r) => ({ id: String(r.doc_id), n: Number(r.n_tokens), p: Number(r.p), e: Number(r.e), s: Number(r.s) }));
    assert.equal(got.length, 300);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const g of got) {
      const want = byId.get(g.id);
      assert.ok(want, g.id);
      assert.equal(g.n, want.n);
      assert.equal(g.p, want.p);
      assert.equal(g.e, want.n);
      assert.equal(g.s, want.n);
    }
    conn.closeSync();
  });

  it('partitions cover the inputs disjointly and merge into one verified shard set', async () => {
    const dir = await tempDir('parts');
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      const f = join(dir, `part-${i}.txt`);
      await writeFile(f, `file ${i}\n`.repeat(20 + i));
      files.push(f);
    }
    const outs: string[] = [];
    for (let p = 0; p < 2; p++) {
      const out = await tempDir(`p${p}`);
      const r = runCli([
        'preprocess',
        dir,
        '--out',
        out,
        '--mode',
        'space',
        '--num-partitions',
        '2',
        '--partition-index',
        String(p),
        '--quiet',
        '--json',
      ]);
      assert.equal(r.status, 0, r.stderr);
      outs.push(out);
    }
    const merged = join(await tempDir('merged'), 'set');
    const m = runCli(['merge', ...outs, '--out', merged, '--json']);
    assert.equal(m.status, 0, m.stderr);
    assert.equal((JSON.parse(m.stdout) as { totals: { documents: number } }).totals.documents, 5);
    const ids: string[] = [];
    for await (const row of readShardSet(merged)) ids.push(row.docId);
    assert.deepEqual([...ids].sort(), [...files].sort());
    assert.equal(runCli(['verify', merged]).status, 0);
  });

  it('verify fails on a corrupted shard and names it', async () => {
    const out = await tempDir('corrupt');
    assert.equal(runCli([...args(out, 0), '--quiet']).status, 0);
    assert.equal(runCli(['verify', out]).status, 0);
    const shard = join(out, 'shard-00000.parquet');
    const bytes = await readFile(shard);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = (bytes[mid] as number) ^ 0xff;
    await writeFile(shard, bytes);
    const bad = runCli(['verify', out]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /FAILED/);
    assert.match(bad.stdout, /shard-00000\.parquet/);
  });

  it('reports bad options clearly', () => {
    const r = runCli(['preprocess', corpus, '--out', '/tmp/x', '--mode', 'static']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--patch-size/);
    const missing = runCli(['preprocess', '/nonexistent/corpus.jsonl', '--out', '/tmp/x']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /NOT_FOUND.*nonexistent/);
  });
});
