/**
 * Covering evaluation (src/train/data/covering-rows.ts, covering-loader.ts): every target of the
 * stream is scored exactly once, whatever the patch lengths, with the stored patches kept (only
 * patches longer than N split); the reference iteration scores only what fits in N per P patches.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { resolvePreprocessConfig } from '../../../../src/preprocess/config.js';
import { runPreprocess } from '../../../../src/preprocess/run-preprocess.js';
import { readShardSet } from '../../../../src/shards/reader.js';
import { checkPatchLengths } from '../../../../src/train/model/batch-indices.js';
import { CoveringRows, packCoveringRows, type CoveringRow } from '../../../../src/train/data/covering-rows.js';
import { createEvalLoader } from '../../../../src/train/data/covering-loader.js';
import type { Sequence } from '../../../../src/train/data/patch-stream.js';
import { tempDir, writeCorpus } from '../../../helpers/preprocess-fixtures.js';

const docArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 });

/** Documents with distinct token values (their stream position + 3) so a misplaced token shows. */
function docsFrom(pls: number[][]): Sequence[] {
  let next = 3;
  return pls.map((pl) => {
    const n = pl.reduce((a, b) => a + b, 0);
    const tokens = Uint16Array.from({ length: n }, () => next++);
    return { tokens, patchLengths: Int32Array.from(pl) };
  });
}

function coveringRows(docs: readonly Sequence[], P: number, N: number): { rows: CoveringRow[]; builder: CoveringRows } {
  const builder = new CoveringRows(P, N);
  const rows = docs.flatMap((d) => builder.push(d));
  rows.push(...builder.finish());
  return { rows, builder };
}

describe('blt eval coverage', function () {
  this.timeout(300_000);

  it('covering rows: every token after the first is a target exactly once; rows fit N and P; stored patches kept unless longer than N', () => {
    fc.assert(
      fc.property(
        fc.array(docArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 30 }),
        (pls, P, N) => {
          const docs = docsFrom(pls);
          const stream = docs.flatMap((d) => Array.from(d.tokens));
          const { rows, builder } = coveringRows(docs, P, N);
          const targets: number[] = [];
          let prevLast = stream[0];
          for (const r of rows) {
            const T = r.tokens.length - 1;
            assert.ok(T >= 1 && T <= N, `T = ${T}, N = ${N}`);
            assert.ok(r.patchLengths.length <= P);
            assert.equal(r.patchLengths[0], 1);
            assert.equal(
              r.patchLengths.reduce((a, b) => a + b, 0),
              T + 1,
            );
            assert.equal(r.tokens[0], prevLast, 'a row starts with the token before its first target');
            targets.push(...Array.from(r.tokens.subarray(1)));
            prevLast = r.tokens[T];
          }
          assert.deepEqual(targets, stream.slice(1));
          assert.equal(builder.scored, stream.length - 1);
          // the patches of the rows (context patches left out) are the stream's, the first less its first
          // token, with only patches longer than the room of an empty row (N) cut into pieces
          const original = pls.flat();
          original[0] = (original[0] as number) - 1;
          const want = original.filter((l) => l > 0);
          const got = rows.flatMap((r) => Array.from(r.patchLengths.subarray(1)));
          let split = 0;
          let j = 0;
          for (const l of want) {
            let left = l;
            while (left > 0) {
              const piece = got[j++] as number;
              assert.ok(piece >= 1 && piece <= left, `patch ${l} → piece ${piece}`);
              if (piece < left) split += 1;
              left -= piece;
            }
            if (l <= N) assert.equal(got[j - 1], l, `a patch of ${l} ≤ N = ${N} is never cut`);
          }
          assert.equal(j, got.length);
          assert.equal(builder.splitPatches, split);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('packs covering rows as the model expects: Σ pl = N + 1, pl[0] = 1, mask on the T targets, y = x shifted', () => {
    const docs = docsFrom([[3, 5, 2, 7], [1, 9, 4], [6]]);
    const { rows } = coveringRows(docs, 4, 10);
    const B = 3;
    const p = packCoveringRows(rows.slice(0, 2), B, 4, 10);
    checkPatchLengths(p.patchLengths, B, 4, 10);
    assert.equal(
      p.realTargets,
      rows.slice(0, 2).reduce((a, r) => a + r.tokens.length - 1, 0),
    );
    const first = rows[0] as CoveringRow;
    assert.deepEqual(Array.from(p.x.subarray(0, first.tokens.length - 1)), Array.from(first.tokens.subarray(0, -1)));
    assert.deepEqual(Array.from(p.y.subarray(0, first.tokens.length - 1)), Array.from(first.tokens.subarray(1)));
    assert.equal(
      p.mask.subarray(20, 30).reduce((a, b) => a + b, 0),
      0,
      'the missing third row is all padding',
    );
    assert.deepEqual(Array.from(p.patchLengths.subarray(8, 12)), Array.from(p.patchLengths.subarray(4, 8)));
  });

  it('on shards with long patches the reference iteration scores a fraction, covering scores every target', async () => {
    const root = await tempDir('eval-coverage');
    const corpus = await writeCorpus(root, 24);
    const set = join(root, 'shards');
    await runPreprocess(
      resolvePreprocessConfig({ inputs: [corpus], out: set, mode: 'static', patchSize: 16, workers: 0 }),
    );
    let tokens = 0;
    for await (const row of readShardSet(set, { columns: [] })) tokens += row.bytes.length + 2;
    const opts = {
      data: set,
      batchSize: 2,
      seqLenPatches: 6,
      maxEncoderSeqLen: 32,
      ngram: { sizes: [3], functions: 1, vocab: 101 },
    };
    const share = async (
      coverage: 'covering' | 'reference',
    ): Promise<{ scored: number; available: number; masks: number }> => {
      const loader = await createEvalLoader({ ...opts, coverage });
      let masks = 0;
      for await (const b of loader) {
        checkPatchLengths(b.patchLengths, 2, 6, 32);
        masks += b.mask.reduce((a, x) => a + x, 0);
      }
      return { ...loader.counts(), masks };
    };
    const cover = await share('covering');
    const ref = await share('reference');
    assert.equal(cover.available, tokens - 1);
    assert.equal(cover.scored, tokens - 1, 'covering: every token after the first');
    assert.equal(cover.masks, cover.scored);
    assert.equal(ref.available, tokens - 1);
    assert.equal(ref.masks, ref.scored);
    // 6 patches of 16 = 96 tokens per sequence, of which N = 32 fit: about a third
    assert.ok(
      ref.scored / ref.available < 0.4 && ref.scored / ref.available > 0.2,
      `reference share ${ref.scored / ref.available}`,
    );
    await assert.rejects(createEvalLoader({ ...opts, coverage: 'all' as 'covering' }), /coverage/);
  });
});
