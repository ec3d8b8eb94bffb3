import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeTask } from '../../../src/shards/encode-task.js';
import { groupColumns } from '../../../src/shards/parquet-column-settings.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';
import { columnNames, type ShardColumnsSpec } from '../../../src/shards/schema.js';
import { readShardRows } from '../../../src/shards/reader.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts);

const arbSpec: fc.Arbitrary<ShardColumnsSpec> = fc.record({
  entropies: fc.boolean(),
  patchLengths: fc.boolean(),
  ngramTables: fc.uniqueArray(
    fc.record({ groupSize: fc.integer({ min: 1, max: 9 }), hashFunction: fc.integer({ min: 0, max: 2 }) }),
    {
      maxLength: 4,
      selector: (t) => `${t.groupSize}_${t.hashFunction}`,
    },
  ),
});

describe('shards/encode-task: columns encoded in groups', () => {
  it('groups the scalar core columns and the n-gram tables, list columns with other settings alone', () => {
    const spec: ShardColumnsSpec = {
      entropies: true,
      patchLengths: true,
      ngramTables: [3, 4, 5].map((g) => ({ groupSize: g, hashFunction: 0 })),
    };
    assert.deepEqual(groupColumns(columnNames(spec)), [
      ['doc_id', 'source', 'lang', 'text', 'n_tokens'],
      ['entropies'],
      ['patch_lengths'],
      ['ngram_ids_3_0', 'ngram_ids_4_0', 'ngram_ids_5_0'],
    ]);
  });

  it('gives the same bytes as encoding every column on its own (property)', function () {
    this.timeout(300_000);
    fc.assert(
      fc.property(
        arbSpec,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer(),
        fc.constantFrom(0, 30, 400),
        (spec, rows, rowGroupRows, seed, meanBytes) => {
          const data = syntheticRows(seed, rows, spec, { meanBytes, emptyFraction: 0.2 });
          const enc = { format: 'parquet' as const, rowGroupRows, columns: spec };
          const grouped = concat(encodeTask(data, enc));
          const perColumn = concat(encodeTask(data, enc, undefined, 0));
          assert.ok(grouped.equals(perColumn), `spec ${JSON.stringify(spec)}, ${rows} rows / ${rowGroupRows}`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a grouped staged file reads back as its rows', async () => {
    const spec: ShardColumnsSpec = {
      entropies: true,
      patchLengths: true,
      ngramTables: [3, 8].map((g) => ({ groupSize: g, hashFunction: 1 })),
    };
    const rows = syntheticRows(7, 25, spec);
    const dir = await mkdtemp(join(tmpdir(), 'blt-encode-task-'));
    try {
      const file = join(dir, 'task.parquet');
      await writeFile(file, concat(encodeTask(rows, { format: 'parquet', rowGroupRows: 10, columns: spec })));
      const back = [];
      for await (const r of readShardRows(file)) back.push(r);
      assert.equal(back.length, rows.length);
      back.forEach((r, i) => {
        const w = rows[i] as (typeof rows)[number];
        assert.equal(r.docId, w.docId);
        assert.equal(r.lang, w.lang);
        assert.deepEqual(r.bytes, w.bytes);
        assert.deepEqual(r.entropies, w.entropies);
        assert.deepEqual(r.patchLengths, w.patchLengths);
        assert.deepEqual(r.ngramIds, w.ngramIds);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
