/**
 * Matmul GFLOP/s per backend: the machine limit every benchmark divides by.
 *   node --import tsx bench/matmul.ts [size]
 * Prints the median (min–max) of a square float32 matmul on wasm and cpu (and tensorflow when
 * tfjs-node is installed), plus the transposed/batched wasm matmuls of a training step, with the
 * BatchMatMul wrapper and with the stock kernel (~1 GFLOP/s loop).
 */
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { measureMatmulGflops, median } from '../src/backend/matmul-gflops.js';
import { initBackend, type BackendName } from '../src/backend/select-backend.js';
import { patchWasmBatchMatMul, unpatchWasmBatchMatMul } from '../src/backend/wasm-batch-matmul.js';

/** GFLOP/s (median of 5 after a warm-up) of `tf.matMul(a, b, tA, tB)` on the active backend. */
function timeMatMul(aShape: number[], bShape: number[], tA: boolean, tB: boolean, flops: number): number {
  const a = tf.randomUniform(aShape, -1, 1, 'float32', 1);
  const b = tf.randomUniform(bShape, -1, 1, 'float32', 2);
  const rates: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b, tA, tB);
    c.dataSync();
    const ms = performance.now() - t0;
    c.dispose();
    if (i > 0) rates.push(flops / (ms * 1e6));
  }
  tf.dispose([a, b]);
  return median(rates);
}

export interface MatmulBench {
  size: number;
  backends: Array<{ backend: BackendName; gflops: number; min: number; max: number; runs: number }>;
  /** The transposed/batched matmuls of a training step: GFLOP/s with the wrapper and the stock kernel. */
  cases: Array<{ label: string; wrapper: number; stock: number }>;
}

export async function runMatmulBench(size = 512, log: (line: string) => void = () => undefined): Promise<MatmulBench> {
  const auto = await initBackend('auto');
  const backends: BackendName[] = auto.name === 'tensorflow' ? ['tensorflow', 'wasm', 'cpu'] : ['wasm', 'cpu'];
  const res: MatmulBench = { size, backends: [], cases: [] };
  log(`matmul ${size}×${size}×${size} float32, GFLOP/s (median, min–max)`);
  for (const name of backends) {
    await initBackend(name);
    const m = measureMatmulGflops({ size, repeats: name === 'cpu' ? 3 : 7 });
    res.backends.push({ backend: name, gflops: m.gflops, min: m.min, max: m.max, runs: m.runs });
    log(
      `  ${name.padEnd(10)} ${m.gflops.toFixed(2).padStart(7)}  (${m.min.toFixed(2)}–${m.max.toFixed(2)}, ${m.runs} runs)`,
    );
  }
  await initBackend('wasm');
  log('wasm matmuls the BatchMatMul wrapper reroutes, GFLOP/s (median of 5): wrapper vs stock kernel');
  const cases: Array<[string, number[], number[], boolean, boolean, number]> = [
    ['dW = xᵀ·dy  [2048,128]ᵀ × [2048,512]', [2048, 128], [2048, 512], true, false, 2 * 2048 * 128 * 512],
    ['dx = dy·Wᵀ  [2048,512] × [128,512]ᵀ', [2048, 512], [128, 512], false, true, 2 * 2048 * 128 * 512],
    ['q·kᵀ        [32,256,32] × [32,256,32]ᵀ', [32, 256, 32], [32, 256, 32], false, true, 2 * 32 * 256 * 256 * 32],
    ['x·W batched [8,256,128] × [128,512]', [8, 256, 128], [128, 512], false, false, 2 * 8 * 256 * 128 * 512],
  ];
  for (const [label, aS, bS, tA, tB, flops] of cases) {
    const wrapped = timeMatMul(aS, bS, tA, tB, flops);
    unpatchWasmBatchMatMul();
    const stock = timeMatMul(aS, bS, tA, tB, flops);
    patchWasmBatchMatMul();
    res.cases.push({ label, wrapper: wrapped, stock });
    log(`  ${label.padEnd(40)} ${wrapped.toFixed(2).padStart(7)} vs ${stock.toFixed(2).padStart(5)}`);
  }
  return res;
}

if (import.meta.url === `file://${process.argv[1]}`)
  await runMatmulBench(Number(process.argv[2] ?? 512), (l) => console.log(l));
