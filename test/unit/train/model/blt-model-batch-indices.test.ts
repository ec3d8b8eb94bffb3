import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BltError } from '../../../../src/core/errors.js';
import {
  MASKED,
  blockCausalMask,
  checkPatchLengths,
  decoderPatchIdsFromLengths,
  decoderSlotIndex,
  documentIds,
  patchByteTable,
  patchDocumentIds,
  patchIdsFromLengths,
} from '../../../../src/train/model/batch-indices.js';

const i32 = (a: number[]): Int32Array => Int32Array.from(a);

/** Reference `patch_ids_from_lengths`: #{p : cumsum0[p] ≤ i} − 1 over positions 0..n-1. */
function referencePatchIds(pl: number[], n: number): number[] {
  const cum = [0];
  for (const l of pl) cum.push((cum[cum.length - 1] as number) + l);
  return Array.from({ length: n }, (_, i) => cum.filter((c) => c <= i).length - 1);
}

/** Arbitrary rows of patch lengths with first 1 and sum N + 1 (zeros allowed, including at the end). */
const patchRows = fc
  .record({ N: fc.integer({ min: 1, max: 40 }), B: fc.integer({ min: 1, max: 3 }), seed: fc.integer() })
  .chain(({ N, B }) =>
    fc
      .array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 12 }), { minLength: B, maxLength: B })
      .map((rows) => {
        const full = rows.map((r) => {
          const pl = [1];
          let left = N;
          for (const l of r) {
            const take = Math.min(l, left);
            pl.push(take);
            left -= take;
          }
          pl[pl.length - 1] = (pl[pl.length - 1] as number) + left; // padding goes to the last patch
          if (pl.length === 1) pl.push(left);
          return pl;
        });
        const P = Math.max(...full.map((r) => r.length));
        const flat = new Int32Array(B * P);
        full.forEach((r, b) => flat.set(r, b * P));
        return { N, B, P, pl: flat, rows: full.map((r) => [...r, ...new Array<number>(P - r.length).fill(0)]) };
      }),
  );

describe('BLT batch indices: patch ids', () => {
  it('match the spec example: pl=[1,1,2,3], N=6 → patch_ids=[0,1,2,2,3,3], dec_pid=[0,1,1,2,2,2]', () => {
    const pl = i32([1, 1, 2, 3]);
    assert.deepEqual([...patchIdsFromLengths(pl, 1, 4, 6)], [0, 1, 2, 2, 3, 3]);
    assert.deepEqual([...decoderPatchIdsFromLengths(pl, 1, 4, 6)], [0, 1, 1, 2, 2, 2]);
  });

  it('skip empty patches like the reference formula', () => {
    assert.deepEqual([...patchIdsFromLengths(i32([1, 0, 2, 0, 2]), 1, 5, 4)], [0, 2, 2, 4]);
    assert.deepEqual(referencePatchIds([1, 0, 2, 0, 2], 4), [0, 2, 2, 4]);
  });

  it('equal the reference formula; dec_pid[i] = patch_ids[i+1] − 1 ≤ P − 2 holds no later byte; patch_ids non-decreasing (fast-check)', () => {
    fc.assert(
      fc.property(patchRows, ({ N, B, P, pl, rows }) => {
        checkPatchLengths(pl, B, P, N);
        const ids = patchIdsFromLengths(pl, B, P, N);
        const dec = decoderPatchIdsFromLengths(pl, B, P, N);
        rows.forEach((r, b) => {
          const ext = referencePatchIds(r, N + 1); // positions 0..N (N = the "next token")
          assert.deepEqual([...ids.subarray(b * N, (b + 1) * N)], ext.slice(0, N));
          for (let i = 0; i < N; i++) {
            assert.equal(dec[b * N + i], (ext[i + 1] as number) - 1);
            for (let j = i + 1; j < N; j++)
              assert.ok(
                (ids[b * N + j] as number) > (dec[b * N + i] as number),
                'no later byte in patches ≤ dec_pid[i]',
              );
            assert.ok((dec[b * N + i] as number) <= P - 2);
            if (i > 0) assert.ok((ids[b * N + i] as number) >= (ids[b * N + i - 1] as number));
          }
        });
      }),
    );
  });

  it('reject patch lengths that break the packing contract with BAD_INPUT', () => {
    const bad = (pl: number[], re: RegExp): void =>
      assert.throws(
        () => checkPatchLengths(i32(pl), 1, pl.length, 6),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT' && re.test(e.message),
      );
    bad([2, 1, 2, 2], /first = 1/);
    bad([1, 1, 2, 2], /sum = N \+ 1 = 7/);
    bad([1, 4, -1, 3], /≥ 0/);
  });
});

describe('BLT batch indices: masks', () => {
  it('documents end at EOS inclusive; local mask is causal, per document, windowed', () => {
    const x = i32([1, 10, 2, 1, 11, 12, 2, 0]); // doc A = [BOS,10,EOS], doc B = [BOS,11,12,EOS], pad
    const doc = documentIds(x, 1, 8);
    assert.deepEqual([...doc], [0, 0, 0, 1, 1, 1, 1, 2]);
    const m = blockCausalMask(doc, 1, 8, 2);
    const visible = (i: number): number[] =>
      [...m.subarray(i * 8, (i + 1) * 8)].flatMap((v, j) => (v === 0 ? [j] : []));
    assert.deepEqual(visible(2), [1, 2]); // window 2
    assert.deepEqual(visible(3), [3]); // BOS of doc B sees only itself
    assert.deepEqual(visible(6), [5, 6]);
    assert.deepEqual(visible(7), [7]);
    assert.ok([...m].every((v) => v === 0 || v === MASKED));
    assert.deepEqual(
      [...blockCausalMask(doc, 1, 8, null).subarray(6 * 8, 7 * 8)].map((v) => v === 0),
      [false, false, false, true, true, true, true, false],
    );
  });

  it('global blocks end at EOS-holding patches', () => {
    const x = i32([1, 10, 2, 1, 11, 12, 2, 0]);
    const pl = i32([1, 1, 1, 1, 3, 2]); // [BOS] [10] [EOS] [BOS] [11,12,EOS] [pad + next]
    const pid = patchIdsFromLengths(pl, 1, 6, 8);
    assert.deepEqual([...patchDocumentIds(x, pid, 1, 8, 6)], [0, 0, 0, 1, 1, 2]);
  });
});

describe('BLT batch indices: gather tables', () => {
  it('patchByteTable lists each patch’s bytes, pads with keep 0, marks empty patches, caps only the final patch', () => {
    const pl = i32([1, 2, 0, 1, 4]); // N = 7: bytes [0] [1,2] [] [3] [4,5,6 | next]
    const t = patchByteTable(pl, 1, 5, 7);
    assert.equal(t.L, 2);
    assert.deepEqual([...t.index], [0, 0, 1, 2, 0, 0, 3, 0, 4, 5]);
    assert.deepEqual([...t.keep], [1, 0, 1, 1, 0, 0, 1, 0, 1, 1]);
    assert.deepEqual([...t.nonEmpty], [1, 1, 0, 1, 1]);
  });

  it('patchByteTable covers every byte of every non-final patch exactly once (fast-check)', () => {
    fc.assert(
      fc.property(patchRows, ({ N, B, P, pl }) => {
        const t = patchByteTable(pl, B, P, N);
        const ids = patchIdsFromLengths(pl, B, P, N);
        const seen = new Map<number, number>();
        for (let s = 0; s < t.keep.length; s++) {
          if (t.keep[s] !== 1) continue;
          const row = t.index[s] as number;
          const bp = Math.floor(s / t.L);
          assert.equal(Math.floor(row / N), Math.floor(bp / P), 'same batch row');
          assert.equal(ids[row], bp % P, 'byte belongs to the patch');
          seen.set(row, (seen.get(row) ?? 0) + 1);
        }
        for (let b = 0; b < B; b++) {
          const finalPatch = referencePatchIds([...pl.subarray(b * P, (b + 1) * P)], N + 1)[N] as number;
          for (let i = 0; i < N; i++) {
            if (ids[b * N + i] !== finalPatch) assert.equal(seen.get(b * N + i), 1, `byte ${i} of row ${b}`);
            else assert.ok((seen.get(b * N + i) ?? 0) <= 1);
          }
        }
      }),
    );
  });

  it('decoderSlotIndex points byte i at the k slots of patch dec_pid[i]', () => {
    assert.deepEqual(
      [...decoderSlotIndex(i32([0, 1, 1, 0, 2, 2]), 2, 3, 4, 2)],
      [0, 1, 2, 3, 2, 3, 8, 9, 12, 13, 12, 13],
    );
  });
});
