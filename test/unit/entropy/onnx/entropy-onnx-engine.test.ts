import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import { Rng } from '../../../../src/core/rng.js';
import { createEntropyEngine, type EntropyEngine } from '../../../../src/entropy/engine.js';
import { saveEntropyModel } from '../../../../src/entropy/model-format/index.js';
import {
  createEntropyTransformer,
  DEFAULT_ENTROPY_CONFIG,
  disposeEntropyTransformer,
  entropyConfig,
  type EntropyTransformer,
} from '../../../../src/entropy/transformer/index.js';

const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof BltError && e.code === code;

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let m = 0;
  a.forEach((x, k) => x.forEach((v, i) => (m = Math.max(m, Math.abs(v - ((b[k] as Float32Array)[i] as number))))));
  return m;
}

describe('entropy engine selection (createEntropyEngine)', function () {
  const config = entropyConfig({ dim: 32, n_layers: 1, n_heads: 2, ffn_dim: 64, window: 64, max_seqlen: 64 });
  const rng = Rng.fromSeed(5);
  const docs = [150, 7, 64, 0].map((n) => Int32Array.from({ length: n }, () => 4 + rng.int(256)));
  let dir: string;
  let model: EntropyTransformer;

  before(async function () {
    await initBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'blt-engine-'));
    model = createEntropyTransformer(config, 9);
    await saveEntropyModel(join(dir, 'm'), model);
  });
  after(async function () {
    if (model) disposeEntropyTransformer(model);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("'auto' picks onnx here, and onnx / tfjs engines agree on a model directory", async function () {
    const auto = await createEntropyEngine(join(dir, 'm'));
    const onnx = await createEntropyEngine(join(dir, 'm'), { engine: 'onnx', threads: 1 });
    const tfjs = await createEntropyEngine(join(dir, 'm'), { engine: 'tfjs', tfjsBackend: 'wasm' });
    try {
      assert.equal(auto.name, 'onnx');
      assert.equal(onnx.name, 'onnx');
      assert.equal(tfjs.name, 'tfjs');
      assert.match(tfjs.detail, /wasm/);
      const [a, o, t] = [await auto.score(docs), await onnx.score(docs), await tfjs.score(docs)];
      assert.deepEqual(a, o);
      assert.deepEqual(
        o.map((x) => x.length),
        [150, 7, 64, 0],
      );
      assert.ok(maxAbsDiff(o, t) < 2e-5, `onnx vs tfjs ${maxAbsDiff(o, t)}`);
    } finally {
      await Promise.all([auto.close(), onnx.close(), tfjs.close()]);
    }
    await assert.rejects(tfjs.score(docs), /closed/);
  });

  it('accepts a live tfjs model and leaves it usable after close', async function () {
    const engine = await createEntropyEngine(model, { engine: 'tfjs', tfjsBackend: 'cpu' });
    await engine.score(docs.slice(0, 2));
    await engine.close();
    const again = await createEntropyEngine(model, { engine: 'onnx' });
    assert.equal((await again.score([docs[1] as Int32Array]))[0]?.length, 7);
    await again.close();
  });

  it('builds the default config (window 256) and matches tfjs-wasm on a multi-window document', async function () {
    const big = createEntropyTransformer(DEFAULT_ENTROPY_CONFIG, 1);
    const doc = [Int32Array.from({ length: 700 }, () => 4 + rng.int(256))];
    const onnx = await createEntropyEngine(big, { engine: 'onnx' });
    const tfjs = await createEntropyEngine(big, { engine: 'tfjs', tfjsBackend: 'wasm' });
    try {
      const diff = maxAbsDiff(await onnx.score(doc), await tfjs.score(doc));
      assert.ok(diff < 2e-5, `onnx vs tfjs-wasm ${diff}`);
    } finally {
      await onnx.close();
      await tfjs.close();
      disposeEntropyTransformer(big);
    }
  });

  it('explains what is wrong: bad engine name, missing directory, unavailable CUDA', async function () {
    await assert.rejects(createEntropyEngine(model, { engine: 'gpu' as never }), isCode('BAD_OPTION'));
    await assert.rejects(createEntropyEngine(join(dir, 'nope'), { engine: 'onnx' }), isCode('NOT_FOUND'));
    // Without the CUDA EP binaries (onnxruntime-node-install=skip) explicit CUDA fails clearly ...
    const cuda = await createEntropyEngine(model, { engine: 'onnx', executionProvider: 'cuda' }).catch(
      (e: unknown) => e,
    );
    if (!(cuda instanceof Error)) {
      // a machine with a working CUDA execution provider: the engine runs on it
      const engine = cuda as EntropyEngine;
      assert.equal(engine.name, 'onnx');
      assert.match(engine.detail, /cuda/i);
      await engine.close();
      return;
    }
    assert.ok(
      isCode('BACKEND_UNAVAILABLE')(cuda) && /CUDA/.test(cuda.message) && /cuda12/.test(cuda.message),
      String(cuda),
    );
    // ... and 'auto' falls back to onnx on the CPU provider, saying why.
    const auto = await createEntropyEngine(model, { executionProvider: 'cuda' });
    assert.equal(auto.name, 'onnx');
    assert.match(auto.detail, /CUDA unavailable/);
    await auto.close();
  });
});
