import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { closeness } from '../../../../src/backend/backend-parity.js';
import { entropyConfig } from '../../../../src/entropy/transformer/config.js';
import {
  createEntropyTransformer,
  disposeEntropyTransformer,
  exportWeightArrays,
  entropyTransformerFromArrays,
} from '../../../../src/entropy/transformer/model.js';
import { lossAndGrads } from '../../../../src/entropy/train/train-step.js';

// Tolerances: float32 on both backends; the matmuls sum in different orders (XNNPACK vs JS),
// so we allow 1e-5 absolute on the loss and 1e-5 + 1e-3·|cpu| on every gradient element.
const LOSS_ATOL = 1e-5;
const GRAD_ATOL = 1e-5;
const GRAD_RTOL = 1e-3;

describe('entropy model training step: wasm equals the pure-JS cpu backend', function () {
  this.timeout(120_000);

  it(`same loss (±${LOSS_ATOL}) and gradients (±${GRAD_ATOL} + ${GRAD_RTOL}·|g|) for the real model and loss`, async () => {
    const config = entropyConfig({ dim: 32, n_layers: 2, n_heads: 2, ffn_dim: 64, window: 16, max_seqlen: 64 });
    const B = 2;
    const T = 24; // longer than the window: the sliding mask matters
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let i = 0; i < x.length; i++) {
      x[i] = 4 + ((i * 37) % 200);
      y[i] = 4 + ((i * 37 + 37) % 200);
    }
    const batch = { x, y, batchSize: B, seqLen: T };
    const run = async (backend: 'cpu' | 'wasm'): Promise<{ loss: number; grads: Map<string, Float32Array> }> => {
      await initBackend(backend);
      const seedModel = createEntropyTransformer(config, 3);
      const arrays = exportWeightArrays(seedModel);
      disposeEntropyTransformer(seedModel);
      const model = entropyTransformerFromArrays(config, arrays);
      const warm = lossAndGrads(model, batch); // creates the cached RoPE/mask constants once
      tf.dispose([warm.loss, ...warm.grads.values()]);
      const before = tf.memory().numTensors;
      const { loss, grads } = lossAndGrads(model, batch);
      assert.equal(tf.getBackend(), backend);
      const out = {
        loss: (await loss.data())[0] as number,
        grads: new Map([...grads].map(([k, g]) => [k, g.dataSync() as Float32Array])),
      };
      tf.dispose([loss, ...grads.values()]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
      disposeEntropyTransformer(model);
      return out;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    assert.ok(Math.abs(cpu.loss - wasm.loss) <= LOSS_ATOL, `loss ${wasm.loss} vs ${cpu.loss}`);
    assert.equal(wasm.grads.size, cpu.grads.size);
    for (const [name, g] of cpu.grads) {
      const c = closeness(wasm.grads.get(name) as Float32Array, g, GRAD_ATOL, GRAD_RTOL);
      assert.ok(c.ok, `${name}: max abs diff ${c.maxAbs}`);
    }
  });
});
