/** n-gram model quality on real text: held-out bits per byte on udhr + brown (DEFAULT_HELD_OUT). */
import { strict as assert } from 'node:assert';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import { ngramBitsPerByte, ngramEntropies, trainNgramModel } from '../../../../src/entropy/ngram/index.js';
import { brownDocuments, DEFAULT_HELD_OUT, splitHeldOut, udhrDocuments } from '../../../../src/ingest/corpora/index.js';

describe('n-gram model: held-out udhr + brown', () => {
  const { train, heldOut } = splitHeldOut([...udhrDocuments(), ...brownDocuments()], DEFAULT_HELD_OUT);
  const trainDocs = train.map((d) => encodeBytes(d.text));
  const heldDocs = heldOut.map((d) => encodeBytes(d.text));

  it('bits per byte is well below 8 and below a unigram model; higher orders help', () => {
    const unigram = ngramBitsPerByte(trainNgramModel(trainDocs, { order: 0 }), heldDocs);
    const order2 = ngramBitsPerByte(trainNgramModel(trainDocs, { order: 2 }), heldDocs);
    const order4 = ngramBitsPerByte(trainNgramModel(trainDocs, { order: 4 }), heldDocs);
    assert.equal(order4.documents, heldDocs.length);
    assert.equal(
      order4.bytes,
      heldDocs.reduce((n, d) => n + d.length - 2, 0),
    );
    assert.ok(unigram.bitsPerByte < 6, `unigram ${unigram.bitsPerByte}`);
    assert.ok(order2.bitsPerByte < unigram.bitsPerByte - 1, `order 2 ${order2.bitsPerByte}`);
    assert.ok(order4.bitsPerByte < order2.bitsPerByte && order4.bitsPerByte < 3.6, `order 4 ${order4.bitsPerByte}`);
  });

  it('held-out English (Brown) is easier than unseen languages; entropies stay in [0, ln 260]', () => {
    const model = trainNgramModel(trainDocs, { order: 3 });
    const brown = heldOut.flatMap((d, i) => (d.id.startsWith('brown:') ? [heldDocs[i] as Int32Array] : []));
    const udhr = heldOut.flatMap((d, i) => (d.id.startsWith('udhr:') ? [heldDocs[i] as Int32Array] : []));
    assert.ok(brown.length > 20 && udhr.length > 20);
    assert.ok(ngramBitsPerByte(model, brown).bitsPerByte < ngramBitsPerByte(model, udhr).bitsPerByte);
    for (const d of heldDocs.slice(0, 20))
      for (const h of ngramEntropies(model, d)) assert.ok(h >= 0 && h <= Math.log(260) + 1e-6);
  });
});
