import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BOS_ID, EOS_ID } from '../../../../src/bytes/byte-vocab.js';
import { packDocuments } from '../../../../src/entropy/train/pack.js';
import { ByteSequenceLoader, type LoaderState } from '../../../../src/entropy/train/loader.js';
import { splitByDocument } from '../../../../src/entropy/train/split.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('entropy train: byte packing and loader', () => {
  it('packs documents as [BOS, b+4..., EOS] back to back', () => {
    assert.deepEqual(Array.from(packDocuments([enc('ab'), enc(''), enc('c')])), [1, 101, 102, 2, 1, 2, 1, 103, 2]);
  });

  it('shifts correctly: y[i] = x[i+1], the last target is the real next token (no pad target)', () => {
    const stream = packDocuments([enc('hello world, '), enc('a second document'), enc('and a third one.')]);
    const L = 7;
    const loader = ByteSequenceLoader.create(stream, L, 1);
    for (let b = 0; b < 10; b++) {
      const { x, y } = loader.nextBatch(3);
      for (let r = 0; r < 3; r++) {
        const xs = Array.from(x.subarray(r * L, (r + 1) * L));
        const ys = Array.from(y.subarray(r * L, (r + 1) * L));
        assert.deepEqual(ys.slice(0, L - 1), xs.slice(1));
        assert.ok(
          ys.every((t) => t > 0),
          'no padding (id 0) among the targets',
        );
        // the row is a contiguous slice of the stream: find it and check the last target
        const start = stream.findIndex((_, i) => xs.every((t, j) => stream[i + j] === t));
        assert.ok(start >= 0);
        assert.equal(ys[L - 1], stream[start + L]);
      }
    }
    assert.ok(stream.includes(BOS_ID) && stream.includes(EOS_ID));
  });

  it('resumes from a JSON state exactly, across epoch boundaries', () => {
    const stream = packDocuments(['one', 'two two', 'three three three', 'four'].map(enc));
    const run = (n: number, from?: LoaderState): { batches: number[][]; state: LoaderState } => {
      const loader = from ? ByteSequenceLoader.fromState(stream, from) : ByteSequenceLoader.create(stream, 5, 42);
      const batches: number[][] = [];
      for (let i = 0; i < n; i++) batches.push(Array.from(loader.nextBatch(2).x));
      return { batches, state: loader.getState() };
    };
    const full = run(25).batches; // ~9 sequences per epoch: several epochs
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 25 }), (k) => {
        const first = run(k);
        const state = JSON.parse(JSON.stringify(first.state)) as LoaderState;
        const rest = run(25 - k, state).batches;
        assert.deepEqual([...first.batches, ...rest], full);
      }),
      { numRuns: 30 },
    );
  });

  it('reshuffles every epoch and refuses a state from other data', () => {
    const stream = packDocuments(['abcdefghijklmnopqrstuvwxyz'.repeat(4)].map(enc));
    const loader = ByteSequenceLoader.create(stream, 8, 3);
    const perEpoch = loader.sequencesPerEpoch;
    const e0 = Array.from(loader.nextBatch(perEpoch).x);
    const e1 = Array.from(loader.nextBatch(perEpoch).x);
    assert.notDeepEqual(e0, e1);
    const other = packDocuments([enc('something else entirely, long enough to hold a row')]);
    assert.throws(() => ByteSequenceLoader.fromState(other, loader.getState()), /differs from this run/);
  });

  it('rejects data shorter than one sequence with a clear message', () => {
    assert.throws(() => ByteSequenceLoader.create(packDocuments([enc('ab')]), 16, 0), /seq_len \+ 1 = 17/);
  });

  it('splits by document, deterministically, keeping both sides non-empty', () => {
    const docs = Array.from({ length: 200 }, (_, i) => ({ id: `doc-${i}` }));
    const a = splitByDocument(docs, 0.1);
    const b = splitByDocument([...docs].reverse(), 0.1);
    assert.deepEqual(new Set(a.val.map((d) => d.id)), new Set(b.val.map((d) => d.id)));
    assert.ok(a.val.length > 5 && a.val.length < 40, `held out ${a.val.length}`);
    const two = splitByDocument([{ id: 'x' }, { id: 'y' }], 0.1);
    assert.equal(two.train.length, 1);
    assert.equal(two.val.length, 1);
  });
});
