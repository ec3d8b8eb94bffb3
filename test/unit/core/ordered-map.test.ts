import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orderedMap } from '../../../src/core/ordered-map.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('orderedMap', () => {
  it('yields results in input order with at most `window` calls in flight (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (delays, window) => {
          let active = 0;
          let peak = 0;
          const out: number[] = [];
          for await (const v of orderedMap(
            delays,
            async (d, i) => {
              active++;
              peak = Math.max(peak, active);
              await sleep(d);
              active--;
              return i;
            },
            window,
          ))
            out.push(v);
          assert.deepEqual(
            out,
            delays.map((_, i) => i),
          );
          assert.ok(peak <= window);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('does not pull ahead of the window (backpressure)', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    const it = orderedMap(source(), async (x) => x, 3)[Symbol.asyncIterator]();
    await it.next();
    assert.ok(pulled <= 4, `pulled ${pulled}`);
    await it.return?.(undefined);
  });

  it('rethrows a failure in order, after the earlier results, and settles the rest', async () => {
    const seen: number[] = [];
    let settled = 0;
    await assert.rejects(async () => {
      for await (const v of orderedMap(
        [0, 1, 2, 3],
        async (x) => {
          await sleep(x === 1 ? 5 : 1);
          settled++;
          if (x === 1) throw new Error('boom');
          return x;
        },
        4,
      ))
        seen.push(v);
    }, /boom/);
    assert.deepEqual(seen, [0]);
    assert.equal(settled, 4);
  });
});
