import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeStruct,
  encodeStruct,
  T,
  type ThriftStruct,
  type ThriftValue,
} from '../../../src/shards/thrift-compact.js';
import { encodeTask } from '../../../src/shards/encode-task.js';
import { parquetFooter } from '../../../src/shards/parquet-splice.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';

/** The wire bytes of a zigzag varint, written the slow way (BigInt throughout). */
function zigzagBytes(v: bigint): number[] {
  let x = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return out;
}

const i64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }),
  fc.bigInt({ min: -300n, max: 300n }),
);
const i32 = fc.oneof(fc.integer(), fc.integer({ min: -300, max: 300 }));
const i16 = fc.integer({ min: -32768, max: 32767 });

const arbStruct: fc.Arbitrary<ThriftStruct> = fc.letrec<{ s: ThriftStruct }>((tie) => ({
  s: fc
    .uniqueArray(
      fc.record({
        id: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 32767 })),
        v: fc.oneof<fc.Arbitrary<[number, ThriftValue]>[]>(
          fc.boolean().map((b) => [T.TRUE, b]),
          i16.map((x) => [T.I16, x]),
          i32.map((x) => [T.I32, x]),
          i64.map((x) => [T.I64, x]),
          fc.uint8Array({ maxLength: 40 }).map((b) => [T.BINARY, b]),
          fc.array(i64, { maxLength: 40 }).map((items) => [T.LIST, { elemType: T.I64, items }]),
          fc.array(i32, { maxLength: 20 }).map((items) => [T.LIST, { elemType: T.I32, items }]),
          fc
            .array(fc.tuple(i32, fc.uint8Array({ maxLength: 5 })), { minLength: 1, maxLength: 5 })
            .map((entries) => [T.MAP, { keyType: T.I32, valType: T.BINARY, entries }]),
          fc
            .array(tie('s'), { maxLength: 3 })
            .map((items) => [T.LIST, { elemType: T.STRUCT, items }] as [number, ThriftValue]),
        ),
      }),
      { maxLength: 8, selector: (f) => f.id },
    )
    .map((fs) => ({
      fields: fs.sort((a, b) => a.id - b.id).map(({ id, v }) => ({ id, type: v[0], value: v[1] })),
    })),
})).s;

describe('shards/thrift-compact', () => {
  it('decodes what it encodes, and re-encodes it to the same bytes (property)', () => {
    fc.assert(
      fc.property(arbStruct, (s) => {
        const bytes = encodeStruct(s);
        const back = decodeStruct(bytes);
        assert.deepEqual(back, s);
        assert.deepEqual(encodeStruct(back), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('writes i64, i32 and i16 fields as zigzag varints bit for bit (property)', () => {
    fc.assert(
      fc.property(i64, i32, i16, (a, b, c) => {
        const bytes = encodeStruct({
          fields: [
            { id: 1, type: T.I64, value: a },
            { id: 2, type: T.I32, value: b },
            { id: 3, type: T.I16, value: c },
          ],
        });
        const want = [0x16, ...zigzagBytes(a), 0x15, ...zigzagBytes(BigInt(b)), 0x14, ...zigzagBytes(BigInt(c)), 0];
        assert.deepEqual([...bytes], want);
      }),
      { numRuns: 500 },
    );
  });

  it('a long field-id delta and the extreme i64 values', () => {
    const s: ThriftStruct = {
      fields: [
        { id: 3, type: T.I64, value: -(2n ** 63n) },
        { id: 400, type: T.I64, value: 2n ** 63n - 1n },
      ],
    };
    const bytes = encodeStruct(s);
    assert.deepEqual([...bytes.subarray(0, 11)], [0x36, ...zigzagBytes(-(2n ** 63n))]);
    assert.deepEqual(bytes[11], 0x06); // delta 0: the id follows as a zigzag varint
    assert.deepEqual([...bytes.subarray(12, 14)], zigzagBytes(400n));
    assert.deepEqual(decodeStruct(bytes), s);
  });

  it('rewrites a parquet-wasm footer to its exact bytes', () => {
    const spec = { entropies: true, patchLengths: true, ngramTables: [{ groupSize: 3, hashFunction: 0 }] };
    const file = Buffer.concat(
      encodeTask(syntheticRows(3, 30, spec), { format: 'parquet', rowGroupRows: 7, columns: spec }),
    );
    const len = file.readUInt32LE(file.length - 8);
    const footer = file.subarray(file.length - 8 - len, file.length - 8);
    assert.deepEqual(Buffer.from(encodeStruct(parquetFooter(file))), footer);
  });
});
