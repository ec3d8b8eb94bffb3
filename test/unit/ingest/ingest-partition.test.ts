import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PER_FILE_WEIGHT, partitionFiles, partitionPlan, type InputFile } from '../../../src/ingest/index.js';

const files = (sizes: number[]): InputFile[] =>
  sizes.map((size, i) => ({ path: `f${String(i).padStart(4, '0')}.jsonl`, size, kind: 'jsonl', compression: 'none' }));
const sizesArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e10 })), {
  maxLength: 60,
});

describe('ingest: partitioning files for job arrays', () => {
  it('partitions are disjoint, cover every file, keep list order, and are the same every time', () => {
    fc.assert(
      fc.property(sizesArb, fc.integer({ min: 1, max: 12 }), (sizes, n) => {
        const list = files(sizes);
        const parts = Array.from({ length: n }, (_, p) => partitionFiles(list, n, p));
        const all = parts.flat().map((f) => f.path);
        assert.equal(new Set(all).size, all.length, 'disjoint');
        assert.deepEqual(
          [...all].sort(),
          list.map((f) => f.path),
          'covering',
        );
        for (const part of parts)
          assert.deepEqual(
            part,
            [...part].sort((a, b) => (a.path < b.path ? -1 : 1)),
            'listed order',
          );
        assert.deepEqual(
          Array.from({ length: n }, (_, p) => partitionFiles(list, n, p)),
          parts,
          'deterministic',
        );
      }),
    );
  });

  it('balances by size: no partition exceeds the mean by more than its largest file (greedy bound)', () => {
    fc.assert(
      fc.property(sizesArb, fc.integer({ min: 1, max: 12 }), (sizes, n) => {
        const plan = partitionPlan(files(sizes), n);
        const weights = sizes.map((s) => s + PER_FILE_WEIGHT);
        const totals = new Array<number>(n).fill(0);
        plan.forEach((p, i) => (totals[p] = (totals[p] as number) + (weights[i] as number)));
        const mean = weights.reduce((a, b) => a + b, 0) / n;
        const biggest = Math.max(0, ...weights);
        for (const t of totals) assert.ok(t <= mean + biggest + 1e-6, `${t} > ${mean} + ${biggest}`);
      }),
    );
  });

  it('spreads many equal files evenly', () => {
    const plan = partitionPlan(files(new Array<number>(10).fill(100)), 4);
    assert.deepEqual(
      [0, 1, 2, 3].map((p) => plan.filter((x) => x === p).length),
      [3, 3, 2, 2],
    );
  });

  it('rejects bad counts and indexes, and stdin when there are several jobs', () => {
    assert.throws(() => partitionFiles(files([1]), 0, 0), /Expected `numPartitions` to be an integer ≥ 1, got 0/);
    assert.throws(() => partitionFiles(files([1]), 2, 2), /Expected `partitionIndex` to be an integer in \[0, 1\]/);
    assert.throws(() => partitionFiles(files([1]), 2, 1.5), /partitionIndex/);
    const stdin: InputFile = { path: '-', size: 0, kind: 'stdin', compression: 'none' };
    assert.throws(
      () => partitionFiles([stdin], 2, 0),
      (e: Error & { code?: string }) => e.code === 'BAD_OPTION' && /stdin/.test(e.message),
    );
    assert.deepEqual(partitionFiles([stdin], 1, 0), [stdin]);
  });
});
