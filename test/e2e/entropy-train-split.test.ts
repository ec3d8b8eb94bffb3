/** The training split never holds out the only training data (issue 13 item 2). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { DEFAULT_HELD_OUT, isHeldOut } from '../../src/ingest/corpora/index.js';
import { chunkDocument, heldOutWarning, MIN_CHUNK_BYTES, splitByDocument } from '../../src/entropy/train/split.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('training split: one document', () => {
  it('chunks concatenate to the document and never cut a UTF-8 sequence', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 0, maxLength: 6000 }), (s) => {
        const bytes = enc(s);
        const chunks = chunkDocument(bytes);
        assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes));
        for (const c of chunks)
          assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(c).length > 0 || c.length === 0, true);
        if (bytes.length >= 2 * MIN_CHUNK_BYTES) assert.ok(chunks.length >= 2);
      }),
      { numRuns: 60 },
    );
  });

  it('a lone long document is split into chunks on both sides, even when its id hashes to the held-out side', () => {
    let id = '';
    for (let k = 0; !id; k++) if (isHeldOut(`doc${k}.txt`, DEFAULT_HELD_OUT)) id = `doc${k}.txt`;
    const bytes = enc('a line of training text.\n'.repeat(4000));
    const { train, val, note } = splitByDocument([{ id, bytes }], 0.1);
    assert.ok(train.length > 0 && val.length > 0, `${train.length} / ${val.length}`);
    assert.equal(train.length + val.length, chunkDocument(bytes).length);
    assert.match(note ?? '', /split into \d+ chunks/);
    assert.ok(val.every((d) => d.id.startsWith(`${id}#`)));
  });

  it('a lone short document trains, with no held-out set and a note', () => {
    const { train, val, note } = splitByDocument([{ id: 'x', bytes: enc('short') }], 0.1);
    assert.equal(train.length, 1);
    assert.equal(val.length, 0);
    assert.match(note ?? '', /too short to hold any of it out/);
  });

  it('fraction 0 keeps everything for training, untouched', () => {
    const doc = { id: 'x', bytes: enc('y'.repeat(5000)) };
    assert.deepEqual(splitByDocument([doc], 0), { train: [doc], val: [], note: undefined });
  });

  it('heldOutWarning fires when held-out bpb is not below the unigram', () => {
    assert.match(heldOutWarning(8.02, 4.5) ?? '', /not below the unigram's 4\.5000/);
    assert.equal(heldOutWarning(2.1, 4.5), undefined);
    assert.equal(heldOutWarning(null, 4.5), undefined);
  });
});

describe('cli: blt entropy train on one .txt file', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-split-cli-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('--kind ngram: a file whose path hashes to the held-out side still trains a real model (not uniform)', async () => {
    let path = '';
    for (let k = 0; !path; k++)
      if (isHeldOut(join(root, `text${k}.txt`), DEFAULT_HELD_OUT)) path = join(root, `text${k}.txt`);
    const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'and', 'runs'];
    const lines = Array.from(
      { length: 800 },
      (_, i) => `${words[i % 10]} ${words[(i * 3) % 10]} ${words[(i * 7) % 10]} number ${i % 13}.`,
    );
    await writeFile(path, lines.join('\n'));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', MAIN, 'entropy', 'train', path, '--kind', 'ngram', '--out', join(root, 'ng'), '--json'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      heldOutBpb: number;
      unigramBpb: number;
      warnings: string[];
      data: { documents: { train: number; val: number }; split: string };
    };
    assert.ok(out.data.documents.train > 0 && out.data.documents.val > 0);
    assert.match(out.data.split, /split into \d+ chunks/);
    assert.ok(out.heldOutBpb < out.unigramBpb, `${out.heldOutBpb} vs unigram ${out.unigramBpb}`);
    assert.ok(out.heldOutBpb < 4, `held-out ${out.heldOutBpb}`);
    assert.deepEqual(out.warnings, []);
  });
});
