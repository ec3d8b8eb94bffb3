/** n-gram model file: round trip, fingerprint, and MODEL_FORMAT errors for damaged files. */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BltError } from '../../../../src/core/errors.js';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import {
  encodeNgramModel,
  loadNgramModel,
  ngramEntropies,
  ngramLogProbs,
  ngramModelFromBytes,
  saveNgramModel,
  trainNgramModel,
} from '../../../../src/entropy/ngram/index.js';

const docs = readFileSync('data/samples/multilingual.txt', 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => encodeBytes(l));

describe('n-gram model file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-ngram-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const isFormatError = (pattern: RegExp) => (e: unknown) =>
    e instanceof BltError && e.code === 'MODEL_FORMAT' && pattern.test(e.message);

  it('save → load gives an identical model: tables, entropies, log-probs, fingerprint', () => {
    const model = trainNgramModel(docs, { order: 4 });
    const path = join(dir, 'm.ngram');
    assert.equal(saveNgramModel(path, model), model.fingerprint);
    const bytes = readFileSync(path);
    assert.equal(model.fingerprint, createHash('sha256').update(bytes).digest('hex'));
    const loaded = loadNgramModel(path);
    assert.equal(loaded.fingerprint, model.fingerprint);
    assert.equal(loaded.order, 4);
    assert.deepEqual(loaded.discounts, model.discounts);
    assert.deepEqual(loaded.prob, model.prob);
    assert.deepEqual(loaded.gamma, model.gamma);
    assert.deepEqual(loaded.entropy, model.entropy);
    assert.deepEqual(
      loaded.table.suffix.subarray(0, loaded.table.size),
      model.table.suffix.subarray(0, model.table.size),
    );
    for (const d of docs.slice(0, 5)) {
      assert.deepEqual(ngramEntropies(loaded, d), ngramEntropies(model, d));
      assert.deepEqual(ngramLogProbs(loaded, d), ngramLogProbs(model, d));
    }
    assert.deepEqual(encodeNgramModel(loaded), new Uint8Array(bytes)); // re-saving is byte-identical
  });

  it('training is deterministic: same documents, same fingerprint; other documents, another', () => {
    const a = trainNgramModel(docs, { order: 3 });
    assert.equal(trainNgramModel(docs, { order: 3 }).fingerprint, a.fingerprint);
    assert.notEqual(trainNgramModel(docs.slice(1), { order: 3 }).fingerprint, a.fingerprint);
    assert.notEqual(trainNgramModel(docs, { order: 2 }).fingerprint, a.fingerprint);
    assert.match(a.fingerprint, /^[0-9a-f]{64}$/);
  });

  it('wrong magic, wrong version, wrong vocabulary → MODEL_FORMAT', () => {
    const good = encodeNgramModel(trainNgramModel(docs.slice(0, 3), { order: 2 }));
    const bad = (edit: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      edit(b);
      return b;
    };
    assert.throws(
      () =>
        ngramModelFromBytes(
          bad((b) => b.set(Buffer.from('NOTAMODL'), 0)),
          'x.ngram',
        ),
      isFormatError(/x\.ngram: .*expected magic "BLTNGRAM", got "NOTAMODL"/),
    );
    assert.throws(
      () => ngramModelFromBytes(bad((b) => new DataView(b.buffer).setUint32(8, 3, true))),
      isFormatError(/expected format version 1 or 2, got 3.*upgrade blt-toolkit/s),
    );
    assert.throws(
      () => ngramModelFromBytes(bad((b) => new DataView(b.buffer).setUint32(16, 256, true))),
      isFormatError(/vocabulary size 260, got 256/),
    );
  });

  it('truncated or padded files → MODEL_FORMAT saying so', () => {
    const path = join(dir, 't.ngram');
    const good = encodeNgramModel(trainNgramModel(docs.slice(0, 3), { order: 2 }));
    for (const cut of [0, 10, 30, good.length - 1]) {
      writeFileSync(path, good.subarray(0, cut));
      assert.throws(() => loadNgramModel(path), isFormatError(/truncated/), `cut at ${cut}`);
    }
    writeFileSync(path, Buffer.concat([good, Buffer.of(0)]));
    assert.throws(() => loadNgramModel(path), isFormatError(/trailing bytes/));
  });

  it('corrupt tables (bad parent, bad token, duplicate n-gram) → MODEL_FORMAT naming the node', () => {
    const model = trainNgramModel(docs.slice(0, 3), { order: 2 });
    const good = encodeNgramModel(model);
    const n = model.table.size - 1;
    const nSlots = (model.contexts?.mask ?? -1) + 1;
    const parentAt = 48 + model.discounts.length * 8 + 260 * 8; // version 2: parents of nodes 1..n after the header, discounts, floor
    const tokenAt = parentAt + n * 8;
    assert.equal(good.length, tokenAt + n * 2 + ((4 - ((n * 2) % 4)) % 4) + nSlots * 16);
    const edit = (at: number, write: (v: DataView) => void): Uint8Array => {
      const b = good.slice();
      write(new DataView(b.buffer, at));
      return b;
    };
    assert.throws(
      () => ngramModelFromBytes(edit(parentAt, (v) => v.setInt32(0, 5, true))),
      isFormatError(/node 1: expected a parent id in \[0, 1\), got 5/),
    );
    assert.throws(
      () => ngramModelFromBytes(edit(tokenAt, (v) => v.setUint16(0, 300, true))),
      isFormatError(/node 1: expected a token < 260/),
    );
    const dupAt = (v: number): Uint8Array =>
      edit(tokenAt + 2 * (v - 1), (w) => w.setUint16(0, model.table.token[1] as number, true));
    // duplicates are found when the trie is linked: at first use of the log-prob path, never scored silently wrong there
    const dup = ngramModelFromBytes(dupAt(model.table.parent.findIndex((p, v) => v > 1 && p === 0)));
    assert.throws(() => ngramLogProbs(dup, docs[0] as Int32Array), isFormatError(/corrupt n-gram table at node \d+/));
    // unigram model: nodes 1 = BOS, 2 = 'a', both children of the root; node 2 := BOS is a duplicate
    const uniModel = trainNgramModel([Int32Array.of(1, 101)], { order: 0 });
    const uni = encodeNgramModel(uniModel);
    new DataView(uni.buffer).setUint16(48 + uniModel.discounts.length * 8 + 260 * 8 + 2 * 8 + 2, 1, true);
    assert.throws(
      () => ngramModelFromBytes(uni).table,
      isFormatError(/node 2: duplicate n-gram \(parent 0, token 1\)/),
    );
  });

  it('a missing file is NOT_FOUND', () => {
    assert.throws(
      () => loadNgramModel(join(dir, 'none.ngram')),
      (e: unknown) => e instanceof BltError && e.code === 'NOT_FOUND',
    );
  });
});
