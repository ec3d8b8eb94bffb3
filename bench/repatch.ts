/**
 * Repatching from stored entropies vs preprocessing with the transformer entropy model.
 *
 * Per run: `blt preprocess` of a multilingual JSONL corpus (built from the bundled sample) with
 * the shipped model `models/entropy-default` (or --model) and default settings, then
 * `blt repatch` of that shard set to another threshold. Prints the input MB/s of each (document
 * text MB over the command's wall time, as in their summaries), the median over --runs runs with
 * min and max, and the ratio of the medians. The repatched set is checked against the summary's
 * document count only; identity with a fresh run is tested in test/repatch-*.test.ts.
 *
 * Run: node --import tsx bench/repatch.ts [--mb 0.5] [--runs 3] [--workers N] [--model dir|ngram:file] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePreprocessConfig } from '../src/preprocess/config.js';
import { runPreprocess } from '../src/preprocess/run-preprocess.js';
import { runRepatch } from '../src/repatch/run-repatch.js';
import { summarize, type Summary } from './summary.js';
import { benchCorpus } from './preprocess.js';

export interface RepatchBench {
  inputMB: number;
  model: string;
  workers: number | 'cores';
  preprocess: Summary;
  repatch: Summary;
  /** median repatch MB/s ÷ median preprocess MB/s */
  ratio: number;
}

export async function runRepatchBench(mb = 0.5, runs = 3, model?: string, workers?: number): Promise<RepatchBench> {
  const input = await benchCorpus(mb);
  const pre: number[] = [];
  const rep: number[] = [];
  for (let r = 0; r < runs; r++) {
    const a = await mkdtemp(join(tmpdir(), 'blt-bench-rp-a-'));
    const b = await mkdtemp(join(tmpdir(), 'blt-bench-rp-b-'));
    const s = await runPreprocess(
      resolvePreprocessConfig({
        inputs: [input],
        out: a,
        ...(workers === undefined ? {} : { workers }),
        ...(model ? { entropyModel: model } : {}),
      }),
    );
    pre.push(s.mbPerSecond);
    const t = await runRepatch({ source: a, out: b, threshold: 2 + r * 0.01 });
    if (t.documents !== s.documents)
      throw new Error(`repatch wrote ${t.documents} documents, preprocess ${s.documents}`);
    rep.push(t.mbPerSecond);
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  }
  const p = summarize(pre);
  const q = summarize(rep);
  return {
    inputMB: mb,
    model: model ?? 'models/entropy-default (shipped)',
    workers: workers ?? 'cores',
    preprocess: p,
    repatch: q,
    ratio: q.median / p.median,
  };
}

async function main(): Promise<void> {
  const a = process.argv.slice(2);
  const arg = (k: string): string | undefined => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const w = arg('--workers');
  const res = await runRepatchBench(
    Number(arg('--mb') ?? 0.5),
    Number(arg('--runs') ?? 3),
    arg('--model'),
    w === undefined ? undefined : Number(w),
  );
  if (a.includes('--json')) return void console.log(JSON.stringify(res));
  const f = (s: Summary): string =>
    `${s.median.toFixed(4)} MB/s (min ${s.min.toFixed(4)}, max ${s.max.toFixed(4)}, ${s.runs} runs)`;
  console.log(`${res.inputMB} MB of multilingual JSONL, entropy model ${res.model}, preprocess workers ${res.workers}`);
  console.log(`  preprocess: ${f(res.preprocess)}`);
  console.log(`  repatch   : ${f(res.repatch)}`);
  console.log(`  ratio     : ${res.ratio.toFixed(1)}x (median repatch MB/s / median preprocess MB/s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
