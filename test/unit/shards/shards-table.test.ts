import assert from 'node:assert/strict';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { buildShardTable, flattenRows, tableFromColumns } from '../../../src/shards/build-table.js';
import { decodeBatch } from '../../../src/shards/decode-batch.js';
import { checkRow, rowColumnBytes, rowProblems, type ShardDoc, type ShardRow } from '../../../src/shards/row.js';
import {
  columnNames,
  shardSchema,
  specFromSchema,
  validateColumnsSpec,
  type ShardColumnsSpec,
} from '../../../src/shards/schema.js';
import type { BltError } from '../../../src/core/errors.js';

const FULL: ShardColumnsSpec = {
  entropies: true,
  patchLengths: true,
  ngramTables: [
    { groupSize: 3, hashFunction: 0 },
    { groupSize: 8, hashFunction: 1 },
  ],
};
const SPACE: ShardColumnsSpec = { entropies: false, patchLengths: true, ngramTables: [] };

/** A row generator valid for `spec`: any bytes (invalid UTF-8 included), any well-formed strings. */
function arbRow(spec: ShardColumnsSpec): fc.Arbitrary<ShardDoc> {
  return fc
    .record({
      docId: fc.string({ unit: 'grapheme', maxLength: 12 }),
      source: fc.string({ maxLength: 8 }),
      lang: fc.option(fc.constantFrom('en', 'zh-Hant', 'ар', ''), { nil: undefined }),
      bytes: fc.uint8Array({ maxLength: 60 }),
      seed: fc.integer(),
    })
    .map(({ docId, source, lang, bytes, seed }) => {
      const n = bytes.length + 2;
      const row: ShardDoc = { docId, source, bytes };
      if (lang !== undefined) row.lang = lang;
      let x = seed;
      const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) | 0);
      if (spec.entropies) row.entropies = Float32Array.from({ length: n }, () => next() / 2 ** 28);
      if (spec.patchLengths) {
        const pl: number[] = [];
        for (let left = n; left > 0;) {
          const l = Math.min(left, 1 + (Math.abs(next()) % 7));
          pl.push(l);
          left -= l;
        }
        row.patchLengths = Int32Array.from(pl);
      }
      if (spec.ngramTables.length > 0) row.ngramIds = spec.ngramTables.map(() => Int32Array.from({ length: n }, next));
      return row;
    });
}

const expected = (rows: readonly ShardDoc[]): ShardRow[] => rows.map((r) => ({ ...r, nTokens: r.bytes.length + 2 }));
const viaIpc = (t: arrow.Table): arrow.Table => arrow.tableFromIPC(arrow.tableToIPC(t, 'stream'));
const decodeAll = (t: arrow.Table, spec: ShardColumnsSpec): ShardRow[] =>
  t.batches.flatMap((b) => decodeBatch(b, spec));

describe('shards: schema', () => {
  it('names columns after the run settings', () => {
    assert.deepEqual(columnNames(FULL), [
      'doc_id',
      'source',
      'lang',
      'text',
      'n_tokens',
      'entropies',
      'patch_lengths',
      'ngram_ids_3_0',
      'ngram_ids_8_1',
    ]);
    assert.deepEqual(columnNames(SPACE), ['doc_id', 'source', 'lang', 'text', 'n_tokens', 'patch_lengths']);
  });

  it('types: utf8 ids, binary text, int32 n_tokens, list<float32>/list<int32>, metadata', () => {
    const s = shardSchema(FULL);
    assert.deepEqual(
      s.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`),
      [
        'doc_id:Utf8:false',
        'source:Utf8:false',
        'lang:Utf8:true',
        'text:Binary:false',
        'n_tokens:Int32:false',
        'entropies:List<Float32>:false',
        'patch_lengths:List<Int32>:false',
        'ngram_ids_3_0:List<Int32>:false',
        'ngram_ids_8_1:List<Int32>:false',
      ],
    );
    assert.equal(s.metadata.get('blt.format'), 'blt-shards');
    assert.equal(s.metadata.get('blt.format_version'), '1');
    assert.deepEqual(specFromSchema(s, 'x'), FULL);
  });

  it('rejects duplicate n-gram tables and foreign schemas', () => {
    assert.throws(
      () =>
        validateColumnsSpec({
          ...FULL,
          ngramTables: [
            { groupSize: 3, hashFunction: 0 },
            { groupSize: 3, hashFunction: 0 },
          ],
        }),
      (e: BltError) => e.code === 'BAD_OPTION' && /ngram_ids_3_0 twice/.test(e.message),
    );
    const foreign = new arrow.Schema([
      new arrow.Field('doc_id', new arrow.Utf8()),
      new arrow.Field('tokens', new arrow.Int32()),
    ]);
    assert.throws(
      () => specFromSchema(foreign, 'f.parquet'),
      (e: BltError) => e.code === 'SHARD_FORMAT' && /unexpected column `tokens`/.test(e.message),
    );
    const wrongType = new arrow.Schema([new arrow.Field('text', new arrow.Utf8())]);
    assert.throws(
      () => specFromSchema(wrongType, 'f.parquet'),
      (e: BltError) => e.code === 'SHARD_FORMAT' && /column `text` has type Utf8/.test(e.message),
    );
  });
});

describe('shards: zero-copy tables and row decoding', () => {
  for (const [name, spec] of [
    ['entropy mode with n-grams', FULL],
    ['space mode without n-grams', SPACE],
  ] as const) {
    it(`rows → table → IPC → rows is the identity (${name})`, () => {
      fc.assert(
        fc.property(fc.array(arbRow(spec), { maxLength: 20 }), (rows) => {
          fc.pre(rows.length > 0);
          const t = viaIpc(buildShardTable(rows, spec));
          assert.equal(t.numRows, rows.length);
          assert.deepStrictEqual(decodeAll(t, spec), expected(rows));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('tableFromColumns wraps the flat buffers without copying', () => {
    const rows: ShardDoc[] = [
      {
        docId: 'a',
        source: 's',
        bytes: new Uint8Array([1, 2]),
        entropies: new Float32Array(4),
        patchLengths: Int32Array.of(4),
        ngramIds: [new Int32Array(4), new Int32Array(4)],
      },
      {
        docId: 'b',
        source: 's',
        lang: 'en',
        bytes: new Uint8Array(0),
        entropies: new Float32Array(2),
        patchLengths: Int32Array.of(1, 1),
        ngramIds: [new Int32Array(2), new Int32Array(2)],
      },
    ];
    const cols = flattenRows(rows, FULL);
    const t = tableFromColumns(cols, FULL);
    const entropies = t.batches[0]?.getChild('entropies')?.data[0]?.children[0]?.values;
    assert.equal(entropies, cols.entropies?.values);
    assert.equal(t.batches[0]?.getChild('text')?.data[0]?.values.buffer, cols.text.values.buffer);
    assert.equal(cols.entropies?.offsets, cols.ngramIds[0]?.offsets, 'token-aligned lists share one offsets buffer');
    assert.equal(cols.lang.nullCount, 1);
    assert.deepStrictEqual(decodeAll(viaIpc(t), FULL), expected(rows));
  });

  it('row invariants: lengths against n_tokens, patch sums, columns of the spec', () => {
    const good: ShardDoc = { docId: 'd', source: 's', bytes: new Uint8Array(3), patchLengths: Int32Array.of(2, 3) };
    assert.deepEqual(rowProblems(good, SPACE), []);
    assert.match(
      rowProblems({ ...good, patchLengths: Int32Array.of(2, 2) }, SPACE).join(),
      /sum to 4, expected n_tokens = 5/,
    );
    assert.match(rowProblems({ ...good, entropies: new Float32Array(5) }, SPACE).join(), /no entropies column/);
    assert.match(rowProblems(good, FULL).join(), /entropies must be a Float32Array.*ngramIds has 0 arrays, expected 2/);
    assert.match(rowProblems({ ...good, docId: 'a\uD800' }, SPACE).join(), /docId must be a well-formed string/);
    assert.match(rowProblems(good, SPACE, 7).join(), /n_tokens is 7, expected text bytes \+ 2 = 5/);
    assert.throws(
      () => checkRow({ ...good, patchLengths: Int32Array.of(1) }, SPACE, 'task 3 row 0'),
      (e: BltError) => e.code === 'BAD_INPUT' && /task 3 row 0 \(doc "d"\)/.test(e.message) && e.hint !== undefined,
    );
  });

  it('rowColumnBytes counts values and offsets', () => {
    const row: ShardDoc = {
      docId: 'ab',
      source: 'ü',
      bytes: new Uint8Array(3),
      entropies: new Float32Array(5),
      patchLengths: Int32Array.of(5),
    };
    // strings 2 + 2 + 0 + 12 offsets; text 3 + 4; n_tokens 4; entropies 20 + 4; patches 4 + 4
    assert.equal(rowColumnBytes(row), 16 + 7 + 4 + 24 + 8);
  });
});
