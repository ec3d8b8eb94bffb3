/**
 * End-to-end `blt preprocess` throughput: input MB/s with 1 and 2 workers and the scaling ratio
 * (taken within one run), on a multilingual corpus built from the bundled sample, with the
 * shipped entropy model (or --model). Median of --runs runs, with min and max.
 * Run: node --import tsx bench/preprocess.ts [--mb 1] [--runs 3] [--model dir|ngram:file] [--json]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePreprocessConfig } from '../src/preprocess/config.js';
import { runPreprocess } from '../src/preprocess/run-preprocess.js';
import { summarize, type Summary } from './summary.js';

export interface PreprocessBench {
  inputMB: number;
  model: string;
  workers1: Summary;
  workers2: Summary;
  scaling: number;
}

/** A JSONL corpus of about `mb` MB of text, the bundled sample's documents repeated (shared by the benches). */
export async function benchCorpus(mb: number): Promise<string> {
  const sample = (await readFile(new URL('../data/samples/multilingual.jsonl', import.meta.url), 'utf8')).trim().split('\n');
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

export async function runPreprocessBench(mb = 1, runs = 3, model?: string): Promise<PreprocessBench> {
  const input = await benchCorpus(mb);
  const rates: Record<number, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < runs; r++) {
    for (const workers of [1, 2]) {
      const out = await mkdtemp(join(tmpdir(), 'blt-bench-out-'));
      const s = await runPreprocess(resolvePreprocessConfig({ inputs: [input], out, workers, ...(model ? { entropyModel: model } : {}) }));
      (rates[workers] as number[]).push(s.mbPerSecond);
      await rm(out, { recursive: true, force: true });
    }
  }
  const w1 = summarize(rates[1] as number[]);
  const w2 = summarize(rates[2] as number[]);
  return { inputMB: mb, model: model ?? 'shipped default', workers1: w1, workers2: w2, scaling: w2.median / w1.median };
}

async function main(): Promise<void> {
  const a = process.argv.slice(2);
  const arg = (k: string): string | undefined => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const res = await runPreprocessBench(Number(arg('--mb') ?? 1), Number(arg('--runs') ?? 3), arg('--model'));
  if (a.includes('--json')) return void console.log(JSON.stringify(res));
  const f = (s: Summary): string => `${s.median.toFixed(4)} MB/s (min ${s.min.toFixed(4)}, max ${s.max.toFixed(4)})`;
  console.log(`preprocess ${res.inputMB} MB of multilingual JSONL, model: ${res.model}`);
  console.log(`  1 worker : ${f(res.workers1)}`);
  console.log(`  2 workers: ${f(res.workers2)}`);
  console.log(`  scaling  : ${res.scaling.toFixed(2)}x`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
