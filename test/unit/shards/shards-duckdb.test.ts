/**
 * An independent reader checks our Parquet: DuckDB (its own Parquet implementation, C++)
 * recomputes counts and sums and returns a few rows, compared value for value.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBBlobValue, type DuckDBListValue } from '@duckdb/node-api';
import type { ShardDoc } from '../../../src/shards/row.js';
import type { ShardColumnsSpec } from '../../../src/shards/schema.js';
import { ShardWriter } from '../../../src/shards/shard-writer.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';

const SPEC: ShardColumnsSpec = {
  entropies: true,
  patchLengths: true,
  ngramTables: [
    { groupSize: 3, hashFunction: 0 },
    { groupSize: 4, hashFunction: 1 },
  ],
};

describe('shards: DuckDB reads our Parquet', function () {
  this.timeout(300_000);
  let dir: string;
  let rows: ShardDoc[];
  let shardCount: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blt-shards-duckdb-'));
    const tasks = Array.from({ length: 12 }, (_, t) =>
      syntheticRows(40 + t, 25, SPEC, { meanBytes: 400, emptyFraction: 0.1 }, t * 25),
    );
    tasks[5]!.push({ ...syntheticRows(99, 1, SPEC, { meanBytes: 30_000, emptyFraction: 0 }, 9999)[0]!, docId: 'big' });
    tasks[7]!.push({
      docId: 'bad-utf8',
      source: 'edge',
      bytes: Uint8Array.of(0xff, 0x00, 0xc3),
      entropies: new Float32Array(5).fill(1.5),
      patchLengths: Int32Array.of(5),
      ngramIds: [Int32Array.of(1, 2, 3, 4, 5), Int32Array.of(-1, 0, 2 ** 31 - 1, -(2 ** 31), 7)],
    });
    rows = tasks.flat();
    const w = await ShardWriter.open({ dir, columns: SPEC, shardSizeBytes: 400_000, rowGroupRows: 30 });
    for (const [t, task] of tasks.entries()) await w.addTask(t, task);
    shardCount = (await w.finish()).length;
    assert.ok(shardCount >= 2);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts, sums, types and per-row invariants agree', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const r = await c.runAndReadAll(`
        SELECT count(*) AS n, count(DISTINCT filename) AS files, sum(octet_length(text)) AS bytes, sum(n_tokens) AS tokens,
               sum(len(entropies)) AS ent, sum(len(patch_lengths)) AS patches, sum(list_sum(ngram_ids_4_1)::HUGEINT) AS ng,
               count(lang) AS langs,
               count(*) FILTER (WHERE len(entropies) <> n_tokens OR octet_length(text) + 2 <> n_tokens OR list_sum(patch_lengths) <> n_tokens
                                 OR len(ngram_ids_3_0) <> n_tokens) AS bad,
               any_value(typeof(text)) AS t_text, any_value(typeof(entropies)) AS t_ent, any_value(typeof(n_tokens)) AS t_n,
               any_value(typeof(ngram_ids_3_0)) AS t_ng
        FROM read_parquet('${join(dir, 'shard-*.parquet')}', filename = true)`);
      const got = r.getRowObjectsJson()[0]!;
      const sum = (f: (r: ShardDoc) => number): number => rows.reduce((a, x) => a + f(x), 0);
      assert.deepEqual(got, {
        n: String(rows.length),
        files: String(shardCount),
        bytes: String(sum((x) => x.bytes.length)),
        tokens: String(sum((x) => x.bytes.length + 2)),
        ent: String(sum((x) => x.entropies!.length)),
        patches: String(sum((x) => x.patchLengths!.length)),
        ng: String(rows.reduce((a, x) => a + x.ngramIds![1]!.reduce((s, v) => s + BigInt(v), 0n), 0n)),
        langs: String(rows.filter((x) => x.lang !== undefined).length),
        bad: '0',
        t_text: 'BLOB',
        t_ent: 'FLOAT[]',
        t_n: 'INTEGER',
        t_ng: 'INTEGER[]',
      });
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it('a few rows come back value for value (bytes, floats, int32 extremes, null lang)', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const ids = ['doc-3', 'big', 'bad-utf8', 'doc-250'];
      const r =
        await c.runAndReadAll(`SELECT doc_id, source, lang, text, n_tokens, entropies, patch_lengths, ngram_ids_4_1
        FROM read_parquet('${join(dir, 'shard-*.parquet')}') WHERE doc_id IN (${ids.map((i) => `'${i}'`).join(',')}) ORDER BY doc_id`);
      const got = r.getRowObjects();
      assert.equal(got.length, ids.length);
      for (const g of got) {
        const want = rows.find((x) => x.docId === g.doc_id)!;
        assert.equal(g.source, want.source);
        assert.equal(g.lang, want.lang ?? null);
        assert.deepEqual(new Uint8Array((g.text as DuckDBBlobValue).bytes), want.bytes);
        assert.equal(g.n_tokens, want.bytes.length + 2);
        assert.deepEqual(Float32Array.from((g.entropies as DuckDBListValue).items as number[]), want.entropies);
        assert.deepEqual(Int32Array.from((g.patch_lengths as DuckDBListValue).items as number[]), want.patchLengths);
        assert.deepEqual(Int32Array.from((g.ngram_ids_4_1 as DuckDBListValue).items as number[]), want.ngramIds![1]);
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
