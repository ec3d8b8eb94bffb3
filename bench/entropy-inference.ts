/**
 * Entropy-stage inference throughput (bytes/s; 1 byte = 1 token) for the entropy transformer on:
 * onnxruntime-node with 1 intra-op thread, with 2 intra-op threads, in 2 worker threads × 1 thread,
 * and tfjs-wasm (1 thread). Each figure is also given as a fraction of the matmul bound:
 *   achieved = bytes/s × flopsPerByte(config) / (cores × wasm 512² matmul GFLOP/s)
 * Two workloads: documents of exactly one window (dense attention over W tokens) and documents of
 * 16 KiB (two 8192-token chunks, each one pass with blocked sliding-window attention: every byte
 * computed once, as the reference's calculate_entropies). Per engine the two workloads are timed
 * alternately in one run (a pass of each per round, order flipped every round) and the ratio
 * long/short is printed: best pass over best pass, and per round from wall and from CPU time
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
import { buildEntropyOnnxGraphs, type OnnxEntropyGraphs } from '../src/entropy/onnx/build-graph.js';
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
  onnx: OnnxEntropyGraphs;
  short: Int32Array[];
  long: Int32Array[];
}

export interface EngineFigure {
  engine: string;
  workload: string;
  cores: number;
  bytesPerSecond: Summary;
  fractionOfBound: number;
}
/** 16 KiB documents' rate over one-window documents' rate, per engine (both timed alternately in one run). */
export interface LongDocumentRatio {
  engine: string;
  /** Best long pass / best short pass (wall). */
  bestOverBest: number;
  /** Per-round ratios, wall time and process CPU time. */
  perRound: Summary;
  perRoundCpu: Summary;
}
export interface EntropyInferenceBenchResult {
  model: string;
  config: EntropyTransformerConfig;
  parameters: number;
  flopsPerByte: number;
  matmulGflops: number;
  figures: EngineFigure[];
  ratios: LongDocumentRatio[];
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

/** One engine's two workloads, alternated pass by pass (short, long; then long, short; ...). */
interface PairTiming {
  short: Summary;
  long: Summary;
  /** Per round: long rate / short rate (wall), and the same from process CPU seconds. */
  ratio: Summary;
  cpuRatio: Summary;
}

/**
 * After one warm-up pass of each, `runs` rounds of one pass of each workload, the order flipped
 * every round, so both cases see the same machine load; bytes/s per pass (wall), and the ratio
 * long/short per round from wall time and from process CPU time (all threads).
 */
async function timePair(
  short: Int32Array[],
  long: Int32Array[],
  runs: number,
  score: (d: Int32Array[]) => Promise<unknown>,
): Promise<PairTiming> {
  await score(short.slice(0, Math.max(1, short.length >> 3)));
  await score(long.slice(0, 1));
  const pass = async (docs: Int32Array[]): Promise<{ wall: number; cpu: number }> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await score(docs);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { wall: totalBytes(docs) / wall, cpu: totalBytes(docs) / ((c.user + c.system) / 1e6) };
  };
  const s: { wall: number; cpu: number }[] = [];
  const l: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      s.push(await pass(short));
      l.push(await pass(long));
    } else {
      l.push(await pass(long));
      s.push(await pass(short));
    }
  }
  return {
    short: summarize(s.map((x) => x.wall)),
    long: summarize(l.map((x) => x.wall)),
    ratio: summarize(l.map((x, i) => x.wall / (s[i] as { wall: number }).wall)),
    cpuRatio: summarize(l.map((x, i) => x.cpu / (s[i] as { cpu: number }).cpu)),
  };
}

/** 2 workers × 1 onnx thread, docs dealt round-robin; one pass = until all finish. Workloads alternated as timePair. */
async function timeOnnxWorkers(
  config: EntropyTransformerConfig,
  onnx: OnnxEntropyGraphs,
  short: Int32Array[],
  long: Int32Array[],
  runs: number,
  n: number,
): Promise<PairTiming> {
  const deal = (docs: Int32Array[]): Int32Array[][] =>
    Array.from({ length: n }, (_, w) => docs.filter((_d, i) => i % n === w));
  const shares = { short: deal(short), long: deal(long) };
  // Workers do not inherit `--import tsx`: register tsx inside each, then import this file.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const workers = Array.from(
    { length: n },
    (_, w) =>
      new Worker(boot, {
        eval: true,
        workerData: {
          role: 'entropy-bench-worker',
          config,
          onnx,
          short: shares.short[w] ?? [],
          long: shares.long[w] ?? [],
        } satisfies WorkerInit,
      }),
  );
  const next = (w: Worker): Promise<unknown> =>
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  try {
    await Promise.all(workers.map(next)); // sessions open + warm-up done
    return await timePair(short, long, runs, async (docs) => {
      if (docs !== short && docs !== long) return; // timePair's warm-up: the workers warmed up themselves
      const which = docs === short ? 'short' : 'long';
      const done = Promise.all(workers.map(next));
      for (const w of workers) w.postMessage(which);
      await done;
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function workerMain(init: WorkerInit): Promise<void> {
  const scorer = await OnnxEntropyScorer.fromOnnx(init.config, init.onnx, { threads: 1 });
  await scorer.score(init.short.slice(0, 4));
  await scorer.score(init.long.slice(0, 1));
  parentPort?.on('message', (which: 'short' | 'long') => {
    void scorer.score(init[which]).then(() => parentPort?.postMessage('done'));
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
  const shortName = `docs of ${c.window} B (1 window each)`;
  const longName = 'docs of 16 KiB (2 chunks of 8192)';
  const short = makeDocs(bytes, c.window, 1);
  const long = makeDocs(bytes, 16384, 2);
  const weights = new Map([...exportWeightArrays(model)].map(([k, v]) => [k, v.data]));
  const onnx = buildEntropyOnnxGraphs(c, weights);
  const figures: EngineFigure[] = [];
  const ratios: LongDocumentRatio[] = [];
  const add = (engine: string, cores: number, t: PairTiming): void => {
    for (const [workload, s] of [
      [shortName, t.short],
      [longName, t.long],
    ] as const) {
      figures.push({
        engine,
        workload,
        cores,
        bytesPerSecond: s,
        fractionOfBound: (s.median * fpb) / (cores * gflops * 1e9),
      });
    }
    ratios.push({ engine, bestOverBest: t.long.max / t.short.max, perRound: t.ratio, perRoundCpu: t.cpuRatio });
  };
  for (const threads of [1, 2]) {
    const scorer = await OnnxEntropyScorer.fromOnnx(c, onnx, { threads });
    const name = `onnx, ${threads} intra-op thread${threads > 1 ? 's' : ''}`;
    add(name, threads, await timePair(short, long, runs, (d) => scorer.score(d)));
    await scorer.close();
  }
  const n = Math.min(2, availableParallelism());
  add(`onnx, ${n} worker threads × 1`, n, await timeOnnxWorkers(c, onnx, short, long, runs, n));
  // tfjs is ~5× slower: a quarter of the bytes (still whole 16 KiB documents).
  const quarter = (docs: Int32Array[]): Int32Array[] => docs.slice(0, Math.max(1, docs.length >> 2));
  add(
    'tfjs-wasm, 1 thread',
    1,
    await timePair(quarter(short), quarter(long), runs, async (d) => computeEntropiesBatch(model, d)),
  );
  return {
    model: label,
    config: c,
    parameters: parameterCount(c),
    flopsPerByte: fpb,
    matmulGflops: gflops,
    figures,
    ratios,
  };
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
  console.log('16 KiB documents / one-window documents (alternated in this run; issue 11 asks >= 90 %):');
  const pct = (x: number): string => `${(100 * x).toFixed(0)} %`;
  for (const r of res.ratios) {
    const w = r.perRound;
    const u = r.perRoundCpu;
    console.log(
      `${r.engine.padEnd(31)} | best/best ${pct(r.bestOverBest).padStart(5)} | per round ${pct(w.median)} ` +
        `(${pct(w.min)}–${pct(w.max)}) | CPU-time per round ${pct(u.median)} (${pct(u.min)}–${pct(u.max)})`,
    );
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
