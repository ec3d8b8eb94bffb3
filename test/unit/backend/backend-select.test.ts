/**
 * Backend selection: explicit requests, the unavailable `tensorflow` backend, switching, caching.
 * tfjs-node / tfjs-node-gpu are optional and absent in CI; the tensorflow cases skip themselves
 * if a machine does have them.
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'node:assert';
import {
  availableCores,
  initBackend,
  parseBackendRequest,
  type BackendRequest,
} from '../../../src/backend/select-backend.js';
import {
  describeImportFailure,
  probeTensorflow,
  tensorflowUnavailable,
} from '../../../src/backend/tensorflow-backend.js';
import { isWasmBatchMatMulPatched } from '../../../src/backend/wasm-batch-matmul.js';
import { BltError } from '../../../src/core/errors.js';

async function tensorflowInstalled(): Promise<boolean> {
  return (await probeTensorflow()).some((p) => p.available);
}

function isBltError(code: string, ...fragments: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof BltError, `expected a BltError, got ${String(err)}`);
    assert.equal(err.code, code);
    for (const f of fragments) assert.ok(err.message.includes(f), `message lacks "${f}":\n${err.message}`);
    return true;
  };
}

describe('backend: selection', () => {
  it('explicit cpu: pure JS, one thread', async () => {
    const info = await initBackend('cpu');
    assert.equal(info.name, 'cpu');
    assert.equal(info.tfBackend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(info.threads, 1);
    assert.match(info.reason, /requested/);
  });

  it('explicit wasm: one thread (explained), kernels and BatchMatMul wrapper installed', async () => {
    const info = await initBackend('wasm');
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(info.threads, 1);
    assert.match(info.reason, /worker thread/);
    assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm'));
    assert.equal(isWasmBatchMatMulPatched(), true);
    assert.deepEqual(
      info.candidates.map((c) => [c.name, c.available]),
      [['wasm', true]],
    );
  });

  it("'tensorflow' without tfjs-node gives BACKEND_UNAVAILABLE saying why and how to fix (and works where it is installed)", async () => {
    await initBackend('cpu');
    if (await tensorflowInstalled()) {
      assert.equal((await initBackend('tensorflow')).name, 'tensorflow');
      return;
    }
    await assert.rejects(
      initBackend('tensorflow'),
      isBltError('BACKEND_UNAVAILABLE', '@tensorflow/tfjs-node', 'not installed', 'libtensorflow', '--backend wasm'),
    );
    assert.equal(tf.getBackend(), 'cpu', 'a failed request leaves the active backend alone');
  });

  it('auto picks wasm when tensorflow is unavailable (tensorflow where it is installed) and lists every candidate', async () => {
    const info = await initBackend('auto');
    if (await tensorflowInstalled()) {
      assert.equal(info.name, 'tensorflow');
      return;
    }
    assert.equal(info.name, 'wasm');
    assert.deepEqual(
      info.candidates.map((c) => [c.name, c.available]),
      [
        ['tensorflow (tfjs-node-gpu)', false],
        ['tensorflow (tfjs-node)', false],
        ['wasm', true],
        ['cpu', true],
      ],
    );
    assert.match(info.reason, /^auto: tensorflow unavailable/);
  });

  it('a repeated request returns the cached info; a different one switches, back and forth', async () => {
    const w1 = await initBackend('wasm');
    assert.equal(await initBackend('wasm'), w1);
    for (const name of ['cpu', 'wasm', 'cpu', 'wasm'] as const) {
      const info = await initBackend(name);
      assert.equal(info.name, name);
      assert.equal(tf.getBackend(), name);
      const x = tf.tensor1d([1, 2, 3]);
      assert.deepEqual(Array.from(tf.sum(tf.mul(x, x)).dataSync()), [14]);
      tf.dispose(x);
    }
  });

  it('concurrent calls are serialised and end on the last request', async () => {
    const [a, b] = await Promise.all([initBackend('cpu'), initBackend('wasm')]);
    assert.equal(a.name, 'cpu');
    assert.equal(b.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('an unknown request is a BAD_OPTION listing the valid names', async () => {
    await assert.rejects(initBackend('gpu' as BackendRequest), isBltError('BAD_OPTION', "'auto'", "'wasm'", '"gpu"'));
    assert.throws(() => parseBackendRequest(3), isBltError('BAD_OPTION', '3 (number)'));
    assert.equal(parseBackendRequest('cpu'), 'cpu');
  });

  it('availableCores is a positive integer', () => {
    assert.ok(Number.isInteger(availableCores()) && availableCores() >= 1);
  });
});

describe('backend: tensorflow probe messages', () => {
  const notFound = (pkg: string): Error =>
    Object.assign(new Error(`Cannot find package '${pkg}' imported from x.js`), { code: 'ERR_MODULE_NOT_FOUND' });

  it('an absent package is "not installed"; a broken one reports its error', async () => {
    const probes = await probeTensorflow(async (pkg) => {
      if (pkg.endsWith('-gpu')) throw notFound(pkg);
      throw new Error('libtensorflow.so.2: cannot open shared object file\nmore');
    });
    assert.deepEqual(
      probes.map((p) => p.available),
      [false, false],
    );
    assert.equal(probes[0]?.detail, '@tensorflow/tfjs-node-gpu is not installed (optional dependency)');
    assert.equal(
      probes[1]?.detail,
      '@tensorflow/tfjs-node could not be imported: libtensorflow.so.2: cannot open shared object file',
    );
    const err = tensorflowUnavailable(probes);
    assert.equal(err.code, 'BACKEND_UNAVAILABLE');
    assert.match(err.message, /Aug 2026.*--backend wasm/s);
  });

  it('a missing dependency of an installed package is not mistaken for the package missing', () => {
    const err = Object.assign(new Error("Cannot find package '@mapbox/node-pre-gyp'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    assert.match(describeImportFailure('@tensorflow/tfjs-node', err), /could not be imported: .*node-pre-gyp/);
  });

  it('a package that imports but registers no tensorflow backend is unavailable', async () => {
    const probes = await probeTensorflow(async () => undefined);
    assert.equal(probes.length, 2);
    if (await tensorflowInstalled()) return; // a real tfjs-node already registered the backend
    assert.ok(probes.every((p) => !p.available && p.detail.includes("registered no 'tensorflow' backend")));
  });
});
