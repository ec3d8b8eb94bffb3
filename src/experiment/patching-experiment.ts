/**
 * The patching experiment (docs/RESULTS.md): BLT with entropy, static and space patching and a
 * byte-level model (patch size 1), trained at EQUAL TRAINING COMPUTE on the same data.
 *
 * 1. Corpus: udhr + brown (src/ingest/corpora), every document cut to a prefix, split by document
 *    with DEFAULT_HELD_OUT; held-out documents are grouped into `latin` (udhr, Latin script),
 *    `other` (udhr, other scripts) and `brown` (English Brown). Written as JSONL.
 * 2. `runPreprocess` with the shipped entropy model and its calibrated threshold, entropies stored
 *    (so static/space/byte patches can be re-derived by the trainer through `blt repatch`).
 * 3. Arms: entropy (stored patches), static S = round(entropy mean patch length), space, byte.
 *    Each arm gets the same budget C FLOPs: steps = C / (trainPerByte × estimated bytes per step),
 *    and the run stops early (hook) once bytes seen × trainPerByte ≥ C. trainPerByte is the
 *    trainer's own estimate (schemeFlops: DESIGN §7) for the arm's mean patch length.
 * 4. Held-out bits per byte per group with `evaluateRun` (the arm's patching re-derived on the
 *    held-out sets), overall = Σ bits / Σ bytes over the groups; periodic validation gives the
 *    bpb-vs-FLOPs curve.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectDoctorReport } from '../backend/doctor-report.js';
import { encodeBytes } from '../entropy/tokenizer.js';
import { patchLengths } from '../entropy/patching/patch-lengths.js';
import { utf8EncodeIgnore } from '../entropy/utf8.js';
import { brownDocuments, DEFAULT_HELD_OUT, splitHeldOut, udhrDocuments } from '../ingest/corpora/index.js';
import { resolvePreprocessConfig } from '../preprocess/config.js';
import { runPreprocess } from '../preprocess/run-preprocess.js';
import { readShardSet } from '../shards/reader.js';
import { readManifest } from '../shards/manifest.js';
import { detectScript } from '../stats/script-bucket.js';
import { evaluateRun } from '../train/eval/eval-run.js';
import { bltConfig, type BltModelConfig } from '../train/model/index.js';
import { schemeFlops } from '../train/trainer/scheme-flops.js';
import { train } from '../train/trainer/train-loop.js';
import { resolveBltTrainConfig } from '../train/trainer/config.js';
import { prepareDataPlan } from '../train/trainer/data-plan.js';
import { createLoader } from '../train/data/index.js';
import { Rng } from '../core/rng.js';
import type { PatchingChoice } from '../train/trainer/patching-choice.js';
import { histogramSvg, lineChartSvg, type Series } from './svg-plots.js';

export const GROUPS = ['latin', 'other', 'brown'] as const;
export type Group = (typeof GROUPS)[number];

export interface ExperimentOptions {
  /** Work directory: corpus, shard sets, runs, results.json. */
  readonly work: string;
  /** Where the SVGs go (docs/results). */
  readonly figures: string;
  /** Training FLOPs per run. */
  readonly budget: number;
  readonly seeds: readonly number[];
  readonly arms: readonly string[];
  /** Bytes kept of each udhr / brown document, and how many brown documents. */
  readonly udhrBytes: number;
  readonly brownBytes: number;
  readonly brownDocs: number;
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
  dim_local_encoder: 64, dim_local_decoder: 64, n_layers_local_encoder: 1, n_layers_local_decoder: 1, n_heads_local: 2,
  dim_global: 128, n_layers_global: 2, n_heads_global: 2, cross_attn_k: 2, cross_attn_nheads: 2, local_window: 256,
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
  groups: Record<Group, { bpb: number; bytes: number }>;
  overallBpb: number;
  /** Validation on the first 6 batches of the held-out set during training (the table's figures use all of it). */
  curve: Array<{ step: number; flops: number; valBpb: number }>;
}

interface Doc { id: string; text: string; group: Group | 'train' }

function cut(text: string, bytes: number): string {
  const b = utf8EncodeIgnore(text);
  if (b.length <= bytes) return text;
  return new TextDecoder().decode(b.subarray(0, bytes)).replace(/\uFFFD+$/u, '');
}

function buildCorpus(o: ExperimentOptions): { train: Doc[]; val: Doc[] } {
  const udhr = [...udhrDocuments()].map((d) => ({ id: d.id, text: cut(d.text, o.udhrBytes) }));
  const brown = [...brownDocuments()].slice(0, o.brownDocs).map((d) => ({ id: d.id, text: cut(d.text, o.brownBytes) }));
  const { train, heldOut } = splitHeldOut([...udhr, ...brown], DEFAULT_HELD_OUT);
  const group = (d: { id: string; text: string }): Group =>
    d.id.startsWith('brown:') ? 'brown' : detectScript(utf8EncodeIgnore(d.text)) === 'script:Latin' ? 'latin' : 'other';
  return { train: train.map((d) => ({ ...d, group: 'train' as const })), val: heldOut.map((d) => ({ ...d, group: group(d) })) };
}

const jsonl = (docs: readonly Doc[]): string => `${docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n')}\n`;
const bytesOf = (docs: readonly Doc[]): number => docs.reduce((a, d) => a + utf8EncodeIgnore(d.text).length, 0);

/** Preprocesses (once: reused when the manifest exists) a JSONL file with stored entropies. */
async function preprocess(input: string, out: string, workers: number, log: (m: string) => void): Promise<void> {
  if (existsSync(join(out, 'manifest.json'))) return;
  const s = await runPreprocess(resolvePreprocessConfig({ inputs: [input], out, workers, storeEntropies: true }));
  log(`  preprocess ${input}: ${s.documents} docs, ${s.mbPerSecond.toFixed(4)} MB/s, ${s.wallSeconds.toFixed(1)} s`);
}

interface PatchRow { tokens: Int32Array; entropies: Float32Array }

async function readRows(dir: string): Promise<PatchRow[]> {
  const rows: PatchRow[] = [];
  for await (const row of readShardSet(dir)) {
    if (!row.entropies) throw new Error(`${dir} has no stored entropies (preprocess with storeEntropies)`);
    rows.push({ tokens: encodeBytes(row.bytes), entropies: row.entropies });
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

/** Patch-length histograms (counts by length, index = length) of each mode over the rows. */
function histograms(rows: readonly PatchRow[], threshold: number, staticSize: number): Record<string, number[]> {
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

export function armChoice(arm: string, staticSize: number, threshold: number): PatchingChoice | null {
  if (arm === 'entropy') return { mode: 'entropy', threshold }; // re-derived from the stored entropies
  if (arm === 'static') return { mode: 'static', patchSize: staticSize };
  if (arm === 'space') return { mode: 'space' };
  if (arm === 'byte') return { mode: 'byte' };
  throw new Error(`unknown arm ${arm} (entropy, static, space, byte)`);
}

async function runArm(o: ExperimentOptions, dirs: { train: string; valAll: string; groups: Record<Group, string> }, arm: string, seed: number, staticSize: number, threshold: number, meanGuess: number): Promise<ArmRun> {
  const out = join(o.work, 'runs', `${arm}-s${seed}`);
  await rm(out, { recursive: true, force: true });
  const model = bltConfig(o.model);
  const N = o.maxBytesPerRow;
  const P = Math.max(2, Math.min(N + 2, Math.round((N / meanGuess) * 1.3)));
  const choice = armChoice(arm, staticSize, threshold);
  // Equal compute, exactly: replay the trainer's own data plan and training loader (same config,
  // same seed → the same batches) without the model, and take the first step count whose Σ bytes ×
  // the plan's FLOP/byte reaches the budget. The derived patch sets land in the run's cache and the
  // trainer reuses them.
  const input = {
    data: dirs.train, valData: [dirs.valAll], patching: choice, seed, steps: 1, batchSize: o.batchSize, seqLenPatches: P, maxBytesPerRow: N, model: o.model,
  };
  const probeCfg = resolveBltTrainConfig(input);
  const plan = await prepareDataPlan(probeCfg, out, { log: (m) => o.log(`  ${m}`) });
  const perByte = schemeFlops(model, N, plan.meanPatchLength).trainPerByte;
  const loader = await createLoader({
    data: plan.train, batchSize: o.batchSize, seqLenPatches: P, maxEncoderSeqLen: N, bufferSize: probeCfg.bufferSize,
    seed: Rng.fromSeed(seed).nextUint32(), ngram: probeCfg.model.ngram, epochs: Infinity,
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
  o.log(`[${arm} seed ${seed}] P=${P} N=${N} mean≈${meanGuess.toFixed(2)} ${(perByte / 1e6).toFixed(2)} MFLOP/byte, loader replay ${estBytesPerStep.toFixed(0)} bytes/step → ${steps} steps, ${planned} bytes, ${((planned * perByte) / 1e12).toFixed(3)} TFLOP (eval every ${evalEvery})`);
  let trainPerByte = perByte;
  let bytesSeen = 0;
  const evals: Array<{ step: number; valBpb: number }> = []; // periodic + final, each on the same first 6 batches of val-all
  const res = await train({
    out, data: dirs.train, valData: [dirs.valAll], patching: choice, seed, steps, batchSize: o.batchSize, seqLenPatches: P,
    maxBytesPerRow: N, lr: o.lr, evalEvery, evalBatches: 6, finalEvalBatches: 6, checkpointEvery: 0, keep: 1, logEvery: 1, model: o.model,
  }, {
    onStart: (i) => {
      trainPerByte = i.flops.trainPerByte;
    },
    onStep: (s) => {
      if (s.step % 10 === 0) o.log(`  step ${s.step}/${s.steps} loss ${s.loss.toFixed(3)} ${s.bytesPerSecond.toFixed(0)} B/s`);
      return true;
    },
    onEval: (e) => {
      evals.push({ step: e.step, valBpb: e.valBpb });
    },
    log: (m) => o.log(`  ${m}`),
  });
  // bytes seen per step from metrics.jsonl (train events are logged every step)
  const bytesAt = new Map<number, number>();
  for (const line of (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n')) {
    const ev = JSON.parse(line) as { event: string; step: number; bytes?: number };
    if (ev.event === 'train' && ev.bytes !== undefined) bytesAt.set(ev.step, ev.bytes);
  }
  bytesSeen = bytesAt.get(res.step) ?? 0;
  const groups = {} as Record<Group, { bpb: number; bytes: number }>;
  let bits = 0;
  let bytes = 0;
  for (const g of GROUPS) {
    const r = await evaluateRun({ checkpoint: out, data: dirs.groups[g] });
    groups[g] = { bpb: r.bitsPerByte, bytes: r.bytes };
    bits += r.bitsPerByte * r.bytes;
    bytes += r.bytes;
  }
  const curve = evals.map((e) => ({ step: e.step, flops: (bytesAt.get(e.step) ?? 0) * trainPerByte, valBpb: e.valBpb }));
  const overallBpb = bits / bytes;
  const run: ArmRun = {
    arm, seed, patching: arm === 'static' ? `static(${staticSize})` : arm === 'entropy' ? `entropy(θ=${threshold})` : arm, meanPatchLength: res.flops.meanPatchLength, seqLenPatches: P, steps, stepsRun: res.step,
    trainFlopsPerByte: trainPerByte, bytesSeen, trainFlops: bytesSeen * trainPerByte, bytesPerSecond: res.bytesPerSecond, trainSeconds: res.trainSeconds,
    groups, overallBpb, curve,
  };
  o.log(`[${arm} seed ${seed}] done: ${res.step} steps, ${bytesSeen} bytes, ${(run.trainFlops / 1e12).toFixed(3)} TFLOP (${((100 * run.trainFlops) / o.budget).toFixed(0)}% of budget), ` +
    `${run.bytesPerSecond.toFixed(0)} B/s, bpb ${overallBpb.toFixed(3)} (latin ${groups.latin.bpb.toFixed(3)}, other ${groups.other.bpb.toFixed(3)}, brown ${groups.brown.bpb.toFixed(3)})`);
  return run;
}

export interface ExperimentResult {
  date: string;
  machine: Awaited<ReturnType<typeof collectDoctorReport>>;
  options: Omit<ExperimentOptions, 'log'>;
  corpus: { trainDocs: number; trainBytes: number; val: Record<Group, { docs: number; bytes: number }> };
  modelThresholdMeanPatchLength: number;
  threshold: number;
  entropyMeanPatchLength: number;
  staticPatchSize: number;
  histograms: Record<string, number[]>;
  runs: ArmRun[];
}

export async function runPatchingExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  const machine = await collectDoctorReport({ backend: 'wasm', measure: true });
  o.log(`machine: ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, backend ${machine.backend.name}, matmul ${machine.matmul?.gflops.toFixed(1)} GFLOP/s`);
  await mkdir(join(o.work, 'corpus'), { recursive: true });
  const { train: trainDocs, val } = buildCorpus(o);
  await writeFile(join(o.work, 'corpus', 'train.jsonl'), jsonl(trainDocs));
  await writeFile(join(o.work, 'corpus', 'val-all.jsonl'), jsonl(val));
  const groupInfo = {} as ExperimentResult['corpus']['val'];
  for (const g of GROUPS) {
    const docs = val.filter((d) => d.group === g);
    groupInfo[g] = { docs: docs.length, bytes: bytesOf(docs) };
    await writeFile(join(o.work, 'corpus', `val-${g}.jsonl`), jsonl(docs));
  }
  o.log(`corpus: train ${trainDocs.length} docs ${bytesOf(trainDocs)} B; held-out ${GROUPS.map((g) => `${g} ${groupInfo[g].docs} docs ${groupInfo[g].bytes} B`).join(', ')}`);
  const sets = join(o.work, 'shards');
  const dirs = { train: join(sets, 'train'), valAll: join(sets, 'val-all'), groups: { latin: join(sets, 'val-latin'), other: join(sets, 'val-other'), brown: join(sets, 'val-brown') } };
  await preprocess(join(o.work, 'corpus', 'train.jsonl'), dirs.train, o.workers, o.log);
  await preprocess(join(o.work, 'corpus', 'val-all.jsonl'), dirs.valAll, o.workers, o.log);
  for (const g of GROUPS) await preprocess(join(o.work, 'corpus', `val-${g}.jsonl`), dirs.groups[g], o.workers, o.log);
  const m = await readManifest(dirs.train);
  const modelMean = m.totals.tokens / m.totals.patches;
  const rows = await readRows(dirs.train);
  const cal = calibrateThreshold(rows, o.targetMeanPatch);
  const staticSize = Math.max(1, Math.floor(o.targetMeanPatch));
  const hist = histograms(rows, cal.threshold, staticSize);
  const means: Record<string, number> = { entropy: cal.mean, static: staticSize, space: meanOf(hist.space ?? []), byte: 1 };
  o.log(`mean patch length: model's calibrated threshold ${modelMean.toFixed(3)}; calibrated θ=${cal.threshold} → ${cal.mean.toFixed(3)}; static S=${staticSize}; space ${means.space?.toFixed(3)}`);
  // warm-up (wasm compilation, JIT tier-up) so the first arm's bytes/s is not penalised
  await train({ out: join(o.work, 'runs', 'warmup'), data: dirs.train, valData: [dirs.valAll], patching: { mode: 'static', patchSize: staticSize }, steps: 3, batchSize: o.batchSize,
    seqLenPatches: Math.ceil(o.maxBytesPerRow / staticSize), maxBytesPerRow: o.maxBytesPerRow, evalEvery: 0, finalEvalBatches: 1, model: o.model });
  await rm(join(o.work, 'runs', 'warmup'), { recursive: true, force: true });
  const runs: ArmRun[] = [];
  const partial = (): ExperimentResult => ({
    date: new Date().toISOString(), machine, options: { ...o, log: undefined } as unknown as Omit<ExperimentOptions, 'log'>,
    corpus: { trainDocs: trainDocs.length, trainBytes: bytesOf(trainDocs), val: groupInfo }, modelThresholdMeanPatchLength: modelMean, threshold: cal.threshold, entropyMeanPatchLength: cal.mean, staticPatchSize: staticSize, histograms: hist, runs,
  });
  for (const seed of o.seeds) {
    for (const arm of o.arms) {
      runs.push(await runArm(o, dirs, arm, seed, staticSize, cal.threshold, means[arm] ?? 1));
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
  r.histograms = histograms(await readRows(join(work, 'shards', 'train')), r.threshold, r.staticPatchSize);
  for (const x of r.runs) x.curve = x.curve.filter((c) => !(c.step === x.stepsRun && c.valBpb === x.overallBpb));
  await writeFigures(r, figures);
  return r;
}

export async function writeFigures(r: ExperimentResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const series: Series[] = r.runs.map((x) => ({
    name: `${x.patching} s${x.seed}`, points: x.curve.map((c) => [c.flops / 1e12, c.valBpb] as const), final: [x.trainFlops / 1e12, x.overallBpb] as const,
  }));
  await writeFile(join(dir, 'bpb-vs-flops.svg'), lineChartSvg({
    title: 'Held-out bits per byte vs training compute (tiny BLT, udhr + brown)',
    subtitle: 'lines: first 6 validation batches (which bytes differs per arm) · squares: all held-out bytes (comparable)', xLabel: 'training FLOPs (×10¹²), trainer estimate',
    yLabel: 'held-out bits per byte', series, dashed: (n) => !n.endsWith(' s0'), colourKey: (n) => n.replace(/ s\d+$/, ''),
  }));
  for (const [mode, counts] of Object.entries(r.histograms)) {
    const mean = meanOf(counts);
    await writeFile(join(dir, `patch-lengths-${mode}.svg`), histogramSvg({
      title: `patch lengths: ${mode === 'static' ? `static (S=${r.staticPatchSize})` : mode}`, note: `mean ${mean.toFixed(2)} bytes (BOS/EOS included)`,
      xLabel: 'patch length (bytes)', counts, maxBin: mode === 'byte' ? 4 : 24,
    }));
  }
}

/** Markdown tables: per run, and per arm (median over seeds, min–max). */
export function experimentTables(r: ExperimentResult): string {
  const f3 = (v: number): string => v.toFixed(3);
  const lines = ['| arm | seed | mean patch | steps | bytes seen | train TFLOP | MFLOP/byte | bytes/s | latin bpb | other bpb | brown bpb | overall bpb |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const x of r.runs) {
    lines.push(`| ${x.patching} | ${x.seed} | ${x.meanPatchLength.toFixed(2)} | ${x.stepsRun} | ${x.bytesSeen} | ${(x.trainFlops / 1e12).toFixed(3)} | ${(x.trainFlopsPerByte / 1e6).toFixed(2)} | ${x.bytesPerSecond.toFixed(0)} | ${f3(x.groups.latin.bpb)} | ${f3(x.groups.other.bpb)} | ${f3(x.groups.brown.bpb)} | ${f3(x.overallBpb)} |`);
  }
  lines.push('', '| arm | seeds | overall bpb median (min–max) | latin | other | brown | bytes/s median |', '|---|---|---|---|---|---|---|');
  const med = (v: number[]): number => {
    const s = [...v].sort((a, b) => a - b);
    const k = Math.floor(s.length / 2);
    return s.length % 2 ? (s[k] as number) : ((s[k - 1] as number) + (s[k] as number)) / 2;
  };
  for (const arm of [...new Set(r.runs.map((x) => x.patching))]) {
    const xs = r.runs.filter((x) => x.patching === arm);
    const o = xs.map((x) => x.overallBpb);
    const g = (k: Group): string => f3(med(xs.map((x) => x.groups[k].bpb)));
    lines.push(`| ${arm} | ${xs.length} | ${f3(med(o))} (${f3(Math.min(...o))}–${f3(Math.max(...o))}) | ${g('latin')} | ${g('other')} | ${g('brown')} | ${med(xs.map((x) => x.bytesPerSecond)).toFixed(0)} |`);
  }
  return lines.join('\n');
}
