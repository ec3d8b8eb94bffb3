/**
 * Entropy-stage inference throughput (bytes/s; 1 byte = 1 token) for the entropy transformer on:
 * onnxruntime-node with 1 intra-op thread, with 2 intra-op threads, in 2 worker threads × 1 thread,
 * and tfjs-wasm (1 thread). Each figure is also given as a fraction of the matmul bound:
 *   achieved = bytes/s × flopsPerByte(config) / (cores × wasm 512² matmul GFLOP/s)
 * Two workloads: documents of exactly one window (dense attention over W tokens) and documents of
 * 16 KiB (two 8192-token chunks, each one pass with blocked sliding-window attention: every byte
 * computed once, as the reference's calculate_entropies). The ratio long/short is printed per engine
 * (issue 11 asks >= 90 %).
 * Model: --model dir, else models/entropy-default when installed, else the default config with random weights.
 * Run: node --import tsx bench/entropy-inference.ts [--model dir] [--kb 128] [--runs 3] [--json]
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { initBackend } from '../src/backend/select-backend.js';
import { measureMatmulGflops } from '../src/backend/matmul-gflops.js';
import { Rng } from '../src/core/rng.js';
import { defaultEntropyModelDir } from '../src/entropy/default-model.js';
import { loadEntropyModel } from '../src/entropy/model-format/index.js';
import { buildEntropyOnnx } from '../src/entropy/onnx/build-graph.js';
import { OnnxEntropyScorer } from '../src/entropy/onnx/onnx-scorer.js';
import {
  computeEntropiesBatch,
  createEntropyTransformer,
  DEFAULT_ENTROPY_CONFIG,
  exportWeightArrays,
  flopsPerByte,
  parameterCount,
  type EntropyTransformer,
  type EntropyTransformerConfig,
} from '../src/entropy/transformer/index.js';
import { summarize, type Summary } from './summary.js';

interface WorkerInit {
  role: 'entropy-bench-worker';
  config: EntropyTransformerConfig;
  onnx: Uint8Array;
  docs: Int32Array[];
}

export interface EngineFigure {
  engine: string;
  workload: string;
  cores: number;
  bytesPerSecond: Summary;
  fractionOfBound: number;
}
export interface EntropyInferenceBenchResult {
  model: string;
  config: EntropyTransformerConfig;
  parameters: number;
  flopsPerByte: number;
  matmulGflops: number;
  figures: EngineFigure[];
}

function makeDocs(totalBytes: number, docLen: number, seed: number): Int32Array[] {
  const rng = Rng.fromSeed(seed);
  const docs: Int32Array[] = [];
  for (let left = totalBytes; left > 0; left -= docLen) {
    docs.push(Int32Array.from({ length: Math.min(docLen, left) }, () => 4 + rng.int(256)));
  }
  return docs;
}

const totalBytes = (docs: readonly Int32Array[]): number => docs.reduce((a, d) => a + d.length, 0);

/** Times `runs` passes of `score(docs)` after one warm-up pass; bytes/s per pass. */
async function timeScoring(
  docs: Int32Array[],
  runs: number,
  score: (d: Int32Array[]) => Promise<unknown>,
): Promise<Summary> {
  await score(docs.slice(0, Math.max(1, docs.length >> 3)));
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await score(docs);
    rates.push(totalBytes(docs) / ((performance.now() - t0) / 1000));
  }
  return summarize(rates);
}

/** 2 workers × 1 onnx thread, docs dealt round-robin; one pass = until both finish. */
async function timeOnnxWorkers(
  config: EntropyTransformerConfig,
  onnx: Uint8Array,
  docs: Int32Array[],
  runs: number,
  n: number,
): Promise<Summary> {
  const shares = Array.from({ length: n }, (_, w) => docs.filter((_d, i) => i % n === w));
  // Workers do not inherit `--import tsx`: register tsx inside each, then import this file.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const workers = shares.map(
    (share) =>
      new Worker(boot, {
        eval: true,
        workerData: { role: 'entropy-bench-worker', config, onnx, docs: share } satisfies WorkerInit,
      }),
  );
  const next = (w: Worker): Promise<unknown> =>
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  try {
    await Promise.all(workers.map(next)); // sessions open + warm-up done
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const done = Promise.all(workers.map(next));
      for (const w of workers) w.postMessage('go');
      await done;
      rates.push(totalBytes(docs) / ((performance.now() - t0) / 1000));
    }
    return summarize(rates);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function workerMain(init: WorkerInit): Promise<void> {
  const scorer = await OnnxEntropyScorer.fromOnnx(init.config, init.onnx, { threads: 1 });
  await scorer.score(init.docs.slice(0, 4));
  parentPort?.on('message', () => {
    void scorer.score(init.docs).then(() => parentPort?.postMessage('done'));
  });
  parentPort?.postMessage('ready');
}

async function loadModel(requested: string | undefined): Promise<{ model: EntropyTransformer; label: string }> {
  const fallback = defaultEntropyModelDir();
  const dir = requested ?? (existsSync(join(fallback, 'config.json')) ? fallback : undefined);
  if (dir) {
    const loaded = await loadEntropyModel(dir);
    return { model: loaded.model, label: `${dir} (fingerprint ${loaded.fingerprint.slice(0, 12)})` };
  }
  return {
    model: createEntropyTransformer(DEFAULT_ENTROPY_CONFIG, 0),
    label:
      'DEFAULT_ENTROPY_CONFIG with RANDOM weights (no --model and no models/entropy-default; speed does not depend on the weights)',
  };
}

export async function runEntropyInferenceBench(
  opts: { model?: string; kb?: number; runs?: number } = {},
): Promise<EntropyInferenceBenchResult> {
  const runs = opts.runs ?? 3;
  await initBackend('wasm');
  const gflops = measureMatmulGflops({ size: 512, repeats: 7 }).gflops;
  const { model, label } = await loadModel(opts.model);
  const c = model.config;
  const fpb = flopsPerByte(c);
  const bytes = Math.round((opts.kb ?? 128) * 1024);
  const workloads = [
    { name: `docs of ${c.window} B (1 window each)`, docs: makeDocs(bytes, c.window, 1) },
    { name: 'docs of 16 KiB (2 chunks of 8192)', docs: makeDocs(bytes, 16384, 2) },
  ];
  const weights = new Map([...exportWeightArrays(model)].map(([k, v]) => [k, v.data]));
  const onnx = buildEntropyOnnx(c, weights);
  const figures: EngineFigure[] = [];
  const add = (engine: string, workload: string, cores: number, s: Summary): void => {
    figures.push({
      engine,
      workload,
      cores,
      bytesPerSecond: s,
      fractionOfBound: (s.median * fpb) / (cores * gflops * 1e9),
    });
  };
  for (const w of workloads) {
    for (const threads of [1, 2]) {
      const scorer = await OnnxEntropyScorer.fromOnnx(c, onnx, { threads });
      add(
        `onnx, ${threads} intra-op thread${threads > 1 ? 's' : ''}`,
        w.name,
        threads,
        await timeScoring(w.docs, runs, (d) => scorer.score(d)),
      );
      await scorer.close();
    }
    const n = Math.min(2, availableParallelism());
    add(`onnx, ${n} worker threads × 1`, w.name, n, await timeOnnxWorkers(c, onnx, w.docs, runs, n));
    const small = w.docs.slice(0, Math.max(1, w.docs.length >> 2)); // tfjs is ~5× slower: a quarter of the bytes
    add('tfjs-wasm, 1 thread', w.name, 1, await timeScoring(small, runs, async (d) => computeEntropiesBatch(model, d)));
  }
  return { model: label, config: c, parameters: parameterCount(c), flopsPerByte: fpb, matmulGflops: gflops, figures };
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const res = await runEntropyInferenceBench({
    model: arg(args, '--model'),
    kb: Number(arg(args, '--kb') ?? 128),
    runs: Number(arg(args, '--runs') ?? 3),
  });
  if (args.includes('--json')) {
    console.log(JSON.stringify(res));
    return;
  }
  const c = res.config;
  console.log(`entropy inference: ${res.model}`);
  console.log(
    `config d=${c.dim} L=${c.n_layers} H=${c.n_heads} ffn=${c.ffn_dim} window=${c.window}; ${res.parameters} parameters; ` +
      `${(res.flopsPerByte / 1e6).toFixed(2)} MFLOP/byte; wasm 512² matmul ${res.matmulGflops.toFixed(1)} GFLOP/s per core ` +
      `→ bound ${Math.round((res.matmulGflops * 1e9) / res.flopsPerByte)} B/s per core`,
  );
  console.log(
    'engine                          | workload                          | bytes/s median (min–max) | % of bound',
  );
  for (const f of res.figures) {
    const s = f.bytesPerSecond;
    console.log(
      `${f.engine.padEnd(31)} | ${f.workload.padEnd(33)} | ${String(Math.round(s.median)).padStart(8)} (${Math.round(s.min)}–${Math.round(s.max)}) | ` +
        `${(100 * f.fractionOfBound).toFixed(0)} % of ${f.cores} core${f.cores > 1 ? 's' : ''}`,
    );
  }
  const engines = [...new Set(res.figures.map((f) => f.engine))];
  for (const e of engines) {
    const [short, long] = res.figures.filter((f) => f.engine === e).map((f) => f.bytesPerSecond.median);
    if (short && long)
      console.log(`${e}: 16 KiB documents at ${((100 * long) / short).toFixed(0)} % of the one-window rate`);
  }
}

const init = workerData as WorkerInit | null;
if (!isMainThread && init?.role === 'entropy-bench-worker') {
  workerMain(init).catch((e: unknown) => {
    throw e;
  });
} else if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
