/**
 * BLT training throughput (issue "Train BLT", item 8): bytes/s of real training steps (the loader
 * on a shard set → bltTrainStep with AdamW), and the model FLOP utilisation: achieved FLOP/s
 * counted as bytes/s × trainPerByte (bltFlops: 3 × the forward FLOPs of the per-byte parts plus
 * the per-patch parts / mean patch length, docs/design.md §7 — a multiply-add is 2 FLOPs, so this is the
 * usual 6 × parameters-touched per byte), divided by measureMatmulGflops() on the same backend.
 *
 *   node --import tsx bench/blt-train.ts [--data <shard-dir>] [--steps 6] [--backend wasm] [--profile] [--json]
 *     [--config '<model overrides JSON>' --shape B,P,N]   (one custom row instead of the two)
 *
 * Without --data it writes a temporary shard set of udhr + brown text with space patching
 * (no entropy model needed; mean patch ≈ 5 bytes). Two configurations: the default model and a
 * small one (the demo's). Median (min–max) over the timed steps after two warm-up steps; the matmul
 * rate is the larger of a measurement before and one after (on a shared machine other jobs only lower it).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureMatmulGflops } from '../src/backend/matmul-gflops.js';
import { initBackend, parseBackendRequest } from '../src/backend/select-backend.js';
import { AdamW } from '../src/train/common/adamw.js';
import { patchLengths } from '../src/patching/patch-lengths.js';
import { encodeBytes } from '../src/bytes/tokenizer.js';
import { utf8EncodeIgnore } from '../src/bytes/utf8.js';
import { brownDocuments, udhrDocuments } from '../src/ingest/corpora/index.js';
import { fingerprint } from '../src/shards/fingerprint.js';
import { buildManifest, readManifest, writeManifest } from '../src/shards/manifest.js';
import { ShardWriter } from '../src/shards/shard-writer.js';
import { createLoader, toBltBatch } from '../src/train/data/index.js';
import {
  bltConfig,
  bltParameterCounts,
  createBltModel,
  disposeBltModel,
  type BltModelConfig,
} from '../src/train/model/index.js';
import { schemeFlops } from '../src/train/trainer/scheme-flops.js';
import { bltTrainStep } from '../src/train/trainer/train-step.js';
import { summarize, type Summary } from './summary.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The demo's small model (docs/blt-training.md). */
export const SMALL_BLT: Partial<BltModelConfig> = {
  dim_local_encoder: 96,
  dim_local_decoder: 96,
  n_heads_local: 3,
  dim_global: 192,
  n_layers_global: 3,
  n_heads_global: 3,
  cross_attn_nheads: 3,
  ngram: { sizes: [3, 4, 5, 6], functions: 1, vocab: 10007 },
};

interface Shape {
  name: string;
  model: BltModelConfig;
  batchSize: number;
  seqLenPatches: number;
  maxBytesPerRow: number;
}

export interface BltTrainBenchRow {
  name: string;
  params: number;
  batch: string;
  meanPatchLength: number;
  trainFlopsPerByte: number;
  bytesPerSecond: Summary;
  gflops: Summary;
  utilisation: number;
  /** Real targets / row positions (B·N): the share of the computed positions that are not padding. */
  fill: number;
}

async function writeSpaceShards(dir: string): Promise<void> {
  const w = await ShardWriter.open({ dir, columns: { entropies: false, patchLengths: true, ngramTables: [] } });
  const docs: { id: string; text: string }[] = [
    ...[...udhrDocuments()].slice(0, 150),
    ...[...brownDocuments()].slice(0, 60),
  ];
  const rows = docs.map((d) => {
    const bytes = utf8EncodeIgnore(d.text).subarray(0, 6000);
    return { docId: d.id, source: 'bench', bytes, patchLengths: patchLengths(encodeBytes(bytes), { mode: 'space' }) };
  });
  await w.addTask(0, rows);
  const shards = await w.finish();
  await writeManifest(
    dir,
    buildManifest({
      config: {},
      inputs: [],
      shards,
      totals: { ...w.getState().totals, quarantined: 0 },
      fingerprints: { content: fingerprint(['blt-train-bench']) },
    }),
  );
  await w.dispose();
}

async function benchShape(
  s: Shape,
  data: string,
  meanPatchLength: number,
  steps: number,
  profile: boolean,
): Promise<Omit<BltTrainBenchRow, 'utilisation'>> {
  const loader = await createLoader({
    data,
    batchSize: s.batchSize,
    seqLenPatches: s.seqLenPatches,
    maxEncoderSeqLen: s.maxBytesPerRow,
    bufferSize: 8,
    seed: 1,
    ngram: s.model.ngram,
    epochs: Infinity,
  });
  const model = createBltModel(s.model, 0);
  const opt = new AdamW(model.weights);
  const rates: number[] = [];
  let targets = 0;
  let positions = 0;
  for (let i = 0; i < steps + 2; i++) {
    const b = await loader.next();
    if (!b) break;
    const t0 = performance.now();
    const r = await bltTrainStep(model, opt, [toBltBatch(b)], 1e-3, 1);
    if (i < 2) continue;
    rates.push(r.targets / ((performance.now() - t0) / 1000));
    targets += r.targets;
    positions += b.batchSize * b.seqLen;
  }
  if (profile) {
    const b = await loader.next();
    const info = await tf.profile(async () => void (b && (await bltTrainStep(model, opt, [toBltBatch(b)], 1e-3, 1))));
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    const total = [...byKernel.values()].reduce((a, v) => a + v, 0);
    console.log(
      `  ${s.name}: kernel time ${total.toFixed(0)} ms: ${[...byKernel]
        .sort((a, c) => c[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k} ${((100 * v) / total).toFixed(0)}%`)
        .join(', ')}`,
    );
  }
  await loader.close();
  opt.dispose();
  disposeBltModel(model);
  const f = schemeFlops(s.model, s.maxBytesPerRow, meanPatchLength);
  const bytesPerSecond = summarize(rates);
  const gflops = summarize(rates.map((r) => (r * f.trainPerByte) / 1e9));
  return {
    name: s.name,
    params: bltParameterCounts(s.model).total,
    batch: `${s.batchSize}x${s.seqLenPatches} patches, N=${s.maxBytesPerRow}`,
    meanPatchLength,
    trainFlopsPerByte: f.trainPerByte,
    bytesPerSecond,
    gflops,
    fill: targets / positions,
  };
}

export async function runBltTrainBench(): Promise<{ backend: string; matmulGflops: number; rows: BltTrainBenchRow[] }> {
  const info = await initBackend(parseBackendRequest(arg('--backend') ?? 'wasm'));
  const steps = Number(arg('--steps') ?? 6);
  let data = arg('--data');
  const tmp = data ? null : await mkdtemp(join(tmpdir(), 'blt-train-bench-'));
  try {
    if (tmp) await writeSpaceShards((data = join(tmp, 'shards')));
    const m = await readManifest(data as string);
    const mean = m.totals.tokens / m.totals.patches;
    // the machine's matmul rate, measured before and after (the larger: other jobs on a shared machine only lower it)
    const matmulBefore = measureMatmulGflops({ size: 512, repeats: 7 }).gflops;
    const shapes: Shape[] = [
      { name: 'default', model: bltConfig(), batchSize: 4, seqLenPatches: 160, maxBytesPerRow: 512 },
      { name: 'small', model: bltConfig(SMALL_BLT), batchSize: 4, seqLenPatches: 160, maxBytesPerRow: 512 },
    ];
    const custom = arg('--config');
    if (custom) {
      const [B, P, N] = (arg('--shape') ?? '4,160,512').split(',').map(Number);
      shapes.splice(0, shapes.length, {
        name: 'custom',
        model: bltConfig(JSON.parse(custom) as Partial<BltModelConfig>),
        batchSize: B ?? 4,
        seqLenPatches: P ?? 160,
        maxBytesPerRow: N ?? 512,
      });
    }
    const timed: Array<Omit<BltTrainBenchRow, 'utilisation'>> = [];
    for (const s of shapes)
      timed.push(await benchShape(s, data as string, mean, steps, process.argv.includes('--profile')));
    const matmul = Math.max(matmulBefore, measureMatmulGflops({ size: 512, repeats: 7 }).gflops);
    const rows = timed.map((t) => ({ ...t, utilisation: t.gflops.median / matmul }));
    return { backend: info.name, matmulGflops: matmul, rows };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const r = await runBltTrainBench();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
    return;
  }
  console.log(`backend ${r.backend}; matmul 512^2: ${r.matmulGflops.toFixed(1)} GFLOP/s`);
  for (const x of r.rows) {
    const b = x.bytesPerSecond;
    console.log(
      `${x.name}: ${(x.params / 1e6).toFixed(2)}M params, ${x.batch}, mean patch ${x.meanPatchLength.toFixed(2)}, ${(x.trainFlopsPerByte / 1e6).toFixed(2)} MFLOP/byte training`,
    );
    console.log(
      `  ${b.median.toFixed(0)} bytes/s (min ${b.min.toFixed(0)}, max ${b.max.toFixed(0)}, ${b.runs} steps); ${x.gflops.median.toFixed(2)} GFLOP/s = ${(100 * x.utilisation).toFixed(0)}% of matmul; rows ${(100 * x.fill).toFixed(0)}% full`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
