/**
 * The pure steps of building the multilingual corpus (scripts/build-corpus.ts does the I/O):
 * language tags from Debian paths, the held-out split by language-independent key, and
 * deduplication. See docs/corpora.md.
 */
import { createHash } from 'node:crypto';
import { isHeldOut, type SplitOptions } from './held-out-split.js';
import { sha256Hex } from '../../core/hash.js';

/** A document before the split: `key` names the text across translations (`man:man1/ls.1`). */
export interface SourceDoc {
  /** unique: `<source>:<lang>:<path>` */
  readonly id: string;
  /** the same for every translation of one text; the split keys on it */
  readonly key: string;
  /** BCP 47 tag */
  readonly lang: string;
  /** `manpages`, `debian-reference`, `brown` or `udhr` */
  readonly source: string;
  readonly text: string;
}

export type Split = 'train' | 'heldout';

export interface SplitDoc extends SourceDoc {
  readonly split: Split;
}

/** The corpus's split: the project's (DEFAULT_HELD_OUT), applied to the language-independent key. */
export const CORPUS_SPLIT: SplitOptions = Object.freeze({ fraction: 0.1, seed: 0 });

/** Debian locale directory names (`pt_BR`, `zh_CN`) and debian-reference suffixes (`zh-cn`) → BCP 47 (`pt-BR`,
 * `zh-CN`). */
export function debianLangTag(name: string): string {
  const [lang = '', region] = name.split(/[_-]/);
  return region === undefined ? lang.toLowerCase() : `${lang.toLowerCase()}-${region.toUpperCase()}`;
}

/**
 * Assigns each document to train or held-out by `isHeldOut(key, CORPUS_SPLIT)`. Every language
 * (of the sources in `alwaysHeldOut`) with ≥ 2 documents and none held out gets the document
 * whose key hash is smallest held out, so each language has a held-out set.
 */
export function splitCorpus(docs: readonly SourceDoc[], opts: SplitOptions = CORPUS_SPLIT): SplitDoc[] {
  const out: SplitDoc[] = docs.map((d) => ({ ...d, split: isHeldOut(d.key, opts) ? 'heldout' : 'train' }));
  const byLang = new Map<string, SplitDoc[]>();
  for (const d of out) if (d.source !== 'udhr') byLang.set(d.lang, [...(byLang.get(d.lang) ?? []), d]);
  for (const group of byLang.values()) {
    if (group.length < 2 || group.some((d) => d.split === 'heldout')) continue;
    let best = group[0] as SplitDoc;
    for (const d of group) if (keyHash(d.key) < keyHash(best.key)) best = d;
    out[out.indexOf(best)] = { ...best, split: 'heldout' };
  }
  return out;
}

function keyHash(key: string): string {
  return sha256Hex(`blt-split-fallback:${key}`);
}

/** Paragraphs (lines) at least this many UTF-16 units long are deduplicated within a language. */
const MIN_DEDUP_LINE = 48;
/** Documents shorter than this after deduplication are dropped. */
const MIN_DOC_CHARS = 64;

/**
 * Deduplication, in a fixed order (train documents before held-out ones, each sorted by id):
 * 1. a document whose whole text was already seen (any language) is dropped;
 * 2. a line of ≥ MIN_DEDUP_LINE characters already seen in the same language is dropped
 *    (translator credits, licence and colophon paragraphs repeated on every page), so no long
 *    held-out paragraph also occurs in the training side;
 * 3. documents left with fewer than MIN_DOC_CHARS characters are dropped.
 */
export function dedupCorpus(docs: readonly SplitDoc[]): SplitDoc[] {
  const ordered = [...docs].sort((a, b) => (a.split === b.split ? cmp(a.id, b.id) : a.split === 'train' ? -1 : 1));
  const seenDocs = new Set<string>();
  const seenLines = new Map<string, Set<string>>();
  const out: SplitDoc[] = [];
  for (const d of ordered) {
    const h = sha(d.text);
    if (seenDocs.has(h)) continue;
    seenDocs.add(h);
    let lines = seenLines.get(d.lang);
    if (!lines) seenLines.set(d.lang, (lines = new Set()));
    const kept: string[] = [];
    for (const line of d.text.split('\n')) {
      if (line.length >= MIN_DEDUP_LINE) {
        const lh = sha(line);
        if (lines.has(lh)) continue;
        lines.add(lh);
      }
      kept.push(line);
    }
    const text = kept.join('\n');
    if (text.length >= MIN_DOC_CHARS) out.push({ ...d, text });
  }
  return out.sort((a, b) => cmp(a.lang, b.lang) || cmp(a.id, b.id));
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('base64');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
