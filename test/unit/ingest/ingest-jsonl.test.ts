import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listInputs, readInputs, type BadRecord, type IngestRecord, type RawDoc } from '../../../src/ingest/index.js';
import { collect, docs, fixture, tempDir, utf8 } from '../../fixtures/ingest/helpers.js';

const text = (d: RawDoc): string => new TextDecoder().decode(d.bytes);
const readAll = async (paths: string[], opts = {}): Promise<IngestRecord[]> =>
  collect(readInputs(await listInputs(paths), opts));
const isBad = (r: IngestRecord): r is BadRecord => 'kind' in r;

/** lines.jsonl, line by line (see make-fixtures.sh): [line, id or null for bad, text or reason pattern, lang]. */
const EXPECTED: [number, string | null, string | RegExp, string?][] = [
  [1, 's1', 'Hello, world!', 'en'],
  [2, 'Título', '¡Hola, señor! Ça va? 日本語のテキスト', 'es'],
  [4, '42', 'content fallback: Привет мир'],
  [5, '<file>:5', 'no id here'],
  [6, null, /expected one JSON object per line, got invalid JSON/],
  [7, null, /expected a JSON object, got an array of length 3/],
  [
    8,
    null,
    /expected a text field "text" or "content", got an object with keys \["id"\]; name the field with --text-field/,
  ],
  [9, null, /expected field "text" to be a string, got 123 \(number\)/],
  [10, 'https://e.x/10', 'lone  surrogate, pair 😀 kept'],
  [11, null, /empty document/],
  [13, 'p13', 'paper_id before id'],
  [14, 's14', 'text before content'],
  [15, 'x15', 'null text falls back to content'],
  [16, 'x16', 'last line without newline'],
];

function checkLines(records: IngestRecord[], file: string): void {
  assert.equal(records.length, EXPECTED.length);
  EXPECTED.forEach(([line, id, want, lang], i) => {
    const r = records[i] as IngestRecord;
    if (id === null) {
      assert.ok(isBad(r), `line ${line} should be bad`);
      assert.equal(r.file, file);
      assert.equal(r.line, line);
      assert.match(r.reason, want as RegExp);
    } else {
      assert.ok(!isBad(r), `line ${line} should be a document: ${JSON.stringify(r)}`);
      assert.equal(r.id, id.replace('<file>', file));
      assert.equal(text(r), want);
      assert.equal(r.lang, lang);
      assert.equal(r.source, file);
      assert.deepEqual(r.position, { file, line });
      assert.equal(r.bytes.byteOffset, 0);
      assert.equal(r.bytes.buffer.byteLength, r.bytes.length, 'each document owns its buffer');
    }
  });
}

describe('ingest: JSONL', () => {
  for (const name of ['lines.jsonl', 'lines.jsonl.gz', 'lines.jsonl.zst']) {
    it(`reads ${name}: text/id fallbacks, lang, bad lines with their numbers, good lines around them`, async () => {
      const path = fixture(name);
      checkLines(await readAll([path]), path);
    });
  }

  it('drops lone surrogates like the reference tokenizer (utf-8, errors="ignore")', async () => {
    const [doc] = docs(await readAll([fixture('lines.jsonl')])).filter((d) => d.id === 'https://e.x/10');
    assert.deepEqual(Array.from(doc?.bytes ?? []), Array.from(utf8('lone  surrogate, pair \u{1F600} kept')));
  });

  it('uses the fields named by textField / idField / langField', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'custom.jsonl');
      writeFileSync(
        path,
        [
          '{"body":"b1","key":"k1","language":"de","text":"ignored","id":"ignored"}',
          '{"body":"b2","id":"i2"}',
          '{"text":"t3"}',
          '',
        ].join('\n'),
      );
      const records = await readAll([path], { textField: 'body', idField: 'key', langField: 'language' });
      assert.equal(records.length, 3);
      const [a, b, c] = records;
      assert.deepEqual([(a as RawDoc).id, text(a as RawDoc), (a as RawDoc).lang], ['k1', 'b1', 'de']);
      assert.deepEqual([(b as RawDoc).id, text(b as RawDoc), (b as RawDoc).lang], [`${path}:2`, 'b2', undefined]);
      assert.ok(isBad(c as IngestRecord) && /expected a text field "body"/.test((c as BadRecord).reason));
    } finally {
      cleanup();
    }
  });

  it('reports invalid UTF-8, over-long lines and documents over maxDocBytes; a BOM and CRLF are fine', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'odd.jsonl');
      const bad = Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xff]), Buffer.from('b"}\n')]);
      const long = `{"text":"${'x'.repeat(300)}"}\n`;
      writeFileSync(
        path,
        Buffer.concat([
          Buffer.from('\ufeff{"text":"bom"}\r\n'),
          bad,
          Buffer.from(long),
          Buffer.from('{"text":"123456789"}\n{\n'),
        ]),
      );
      const records = await readAll([path], { maxDocBytes: 8, maxLineBytes: 200 });
      assert.equal(text(records[0] as RawDoc), 'bom');
      const [, r2, r3, r4, r5] = records as BadRecord[];
      assert.match(r2?.reason ?? '', /expected UTF-8 text, got an invalid byte sequence at byte 10 of the line/);
      assert.match(r3?.reason ?? '', /line of 311 bytes exceeds --max-line-bytes 200/);
      assert.equal(r3?.raw?.slice(0, 12), '{"text":"xxx');
      assert.equal(r4?.reason, 'document of 9 bytes exceeds --max-doc-bytes 8');
      assert.deepEqual([r4?.line, r4?.raw], [4, '123456789']);
      assert.match(r5?.reason ?? '', /pretty-printed JSON/);
      const replaced = await readAll([path], { invalidUtf8: 'replace' });
      assert.equal(text(replaced[1] as RawDoc), 'a\ufffdb');
    } finally {
      cleanup();
    }
  });

  it('a truncated .gz: every complete line, then one BadRecord saying where it broke', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lines = Array.from({ length: 3000 }, (_, i) =>
        JSON.stringify({ id: `d${i + 1}`, text: `line ${i + 1} ${'abcdefghij'.repeat((i * 7) % 13)}` }),
      );
      const gz = gzipSync(lines.join('\n') + '\n');
      const path = join(dir, 'cut.jsonl.gz');
      writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
      const records = await readAll([path]);
      const good = records.slice(0, -1) as RawDoc[];
      const last = records.at(-1) as BadRecord;
      assert.ok(good.length > 100 && good.length < 3000, `read ${good.length} lines`);
      good.forEach((d, i) => assert.equal(d.id, `d${i + 1}`));
      assert.equal(last.kind, 'bad');
      assert.equal(last.line, good.length + 1);
      assert.match(
        last.reason,
        new RegExp(
          `gzip stream truncated or corrupt in line ${good.length + 1} .*unexpected end of file.*lines up to ${good.length} were read`,
        ),
      );
    } finally {
      cleanup();
    }
  });

  it('a truncated .zst: the lines of its complete frames, then one BadRecord', async () => {
    const path = fixture('frames-truncated.jsonl.zst');
    const records = await readAll([path]);
    assert.deepEqual(
      records.slice(0, -1).map((r) => (r as RawDoc).id),
      Array.from({ length: 20 }, (_, i) => `f${i + 1}`),
    );
    assert.deepEqual(records.at(-1), {
      kind: 'bad',
      file: path,
      line: 21,
      reason:
        'zstd stream truncated or corrupt in line 21 (decompressed byte 702): unexpected EOF; lines up to 20 were read',
    });
    assert.equal((await readAll([fixture('frames.jsonl.zst')])).length, 30, 'the intact file has 30 lines in 3 frames');
  });
});
