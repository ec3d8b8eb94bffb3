import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import {
  readInputs,
  type BadRecord,
  type IngestRecord,
  type RawDoc,
  type ReadOptions,
} from '../../../src/ingest/index.js';
import { collect, fixture } from '../../fixtures/ingest/helpers.js';

const STDIN = [{ path: '-', size: 0, kind: 'stdin', compression: 'none' }] as const;
const chunks = (...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array> =>
  Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const read = (opts: ReadOptions): Promise<IngestRecord[]> => collect(readInputs([...STDIN], opts));
const text = (r: IngestRecord | undefined): string => new TextDecoder().decode((r as RawDoc).bytes);

describe('ingest: stdin', () => {
  it('sniffs JSONL from the first non-space byte, even split across chunks', async () => {
    const records = await read({ stdin: chunks('  \n', '\t{"text":"one","id":"a"}\n{"te', 'xt":"two"}\n') });
    assert.deepEqual(
      records.map((r) => [(r as RawDoc).id, text(r), (r as RawDoc).source]),
      [
        ['a', 'one', 'stdin'],
        ['stdin:3', 'two', 'stdin'],
      ],
    );
    assert.deepEqual((records[1] as RawDoc).position, { file: 'stdin', line: 3 });
  });

  it('anything else is plain text: one document, or one per line', async () => {
    const [doc] = await read({ stdin: chunks('plain ', 'text\n{"not":"json"}\n') });
    assert.equal(text(doc), 'plain text\n{"not":"json"}\n');
    assert.equal((doc as RawDoc).id, 'stdin');
    const lines = await read({ stdin: chunks('a\r\n\nb'), linesAsDocs: true });
    assert.deepEqual(
      lines.map((r) => [(r as RawDoc).id, text(r)]),
      [
        ['stdin:1', 'a'],
        ['stdin:3', 'b'],
      ],
    );
  });

  it('a forced format wins over the sniffing', async () => {
    const [doc] = await read({ stdin: chunks('{"text":"x"}'), stdinFormat: 'text' });
    assert.equal(text(doc), '{"text":"x"}');
    const [bad] = await read({ stdin: chunks('not json'), stdinFormat: 'jsonl' });
    assert.match((bad as BadRecord).reason, /invalid JSON/);
  });

  it('decompresses gzip and zstd stdin (magic bytes)', async () => {
    const gz = gzipSync('{"text":"zipped"}\n');
    assert.equal(text((await read({ stdin: chunks(gz.subarray(0, 3), gz.subarray(3)) }))[0]), 'zipped');
    const zst = readFileSync(fixture('lines.jsonl.zst'));
    const records = await read({ stdin: chunks(zst) });
    assert.equal(records.length, 14);
    assert.equal((records[0] as RawDoc).id, 's1');
  });

  it('streams: reading the first records pulls only a few chunks of an endless gzip input', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      const gzip = createGzip();
      let i = 0;
      const src = Readable.from(
        (function* () {
          for (;;) yield Buffer.from(`${JSON.stringify({ id: `n${i}`, text: `document ${i++} `.repeat(20) })}\n`);
        })(),
      );
      for await (const c of src.pipe(gzip) as AsyncIterable<Buffer>) {
        pulled++;
        yield c;
      }
    }
    const stream = readInputs([...STDIN], { stdin: endless() });
    let n = 0;
    for await (const r of stream) {
      assert.equal((r as RawDoc).id, `n${n}`);
      if (++n === 20_000) break;
    }
    assert.ok(pulled < 2000, `pulled ${pulled} compressed chunks for 20k documents`);
    const state = stream.getState();
    assert.deepEqual([state.fileIndex, state.file, state.records, state.line], [0, '-', 20_000, 20_000]);
  });
});
