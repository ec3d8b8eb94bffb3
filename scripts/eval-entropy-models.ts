/**
 * The per-language table of docs/entropy-default-model.md: held-out bits per byte of each
 * entropy model on the multilingual corpus's held-out split (docs/corpora.md), per language,
 * next to the unigram of that language's own held-out text; plus the robustness samples
 * (scripts/robustness-samples.ts) and the scoring speed.
 *
 *   node --import tsx scripts/eval-entropy-models.ts [--model ngram] [--model transformer]
 *        [--max-bytes-per-lang 131072] [--json out.json]
 *
 * Every model sees the same bytes: per language, the held-out documents (udhr apart) sampled
 * by `takeBytes` (the same prefix cap for all documents) to --max-bytes-per-lang.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateBitsPerByte, takeBytes } from '../src/entropy/eval/bits-per-byte.js';
import { loadModelScorer, parseModelSpec } from '../src/entropy/eval/model-scorer.js';
import { unigramLogProbs, unigramScorer } from '../src/entropy/eval/unigram.js';
import { openEntropyScorer } from '../src/entropy/open-scorer.js';
import { encodeBytes } from '../src/bytes/tokenizer.js';
import { multilingualDocuments } from '../src/ingest/corpora/index.js';
import { robustnessSamples } from './robustness-samples.js';
import { initBackend } from '../src/backend/select-backend.js';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', multiple: true, default: ['ngram'] },
    'max-bytes-per-lang': { type: 'string', default: '131072' },
    json: { type: 'string' },
  },
});
const cap = Number(a['max-bytes-per-lang']);
await initBackend('auto'); // the transformer scores on wasm/tfjs-node, not tfjs's pure-JS fallback
const enc = new TextEncoder();

const groups = new Map<string, Uint8Array[]>();
for (const d of multilingualDocuments('heldout')) {
  const key = d.source === 'udhr' ? 'udhr (all languages)' : d.lang;
  groups.set(key, [...(groups.get(key) ?? []), enc.encode(d.text)]);
}
const rows: Array<{ group: string; kind: 'lang' | 'udhr' | 'robust'; docs: Uint8Array[] }> = [];
for (const [g, docs] of [...groups].sort((x, y) => (x[0] < y[0] ? -1 : 1)))
  rows.push({ group: g, kind: g.startsWith('udhr') ? 'udhr' : 'lang', docs: takeBytes(docs, cap) });
for (const s of robustnessSamples()) rows.push({ group: s.name, kind: 'robust', docs: [enc.encode(s.text)] });

const corpusUnigram = unigramScorer(
  unigramLogProbs(
    (function* () {
      for (const d of multilingualDocuments('train')) yield enc.encode(d.text);
    })(),
  ),
);
const results: Record<string, Record<string, number>> = {};
for (const r of rows) {
  const own = await evaluateBitsPerByte(unigramScorer(unigramLogProbs(r.docs)), r.docs);
  results[r.group] = {
    bytes: own.bytes,
    unigram: own.bitsPerByte,
    corpusUnigram: (await evaluateBitsPerByte(corpusUnigram, r.docs)).bitsPerByte,
  };
}
const speed: Record<string, number> = {};
for (const spec of a.model) {
  const scorer = await loadModelScorer(parseModelSpec(spec));
  for (const r of rows)
    (results[r.group] as Record<string, number>)[spec] = (await evaluateBitsPerByte(scorer.score, r.docs)).bitsPerByte;
  scorer.dispose();
  // entropies (what preprocess computes), MB/s on one thread over the per-language sample
  const es = await openEntropyScorer(spec);
  const docs = rows
    .filter((r) => r.kind === 'lang')
    .flatMap((r) => r.docs)
    .map((d) => encodeBytes(d));
  const bytes = docs.reduce((n, d) => n + d.length, 0);
  await es.score(docs.slice(0, 1)); // warm-up: one-time table derivation is not scoring speed
  const c0 = process.cpuUsage();
  for (let i = 0; i < docs.length; i += 16) await es.score(docs.slice(i, i + 16));
  const c = process.cpuUsage(c0);
  speed[spec] = bytes / 1e6 / ((c.user + c.system) / 1e6); // per CPU-second: the machine is shared, wall time is not the model's
  await es.close();
}

const f = (x: number | undefined): string => (x === undefined ? '' : x.toFixed(3));
const head = `| text | bytes | unigram (own) | unigram (corpus) | ${a.model.map((m) => `${m} bpb (Δ vs unigram)`).join(' | ')} |`;
console.log(head);
console.log(`|---|---:|---:|---:|${a.model.map(() => '---:').join('|')}|`);
const total: Record<string, number> = { bytes: 0, unigram: 0 };
for (const r of rows) {
  const v = results[r.group] as Record<string, number>;
  if (r.kind === 'lang') {
    total.bytes = (total.bytes as number) + (v.bytes as number);
    for (const k of ['unigram', 'corpusUnigram', ...a.model])
      total[k] = (total[k] ?? 0) + (v[k] as number) * (v.bytes as number);
  }
  console.log(
    `| ${r.group} | ${v.bytes} | ${f(v.unigram)} | ${f(v.corpusUnigram)} | ${a.model.map((m) => `${f(v[m])} (${f((v[m] as number) - (v.unigram as number))})`).join(' | ')} |`,
  );
}
const tb = total.bytes as number;
console.log(
  `| **all languages (byte-weighted)** | ${tb} | ${f((total.unigram as number) / tb)} | ${f((total.corpusUnigram as number) / tb)} | ${a.model.map((m) => `${f((total[m] as number) / tb)} (${f(((total[m] as number) - (total.unigram as number)) / tb)})`).join(' | ')} |`,
);
// the analogue of the acceptance set: 7 European languages in Latin and Cyrillic script
const EU7 = ['de', 'es', 'fr', 'it', 'pl', 'ru', 'uk'];
const eu = rows.filter((r) => EU7.includes(r.group)).map((r) => results[r.group] as Record<string, number>);
const euBytes = eu.reduce((n, v) => n + (v.bytes as number), 0);
const euMean = (k: string): number => eu.reduce((n, v) => n + (v[k] as number) * (v.bytes as number), 0) / euBytes;
if (eu.length > 0) {
  console.log(
    `\n${EU7.join(' ')} (${euBytes} bytes): own unigram ${f(euMean('unigram'))}; ` +
      a.model
        .map((m) => {
          const worst = Math.max(...eu.map((v) => (v[m] as number) - (v.unigram as number)));
          return `${m} ${f(euMean(m))} (${f(euMean(m) - euMean('unigram'))}, closest language ${f(worst)})`;
        })
        .join('; '),
  );
}
console.log(
  `\nentropy scoring (MB of tokens per CPU-second, one thread): ${a.model.map((m) => `${m} ${(speed[m] as number).toFixed(2)} MB/s`).join(', ')}`,
);
if (a.json) writeFileSync(a.json, JSON.stringify({ cap, results, speed }, null, 1) + '\n');
