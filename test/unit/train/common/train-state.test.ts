/** Both trainers' train-state.json through the state contract (src/core/state.ts), and the entropy loader's state. */
import assert from 'node:assert/strict';
import type { BltError } from '../../../../src/core/errors.js';
import { Rng } from '../../../../src/core/rng.js';
import { ByteSequenceLoader, loaderStateCodec } from '../../../../src/entropy/train/loader.js';
import { packDocuments } from '../../../../src/entropy/train/pack.js';
import { CHECKPOINT_FORMAT, trainState } from '../../../../src/entropy/train/train-state.js';
import { parseTrainState } from '../../../../src/train/common/checkpoint.js';
import { parseBltTrainState } from '../../../../src/train/trainer/train-state.js';

const state = (format: string): Record<string, unknown> => ({
  format,
  v: 1,
  step: 3,
  config: { steps: 6 },
  data: { inputs: ['x'] },
  loader: { kind: 'entropy-byte-loader' },
  rng: Rng.fromSeed(1).getState(),
  optimizer: { t: 3 },
  progress: { tokensSeen: 0 },
});

const rejects = (f: () => unknown, re: RegExp, hint?: RegExp): void =>
  assert.throws(f, (e: BltError) => {
    assert.equal(e.code, 'STATE_FORMAT');
    assert.match(e.message, re);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });

describe('train common: train states', () => {
  it('decodes a state of its format and keeps it as written', () => {
    const s = state(CHECKPOINT_FORMAT);
    assert.deepEqual(parseTrainState(JSON.stringify(s), '/run/c', trainState), s);
  });

  it('names the file, the field and the fix of a state that does not decode', () => {
    const text = (o: unknown): string => JSON.stringify(o);
    rejects(() => parseTrainState('{', '/run/c', trainState), /\/run\/c\/train-state.json is not valid JSON/);
    rejects(
      () => parseBltTrainState(text(state(CHECKPOINT_FORMAT)), '/run/c'),
      /train-state\.json\): expected format "blt-train-state", got "blt-entropy-train-state"/,
      /entropy-model run/,
    );
    rejects(() => parseTrainState(text({ ...state(CHECKPOINT_FORMAT), v: 2 }), '/d', trainState), /version 1, got 2/);
    const { progress: _p, ...partial } = state(CHECKPOINT_FORMAT);
    rejects(() => parseTrainState(text(partial), '/d', trainState), /missing field "progress"/);
    rejects(() => parseTrainState(text({ ...state(CHECKPOINT_FORMAT), step: -1 }), '/d', trainState), /`step`/);
    const rng = { kind: 'sfc32', v: 1, s: [1, 2] };
    rejects(() => parseTrainState(text({ ...state(CHECKPOINT_FORMAT), rng }), '/d', trainState), /`rng\.s`/);
    const optimizer = { t: 'x' };
    rejects(() => parseTrainState(text({ ...state(CHECKPOINT_FORMAT), optimizer }), '/d', trainState), /optimizer\.t/);
  });

  it('the entropy loader state: build() continues exactly; other kinds are refused', () => {
    const stream = packDocuments(Array.from({ length: 8 }, (_, i) => new TextEncoder().encode(`doc ${i} `.repeat(9))));
    const a = ByteSequenceLoader.create(stream, 8, 5);
    a.nextBatch(3);
    const saved = JSON.parse(JSON.stringify(a.getState())) as unknown;
    const b = loaderStateCodec.build(saved, stream);
    for (let i = 0; i < 5; i++) assert.deepEqual(b.nextBatch(3), a.nextBatch(3));
    rejects(() => loaderStateCodec.build({ ...(saved as object), kind: 'blt-loader' }, stream), /loader state/);
    rejects(() => loaderStateCodec.build({ ...(saved as object), epochRng: null }, stream), /epochRng/);
  });
});
