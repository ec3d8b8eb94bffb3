import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listInputs, readInputs, type BadRecord, type IngestRecord, type RawDoc } from '../../../src/ingest/index.js';
import { collect, fixture, tempDir } from '../../fixtures/ingest/helpers.js';

const readAll = async (paths: string[], opts = {}): Promise<IngestRecord[]> =>
  collect(readInputs(await listInputs(paths), opts));
const text = (r: IngestRecord | undefined): string => new TextDecoder().decode((r as RawDoc).bytes);

describe('ingest: plain text', () => {
  it('one document per file: the exact bytes of .txt, .txt.gz and .txt.zst (multilingual, CRLF kept)', async () => {
    const want = readFileSync(fixture('multilingual.txt'));
    for (const name of ['multilingual.txt', 'multilingual.txt.gz', 'multilingual.txt.zst']) {
      const [doc, ...rest] = await readAll([fixture(name)]);
      assert.equal(rest.length, 0);
      assert.deepEqual(Buffer.from((doc as RawDoc).bytes), want, name);
      assert.equal((doc as RawDoc).id, fixture(name));
      assert.deepEqual((doc as RawDoc).position, { file: fixture(name) });
    }
  });

  it('keeps invalid UTF-8 byte for byte (overlong, surrogate, cut sequence, NUL)', async () => {
    const [doc] = await readAll([fixture('invalid-utf8.txt')]);
    assert.deepEqual(Buffer.from((doc as RawDoc).bytes), readFileSync(fixture('invalid-utf8.txt')));
    const [line] = await readAll([fixture('invalid-utf8.txt')], { linesAsDocs: true });
    assert.deepEqual(Buffer.from((line as RawDoc).bytes), readFileSync(fixture('invalid-utf8.txt')));
  });

  it('linesAsDocs: one document per line, CR stripped, empty lines skipped, ids <file>:<line>', async () => {
    const path = fixture('multilingual.txt.zst');
    const records = (await readAll([path], { linesAsDocs: true })) as RawDoc[];
    assert.deepEqual(
      records.map((d) => d.position.line),
      [1, 2, 4, 6, 7, 8],
    );
    assert.deepEqual(
      records.map((d) => d.id),
      [1, 2, 4, 6, 7, 8].map((n) => `${path}:${n}`),
    );
    assert.equal(text(records[1]), 'Français : où est la bibliothèque ?');
    assert.equal(text(records[5]), 'emoji: 👩‍👩‍👧 🇺🇳');
  });

  it('maxDocBytes and empty files become BadRecords; an unreadable or truncated file too', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const empty = join(dir, 'empty.txt');
      writeFileSync(empty, '');
      const cut = join(dir, 'cut.txt.gz');
      const gz = gzipSync(Buffer.alloc(200_000, 'abc def\n'));
      writeFileSync(cut, gz.subarray(0, gz.length - 20));
      const gone = join(dir, 'gone.txt');
      writeFileSync(gone, 'x');
      const files = await listInputs([fixture('multilingual.txt'), fixture('multilingual.txt.gz'), empty, cut, gone]);
      rmSync(gone);
      const [big, bigGz, none, broken, missing] = (await collect(
        readInputs(files, { maxDocBytes: 100 }),
      )) as BadRecord[];
      assert.equal(big?.reason, 'document of 281 bytes exceeds --max-doc-bytes 100');
      assert.equal(bigGz?.reason, 'document of 281 bytes exceeds --max-doc-bytes 100');
      assert.equal(bigGz?.raw?.slice(0, 8), 'English:');
      assert.deepEqual(none, { kind: 'bad', file: empty, reason: 'empty document (0 bytes of text)' });
      assert.match(
        broken?.reason ?? '',
        /^gzip stream stopped after \d+ bytes \(truncated or corrupt\): unexpected end of file/,
      );
      assert.match(missing?.reason ?? '', /^could not read the file: .*ENOENT/);
      const [whole] = await collect(readInputs(files.slice(3, 4), { maxDocBytes: 100_000 }));
      assert.match((whole as BadRecord).reason, /truncated or corrupt/, 'a truncated file is bad even past the limit');
    } finally {
      cleanup();
    }
  });
});
