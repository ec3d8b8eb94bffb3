import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BltError } from '../../../../src/core/errors.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
} from '../../../../src/entropy/model-format/safetensors.js';
import type { WeightArray } from '../../../../src/entropy/transformer/types.js';

const FIXTURE = new URL('../../../fixtures/tiny-f32.safetensors', import.meta.url).pathname;

/** The tensors of test/fixtures/tiny-f32.safetensors (see test/fixtures/README.md), in a different insertion order. */
const fixtureTensors = new Map<string, WeightArray>([
  ['c', { shape: [2, 2], data: Float32Array.from([0.25, -0.125, 1e-3, 65504]) }],
  ['b.weight', { shape: [1, 2], data: Float32Array.from([0.5, 3]) }],
  ['a.weight', { shape: [2], data: Float32Array.from([1, -2]) }],
]);

function isFormat(re: RegExp) {
  return (e: unknown): boolean => e instanceof BltError && e.code === 'MODEL_FORMAT' && re.test(e.message);
}

/** A valid file whose JSON header is replaced by `header` (re-padded, length fixed up). */
function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  json = Uint8Array.from([...json, ...new Array((8 - (json.length % 8)) % 8).fill(0x20)]);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('model format: safetensors', () => {
  it('reads the hand-built Python-layout fixture', async () => {
    const { tensors, metadata } = await readSafetensors(FIXTURE);
    assert.deepEqual(metadata, { format: 'pt' });
    assert.deepEqual([...tensors.keys()].sort(), ['a.weight', 'b.weight', 'c']);
    for (const [name, t] of fixtureTensors) {
      assert.deepEqual(tensors.get(name)?.shape, t.shape);
      assert.deepEqual(tensors.get(name)?.data, t.data, name);
    }
  });

  it('writes byte-for-byte what the Python library writes (sorted names, compact JSON, space padding)', async () => {
    const bytes = encodeSafetensors(fixtureTensors, { format: 'pt' });
    assert.deepEqual(Buffer.from(bytes), await readFile(FIXTURE));
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(headerLen % 8, 0);
  });

  it('round-trips arbitrary tensors, including empty and unaligned inputs', () => {
    const backing = new Float32Array(11).map((_, i) => i / 3 - 1);
    const tensors = new Map<string, WeightArray>([
      ['x', { shape: [2, 5], data: backing.subarray(1) }],
      ['empty', { shape: [0, 3], data: new Float32Array(0) }],
      ['s', { shape: [], data: Float32Array.from([Math.PI]) }],
    ]);
    const bytes = encodeSafetensors(tensors);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3); // an unaligned view, as a Node Buffer from a pool can be
    const back = decodeSafetensors(padded.subarray(3));
    assert.equal(back.metadata, undefined);
    for (const [name, t] of tensors) {
      assert.deepEqual(back.tensors.get(name)?.shape, t.shape);
      assert.deepEqual(back.tensors.get(name)?.data, Float32Array.from(t.data));
    }
  });

  it('rejects truncated and corrupt files with MODEL_FORMAT errors that name the file', async () => {
    const good = encodeSafetensors(fixtureTensors, { format: 'pt' });
    const dataStart = good.length - 32;
    const data = good.subarray(dataStart);
    const src = 'model.safetensors';
    assert.throws(() => decodeSafetensors(good.subarray(0, 5), src), isFormat(/^model\.safetensors: file is 5 bytes/));
    assert.throws(() => decodeSafetensors(good.subarray(0, 100), src), isFormat(/header length 216 exceeds/));
    assert.throws(
      () => decodeSafetensors(good.subarray(0, good.length - 1), src),
      isFormat(/needs 32 bytes but the file has 31.*truncated/),
    );
    assert.throws(() => decodeSafetensors(Uint8Array.from([...good, 0, 0, 0, 0]), src), isFormat(/4 trailing bytes/));
    const badJson = good.slice();
    badJson[8] = 0x5b; // '[' instead of '{'
    assert.throws(() => decodeSafetensors(badJson, src), isFormat(/not valid UTF-8 JSON/));
    assert.throws(() => decodeSafetensors(withHeader([1, 2], data), src), isFormat(/not an object/));
    const entry = (dtype: string, shape: number[], off: [number, number]) => ({ dtype, shape, data_offsets: off });
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('F16', [16], [0, 32]) }, data), src),
      isFormat(/dtype F16; only F32/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('Q4', [8], [0, 32]) }, data), src),
      isFormat(/unknown dtype/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('F32', [3, 3], [0, 32]) }, data), src),
      isFormat(/shape \[3,3\].*36 bytes.*span 32/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('F32', [-1], [0, 32]) }, data), src),
      isFormat(/invalid shape/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('F32', [8], [32, 0]) }, data), src),
      isFormat(/end < begin/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('F32', [4], [0, 16]), b: entry('F32', [2], [24, 32]) }, data), src),
      isFormat(/tensor b starts at data offset 24, expected 16/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ a: entry('F32', [8], [0, 32]), b: entry('F32', [4], [0, 16]) }, data), src),
      isFormat(/contiguous/),
    );
    assert.throws(
      () => decodeSafetensors(withHeader({ __metadata__: { n: 1 }, a: entry('F32', [8], [0, 32]) }, data), src),
      isFormat(/__metadata__ must be an object of strings/),
    );
  });

  it('reports a missing file as NOT_FOUND with its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blt-st-'));
    try {
      await assert.rejects(
        readSafetensors(join(dir, 'nope.safetensors')),
        (e: unknown) => e instanceof BltError && e.code === 'NOT_FOUND' && e.message.includes('nope.safetensors'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
