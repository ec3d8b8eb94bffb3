/** readTextInputs: plain files, lines, JSONL with the reference's field fallbacks, directories, errors. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BltError } from '../../../src/core/errors.js';
import { readTextInputs, type ReadTextOptions, type TextDoc } from '../../../src/ingest/read-text-inputs.js';

async function collect(paths: string[], opts?: ReadTextOptions): Promise<TextDoc[]> {
  const out: TextDoc[] = [];
  for await (const d of readTextInputs(paths, opts)) out.push(d);
  return out;
}

const text = (d: TextDoc | undefined): string => Buffer.from(d?.bytes ?? []).toString('utf8');

function isBltError(code: string, pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof BltError && e.code === code && pattern.test(e.message);
}

describe('readTextInputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-read-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('plain file: one document, bytes as-is (invalid UTF-8 kept), id = path', async () => {
    const raw = Uint8Array.of(0x61, 0xff, 0xc3, 0x28, 0x0a, 0x62, 0xed, 0xa0, 0x80);
    const f = join(dir, 'a.txt');
    writeFileSync(f, raw);
    const docs = await collect([f]);
    assert.equal(docs.length, 1);
    assert.deepEqual({ id: docs[0]?.id, source: docs[0]?.source }, { id: f, source: f });
    assert.deepEqual([...(docs[0]?.bytes ?? [])], [...raw]);
  });

  it('linesAsDocs: one document per non-empty line, CRLF handled, id = file:line', async () => {
    const f = join(dir, 'lines.txt');
    writeFileSync(f, Buffer.concat([Buffer.from('first\r\n\nthird '), Buffer.of(0xfe), Buffer.from('\nlast')]));
    const docs = await collect([f], { linesAsDocs: true });
    assert.deepEqual(
      docs.map((d) => d.id),
      [`${f}:1`, `${f}:3`, `${f}:4`],
    );
    assert.equal(text(docs[0]), 'first');
    assert.deepEqual([...(docs[1]?.bytes ?? [])].slice(-1), [0xfe]);
    assert.equal(text(docs[2]), 'last');
  });

  it('linesAsDocs: lines that span read chunks come out whole', async () => {
    const f = join(dir, 'big.txt');
    const long = 'x'.repeat(3_000_000);
    writeFileSync(f, `a\n${long}\nb`);
    const docs = await collect([f], { linesAsDocs: true });
    assert.deepEqual(
      docs.map((d) => d.bytes.length),
      [1, long.length, 1],
    );
  });

  it('jsonl: text, then content; id from sample_id|title|qid|paper_id|path|url|id, else file:line', async () => {
    const f = join(dir, 'd.jsonl');
    const lines = [
      { text: 'one', sample_id: 's1', id: 'ignored' },
      { content: 'two', url: 'http://u', id: 7 },
      {},
      { text: 'four' },
      { text: 'five', title: 'T', qid: 'Q' },
    ];
    writeFileSync(
      f,
      `${lines
        .slice(0, 2)
        .map((l) => JSON.stringify(l))
        .join('\n')}\n\n${lines
        .slice(3)
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
    );
    const docs = await collect([f]);
    assert.deepEqual(
      docs.map((d) => [d.id, text(d)]),
      [
        ['s1', 'one'],
        ['http://u', 'two'],
        [`${f}:4`, 'four'],
        ['T', 'five'],
      ],
    );
    assert.ok(docs.every((d) => d.source === f));
  });

  it('jsonl: textField picks another field; .json is read as JSON lines too', async () => {
    const f = join(dir, 'd.json');
    writeFileSync(f, `${JSON.stringify({ body: 'héllo', text: 'no' })}\n`);
    const docs = await collect([f], { textField: 'body' });
    assert.equal(text(docs[0]), 'héllo');
  });

  it('jsonl: unpaired surrogates are dropped like the reference tokenizer', async () => {
    const f = join(dir, 's.jsonl');
    writeFileSync(f, '{"text": "a\\ud800b\\ud83d\\ude00"}\n');
    const docs = await collect([f]);
    assert.deepEqual([...(docs[0]?.bytes ?? [])], [...Buffer.from('ab\u{1F600}')]);
  });

  it('jsonl: bad JSON, a non-object or a missing text field are BAD_INPUT naming file:line', async () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, '{"text": "ok"}\n{"text": oops}\n');
    await assert.rejects(
      collect([f]),
      isBltError('BAD_INPUT', new RegExp(`${escape(f)}:2: expected one JSON object per line`)),
    );
    writeFileSync(f, '[1, 2]\n');
    await assert.rejects(collect([f]), isBltError('BAD_INPUT', new RegExp(`${escape(f)}:1: expected a JSON object`)));
    writeFileSync(f, '{"body": "x"}\n');
    await assert.rejects(collect([f]), isBltError('BAD_INPUT', /:1: expected a text field \("text" or "content"\)/));
    writeFileSync(f, '{"text": 5}\n');
    await assert.rejects(collect([f]), isBltError('BAD_INPUT', /expected field "text" to be a string/));
  });

  it('directories: every file below, sorted by path, dot-files skipped', async () => {
    mkdirSync(join(dir, 'b', 'c'), { recursive: true });
    writeFileSync(join(dir, 'b', 'c', 'z.txt'), 'z');
    writeFileSync(join(dir, 'b', 'a.txt'), 'a');
    writeFileSync(join(dir, 'a.jsonl'), '{"text":"j"}\n');
    writeFileSync(join(dir, '.hidden'), 'h');
    const docs = await collect([dir]);
    assert.deepEqual(
      docs.map((d) => text(d)),
      ['j', 'a', 'z'],
    );
    assert.deepEqual(
      docs.map((d) => d.source),
      [join(dir, 'a.jsonl'), join(dir, 'b', 'a.txt'), join(dir, 'b', 'c', 'z.txt')],
    );
  });

  it('a missing path is NOT_FOUND naming it', async () => {
    const missing = join(dir, 'nope.txt');
    await assert.rejects(collect([missing]), isBltError('NOT_FOUND', new RegExp(escape(missing))));
  });

  it('reads the bundled samples: .txt lines and .jsonl give the same texts', async () => {
    const lines = await collect(['data/samples/multilingual.txt'], { linesAsDocs: true });
    const jsonl = await collect(['data/samples/multilingual.jsonl']);
    assert.ok(lines.length >= 40);
    assert.deepEqual(lines.map(text), jsonl.map(text));
    assert.equal(jsonl[0]?.id, 'udhr:eng');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
