import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  listInputs,
  readInputs,
  type IngestCursor,
  type IngestRecord,
  type InputFile,
  type ReadOptions,
} from '../../../src/ingest/index.js';
import {
  batch,
  collect,
  fixture,
  plain,
  tempDir,
  writeArrowFile,
  writeParquetFile,
} from '../../fixtures/ingest/helpers.js';
import { ingestCursorCodec } from '../../../src/ingest/readers/ingest-stream.js';

/** The first k records of a fresh stream, and its state after them (through JSON, as a checkpoint would be). */
async function readSome(
  files: InputFile[],
  opts: ReadOptions,
  k: number,
): Promise<{ head: IngestRecord[]; state: IngestCursor }> {
  const stream = readInputs(files, opts);
  const it = stream[Symbol.asyncIterator]();
  const head: IngestRecord[] = [];
  for (let i = 0; i < k; i++) {
    const r = await it.next();
    if (r.done === true) break;
    head.push(r.value);
  }
  const state = JSON.parse(JSON.stringify(stream.getState())) as IngestCursor;
  await it.return?.(undefined);
  return { head, state };
}

describe('ingest: resuming (skipDocs, cursor)', function () {
  let dir: string;
  let cleanup: () => void;
  let files: InputFile[];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    for (const f of [
      'lines.jsonl',
      'lines.jsonl.gz',
      'frames-truncated.jsonl.zst',
      'multilingual.txt',
      'invalid-utf8.txt',
      'multilingual.txt.zst',
    ])
      copyFileSync(fixture(f), join(dir, f));
    writeParquetFile(join(dir, 'p.parquet'), [batch({ text: ['p0', null, 'p2', 'p3', 'p4', 'p5', 'p6'] })], 3);
    writeArrowFile(join(dir, 'q.arrow'), [batch({ text: ['q0', 'q1'] }), batch({ text: ['q2', '', 'q4'] })]);
    const ipc = writeArrowFile(join(dir, 'r.ipc'), [batch({ text: ['r0', 'r1'] }), batch({ text: ['r2'] })], 'stream');
    writeFileSync(join(dir, 'r.ipc'), ipc.subarray(0, ipc.length - 30));
    const gz = gzipSync(Array.from({ length: 400 }, (_, i) => `{"text":"g${i} ${'z'.repeat(i % 50)}"}\n\n`).join(''));
    writeFileSync(join(dir, 's.jsonl.gz'), gz.subarray(0, gz.length - 60));
    writeFileSync(join(dir, 'empty.txt'), '');
    files = await listInputs([dir]);
  });
  after(() => cleanup());

  for (const opts of [{}, { linesAsDocs: true, maxDocBytes: 40 }] as ReadOptions[]) {
    describe(`with options ${JSON.stringify(opts)}`, () => {
      let full: unknown[];
      before(async () => {
        full = (await collect(readInputs(files, opts))).map(plain);
        assert.ok(full.length > 100);
      });

      it('skipDocs: N equals dropping the first N of a full read', async () => {
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 0, max: full.length + 3 }), async (n) => {
            const rest = (await collect(readInputs(files, opts, { skipDocs: n }))).map(plain);
            assert.deepEqual(rest, full.slice(n));
          }),
          { numRuns: 12, examples: [[0], [full.length], [1]] },
        );
      });

      it('cursor: reading k, then resuming from getState() continues exactly (also with skipDocs on top)', async () => {
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 0, max: full.length }), fc.integer({ min: 0, max: 5 }), async (k, m) => {
            const { head, state } = await readSome(files, opts, k);
            assert.equal(state.records, k);
            const rest = (await collect(readInputs(files, opts, { cursor: state, skipDocs: m }))).map(plain);
            assert.deepEqual([...head.map(plain), ...rest], [...full.slice(0, k), ...full.slice(k + m)]);
          }),
          {
            numRuns: 15,
            examples: [
              [0, 0],
              [full.length, 0],
              [full.length - 1, 0],
            ],
          },
        );
      });
    });
  }

  it('after a full read the state points past the last file, and resuming from it reads nothing', async () => {
    const stream = readInputs(files);
    const n = (await collect(stream)).length;
    const state = stream.getState();
    assert.deepEqual(state, { kind: 'ingest-cursor', v: 1, fileIndex: files.length, file: null, records: n });
    assert.equal((await collect(readInputs(files, {}, { cursor: state }))).length, 0);
  });

  it('the cursor codec rebuilds the stream: build(getState()) continues with the remaining records', async () => {
    const full = (await collect(readInputs(files))).map(plain);
    const { state } = await readSome(files, {}, 3);
    const rest = await collect(ingestCursorCodec.build(state, { files }));
    assert.deepEqual(rest.map(plain), full.slice(3));
  });

  it('refuses cursors of another kind, version, input list or file kind (STATE_FORMAT)', () => {
    const ok: IngestCursor = { kind: 'ingest-cursor', v: 1, fileIndex: 0, file: files[0]?.path ?? null, records: 0 };
    const bad = (c: unknown, pattern: RegExp): void => {
      assert.throws(
        () => readInputs(files, {}, { cursor: c as IngestCursor }),
        (e: Error & { code?: string }) => e.code === 'STATE_FORMAT' && pattern.test(e.message),
      );
    };
    bad({ ...ok, kind: 'loader' }, /expected kind "ingest-cursor", got "loader"/);
    bad({ ...ok, v: 2 }, /expected version 1, got 2/);
    bad({ ...ok, extra: 1 }, /unknown field "extra"/);
    bad({ ...ok, records: -1 }, /`records` to be an integer ≥ 0/);
    bad({ ...ok, line: 3 }, /`line` and `byteOffset` together/);
    bad({ ...ok, file: 'elsewhere.jsonl' }, /input 0 is now/);
    bad({ ...ok, fileIndex: files.length + 1, file: null }, /past the/);
    const parquet = files.findIndex((f) => f.kind === 'parquet');
    bad(
      { ...ok, fileIndex: parquet, file: files[parquet]?.path, line: 1, byteOffset: 10 },
      /holds a line position for .*parquet/,
    );
    assert.throws(() => readInputs(files, {}, { skipDocs: -1 }), /Expected `skipDocs` to be an integer ≥ 0/);
  });
});
