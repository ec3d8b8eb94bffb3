/**
 * `blt doctor` data: the report, its text form, library versions, and the matmul measurement
 * (checked for shape and sanity only; never for speed).
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import { collectDoctorReport, formatDoctorReport } from '../../../src/backend/doctor-report.js';
import {
  libraryVersion,
  libraryVersions,
  NOT_INSTALLED,
  REPORTED_LIBRARIES,
} from '../../../src/backend/library-versions.js';
import { measureMatmulGflops, median } from '../../../src/backend/matmul-gflops.js';
import { initBackend } from '../../../src/backend/select-backend.js';
import { BltError } from '../../../src/core/errors.js';

describe('backend: library versions', () => {
  it('reports every library, with the pinned tfjs versions', () => {
    const v = libraryVersions();
    assert.deepEqual(Object.keys(v), [...REPORTED_LIBRARIES]);
    assert.equal(v['@tensorflow/tfjs'], '4.22.0');
    assert.equal(v['@tensorflow/tfjs-backend-wasm'], '4.22.0');
    for (const [name, version] of Object.entries(v)) assert.match(version, /^\d+\.\d+\.\d+|^not installed$/, name);
  });

  it("says 'not installed' for an absent package", () => {
    assert.equal(libraryVersion('blt-no-such-package-xyz'), NOT_INSTALLED);
  });
});

describe('backend: matmul GFLOP/s', () => {
  it('measures a small matmul on the active backend: positive, min ≤ median ≤ max, no leaks', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const m = measureMatmulGflops({ size: 64, repeats: 3 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(m.size, 64);
    assert.equal(m.runs, 3);
    assert.equal(m.backend, 'wasm');
    assert.ok(Number.isFinite(m.gflops) && m.gflops > 0);
    assert.ok(m.min <= m.gflops && m.gflops <= m.max);
  });

  it('rejects a bad size or repeat count with BAD_OPTION', () => {
    for (const opts of [{ size: 0 }, { size: 1.5 }, { repeats: 0 }, { size: Number.NaN }]) {
      assert.throws(
        () => measureMatmulGflops(opts),
        (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION',
      );
    }
  });

  it('median of odd and even lists', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('backend: doctor report', () => {
  it('collects the machine, the backend and the libraries; measures only when asked', async () => {
    const r = await collectDoctorReport({ backend: 'cpu' });
    assert.equal(r.backend.name, 'cpu');
    assert.equal(r.node, process.version);
    assert.ok(r.cpus >= 1 && r.memoryGiB > 0 && r.cpuModel.length > 0);
    assert.equal(r.libraries['@tensorflow/tfjs'], '4.22.0');
    assert.equal(r.matmul, undefined);
  });

  it('formats aligned sections, candidates and the matmul line', async () => {
    const r = await collectDoctorReport({ backend: 'wasm', measure: true, matmulSize: 32 });
    const text = formatDoctorReport(r);
    for (const s of ['System', 'Compute backend', 'candidates', 'Matmul', 'Libraries', 'GFLOP/s', 'p-queue'])
      assert.ok(text.includes(s), s);
    const lines = text.split('\n');
    const valueColumns = new Set(
      Object.entries(r.libraries).map(([name, version]) => {
        const line = lines.find((l) => l.startsWith(`  ${name} `)) ?? '';
        assert.ok(line.endsWith(version), `${name}: ${line}`);
        return line.length - version.length;
      }),
    );
    assert.equal(valueColumns.size, 1, `library versions are not aligned:\n${text}`);
  });
});
