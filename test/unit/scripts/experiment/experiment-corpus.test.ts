/**
 * The patching experiment's corpus (scripts/experiment/corpus.ts): any JSONL corpus with held-out
 * groups by a field or by script, a by-document split when no held-out files are given, and the
 * default udhr + Brown corpus unchanged (its split is DEFAULT_HELD_OUT's).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCorpus, cut } from '../../../../scripts/experiment/corpus.js';
import { isHeldOut, DEFAULT_HELD_OUT } from '../../../../src/ingest/corpora/index.js';
import type { BltError } from '../../../../src/core/errors.js';
import { tempDir } from '../../../helpers/preprocess-fixtures.js';

const DEFAULTS = { udhrBytes: 300, brownBytes: 500, brownDocs: 20 };

describe('experiment corpus', function () {
  this.timeout(120_000);

  it("--train/--heldout/--group-by: held-out groups are the field's values (missing: unknown), or the script", async () => {
    const dir = await tempDir('exp-corpus');
    const train = join(dir, 'train.jsonl');
    const held = join(dir, 'held.jsonl');
    await writeFile(
      train,
      `${JSON.stringify({ id: 't1', text: 'hello world', lang: 'en' })}\n\n${JSON.stringify({ text: 'Привет мир', lang: 'ru' })}\n`,
    );
    await writeFile(
      held,
      [
        { id: 'h1', text: 'guten Tag', lang: 'de' },
        { id: 'h2', text: 'Добрый день', lang: 'ru' },
        { id: 'h3', text: 'bonjour' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const byLang = await buildCorpus({ ...DEFAULTS, train: [train], heldout: [held], groupBy: 'lang' });
    assert.deepEqual(
      byLang.train.map((d) => [d.id, d.group]),
      [
        ['t1', 'train'],
        [`${train}:3`, 'train'],
      ],
    );
    assert.deepEqual(
      byLang.val.map((d) => [d.id, d.group]),
      [
        ['h1', 'de'],
        ['h2', 'ru'],
        ['h3', 'unknown'],
      ],
    );
    const byScript = await buildCorpus({ ...DEFAULTS, train: [train], heldout: [held], groupBy: 'script' });
    assert.deepEqual(
      byScript.val.map((d) => d.group),
      ['Latin', 'Cyrillic', 'Latin'],
    );
    const one = await buildCorpus({ ...DEFAULTS, train: [train], heldout: [held], docBytes: 4 });
    assert.deepEqual(
      one.val.map((d) => [d.group, d.text]),
      [
        ['all', 'gute'],
        ['all', 'До'],
        ['all', 'bonj'],
      ],
    );
  });

  it('without --heldout the training files are split by document with DEFAULT_HELD_OUT', async () => {
    const dir = await tempDir('exp-split');
    const train = join(dir, 'train.jsonl');
    const docs = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, text: `text ${i}`, lang: i % 2 ? 'a' : 'b' }));
    await writeFile(train, docs.map((o) => JSON.stringify(o)).join('\n'));
    const c = await buildCorpus({ ...DEFAULTS, train: [train], groupBy: 'lang' });
    assert.deepEqual(
      c.val.map((d) => d.id),
      docs.filter((d) => isHeldOut(d.id, DEFAULT_HELD_OUT)).map((d) => d.id),
    );
    assert.equal(c.train.length + c.val.length, 60);
    assert.ok(c.val.length > 0);
  });

  it('the default corpus is udhr + brown with the latin / other / brown groups; bad input is refused', async () => {
    const c = await buildCorpus(DEFAULTS);
    assert.deepEqual([...new Set(c.val.map((d) => d.group))].sort(), ['brown', 'latin', 'other']);
    assert.ok(
      c.val.every((d) => isHeldOut(d.id, DEFAULT_HELD_OUT)) && c.train.every((d) => !isHeldOut(d.id, DEFAULT_HELD_OUT)),
    );
    assert.ok(c.val.filter((d) => d.group === 'brown').every((d) => d.id.startsWith('brown:')));
    assert.equal(cut('ééé', 3), 'é', 'cut at a character boundary');
    await assert.rejects(buildCorpus({ ...DEFAULTS, groupBy: 'lang' }), (e: BltError) => e.code === 'BAD_OPTION');
    const dir = await tempDir('exp-bad');
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"id": "x", "body": "no text"}\n');
    await assert.rejects(
      buildCorpus({ ...DEFAULTS, train: [bad], heldout: [bad] }),
      (e: BltError) => e.code === 'BAD_INPUT' && /bad\.jsonl:1/.test(e.message),
    );
    await assert.rejects(
      buildCorpus({ ...DEFAULTS, train: [join(dir, 'missing.jsonl')] }),
      (e: BltError) => e.code === 'NOT_FOUND',
    );
  });
});
