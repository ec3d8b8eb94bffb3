/**
 * Entropy-transformer training throughput on one backend (wasm by default): bytes/s of training
 * (one byte = one target token) and the achieved GFLOP/s against the model's cost
 * 6 × flopsPerByte (forward + backward, docs/design.md §7), next to the machine's matmul GFLOP/s; plus
 * the bytes/s of held-out evaluation (computeLogProbs: windows at stride window/2, so each
 * byte is run ~2×). Median (min–max) of several timed steps after warm-up.
 *   node --import tsx bench/entropy-train.ts [--steps 8] [--batch-size 8] [--seq-len <window>] [--config '{"dim":128}'] [--backend wasm] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import { measureMatmulGflops } from '../src/backend/matmul-gflops.js';
import { initBackend, parseBackendRequest } from '../src/backend/select-backend.js';
import { Rng } from '../src/core/rng.js';
import { computeLogProbsBatch } from '../src/entropy/eval/log-probs.js';
import { AdamW } from '../src/train/common/adamw.js';
import { resolveTrainConfig } from '../src/entropy/train/config.js';
import { ByteSequenceLoader } from '../src/entropy/train/loader.js';
import { documentTokens, packDocuments } from '../src/entropy/train/pack.js';
import { trainStep } from '../src/entropy/train/train-step.js';
import { flopsPerByte, parameterCount } from '../src/entropy/transformer/config.js';
import { createEntropyTransformer, disposeEntropyTransformer } from '../src/entropy/transformer/model.js';
import { brownDocuments } from '../src/ingest/corpora/index.js';
import { utf8EncodeIgnore } from '../src/bytes/utf8.js';
import { summarize, type Summary } from './summary.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export interface TrainBenchResult {
  backend: string;
  config: ReturnType<typeof resolveTrainConfig>;
  params: number;
  flopsPerByte: number;
  trainBytesPerSecond: Summary;
  trainGflops: Summary;
  evalBytesPerSecond: number;
  matmulGflops: number;
}

/** Options of `runTrainBench`; each one left out falls back to its command-line flag. */
export interface TrainBenchOptions {
  backend?: string;
  steps?: number;
  config?: object;
  batchSize?: number;
  seqLen?: number;
  /** Bytes of each of the 3 evaluation documents (default: all of them). */
  evalBytes?: number;
}

export async function runTrainBench(o: TrainBenchOptions = {}): Promise<TrainBenchResult> {
  const info = await initBackend(parseBackendRequest(o.backend ?? arg('--backend') ?? 'wasm'));
  const steps = o.steps ?? Number(arg('--steps') ?? 8);
  const batchSize = o.batchSize ?? (arg('--batch-size') ? Number(arg('--batch-size')) : undefined);
  const seqLen = o.seqLen ?? (arg('--seq-len') ? Number(arg('--seq-len')) : undefined);
  const cfg = resolveTrainConfig({
    steps: 1000,
    model: o.config ?? (JSON.parse(arg('--config') ?? '{}') as object),
    ...(batchSize ? { batchSize } : {}),
    ...(seqLen ? { seqLen } : {}),
  });
  const docs = [...brownDocuments()].slice(0, 40).map((d) => utf8EncodeIgnore(d.text));
  const model = createEntropyTransformer(cfg.model, 0);
  const opt = new AdamW(model.weights);
  const loader = ByteSequenceLoader.create(packDocuments(docs), cfg.seqLen, Rng.fromSeed(0).nextUint32());
  const tokens = cfg.batchSize * cfg.seqLen;
  const rates: number[] = [];
  for (let i = 0; i < steps + 2; i++) {
    const t0 = performance.now();
    const r = trainStep(model, opt, loader.nextBatch(cfg.batchSize), 1e-3, 1);
    await r.loss.data();
    tf.dispose([r.loss, r.gradNorm]);
    if (i >= 2) rates.push(tokens / ((performance.now() - t0) / 1000)); // 2 warm-up steps
  }
  const fpb = flopsPerByte(cfg.model);
  const evalDocs = docs
    .slice(0, 3)
    .map((d) => documentTokens(o.evalBytes === undefined ? d : d.subarray(0, o.evalBytes)));
  await computeLogProbsBatch(model, [evalDocs[0]?.subarray(0, 600) ?? new Int32Array(0)]); // warm-up
  const t0 = performance.now();
  await computeLogProbsBatch(model, evalDocs);
  const evalBytesPerSecond = evalDocs.reduce((n, d) => n + d.length, 0) / ((performance.now() - t0) / 1000);
  opt.dispose();
  disposeEntropyTransformer(model);
  const matmul = measureMatmulGflops({ size: 512, repeats: 5 });
  const trainBytesPerSecond = summarize(rates);
  return {
    backend: info.name,
    config: cfg,
    params: parameterCount(cfg.model),
    flopsPerByte: fpb,
    trainBytesPerSecond,
    trainGflops: summarize(rates.map((r) => (r * 6 * fpb) / 1e9)),
    evalBytesPerSecond,
    matmulGflops: matmul.gflops,
  };
}

async function main(): Promise<void> {
  const r = await runTrainBench();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
    return;
  }
  const m = r.config.model;
  const s = r.trainBytesPerSecond;
  const g = r.trainGflops;
  console.log(
    `entropy transformer d${m.dim} L${m.n_layers} H${m.n_heads} ffn${m.ffn_dim} window ${m.window}: ${(r.params / 1e6).toFixed(2)}M params, ${(r.flopsPerByte / 1e6).toFixed(2)} MFLOP/byte forward`,
  );
  console.log(`backend ${r.backend}, batch ${r.config.batchSize} x ${r.config.seqLen} tokens, ${s.runs} timed steps`);
  console.log(`training:   ${s.median.toFixed(0)} bytes/s (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`);
  console.log(
    `achieved:   ${g.median.toFixed(2)} GFLOP/s of 6 x flopsPerByte; matmul 512^2 on this backend: ${r.matmulGflops.toFixed(1)} GFLOP/s (utilisation ${((100 * g.median) / r.matmulGflops).toFixed(0)}%)`,
  );
  console.log(`evaluation: ${r.evalBytesPerSecond.toFixed(0)} bytes/s (computeLogProbs, stride window/2)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
