/**
 * n-gram entropy model benchmark: trains on the udhr + brown training split (DEFAULT_HELD_OUT),
 * reports held-out bits per byte, training MB/s and scoring MB/s (entropies and log-probs).
 * MB/s are per core: bytes / CPU time of this process (user + system), so other load on the
 * machine inflates them less than wall time would; wall time is printed too.
 *
 *   node --import tsx bench/ngram.ts [--orders 0,3,4,5,6] [--repeat 3]   (prints the best of --repeat runs;
 *   runNgramBench returns the median with min–max)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeBytes } from '../src/bytes/tokenizer.js';
import { ngramBitsPerByte, ngramEntropies, ngramLogProbs, trainNgramModel } from '../src/entropy/ngram/index.js';
import { encodeNgramModel } from '../src/entropy/ngram/file-format.js';
import { brownDocuments, DEFAULT_HELD_OUT, splitHeldOut, udhrDocuments } from '../src/ingest/corpora/index.js';
import { summarize, type Summary } from './summary.js';

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const mb = (docs: Int32Array[]): number => docs.reduce((s, d) => s + d.length, 0) / 1e6;

/** `repeat` runs: MB of tokens per CPU second and per wall second (the CLI prints the best, max). */
function rate(docs: Int32Array[], fn: (d: Int32Array) => unknown, repeat: number): { cpu: Summary; wall: Summary } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    for (const d of docs) fn(d);
    cpu.push(mb(docs) / (cpuSeconds() - c0));
    wall.push(mb(docs) / ((performance.now() - t0) / 1000));
  }
  return { cpu: summarize(cpu), wall: summarize(wall) };
}

export interface NgramBenchRow {
  order: number;
  nodes: number;
  fileMB: number;
  bpb: { all: number; brown: number; udhr: number };
  trainMBps: { cpu: number; wall: number };
  /** entropies of held-out text, MB/s (best of `repeat`) */
  entropiesHeldOut: { cpu: Summary; wall: Summary };
  entropiesSeen: { cpu: Summary; wall: Summary };
  logProbsHeldOut: { cpu: Summary; wall: Summary };
}

export interface NgramBench {
  split: string;
  rows: NgramBenchRow[];
}

/** Trains one model per order on the udhr + brown training split and times it (see the file comment). */
export function runNgramBench(
  orders: readonly number[] = [0, 3, 4, 5, 6],
  repeat = 3,
  onRow?: (r: NgramBenchRow) => void,
  onSplit?: (split: string) => void,
): NgramBench {
  const { train, heldOut } = splitHeldOut([...udhrDocuments(), ...brownDocuments()], DEFAULT_HELD_OUT);
  const trainDocs = train.map((d) => encodeBytes(d.text));
  const heldDocs = heldOut.map((d) => encodeBytes(d.text));
  const inDomain = trainDocs.filter((_, i) => i % 10 === 0); // text the model has seen
  const heldBrown = heldDocs.filter((_, i) => heldOut[i]?.id.startsWith('brown:'));
  const heldUdhr = heldDocs.filter((_, i) => heldOut[i]?.id.startsWith('udhr:'));
  const split =
    `udhr+brown split (fraction ${DEFAULT_HELD_OUT.fraction}, seed ${DEFAULT_HELD_OUT.seed}): ` +
    `train ${train.length} docs ${mb(trainDocs).toFixed(2)} MB, held-out ${heldOut.length} docs ${mb(heldDocs).toFixed(2)} MB ` +
    `(brown ${heldBrown.length} docs ${mb(heldBrown).toFixed(2)} MB, udhr ${heldUdhr.length} docs ${mb(heldUdhr).toFixed(2)} MB); load ${loadavg()[0]?.toFixed(1)}`;
  onSplit?.(split);
  const rows: NgramBenchRow[] = [];
  for (const order of orders) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    const model = trainNgramModel(trainDocs, { order });
    const trainCpu = mb(trainDocs) / (cpuSeconds() - c0);
    const trainWall = mb(trainDocs) / ((performance.now() - t0) / 1000);
    const row: NgramBenchRow = {
      order,
      nodes: model.table.size,
      fileMB: encodeNgramModel(model).length / 1e6,
      bpb: {
        all: ngramBitsPerByte(model, heldDocs).bitsPerByte,
        brown: ngramBitsPerByte(model, heldBrown).bitsPerByte,
        udhr: ngramBitsPerByte(model, heldUdhr).bitsPerByte,
      },
      trainMBps: { cpu: trainCpu, wall: trainWall },
      entropiesHeldOut: rate(heldDocs, (d) => ngramEntropies(model, d), repeat),
      entropiesSeen: rate(inDomain, (d) => ngramEntropies(model, d), repeat),
      logProbsHeldOut: rate(heldDocs, (d) => ngramLogProbs(model, d), repeat),
    };
    rows.push(row);
    onRow?.(row);
  }
  return { split, rows };
}

function main(): void {
  const { values } = parseArgs({
    options: { orders: { type: 'string', default: '0,3,4,5,6' }, repeat: { type: 'string', default: '3' } },
  });
  const orders = values.orders.split(',').map(Number);
  const header = (split: string): void => {
    console.log(split);
    console.log(
      'order | nodes | file MB | held-out bpb (brown / udhr) | train MB/s cpu (wall) | entropies MB/s held-out / seen text, cpu (wall) | log-probs MB/s held-out cpu',
    );
  };
  runNgramBench(
    orders,
    Number(values.repeat),
    (r) => {
      const eh = r.entropiesHeldOut;
      const es = r.entropiesSeen;
      console.log(
        `${r.order} | ${r.nodes} | ${r.fileMB.toFixed(1)} | ${r.bpb.all.toFixed(3)} (${r.bpb.brown.toFixed(3)} / ${r.bpb.udhr.toFixed(3)}) | ${r.trainMBps.cpu.toFixed(2)} (${r.trainMBps.wall.toFixed(2)}) | ` +
          `${eh.cpu.max.toFixed(1)} / ${es.cpu.max.toFixed(1)} (${eh.wall.max.toFixed(1)} / ${es.wall.max.toFixed(1)}) | ${r.logProbsHeldOut.cpu.max.toFixed(1)}`,
      );
    },
    header,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
