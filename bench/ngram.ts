/**
 * n-gram entropy model benchmark: trains on the udhr + brown training split (DEFAULT_HELD_OUT),
 * reports held-out bits per byte, training MB/s and scoring MB/s (entropies and log-probs).
 * MB/s are per core: bytes / CPU time of this process (user + system), so other load on the
 * machine inflates them less than wall time would; wall time is printed too.
 *
 *   node --import tsx bench/ngram.ts [--orders 0,3,4,5,6] [--repeat 3]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeBytes } from '../src/entropy/tokenizer.js';
import { ngramBitsPerByte, ngramEntropies, ngramLogProbs, trainNgramModel } from '../src/entropy/ngram/index.js';
import { encodeNgramModel } from '../src/entropy/ngram/file-format.js';
import { brownDocuments, DEFAULT_HELD_OUT, splitHeldOut, udhrDocuments } from '../src/ingest/corpora/index.js';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '0,3,4,5,6' }, repeat: { type: 'string', default: '3' } } });
const orders = values.orders.split(',').map(Number);
const repeat = Number(values.repeat);

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const mb = (docs: Int32Array[]): number => docs.reduce((s, d) => s + d.length, 0) / 1e6;

/** Best of `repeat` runs: MB of tokens per CPU second and per wall second. */
function rate(docs: Int32Array[], fn: (d: Int32Array) => unknown): { cpu: number; wall: number } {
  let cpu = 0;
  let wall = 0;
  for (let r = 0; r < repeat; r++) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    for (const d of docs) fn(d);
    cpu = Math.max(cpu, mb(docs) / (cpuSeconds() - c0));
    wall = Math.max(wall, mb(docs) / ((performance.now() - t0) / 1000));
  }
  return { cpu, wall };
}

const { train, heldOut } = splitHeldOut([...udhrDocuments(), ...brownDocuments()], DEFAULT_HELD_OUT);
const trainDocs = train.map((d) => encodeBytes(d.text));
const heldDocs = heldOut.map((d) => encodeBytes(d.text));
const inDomain = trainDocs.filter((_, i) => i % 10 === 0); // text the model has seen
const heldBrown = heldDocs.filter((_, i) => heldOut[i]?.id.startsWith('brown:'));
const heldUdhr = heldDocs.filter((_, i) => heldOut[i]?.id.startsWith('udhr:'));
console.log(
  `udhr+brown split (fraction ${DEFAULT_HELD_OUT.fraction}, seed ${DEFAULT_HELD_OUT.seed}): ` +
    `train ${train.length} docs ${mb(trainDocs).toFixed(2)} MB, held-out ${heldOut.length} docs ${mb(heldDocs).toFixed(2)} MB ` +
    `(brown ${heldBrown.length} docs ${mb(heldBrown).toFixed(2)} MB, udhr ${heldUdhr.length} docs ${mb(heldUdhr).toFixed(2)} MB); load ${loadavg()[0]?.toFixed(1)}`,
);
console.log('order | nodes | file MB | held-out bpb (brown / udhr) | train MB/s cpu (wall) | entropies MB/s held-out / seen text, cpu (wall) | log-probs MB/s held-out cpu');
for (const order of orders) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const model = trainNgramModel(trainDocs, { order });
  const trainCpu = mb(trainDocs) / (cpuSeconds() - c0);
  const trainWall = mb(trainDocs) / ((performance.now() - t0) / 1000);
  const bpb = ngramBitsPerByte(model, heldDocs).bitsPerByte;
  const bpbBrown = ngramBitsPerByte(model, heldBrown).bitsPerByte;
  const bpbUdhr = ngramBitsPerByte(model, heldUdhr).bitsPerByte;
  const fileMb = encodeNgramModel(model).length / 1e6;
  const eh = rate(heldDocs, (d) => ngramEntropies(model, d));
  const es = rate(inDomain, (d) => ngramEntropies(model, d));
  const lp = rate(heldDocs, (d) => ngramLogProbs(model, d));
  console.log(
    `${order} | ${model.table.size} | ${fileMb.toFixed(1)} | ${bpb.toFixed(3)} (${bpbBrown.toFixed(3)} / ${bpbUdhr.toFixed(3)}) | ${trainCpu.toFixed(2)} (${trainWall.toFixed(2)}) | ` +
      `${eh.cpu.toFixed(1)} / ${es.cpu.toFixed(1)} (${eh.wall.toFixed(1)} / ${es.wall.toFixed(1)}) | ${lp.cpu.toFixed(1)}`,
  );
}
