import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.js';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { saveNgramModel, trainNgramModel } from '../../src/entropy/ngram/index.js';
import { fingerprint } from '../../src/shards/fingerprint.js';
import { buildManifest, writeManifest } from '../../src/shards/manifest.js';
import type { ShardDoc } from '../../src/shards/row.js';
import type { ShardColumnsSpec } from '../../src/shards/schema.js';
import { ShardWriter } from '../../src/shards/shard-writer.js';
import { syntheticRows } from '../../src/shards/synthetic-rows.js';
import { calibrateThreshold, shortestThreshold } from '../../src/stats/calibrate.js';
import { CalibrationSample } from '../../src/stats/calibration-sample.js';
import { ROOT, runCli } from '../helpers/run-cli.js';

const SPEC: ShardColumnsSpec = { entropies: true, patchLengths: true, ngramTables: [] };

async function writeSet(dir: string, tasks: ShardDoc[][]): Promise<void> {
  const w = await ShardWriter.open({ dir, columns: SPEC, shardSizeBytes: 20_000 });
  for (let t = 0; t < tasks.length; t++) await w.addTask(t, tasks[t] as ShardDoc[]);
  const shards = await w.finish();
  await writeManifest(
    dir,
    buildManifest({
      config: {},
      inputs: [],
      shards,
      totals: { ...w.getState().totals, quarantined: 0 },
      fingerprints: { content: fingerprint(['calibrate-test']) },
    }),
  );
  await w.dispose();
}

/** Documents with random float32 entropies in [0, 4): lengths uniform in [0, 2·mean]. */
function randomSample(seed: number, docs: number, meanBytes = 120): CalibrationSample {
  const rng = Rng.fromSeed(seed);
  const s = new CalibrationSample();
  for (let d = 0; d < docs; d++)
    s.add(Float32Array.from({ length: rng.int(2 * meanBytes + 1) + 2 }, () => rng.next() * 4));
  return s;
}

/** Mean patch length of the sample at θ, by patching every document (the reference rule). */
function meanAt(s: CalibrationSample, threshold: number, monotonicity: boolean, maxPatchLength?: number): number {
  let patches = 0;
  for (let d = 0; d < s.documents; d++) {
    const H = s.doc(d);
    patches += patchLengths({ length: H.length } as ArrayLike<number>, {
      mode: 'entropy',
      entropies: H,
      threshold,
      monotonicity,
      ...(maxPatchLength ? { maxPatchLength } : {}),
    }).length;
  }
  return s.tokens / patches;
}

describe('calibrate: threshold search', function () {
  this.timeout(120_000);

  it('finds a global threshold within 1 % of the target, and patching at it gives that mean', () => {
    const s = randomSample(1, 300);
    for (const target of [1.5, 2.5, 4.5, 8]) {
      const r = calibrateThreshold(s, { target });
      assert.equal(r.rule, 'global');
      assert.ok(r.withinTolerance, `target ${target}: got ${r.meanPatchLength}`);
      assert.ok(Math.abs(r.meanPatchLength - target) / target <= 0.01);
      assert.equal(meanAt(s, r.threshold, false), r.meanPatchLength);
      assert.equal(r.stats.mean, r.meanPatchLength);
      const [lo, hi] = r.thresholdInterval;
      assert.ok(lo !== null && hi !== null && Math.fround(r.threshold) >= lo && Math.fround(r.threshold) < hi);
      // bisection: far fewer evaluations than steps
      assert.ok(r.iterations < 40, `${r.iterations} evaluations`);
    }
  });

  it('calibrates the relative threshold (monotonicity) and with maxPatchLength', () => {
    const s = randomSample(2, 200);
    const mono = calibrateThreshold(s, { target: 3, monotonicity: true });
    assert.equal(mono.rule, 'monotonic');
    assert.ok(mono.withinTolerance, String(mono.meanPatchLength));
    assert.equal(meanAt(s, mono.threshold, true), mono.meanPatchLength);
    const capped = calibrateThreshold(s, { target: 4.5, maxPatchLength: 6 });
    assert.ok(capped.withinTolerance, String(capped.meanPatchLength));
    assert.equal(meanAt(s, capped.threshold, false, 6), capped.meanPatchLength);
  });

  it('picks the closest achievable step: property over random samples and targets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: 1, max: 30, noNaN: true }),
        fc.boolean(),
        (seed, target, mono) => {
          const s = randomSample(seed, 8, 20);
          const r = calibrateThreshold(s, { target, monotonicity: mono });
          assert.equal(meanAt(s, r.threshold, mono), r.meanPatchLength);
          // no other step is closer: check both neighbours and the extremes
          for (const step of [r.below, r.above])
            if (step)
              assert.ok(Math.abs(step.meanPatchLength - target) >= Math.abs(r.meanPatchLength - target) - 1e-12);
          assert.ok(r.meanPatchLength >= r.achievable.min && r.meanPatchLength <= r.achievable.max);
          if (target <= r.achievable.min) assert.equal(r.meanPatchLength, r.achievable.min);
          if (target >= r.achievable.max) assert.equal(r.meanPatchLength, r.achievable.max);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports the closest achievable mean when ties make the target impossible', () => {
    // one document of 100 bytes, every entropy 2.0: θ < 2 → every token starts (mean 1), θ ≥ 2 → [1, 101] (mean 51)
    const s = new CalibrationSample();
    s.add(new Float32Array(102).fill(2));
    const r = calibrateThreshold(s, { target: 4.5 });
    assert.equal(r.withinTolerance, false);
    assert.equal(r.meanPatchLength, 1);
    assert.deepEqual(r.achievable, { min: 1, max: 51 });
    assert.ok(r.threshold < 2);
    assert.deepEqual(r.above, { threshold: r.above?.threshold, meanPatchLength: 51 });
    assert.ok((r.above?.threshold as number) >= 2);
    assert.equal(r.distinctValues, 1);
    const far = calibrateThreshold(s, { target: 40 });
    assert.equal(far.meanPatchLength, 51);
  });

  it('shortestThreshold gives a short decimal inside the float32 interval', () => {
    assert.equal(shortestThreshold(1, 2), 1.5);
    assert.equal(shortestThreshold(Math.fround(1.3), Math.fround(1.4)), 1.35);
    const lo = Math.fround(1.1);
    const hi = Math.fround(1.1 + 1e-7); // adjacent-ish floats
    const t = shortestThreshold(lo, hi);
    assert.ok(Math.fround(t) >= lo && Math.fround(t) < hi);
    assert.ok(shortestThreshold(undefined, 0.5) < 0.5);
    assert.ok(shortestThreshold(3, undefined) >= 3);
  });

  it('rejects bad targets and empty samples with BAD_OPTION / BAD_INPUT', () => {
    const s = randomSample(3, 5);
    assert.throws(() => calibrateThreshold(s, { target: 0.5 }), /BAD_OPTION|≥ 1/);
    assert.throws(
      () => calibrateThreshold(new CalibrationSample(), { target: 4.5 }),
      (e: Error & { code?: string }) => e.code === 'BAD_INPUT',
    );
  });
});

describe('blt calibrate', function () {
  this.timeout(180_000);
  let root: string;
  let set: string;
  let ties: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-calibrate-'));
    set = join(root, 'set');
    await writeSet(
      set,
      Array.from({ length: 6 }, (_, t) => syntheticRows(t, 20, SPEC, { meanBytes: 150 }, t * 20)),
    );
    ties = join(root, 'ties');
    const bytes = new TextEncoder().encode('x'.repeat(100));
    await writeSet(ties, [
      [
        {
          docId: 'flat',
          source: 's',
          bytes,
          entropies: new Float32Array(102).fill(2),
          patchLengths: Int32Array.from([1, 101]),
        },
      ],
    ]);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('calibrates from the stored entropies of a shard set (within 1 %), as JSON', () => {
    const r = runCli(['calibrate', set, '--target-patch-size', '4.5', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & {
      sample: Record<string, unknown>;
      source: Record<string, unknown>;
    };
    assert.equal(j.format, 'blt-calibration');
    assert.deepEqual(j.source, { kind: 'shards', shardDir: set });
    assert.equal(j.withinTolerance, true);
    assert.ok(Math.abs((j.meanPatchLength as number) - 4.5) <= 0.045);
    assert.equal(j.sample.documents, 120);
    assert.equal(j.sample.sampled, false);
    for (const k of [
      'rule',
      'target',
      'tolerance',
      'threshold',
      'thresholdInterval',
      'meanPatchLength',
      'relativeError',
      'withinTolerance',
      'achievable',
      'below',
      'above',
      'distinctValues',
      'iterations',
      'stats',
      'bytesPerPatch',
    ])
      assert.ok(k in j, k);
  });

  it('samples with --max-docs / --max-bytes and prints a readable summary', () => {
    const r = runCli(['calibrate', set, '--max-bytes', '3000', '--target-patch-size', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /threshold\s+\S+/);
    assert.match(r.stdout, /sampled, p = /);
    assert.match(r.stdout, /within tolerance/);
  });

  it('says so when the target cannot be reached within 1 %', () => {
    const r = runCli(['calibrate', ties, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      withinTolerance: boolean;
      meanPatchLength: number;
      achievable: { min: number; max: number };
    };
    assert.equal(j.withinTolerance, false);
    assert.equal(j.meanPatchLength, 1);
    assert.deepEqual(j.achievable, { min: 1, max: 51 });
    assert.match(r.stderr, /closest achievable mean is 1\.0000/);
  });

  it('scores raw inputs with an entropy model (ngram:<file>) when not given a shard set', async () => {
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(join(ROOT, 'data/samples/multilingual.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const model = trainNgramModel(
      lines.map((l) => encodeBytes(l)),
      { order: 3 },
    );
    const file = join(root, 'm.ngram');
    saveNgramModel(file, model);
    const r = runCli([
      'calibrate',
      join(ROOT, 'data/samples/multilingual.txt'),
      '--lines',
      '--model',
      `ngram:${file}`,
      '--target-patch-size',
      '2.5',
      '--max-docs',
      '10',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      source: { kind: string };
      sample: { documents: number; truncated: boolean };
      withinTolerance: boolean;
      meanPatchLength: number;
    };
    assert.equal(j.source.kind, 'model');
    assert.equal(j.sample.documents, 10);
    assert.equal(j.sample.truncated, true);
    assert.equal(j.withinTolerance, true, String(j.meanPatchLength));
  });

  it('refuses --model with a shard set', () => {
    const r = runCli(['calibrate', set, '--model', 'ngram:x']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /BAD_OPTION/);
  });
});
