import assert from 'node:assert/strict';
import type { BltError } from '../../../src/core/errors.js';
import { Rng, rngStateCodec } from '../../../src/core/rng.js';
import { defineState } from '../../../src/core/state.js';
import { encodeArray } from '../../../src/core/state-fields.js';

interface Counter {
  kind: 'counter';
  v: 2;
  n: number;
  rng: ReturnType<Rng['getState']>;
  note?: string;
}

const counterCodec = defineState<Counter, { n: number; rng: Rng }, { offset: number }>(
  {
    kind: 'counter',
    version: 2,
    label: 'counter state',
    fields: ['n', 'rng', 'note'],
    optional: ['note'],
    check: (r) => ({ kind: 'counter', v: 2, n: r.count('n'), rng: r.nested('rng', rngStateCodec) }),
  },
  (s, ctx) => ({ n: s.n + ctx.offset, rng: Rng.fromState(s.rng) }),
);

const good = (): Counter => ({ kind: 'counter', v: 2, n: 3, rng: Rng.fromSeed(7).getState() });

function rejects(value: unknown, pattern: RegExp, where?: string): void {
  assert.throws(
    () => counterCodec.decode(value, where),
    (e: BltError) => e.code === 'STATE_FORMAT' && pattern.test(e.message),
  );
}

describe('state contract (defineState)', () => {
  it('decodes a state, also after a JSON round trip, and build() rebuilds the stage exactly', () => {
    const s = good();
    assert.deepEqual(counterCodec.decode(JSON.parse(JSON.stringify(s))), s);
    const rng = Rng.fromSeed(7);
    const rebuilt = counterCodec.build(JSON.parse(JSON.stringify(s)), { offset: 10 });
    assert.equal(rebuilt.n, 13);
    assert.deepEqual(
      Array.from({ length: 5 }, () => rebuilt.rng.nextUint32()),
      Array.from({ length: 5 }, () => rng.nextUint32()),
    );
  });

  it('names the kind and version expected and received', () => {
    rejects({ ...good(), kind: 'other' }, /Invalid counter state: expected kind "counter", got "other"/);
    rejects({ ...good(), v: 1 }, /expected version 2, got 1[\s\S]*another version/);
    rejects({ ...good(), kind: undefined }, /expected kind "counter", got nothing/);
    rejects([1], /expected a JSON object, got \[1\]/);
    rejects(null, /expected a JSON object, got null/);
  });

  it('rejects unknown and missing fields; optional fields may be absent', () => {
    rejects({ ...good(), extra: 1 }, /unknown field "extra"/);
    const { n: _n, ...noN } = good();
    rejects(noN, /missing field "n"/);
    assert.equal(counterCodec.decode({ ...good(), note: 'x' }).n, 3);
  });

  it('field errors name the path inside nested states and where the state came from', () => {
    rejects({ ...good(), n: -1 }, /expected `n` to be an integer ≥ 0, got -1/);
    rejects({ ...good(), rng: { kind: 'sfc32', v: 9, s: [1, 2, 3, 4] } }, /expected rng\.v 1, got 9/);
    rejects({ ...good(), rng: { kind: 'sfc32', v: 1, s: [1, 2] } }, /expected `rng\.s` to be 4 uint32s/);
    rejects({ ...good(), rng: 5 }, /expected `rng` to be a JSON object, got 5/);
    rejects({ ...good(), n: 'x' }, /Invalid counter state \(run\/state\.json\): /, 'run/state.json');
  });

  it('other tag keys (format/version) for files that already use them', () => {
    const codec = defineState<{ format: string; version: number }>({
      kind: 'blt-thing',
      version: 1,
      label: 'thing',
      fields: [],
      tagKeys: { kind: 'format', version: 'version' },
      check: () => ({ format: 'blt-thing', version: 1 }),
    });
    assert.deepEqual(codec.decode({ format: 'blt-thing', version: 1 }), { format: 'blt-thing', version: 1 });
    assert.throws(() => codec.decode({ format: 'blt-thing', version: 3 }), /expected version 1, got 3/);
    assert.throws(() => codec.decode({ format: 'x', version: 1 }), /expected format "blt-thing", got "x"/);
  });

  it('typed arrays travel as base64 of their little-endian bytes, exactly', () => {
    const ints = Int32Array.from([0, -1, 2 ** 31 - 1, -(2 ** 31), 42]);
    const u16 = Uint16Array.from([0, 1, 65535, 260]);
    const codec = defineState({
      kind: 'arrays',
      version: 1,
      label: 'arrays',
      fields: ['a', 'b'],
      check: (r) => ({ a: r.int32Array('a'), b: r.uint16Array('b') }),
    });
    const got = codec.decode({ kind: 'arrays', v: 1, a: encodeArray(ints), b: encodeArray(u16) });
    assert.deepEqual(got.a, ints);
    assert.deepEqual(got.b, u16);
    assert.throws(
      () => codec.decode({ kind: 'arrays', v: 1, a: 'AQI=', b: '' }),
      /expected `a` to be base64 of a multiple of 4 bytes/,
    );
  });
});
