/** The multilingual corpus: man page rendering, Debian Reference sections, split, dedup, reader. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BltError } from '../../../../src/core/errors.js';
import {
  cleanRenderedManPage,
  dedupCorpus,
  debianLangTag,
  isHeldOut,
  isManStub,
  multilingualDocuments,
  referenceSections,
  renderManPage,
  splitCorpus,
  CORPUS_SPLIT,
  type SourceDoc,
} from '../../../../src/ingest/corpora/index.js';

describe('corpora: man pages', () => {
  it('renders roff with groff to one paragraph per line, header and footer dropped', async () => {
    const src = [
      '.\\" comment',
      '.TH LS 1 "2023" "GNU coreutils 9.1" "User Commands"',
      '.SH NAME',
      'ls \\- list directory contents',
      '.SH DESCRIPTION',
      'List information about the FILEs',
      '(the current directory by default).',
      '.TP',
      '\\fB\\-a\\fR, \\fB\\-\\-all\\fR',
      'do not ignore entries starting with .',
      '.PP',
      'Ünïcödé текст 日本語 works.',
    ].join('\n');
    const text = await renderManPage(src);
    assert.equal(
      text,
      [
        'NAME',
        'ls - list directory contents',
        'DESCRIPTION',
        'List information about the FILEs (the current directory by default).',
        '-a, --all',
        'do not ignore entries starting with .',
        'Ünïcödé текст 日本語 works.',
      ].join('\n'),
    );
  });

  it('cleanRenderedManPage collapses indentation and blank lines', () => {
    assert.equal(
      cleanRenderedManPage('HDR(1)     x     HDR(1)\n\n\nNAME\n       a   b\n\n\nfooter  line\n'),
      'NAME\na b',
    );
  });

  it('recognizes `.so` include stubs, and pages with text', () => {
    assert.equal(isManStub('.\\" x\n.so man3/printf.3\n'), true);
    assert.equal(isManStub('.TH A 1\n.SH NAME\n'), false);
    assert.equal(isManStub(''), true);
  });

  it('maps Debian locale names to BCP 47', () => {
    assert.deepEqual(['de', 'pt_BR', 'zh_CN', 'zh-tw', 'en'].map(debianLangTag), [
      'de',
      'pt-BR',
      'zh-CN',
      'zh-TW',
      'en',
    ]);
  });
});

describe('corpora: Debian Reference', () => {
  const html = `<html><body><div class="navheader"><table><tr><td>Nav</td></tr></table></div>
<div class="chapter"><h1>Kapitel 3</h1><div class="toc"><p>Inhalt</p></div><p>Intro dropped.</p>
<div class="section"><h2 class="title"><a id="_the_kernel"/>3.1. Der Kern</h2><p>Der  Kern &amp; das
 System.</p><table><tr><td>a</td><td>b</td></tr></table><pre class="screen">$ ls -l
  total 0</pre></div>
<div class="section"><h2 class="title"><a id="_udev"/>3.2. udev</h2><ul><li>eins</li><li>zwei</li></ul></div>
</div><div class="navfooter"><p>Footer</p></div></body></html>`;

  it('gives one document per top-level section, keyed by its anchor; pre blocks keep their lines', () => {
    assert.deepEqual(referenceSections(html), [
      { anchor: '_the_kernel', text: '3.1. Der Kern\nDer Kern & das System.\na b\n$ ls -l\n  total 0' },
      { anchor: '_udev', text: '3.2. udev\neins\nzwei' },
    ]);
  });
});

describe('corpora: multilingual split and dedup', () => {
  const doc = (lang: string, key: string, text: string, source = 'manpages'): SourceDoc => ({
    id: `${source}:${lang}:${key}`,
    key: `man:${key}`,
    lang,
    source,
    text,
  });
  const keys = Array.from({ length: 60 }, (_, i) => `man1/page${i}.1`);

  it('keeps every translation of a text on one side, and gives every language a held-out set', () => {
    const docs = [
      ...keys.map((k) => doc('de', k, `deutsch ${k}`)),
      ...keys.map((k) => doc('ru', k, `русский ${k}`)),
      doc('el', 'man1/a.1', 'α'),
      doc('el', 'man1/b.1', 'β'),
    ];
    const split = splitCorpus(docs);
    for (const k of keys) {
      const sides = split.filter((d) => d.key === `man:${k}`).map((d) => d.split);
      assert.equal(new Set(sides).size, 1, k);
      assert.equal(sides[0], isHeldOut(`man:${k}`, CORPUS_SPLIT) ? 'heldout' : 'train');
    }
    for (const lang of ['de', 'ru', 'el'])
      assert.ok(
        split.some((d) => d.lang === lang && d.split === 'heldout'),
        lang,
      );
    assert.ok(split.some((d) => d.lang === 'el' && d.split === 'train'));
  });

  it('drops repeated documents and long lines already seen in the language, train first', () => {
    const boiler = 'This page is part of the Linux man-pages project, translated by volunteers.';
    const split = [
      {
        ...doc('en', 'h.1', `heldout text that is long enough to be kept as a document on its own\n${boiler}`),
        split: 'heldout' as const,
      },
      {
        ...doc('en', 'a.1', `first training page, long enough to be kept as a document\n${boiler}`),
        split: 'train' as const,
      },
      {
        ...doc('en', 'b.1', `first training page, long enough to be kept as a document\n${boiler}`),
        split: 'train' as const,
      },
      { ...doc('fr', 'a.1', `une page en français assez longue pour être gardée\n${boiler}`), split: 'train' as const },
    ];
    const out = dedupCorpus(split);
    assert.deepEqual(
      out.map((d) => d.id),
      ['manpages:en:a.1', 'manpages:en:h.1', 'manpages:fr:a.1'],
    );
    assert.equal(out[1]?.text, 'heldout text that is long enough to be kept as a document on its own');
    assert.ok(out[0]?.text.endsWith(boiler) && out[2]?.text.endsWith(boiler)); // per language
  });
});

describe('corpora: multilingual reader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-corpus-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a split with language and source filters', () => {
    const rows = [
      { id: 'a', lang: 'de', source: 'manpages', text: 'x' },
      { id: 'b', lang: 'ru', source: 'udhr', text: 'y' },
    ];
    writeFileSync(join(dir, 'heldout.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    assert.deepEqual([...multilingualDocuments('heldout', { dir })], rows);
    assert.deepEqual(
      [...multilingualDocuments('heldout', { dir, langs: ['ru'] })].map((d) => d.id),
      ['b'],
    );
    assert.deepEqual(
      [...multilingualDocuments('heldout', { dir, sources: ['manpages'] })].map((d) => d.id),
      ['a'],
    );
  });

  it('a missing corpus is NOT_FOUND saying how to build it', () => {
    assert.throws(
      () => [...multilingualDocuments('train', { dir })],
      (e: unknown) => e instanceof BltError && e.code === 'NOT_FOUND' && /build-corpus\.ts/.test(e.message),
    );
  });
});
