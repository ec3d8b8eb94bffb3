/**
 * Hashed n-gram id throughput: MB/s (bytes of input per second) for group sizes 3..8,
 * one hash function, vocabulary 500002. Median of several runs, with min and max.
 * Run: node --import tsx bench/ngram-hash.ts [--mb 8] [--runs 5] [--json]
 */
import { hashNgramIds } from '../src/patching/ngram-hash.js';
import { Rng } from '../src/core/rng.js';
import { summarize, type Summary } from './summary.js';

export interface HashBenchResult {
  mb: number;
  groups: Array<{ groupSize: number; mbPerSecond: Summary }>;
}

export function runHashBench(mb = 8, runs = 5): HashBenchResult {
  const rng = Rng.fromSeed(7);
  const n = Math.round(mb * 1e6);
  const tokens = new Int32Array(n);
  for (let i = 0; i < n; i++) tokens[i] = 4 + rng.int(256);
  const groups: HashBenchResult['groups'] = [];
  for (let g = 3; g <= 8; g++) {
    for (let w = 0; w < 3; w++) hashNgramIds(tokens.subarray(0, 1_000_000), g, 0, 500002); // warm-up (wasm tier-up)
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      hashNgramIds(tokens, g, 0, 500002);
      rates.push(n / 1e6 / ((performance.now() - t0) / 1000));
    }
    groups.push({ groupSize: g, mbPerSecond: summarize(rates) });
  }
  return { mb, groups };
}

function main(): void {
  const args = process.argv.slice(2);
  const mbArg = args.indexOf('--mb');
  const runsArg = args.indexOf('--runs');
  const mb = mbArg >= 0 ? Number(args[mbArg + 1]) : 8;
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 5;
  const res = runHashBench(mb, runs);
  if (args.includes('--json')) {
    console.log(JSON.stringify(res));
    return;
  }
  console.log(`hashed n-gram ids, 1 function, vocab 500002, ${mb} MB of random bytes, ${runs} runs`);
  console.log('group size | MB/s median | min | max');
  for (const g of res.groups) {
    const s = g.mbPerSecond;
    console.log(
      `${String(g.groupSize).padStart(10)} | ${s.median.toFixed(1).padStart(11)} | ${s.min.toFixed(1)} | ${s.max.toFixed(1)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
