/**
 * `blt serve` on loopback, with the shipped entropy model (or --model):
 *
 * 1. /v1/patch under load: autocannon, --connections (default 8) for --duration s (default 10),
 *    short texts (sentences of the bundled sample, 40–160 bytes, entropy mode). Prints requests/s
 *    and latency p50/p99, and the serial ceiling: the same work (encodeBytes → score →
 *    patchLengths) called directly in this process, one text at a time.
 * 2. Jobs vs the CLI: the bundled sample (data/samples/multilingual.jsonl; --mb N repeats it to
 *    N MB) preprocessed by a `POST /v1/jobs` job (submit → done) and by `blt preprocess` (process
 *    start → exit), same settings and --workers; --runs runs each, median. Both report the run's
 *    own MB/s (summary.mbPerSecond) and the end-to-end wall time.
 *
 * The server runs as a child process (`blt serve`), so the load generator does not share its
 * event loop. Run: node --import tsx bench/serve.ts [--duration 10] [--connections 8] [--runs 3]
 *                  [--workers 2] [--mb 0] [--model dir|ngram:file] [--json]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEntropyScorer } from '../src/entropy/open-scorer.js';
import { resolveThreshold } from '../src/entropy/model-threshold.js';
import { defaultEntropyModelDir } from '../src/entropy/default-model.js';
import { encodeBytes } from '../src/bytes/tokenizer.js';
import { patchLengths } from '../src/patching/patch-lengths.js';
import { summarize, type Summary } from './summary.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE = join(ROOT, 'data/samples/multilingual.jsonl');

export interface ServeBench {
  model: string;
  patch: {
    connections: number;
    durationSeconds: number;
    texts: number;
    meanTextBytes: number;
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    errors: number;
    non2xx: number;
    serialCeilingPerSecond: number;
  };
  jobs: {
    inputMB: number;
    workers: number;
    job: { mbPerSecond: Summary; wallSeconds: Summary };
    cli: { mbPerSecond: Summary; wallSeconds: Summary };
  };
}

/** Short texts: the sample's sentences of 40–160 bytes. */
async function shortTexts(n: number): Promise<string[]> {
  const out: string[] = [];
  for (const line of (await readFile(SAMPLE, 'utf8')).trim().split('\n')) {
    const { text } = JSON.parse(line) as { text: string };
    for (const s of text.split(/(?<=[.!?。])\s+/)) {
      const b = Buffer.byteLength(s);
      if (b >= 40 && b <= 160) out.push(s);
    }
  }
  const step = Math.max(1, Math.floor(out.length / n));
  return out.filter((_, i) => i % step === 0).slice(0, n);
}

function startServer(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--quiet', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`blt serve exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const gone = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await gone;
}

async function serialCeiling(texts: string[], model: string | undefined): Promise<number> {
  const scorer = await openEntropyScorer(model);
  const threshold = (await resolveThreshold(undefined, model ?? defaultEntropyModelDir())).threshold;
  try {
    const once = async (t: string): Promise<void> => {
      const tokens = encodeBytes(t);
      const [e] = await scorer.score([tokens]);
      patchLengths(tokens, { mode: 'entropy', entropies: e as Float32Array, threshold });
    };
    for (const t of texts) await once(t); // warm-up
    const n = Math.max(200, texts.length);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await once(texts[i % texts.length] as string);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await scorer.close();
  }
}

async function corpus(mb: number): Promise<string> {
  if (mb <= 0) return SAMPLE;
  const sample = (await readFile(SAMPLE, 'utf8')).trim().split('\n');
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < mb * 1e6; i++) {
    const doc = JSON.parse(sample[i % sample.length] as string) as { text: string };
    lines.push(JSON.stringify({ id: `d${i}`, text: doc.text }));
    bytes += Buffer.byteLength(doc.text);
  }
  const dir = await mkdtemp(join(tmpdir(), 'blt-bench-serve-corpus-'));
  await writeFile(join(dir, 'corpus.jsonl'), `${lines.join('\n')}\n`);
  return join(dir, 'corpus.jsonl');
}

interface Done {
  state: string;
  summary: { mbPerSecond: number; bytes: number } | null;
  error: unknown;
}

async function jobRun(
  url: string,
  input: string,
  out: string,
  workers: number,
): Promise<{ mbPerSecond: number; wallSeconds: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [input], out, workers }),
  });
  const { id } = (await r.json()) as { id: string };
  if (r.status !== 202) throw new Error(`job refused: ${r.status}`);
  for (;;) {
    const j = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as Done;
    if (j.state === 'done' && j.summary)
      return {
        mbPerSecond: j.summary.mbPerSecond,
        wallSeconds: (performance.now() - t0) / 1000,
        bytes: j.summary.bytes,
      };
    if (j.state === 'failed' || j.state === 'cancelled')
      throw new Error(`job ${id} ${j.state}: ${JSON.stringify(j.error)}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

function cliRun(
  input: string,
  out: string,
  workers: number,
  model: string | undefined,
): { mbPerSecond: number; wallSeconds: number } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
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
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`blt preprocess failed: ${r.stderr}`);
  return { mbPerSecond: (JSON.parse(r.stdout) as { mbPerSecond: number }).mbPerSecond, wallSeconds };
}

export async function runServeBench(o: {
  duration: number;
  connections: number;
  runs: number;
  workers: number;
  mb: number;
  model?: string;
}): Promise<ServeBench> {
  const texts = await shortTexts(32);
  const work = await mkdtemp(join(tmpdir(), 'blt-bench-serve-'));
  const input = await corpus(o.mb);
  const roots = [join(ROOT, 'data/samples'), work, ...(o.mb > 0 ? [join(input, '..')] : [])];
  const { child, url } = await startServer([
    '--cache-dir',
    join(work, 'state'),
    '--roots',
    roots.join(','),
    '--workers',
    String(o.workers),
    ...(o.model ? ['--entropy-model', o.model] : []),
  ]);
  try {
    const bodies = texts.map((text) => ({
      method: 'POST',
      path: '/v1/patch',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    }));
    await autocannon({ url, connections: o.connections, amount: 100, requests: bodies }); // warm-up
    const res = await autocannon({ url, connections: o.connections, duration: o.duration, requests: bodies });
    const ceiling = await serialCeiling(texts, o.model);
    const job: Array<{ mbPerSecond: number; wallSeconds: number }> = [];
    const cli: Array<{ mbPerSecond: number; wallSeconds: number }> = [];
    let bytes = 0;
    for (let r = 0; r < o.runs; r++) {
      const jr = await jobRun(url, input, join(work, `job-${r}`), o.workers);
      bytes = jr.bytes;
      job.push(jr);
      cli.push(cliRun(input, join(work, `cli-${r}`), o.workers, o.model));
      await rm(join(work, `job-${r}`), { recursive: true, force: true });
      await rm(join(work, `cli-${r}`), { recursive: true, force: true });
    }
    return {
      model: o.model ?? 'models/entropy-default (shipped)',
      patch: {
        connections: o.connections,
        durationSeconds: res.duration,
        texts: texts.length,
        meanTextBytes: texts.reduce((a, t) => a + Buffer.byteLength(t), 0) / texts.length,
        requestsPerSecond: res.requests.average,
        p50Ms: res.latency.p50,
        p99Ms: res.latency.p99,
        errors: res.errors + res.timeouts,
        non2xx: res.non2xx,
        serialCeilingPerSecond: ceiling,
      },
      jobs: {
        inputMB: bytes / 1e6,
        workers: o.workers,
        job: {
          mbPerSecond: summarize(job.map((x) => x.mbPerSecond)),
          wallSeconds: summarize(job.map((x) => x.wallSeconds)),
        },
        cli: {
          mbPerSecond: summarize(cli.map((x) => x.mbPerSecond)),
          wallSeconds: summarize(cli.map((x) => x.wallSeconds)),
        },
      },
    };
  } finally {
    await stopServer(child);
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const a = process.argv.slice(2);
  const arg = (k: string): string | undefined => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const model = arg('--model');
  const res = await runServeBench({
    duration: Number(arg('--duration') ?? 10),
    connections: Number(arg('--connections') ?? 8),
    runs: Number(arg('--runs') ?? 3),
    workers: Number(arg('--workers') ?? 2),
    mb: Number(arg('--mb') ?? 0),
    ...(model ? { model } : {}),
  });
  if (a.includes('--json')) return void console.log(JSON.stringify(res));
  const p = res.patch;
  const f = (s: Summary, d: number): string =>
    `${s.median.toFixed(d)} (min ${s.min.toFixed(d)}, max ${s.max.toFixed(d)})`;
  console.log(`blt serve, model ${res.model}`);
  console.log(
    `  POST /v1/patch, ${p.connections} connections, ${p.durationSeconds.toFixed(0)} s, ${p.texts} texts of ${p.meanTextBytes.toFixed(0)} bytes on average (entropy mode)`,
  );
  console.log(
    `    ${p.requestsPerSecond.toFixed(1)} requests/s, latency p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, errors ${p.errors}, non-2xx ${p.non2xx}`,
  );
  console.log(
    `    serial ceiling (library calls in one process, one text at a time): ${p.serialCeilingPerSecond.toFixed(1)} texts/s`,
  );
  const j = res.jobs;
  console.log(
    `  preprocess ${j.inputMB.toFixed(3)} MB with ${j.workers} worker(s), ${j.job.mbPerSecond.runs} run(s), median (min, max):`,
  );
  console.log(`    job : ${f(j.job.mbPerSecond, 4)} MB/s in the run, ${f(j.job.wallSeconds, 2)} s submit → done`);
  console.log(
    `    CLI : ${f(j.cli.mbPerSecond, 4)} MB/s in the run, ${f(j.cli.wallSeconds, 2)} s process start → exit`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
