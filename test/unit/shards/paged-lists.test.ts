/**
 * List columns of large row groups are written as pages by list-chunk.ts (rows running across
 * pages, DELTA_BINARY_PACKED n-gram ids): with small pages forced on small rows, parquet-wasm
 * (our reader) and DuckDB (an independent one) read back exactly the values written.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DuckDBInstance, type DuckDBListValue } from '@duckdb/node-api';
import { encodeTask, type TaskEncoding } from '../../../src/shards/encode-task.js';
import { readShardRows } from '../../../src/shards/reader.js';
import type { ShardDoc, ShardRow } from '../../../src/shards/row.js';
import { columnNames, shardSchema, type ShardColumnsSpec } from '../../../src/shards/schema.js';
import { OwnListReader } from '../../../src/shards/list-chunk-reader.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';

const TABLES = [
  [5, 0],
  [8, 2],
] as const;
const SPEC: ShardColumnsSpec = {
  entropies: true,
  patchLengths: true,
  ngramTables: TABLES.map(([groupSize, hashFunction]) => ({ groupSize, hashFunction })),
};

async function collect(it: AsyncIterable<ShardRow>): Promise<ShardRow[]> {
  const out: ShardRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const plain = (r: ShardDoc) => ({
  docId: r.docId,
  bytes: Array.from(r.bytes),
  entropies: Array.from(r.entropies ?? []),
  patchLengths: Array.from(r.patchLengths ?? []),
  ngramIds: (r.ngramIds ?? []).map((a) => Array.from(a)),
});

/** Every list column of every row group through OwnListReader: the rows' values (or null when `all` is false). */
async function assertOwnReader(file: string, rows: ShardDoc[], groupRows: number, all: boolean): Promise<void> {
  const own = new OwnListReader(file);
  const schema = shardSchema(SPEC);
  try {
    for (let g = 0; g * groupRows < rows.length; g++) {
      const group = rows.slice(g * groupRows, (g + 1) * groupRows);
      for (const [k, name] of columnNames(SPEC).entries()) {
        const type = schema.fields[k]!.type;
        if (!arrow.DataType.isList(type)) continue;
        const d = await own.read(g, name, type);
        if (!d) {
          assert.ok(!all, `${name} of group ${g} was not read`);
          continue;
        }
        const want = group.map((r) =>
          name === 'entropies' ? r.entropies! : name === 'patch_lengths' ? r.patchLengths! : r.ngramIds![k - 7]!,
        );
        const got = want.map((_, i) => {
          const [s, e] = [d.valueOffsets[i]!, d.valueOffsets[i + 1]!];
          return Array.from((d.children[0]!.values as Float32Array | Int32Array).subarray(s, e));
        });
        assert.deepEqual(
          got,
          want.map((a) => Array.from(a)),
          `${name} of group ${g}`,
        );
      }
    }
  } finally {
    await own.close();
  }
}

describe('shards: paged list columns (list-chunk.ts)', function () {
  this.timeout(120_000);
  let dir: string;
  let rows: ShardDoc[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blt-paged-lists-'));
    rows = syntheticRows(7, 40, SPEC, { meanBytes: 60, emptyFraction: 0.1 });
    rows.push({
      docId: 'extremes',
      source: 'edge',
      bytes: Uint8Array.of(1, 2, 3, 4, 5, 6, 7),
      entropies: Float32Array.of(0, -0, 1e-30, 3.4e38, 1.5, 2.5, 0.1, 7),
      patchLengths: Int32Array.of(1, 8),
      ngramIds: [
        Int32Array.of(2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 1, -(2 ** 31), 0, -1, 1, 5, 5),
        Int32Array.of(-(2 ** 31), -(2 ** 31), 2 ** 31 - 1, 0, 0, 0, 7, -7, 123456789),
      ],
    });
    rows.push(...syntheticRows(8, 5, SPEC, { meanBytes: 900, emptyFraction: 0 }, 100));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const pageValues of [1, 7, 128, 1000]) {
    it(`pages of ${pageValues} values: our reader and DuckDB read back the same rows`, async () => {
      const enc: TaskEncoding = {
        format: 'parquet',
        rowGroupRows: 20,
        columns: SPEC,
        pagedLists: { minValues: 1, pageValues },
      };
      const file = join(dir, `paged-${pageValues}.parquet`);
      await writeFile(file, encodeTask(rows, enc));
      assert.deepEqual((await collect(readShardRows(file))).map(plain), rows.map(plain));
      await assertOwnReader(file, rows, 20, true);
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      try {
        const r = await c.runAndReadAll(
          `SELECT doc_id, entropies, patch_lengths, ngram_ids_5_0, ngram_ids_8_2 FROM read_parquet('${file}')`,
        );
        const got = r.getRowObjects().map((o) => ({
          docId: String(o.doc_id),
          e: (o.entropies as DuckDBListValue).items as number[],
          p: (o.patch_lengths as DuckDBListValue).items as number[],
          g: [o.ngram_ids_5_0, o.ngram_ids_8_2].map((l) => (l as DuckDBListValue).items as number[]),
        }));
        assert.deepEqual(
          got,
          rows.map((x) => ({
            docId: x.docId,
            e: Array.from(x.entropies!),
            p: Array.from(x.patchLengths!),
            g: x.ngramIds!.map((a) => Array.from(a)),
          })),
        );
      } finally {
        c.closeSync();
        db.closeSync();
      }
    });
  }

  it('the page reader gives null or exact values for the chunks parquet-wasm writes', async () => {
    const file = join(dir, 'wasm.parquet');
    await writeFile(file, encodeTask(rows, { format: 'parquet', rowGroupRows: 20, columns: SPEC }));
    await assertOwnReader(file, rows, 20, false);
  });

  it('row groups below minValues keep parquet-wasm’s encoding (same bytes as without the option)', () => {
    const base: TaskEncoding = { format: 'parquet', rowGroupRows: 20, columns: SPEC };
    const a = Buffer.concat(encodeTask(rows, base));
    const b = Buffer.concat(encodeTask(rows, { ...base, pagedLists: { minValues: 1e9, pageValues: 7 } }));
    assert.ok(a.equals(b));
    const c = Buffer.concat(encodeTask(rows, { ...base, pagedLists: { minValues: 1, pageValues: 7 } }));
    assert.ok(!a.equals(c));
  });
});
