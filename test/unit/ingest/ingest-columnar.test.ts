import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import {
  listInputs,
  readInputs,
  type BadRecord,
  type IngestRecord,
  type RawDoc,
  type ReadOptions,
} from '../../../src/ingest/index.js';
import { batch, collect, tempDir, writeArrowFile, writeParquetFile } from '../../fixtures/ingest/helpers.js';

const text = (r: IngestRecord | undefined): string => new TextDecoder().decode((r as RawDoc).bytes);
const readAll = async (paths: string[], opts: ReadOptions = {}): Promise<IngestRecord[]> =>
  collect(readInputs(await listInputs(paths), opts));
const summary = (records: IngestRecord[]): unknown[] =>
  records.map((r) => ('kind' in r ? ['bad', r.row, r.reason] : [r.id, r.position.row, text(r), r.lang]));

describe('ingest: Parquet and Arrow IPC', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  const b1 = (): ReturnType<typeof batch> =>
    batch({ text: ['héllo wörld', 'b', null, 'd'], sample_id: ['x1', null, 'x3', 'x4'], lang: ['fr', 'en', null, ''] });
  const b2 = (): ReturnType<typeof batch> =>
    batch({ text: ['日本語', 'f'], sample_id: ['x5', 'x6'], lang: ['ja', 'en'] });
  const EXPECTED = (file: string): unknown[] => [
    ['x1', 0, 'héllo wörld', 'fr'],
    [`${file}:1`, 1, 'b', 'en'],
    ['bad', 2, 'expected a value in text column "text", got null'],
    ['x4', 3, 'd', undefined],
    ['x5', 4, '日本語', 'ja'],
    ['x6', 5, 'f', 'en'],
  ];

  it('Parquet: rows across row groups, id fallback per row, null text → BadRecord with its row', async () => {
    const path = join(dir, 'a.parquet');
    writeParquetFile(path, [b1(), b2()], 2);
    assert.deepEqual(summary(await readAll([path], { parquetBatchRows: 1 })), EXPECTED(path));
  });

  it('Arrow IPC, file and stream format', async () => {
    for (const [name, format] of [
      ['a.arrow', 'file'],
      ['a.ipc', 'stream'],
      ['a.feather', 'file'],
    ] as const) {
      const path = join(dir, name);
      writeArrowFile(path, [b1(), b2()], format);
      assert.deepEqual(summary(await readAll([path])), EXPECTED(path), name);
    }
  });

  it('takes the stored bytes of binary, dictionary and `content` columns as they are', async () => {
    const bin = join(dir, 'bin.parquet');
    writeParquetFile(
      bin,
      [batch({ content: [new Uint8Array([0xff, 0x41, 0x00]), new Uint8Array([0x42])], id: ['i0', 'i1'] })],
      10,
    );
    const records = (await readAll([bin])) as RawDoc[];
    assert.deepEqual(
      records.map((d) => [d.id, Array.from(d.bytes)]),
      [
        ['i0', [0xff, 0x41, 0x00]],
        ['i1', [0x42]],
      ],
    );
    const dict = tableFromArrays({ text: ['same', 'other', 'same'], qid: Int32Array.from([7, 8, 9]) }); // strings → Dictionary<Int32, Utf8>
    assert.equal(String(dict.schema.fields[0]?.type), 'Dictionary<Int32, Utf8>');
    const dictArrow = join(dir, 'dict.arrow');
    writeFileSync(dictArrow, tableToIPC(dict, 'file'));
    const dictParquet = join(dir, 'dict.parquet');
    writeFileSync(
      dictParquet,
      writeParquet(
        WasmTable.fromIPCStream(tableToIPC(dict, 'stream')),
        new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build(),
      ),
    );
    for (const path of [dictArrow, dictParquet]) {
      assert.deepEqual(
        summary(await readAll([path])),
        [
          ['7', 0, 'same', undefined],
          ['8', 1, 'other', undefined],
          ['9', 2, 'same', undefined],
        ],
        path,
      );
    }
  });

  it('textField names the column; a missing or non-text column is one file-level BadRecord', async () => {
    const path = join(dir, 'body.parquet');
    writeParquetFile(path, [batch({ body: ['x', 'y'] })], 10);
    const [bad] = (await readAll([path])) as BadRecord[];
    assert.deepEqual(bad, {
      kind: 'bad',
      file: path,
      reason: 'expected a text column "text" or "content", got columns ["body"]; name it with --text-field',
    });
    assert.deepEqual(summary(await readAll([path], { textField: 'body' })), [
      [`${path}:0`, 0, 'x', undefined],
      [`${path}:1`, 1, 'y', undefined],
    ]);
    const ints = join(dir, 'ints.arrow');
    writeFileSync(ints, tableToIPC(tableFromArrays({ text: Int32Array.from([1]) }), 'file'));
    assert.match(
      ((await readAll([ints])) as BadRecord[])[0]?.reason ?? '',
      /expected column "text" to hold utf8 or binary values, got Int32/,
    );
  });

  it('maxDocBytes and empty strings apply to rows', async () => {
    const path = join(dir, 'sizes.arrow');
    writeArrowFile(path, [batch({ text: ['12345', '', '123456'] })]);
    assert.deepEqual(summary(await readAll([path], { maxDocBytes: 5 })), [
      [`${path}:0`, 0, '12345', undefined],
      ['bad', 1, 'empty document (0 bytes of text)'],
      ['bad', 2, 'document of 6 bytes exceeds --max-doc-bytes 5'],
    ]);
  });

  it('unreadable files: not Parquet, truncated Parquet, Feather v1 → one BadRecord each', async () => {
    const junk = join(dir, 'junk.parquet');
    writeFileSync(junk, 'not parquet at all');
    const good = readFileSync(join(dir, 'a.parquet'));
    const cut = join(dir, 'cut.parquet');
    writeFileSync(cut, good.subarray(0, good.length - 30));
    const v1 = join(dir, 'old.feather');
    writeFileSync(v1, 'FEA1\0\0\0\0rest');
    const records = (await readAll([junk, cut, v1])) as BadRecord[];
    assert.equal(records.length, 3);
    assert.match(records[0]?.reason ?? '', /^expected a Parquet file, could not open it: /);
    assert.match(records[1]?.reason ?? '', /^expected a Parquet file, could not open it: /);
    assert.match(records[2]?.reason ?? '', /Feather v1/);
  });

  it('a corrupt Parquet page (parquet-wasm panics): its row group becomes BadRecords, the rest is read', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => `row ${i}`);
    const props = new WriterPropertiesBuilder()
      .setCompression(Compression.UNCOMPRESSED)
      .setDictionaryEnabled(false)
      .setMaxRowGroupSize(3)
      .build();
    const bytes = Buffer.from(
      writeParquet(WasmTable.fromIPCStream(tableToIPC(new Table([batch({ text: rows })]), 'stream')), props),
    );
    bytes.fill(0xff, bytes.indexOf('row 3') - 16, bytes.indexOf('row 3') - 12); // inside row group 1's page header
    const path = join(dir, 'corrupt.parquet');
    writeFileSync(path, bytes);
    const got = summary(await readAll([path, join(dir, 'a.parquet')]));
    assert.deepEqual(
      got.slice(0, 3),
      [0, 1, 2].map((r) => [`${path}:${r}`, r, `row ${r}`, undefined]),
    );
    for (const r of [3, 4, 5])
      assert.match(String((got[r] as unknown[])[2]), /^row group 1 could not be decoded: parquet-wasm crashed/);
    assert.deepEqual(
      got.slice(6, 9),
      [6, 7, 8].map((r) => [`${path}:${r}`, r, `row ${r}`, undefined]),
    );
    assert.deepEqual(got.slice(9), EXPECTED(join(dir, 'a.parquet')), 'the next file is read by a fresh worker');
  });

  it('a truncated Arrow stream: the complete batches, then one BadRecord', async () => {
    const bytes = writeArrowFile(join(dir, 'full.ipc'), [b1(), b2()], 'stream');
    const path = join(dir, 'cut.ipc');
    writeFileSync(path, bytes.subarray(0, bytes.length - 40));
    const got = summary(await readAll([path]));
    assert.deepEqual(got.slice(0, 4), EXPECTED(path).slice(0, 4));
    assert.equal(got.length, 5);
    assert.match(String((got[4] as unknown[])[2]), /^Arrow IPC data truncated or corrupt after row 4: /);
  });

  it('a truncated Arrow file whose body carries the schema (as pyarrow writes): batches salvaged, then a BadRecord', async () => {
    const stream = tableToIPC(new Table([b1(), b2()]), 'stream');
    const path = join(dir, 'cut.arrow');
    writeFileSync(path, Buffer.concat([Buffer.from('ARROW1\0\0'), stream.subarray(0, stream.length - 40)])); // footer gone
    const got = summary(await readAll([path]));
    assert.deepEqual(got.slice(0, 4), EXPECTED(path).slice(0, 4));
    assert.equal(got.length, 5);
    assert.match(String((got[4] as unknown[])[2]), /^Arrow IPC data truncated or corrupt after row 4/);
  });
});
