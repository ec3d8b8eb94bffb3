/**
 * The packer (docs/reference.md §3.6) as pure functions: the worked toy example, truncation and padding, the
 * partial last batch, and fast-check against a line-by-line transliteration of the reference's
 * `_create_iter_from_patch_lengths` + `truncate_batch` (plain arrays, as the Python does it).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assembleBatch } from '../../../../src/train/data/loader-batch.js';
import { forceFirstPatch, packSequences } from '../../../../src/train/data/pack-batch.js';
import { concatSnapshot, PatchStream, type Sequence } from '../../../../src/train/data/patch-stream.js';

const seq = (pl: number[], first = 10): Sequence => {
  const n = pl.reduce((a, b) => a + b, 0);
  return { tokens: Uint16Array.from({ length: n }, (_, i) => first + i), patchLengths: Int32Array.from(pl) };
};
const row = (a: ArrayLike<number>, i: number, w: number): number[] => Array.from(a).slice(i * w, (i + 1) * w);

/** The reference, transliterated: lists of lists, the same loops and the same order of edits. */
function referencePack(
  seqs: Sequence[],
  B: number,
  P: number,
  N: number,
): { x: number[][]; y: number[][]; mask: boolean[][]; pl: number[][] } {
  const tokens: number[][] = [];
  const masks: boolean[][] = [];
  const pls: number[][] = [];
  for (const s of seqs) {
    let t = Array.from(s.tokens);
    let pl = Array.from(s.patchLengths);
    let last = 0;
    if ((pl[0] as number) > 1) {
      last = pl[pl.length - 1] as number;
      pl[0] = (pl[0] as number) - 1;
      pl = [1, ...pl.slice(0, -1)];
    }
    t = t.slice(0, t.length - last);
    tokens.push(t);
    masks.push(t.map(() => true));
    pls.push(pl);
  }
  const T = Math.max(...tokens.map((t) => t.length)) - 1;
  const x = Array.from({ length: B }, () => new Array<number>(T).fill(0));
  const y = Array.from({ length: B }, () => new Array<number>(T).fill(0));
  tokens.forEach((t, i) => {
    for (let k = 0; k < t.length - 1; k++)
      [(x[i] as number[])[k], (y[i] as number[])[k]] = [t[k] as number, t[k + 1] as number];
    const pl = pls[i] as number[];
    pl[P - 1] = (pl[P - 1] as number) + T - (t.length - 1);
  });
  while (pls.length < B) {
    pls.push([...(pls[pls.length - 1] as number[])]);
    masks.push(new Array<boolean>(T).fill(false));
  }
  // _merge_patch_seq_masks: mask[i][:len(m)-1] = m[1:]
  let mask = masks.map((m) => Array.from({ length: T }, (_, k) => k < m.length - 1 && (m[k + 1] as boolean)));
  let [xs, ys] = [x, y];
  const sums = pls.map((p) => p.reduce((a, b) => a + b, 0));
  if (sums.some((s) => s > N + 1)) {
    pls.forEach((p, i) => {
      if ((sums[i] as number) <= N + 1) return;
      let [count, j] = [0, 0];
      while (count + (p[j] as number) <= N + 1) count += p[j++] as number;
      for (let q = j; q < P; q++) p[q] = 0;
      p[j] = N + 1 - count;
    });
    if (N < T)
      [xs, ys, mask] = [xs.map((r) => r.slice(0, N)), ys.map((r) => r.slice(0, N)), mask.map((r) => r.slice(0, N))];
  } else if (T < N) {
    pls.forEach((p) => {
      const j = Math.max(0, p.filter((v) => v !== 0).length - 1);
      p[j] = (p[j] as number) + N - T;
    });
    const pad = <V>(r: V[], v: V): V[] => [...r, ...new Array<V>(N - T).fill(v)];
    [xs, ys, mask] = [xs.map((r) => pad(r, 0)), ys.map((r) => pad(r, 0)), mask.map((r) => pad(r, false))];
  }
  return { x: xs, y: ys, mask, pl: pls };
}

describe('blt-loader packer (docs/reference.md §3.6)', () => {
  it('reproduces the worked toy example: [2,1,1,2] (6 tokens) → [1,1,1,1], 4 kept, padded to T = 6 → [1,1,1,4]', () => {
    const toy = seq([2, 1, 1, 2], 100);
    assert.deepEqual(Array.from(forceFirstPatch(toy).patchLengths), [1, 1, 1, 1]);
    assert.equal(forceFirstPatch(toy).tokens.length, 4);
    assert.equal(forceFirstPatch(toy).dropped, 2);
    // six sequences; the longest keeps 7 tokens, so T = 6 = N (no extra padding or truncation)
    const seqs = [
      toy,
      seq([1, 2, 2, 2], 20),
      seq([1, 1, 1, 1], 30),
      seq([3, 1, 1, 1], 40),
      seq([1, 3, 1, 1], 50),
      seq([1, 1, 2, 1], 60),
    ];
    const p = packSequences(seqs, 6, 4, 6);
    assert.deepEqual(row(p.patchLengths, 0, 4), [1, 1, 1, 4]);
    assert.equal(
      row(p.patchLengths, 0, 4).reduce((a, b) => a + b),
      7,
    );
    assert.deepEqual(row(p.x, 0, 6), [100, 101, 102, 0, 0, 0]);
    assert.deepEqual(row(p.y, 0, 6), [101, 102, 103, 0, 0, 0]);
    assert.deepEqual(row(p.mask, 0, 6), [1, 1, 1, 0, 0, 0]);
    assert.deepEqual(row(p.patchLengths, 1, 4), [1, 2, 2, 2]);
    assert.deepEqual(row(p.x, 1, 6), [20, 21, 22, 23, 24, 25]);
    assert.deepEqual(row(p.patchLengths, 3, 4), [1, 2, 1, 3]); // [3,1,1,1] → [1,2,1,1] (5 tokens) + 2 padding
    assert.equal(p.realTargets, 3 + 6 + 3 + 4 + 5 + 4);
    assert.equal(p.droppedLastPatch, 2 + 1);
  });

  it("derives patch ids with the model's batch-indices (docs/reference.md §7.1 example pl=[1,1,2,3], N=6)", () => {
    const b = assembleBatch(packSequences([seq([1, 1, 2, 3])], 1, 4, 6), 1, 4, 6, null);
    assert.deepEqual(Array.from(b.patchLengths), [1, 1, 2, 3]);
    assert.deepEqual(Array.from(b.patchIds), [0, 1, 2, 2, 3, 3]);
    assert.deepEqual(Array.from(b.decPatchIds), [0, 1, 1, 2, 2, 2]);
    assert.deepEqual(b.ngramIds, []);
    assert.equal(b.bytesInBatch, 6);
  });

  it('pads to N on the last non-zero patch, and truncates at the patch that tips over N + 1', () => {
    const seqs = [seq([2, 1, 1, 2]), seq([1, 2, 2, 2])];
    const padded = packSequences(seqs, 2, 4, 8);
    assert.deepEqual(
      [row(padded.patchLengths, 0, 4), row(padded.patchLengths, 1, 4)],
      [
        [1, 1, 1, 6],
        [1, 2, 2, 4],
      ],
    );
    const cut = packSequences(seqs, 2, 4, 4);
    assert.deepEqual(
      [row(cut.patchLengths, 0, 4), row(cut.patchLengths, 1, 4)],
      [
        [1, 1, 1, 2],
        [1, 2, 2, 0],
      ],
    );
    assert.deepEqual(row(cut.x, 1, 4), [10, 11, 12, 13]);
    assert.deepEqual(row(cut.y, 1, 4), [11, 12, 13, 14]);
    assert.equal(cut.droppedTruncated, 2); // row 1 keeps 5 of its 7 tokens
    assert.equal(cut.realTargets, 3 + 4);
  });

  it("fills a partial last batch with copies of the last row's patch lengths and all-zero masks", () => {
    const p = packSequences([seq([1, 2, 1]), seq([2, 2, 2])], 4, 3, 6);
    assert.equal(p.rows, 2);
    assert.deepEqual(row(p.patchLengths, 2, 3), row(p.patchLengths, 1, 3));
    assert.deepEqual(row(p.patchLengths, 3, 3), row(p.patchLengths, 1, 3));
    assert.deepEqual(row(p.mask, 3, 6), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(row(p.x, 2, 6), [0, 0, 0, 0, 0, 0]);
  });

  it('equals the reference transliteration and keeps the invariants for random sequences (fast-check)', () => {
    const arb = fc
      .record({
        B: fc.integer({ min: 1, max: 4 }),
        P: fc.integer({ min: 2, max: 6 }),
        N: fc.integer({ min: 1, max: 40 }),
      })
      .chain(({ B, P, N }) =>
        fc.record({
          B: fc.constant(B),
          P: fc.constant(P),
          N: fc.constant(N),
          pls: fc.array(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: P, maxLength: P }), {
            minLength: 1,
            maxLength: B,
          }),
          first: fc.integer({ min: 4, max: 200 }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ B, P, N, pls, first }) => {
        const seqs = pls.map((pl, i) => seq(pl, first + i));
        const p = packSequences(seqs, B, P, N);
        const ref = referencePack(seqs, B, P, N);
        for (let i = 0; i < B; i++) {
          assert.deepEqual(row(p.patchLengths, i, P), ref.pl[i]);
          assert.deepEqual(row(p.x, i, N), ref.x[i]);
          assert.deepEqual(row(p.y, i, N), ref.y[i]);
          assert.deepEqual(row(p.mask, i, N), (ref.mask[i] as boolean[]).map(Number));
        }
        const b = assembleBatch(p, B, P, N, null);
        let maskSum = 0;
        let nonPad = 0;
        for (let i = 0; i < B; i++) {
          const pl = row(b.patchLengths, i, P);
          assert.equal(
            pl.reduce((a, c) => a + c, 0),
            N + 1,
            'Σ pl = N + 1',
          );
          assert.equal(pl[0], 1, 'first patch 1');
          const r = row(b.mask, i, N).reduce((a, c) => a + c, 0);
          assert.deepEqual(
            row(b.mask, i, N),
            Array.from({ length: N }, (_, k) => (k < r ? 1 : 0)),
            'mask is a prefix',
          );
          for (let k = 0; k + 1 < r; k++) assert.equal(b.y[i * N + k], b.x[i * N + k + 1], 'y[i] = x[i+1]');
          const ids = row(b.patchIds, i, N);
          const dec = row(b.decPatchIds, i, N);
          for (let k = 1; k < N; k++)
            assert.ok((ids[k] as number) >= (ids[k - 1] as number), 'patch ids non-decreasing');
          for (let k = 0; k + 1 < N; k++)
            assert.equal(dec[k], (ids[k + 1] as number) - 1, 'dec_pid[i] = patch_ids[i+1] − 1');
          maskSum += r;
          nonPad += row(b.x, i, N).filter((v) => v !== 0).length;
        }
        assert.equal(maskSum, b.bytesInBatch);
        assert.equal(nonPad, maskSum, 'reference assert: count(x != pad) == mask.sum()');
        const kept = seqs.reduce((a, s) => a + s.tokens.length, 0) - p.droppedLastPatch - p.droppedTruncated;
        assert.equal(kept, p.realTargets + p.rows, 'every sequence token is kept or counted as dropped');
      }),
      { numRuns: 400 },
    );
  });
});

describe('blt-loader patch stream', () => {
  it('cuts P-patch sequences across document chunks; snapshots are unaffected by later cuts (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 7 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 5 }),
        (docs, P) => {
          const st = new PatchStream();
          const allPl: number[] = [];
          let tok = 0;
          for (const pl of docs) {
            const n = pl.reduce((a, b) => a + b, 0);
            st.append({
              tokens: Uint16Array.from({ length: n }, () => tok++ % 60000),
              patchLengths: Int32Array.from(pl),
            });
            allPl.push(...pl);
          }
          const snap = st.snapshot();
          const before = concatSnapshot(snap);
          let [p0, t0] = [0, 0];
          while (st.patches >= P) {
            const s = st.cut(P);
            const expectPl = allPl.slice(p0, p0 + P);
            const n = expectPl.reduce((a, b) => a + b, 0);
            assert.deepEqual(Array.from(s.patchLengths), expectPl);
            assert.deepEqual(
              Array.from(s.tokens),
              Array.from({ length: n }, (_, i) => (t0 + i) % 60000),
            );
            [p0, t0] = [p0 + P, t0 + n];
            const rest = concatSnapshot(st.snapshot());
            assert.deepEqual(Array.from(rest.patchLengths), allPl.slice(p0));
            assert.equal(rest.tokens.length, tok - t0);
          }
          assert.deepEqual(concatSnapshot(snap), before, 'an old snapshot still describes its moment');
          const again = PatchStream.fromSnapshot(snap);
          assert.equal(again.patches, allPl.length);
          assert.equal(again.tokens, tok);
        },
      ),
      { numRuns: 300 },
    );
  });
});
