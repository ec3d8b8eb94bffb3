/**
 * Exact resume (style lesson 9): interrupt after any batch k (fast-check), JSON round trip the
 * state, rebuild, and the rest of the batches deep-equal the uninterrupted run's, whatever the
 * prefetch depth. Plus the state's validation.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { BltError } from '../../../../src/core/errors.js';
import { fingerprint } from '../../../../src/shards/fingerprint.js';
import { buildManifest, writeManifest } from '../../../../src/shards/manifest.js';
import type { ShardColumnsSpec } from '../../../../src/shards/schema.js';
import { ShardWriter } from '../../../../src/shards/shard-writer.js';
import { syntheticRows } from '../../../../src/shards/synthetic-rows.js';
import {
  createLoader,
  type LoaderBatch,
  type LoaderOptions,
  type LoaderState,
} from '../../../../src/train/data/index.js';

const SPEC: ShardColumnsSpec = { entropies: false, patchLengths: true, ngramTables: [] };

async function writeSet(
  dir: string,
  tasks: number,
  docsPerTask: number,
  seed: number,
  format: 'parquet' | 'arrow' = 'parquet',
): Promise<string> {
  const w = await ShardWriter.open({ dir, columns: SPEC, format, shardSizeBytes: 600, rowGroupRows: 3 });
  for (let t = 0; t < tasks; t++)
    await w.addTask(
      t,
      syntheticRows(seed + t, docsPerTask, SPEC, { meanBytes: 40, emptyFraction: 0.1 }, t * docsPerTask),
    );
  const shards = await w.finish();
  await writeManifest(
    dir,
    buildManifest({
      config: {},
      inputs: [],
      shards,
      totals: { ...w.getState().totals, quarantined: 0 },
      fingerprints: { content: fingerprint([`loader-${seed}`]) },
    }),
  );
  await w.dispose();
  return dir;
}

async function drain(opts: LoaderOptions): Promise<{ batches: LoaderBatch[]; states: LoaderState[] }> {
  const loader = await createLoader(opts);
  const states = [loader.getState()];
  const batches: LoaderBatch[] = [];
  for (let b = await loader.next(); b; b = await loader.next()) {
    batches.push(b);
    states.push(loader.getState());
  }
  await loader.close();
  return { batches, states };
}

const plain = (b: LoaderBatch): unknown => ({ ...b, ngramIds: b.ngramIds.map((a) => Array.from(a)) });

describe('blt-loader resume', function () {
  this.timeout(300_000);
  let setA: string;
  let setB: string;
  let base: LoaderOptions;
  let full: { batches: LoaderBatch[]; states: LoaderState[] };

  before(async () => {
    const root = await mkdtemp(join(tmpdir(), 'blt-loader-resume-'));
    setA = await writeSet(join(root, 'a'), 12, 4, 1);
    setB = await writeSet(join(root, 'b'), 6, 4, 50, 'arrow');
    base = {
      data: [setA, setB],
      batchSize: 3,
      seqLenPatches: 6,
      maxEncoderSeqLen: 36,
      bufferSize: 4,
      seed: 7,
      ngram: { sizes: [2, 3], functions: 2, vocab: 1009 },
      epochs: 2,
      prefetch: 2,
    };
    full = await drain(base);
  });

  it('yields full batches, then one partial batch, over several shards and two epochs', () => {
    assert.ok(full.batches.length >= 20, `batches: ${full.batches.length}`);
    const last = full.batches.at(-1) as LoaderBatch;
    for (const b of full.batches) {
      assert.equal(b.x.length, 3 * 36);
      assert.equal(b.patchLengths.length, 3 * 6);
      assert.equal(b.ngramIds.length, 4);
    }
    const finalState = full.states.at(-1) as LoaderState;
    assert.equal(finalState.buffer.exhausted, true);
    assert.equal(finalState.buffer.source.epoch, 2);
    assert.equal(finalState.counts.batches, full.batches.length);
    assert.ok(last.bytesInBatch > 0);
    const rowTargets = [0, 1, 2].map((i) => last.mask.subarray(i * 36, (i + 1) * 36).reduce((a, c) => a + c, 0));
    assert.equal(rowTargets.at(-1), 0, `the last batch is partial: ${rowTargets.join(', ')}`);
    // the interruption points cover pending shuffled sequences, mid-shard rows and both epochs
    assert.ok(
      full.states.some((s) => s.buffer.pending.patchLengths.length > 0),
      'some state holds pending sequences',
    );
    assert.ok(
      full.states.some((s) => s.buffer.source.rowInShard % 3 !== 0),
      'some state is inside a row group',
    );
    assert.ok(full.states.some((s) => s.buffer.source.epoch === 1));
    assert.ok(new Set(full.states.map((s) => s.buffer.source.shardIndex)).size >= 8, 'many shards');
  });

  it('gives the same batches for prefetch 0, 1 and 5', async () => {
    for (const prefetch of [0, 1, 5]) {
      const run = await drain({ ...base, prefetch });
      assert.deepEqual(run.batches.map(plain), full.batches.map(plain), `prefetch ${prefetch}`);
      assert.deepEqual(run.states, full.states, `prefetch ${prefetch}`);
    }
  });

  it('continues exactly from the state after any batch k, through JSON (fast-check over k and prefetch)', async () => {
    const total = full.batches.length;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(0, 1, total - 1, total), fc.integer({ min: 0, max: total })),
        fc.integer({ min: 0, max: 4 }),
        async (k, prefetch) => {
          const state = JSON.parse(JSON.stringify(full.states[k])) as LoaderState;
          const rest = await drain({ ...base, prefetch, state });
          assert.deepEqual(rest.batches.map(plain), full.batches.slice(k).map(plain), `resumed after batch ${k}`);
          assert.deepEqual(rest.states, full.states.slice(k));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('getState() describes what the consumer has seen, not what was prefetched', async () => {
    const loader = await createLoader({ ...base, prefetch: 8 });
    await loader.next();
    await new Promise((r) => setTimeout(r, 50)); // let the prefetcher run ahead
    assert.deepEqual(loader.getState(), full.states[1]);
    assert.equal(loader.counts.batches, 1);
    await loader.close();
    assert.deepEqual(loader.getState(), full.states[1], 'still valid after close');
  });

  it('`for await` closes the loader on break; a new loader resumes from its state', async () => {
    const loader = await createLoader(base);
    let n = 0;
    for await (const _ of loader) if (++n === 4) break;
    const rest = await drain({ ...base, state: loader.getState() });
    assert.deepEqual(rest.batches.map(plain), full.batches.slice(4).map(plain));
  });

  it('rejects states of another kind, version, shape, settings or data (STATE_FORMAT)', async () => {
    const s = full.states[3] as LoaderState;
    const bad: [string, unknown, LoaderOptions?, RegExp?][] = [
      ['kind', { ...s, kind: 'other' }],
      ['version', { ...s, v: 2 }],
      ['extra field', { ...s, extra: 1 }],
      ['missing field', { kind: s.kind, v: s.v, config: s.config, counts: s.counts }],
      ['buffer version', { ...s, buffer: { ...s.buffer, v: 3 } }],
      ['source kind', { ...s, buffer: { ...s.buffer, source: { ...s.buffer.source, kind: 'x' } } }],
      ['rng', { ...s, buffer: { ...s.buffer, rng: { kind: 'sfc32', v: 1, s: [1, 2] } } }],
      [
        'pending not a multiple of P',
        { ...s, buffer: { ...s.buffer, pending: { tokens: 'AQACAA==', patchLengths: 'AgAAAA==' } } },
      ],
      ['leftover sum', { ...s, buffer: { ...s.buffer, leftover: { tokens: 'AQA=', patchLengths: 'AgAAAA==' } } }],
      ['batch size', s, { ...base, batchSize: 4 }, /batchSize 3 \(now 4\)/],
      ['seed', s, { ...base, seed: 8 }, /seed/],
      ['data', s, { ...base, data: [setB, setA] }, /other data/],
    ];
    for (const [what, state, opts, re] of bad) {
      await assert.rejects(
        createLoader({ ...(opts ?? base), state: state as LoaderState }),
        (e: BltError) => {
          assert.equal(e.code, 'STATE_FORMAT', `${what}: ${e.message}`);
          if (re) assert.match(e.message, re);
          return true;
        },
        what,
      );
    }
  });

  it('rejects bad options with BAD_OPTION naming them', async () => {
    const cases: [Partial<LoaderOptions>, string][] = [
      [{ seqLenPatches: 1 }, 'seqLenPatches'],
      [{ batchSize: 0 }, 'batchSize'],
      [{ bufferSize: 1.5 }, 'bufferSize'],
      [{ ngram: { sizes: [], functions: 1, vocab: 10 } }, 'ngram.sizes'],
      [{ ngram: { sizes: [3], functions: 12, vocab: 10 } }, 'ngram.functions'],
      [{ data: [] }, 'data'],
      [{ epochs: 0 }, 'epochs'],
      [{ seed: -1 }, 'seed'],
    ];
    for (const [patch, name] of cases) {
      await assert.rejects(
        createLoader({ ...base, ...patch }),
        (e: BltError) => e.code === 'BAD_OPTION' && e.message.includes(`\`${name}\``),
        name,
      );
    }
  });
});
