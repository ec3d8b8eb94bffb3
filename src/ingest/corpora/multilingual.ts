/**
 * Reader of the built multilingual corpus (docs/corpora.md): `scripts/build-corpus.ts` writes
 * `<dir>/train.jsonl` and `<dir>/heldout.jsonl`, one `{"id","lang","source","text"}` object per
 * line, sorted by (lang, id). Default directory: `data/corpus/multilingual-v1` in the package, or
 * `$BLT_CORPUS_DIR` when set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BltError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-info.js';
import type { CorpusDoc } from './types.js';

export const MULTILINGUAL_CORPUS = 'data/corpus/multilingual-v1';

/** One document of the multilingual corpus. */
export interface MultilingualDoc extends CorpusDoc {
  /** `manpages`, `debian-reference`, `brown` or `udhr` */
  readonly source: string;
}

export type CorpusSplit = 'train' | 'heldout';

/** The corpus directory: `$BLT_CORPUS_DIR`, else `data/corpus/multilingual-v1` under the package root. */
export function multilingualCorpusDir(): string {
  return process.env.BLT_CORPUS_DIR ?? join(packageRoot(), MULTILINGUAL_CORPUS);
}

/** Path of one split's JSONL file; NOT_FOUND (saying how to build it) when it is missing. */
export function multilingualSplitPath(split: CorpusSplit, dir = multilingualCorpusDir()): string {
  const path = join(dir, `${split}.jsonl`);
  if (!existsSync(path)) {
    throw new BltError(
      'NOT_FOUND',
      `Expected the multilingual corpus at ${path}, but it is not built.`,
      'build it (a few minutes, downloads ~60 MB of Debian packages): node --import tsx ' +
        'scripts/build-corpus.ts  (or set BLT_CORPUS_DIR)',
    );
  }
  return path;
}

export interface ReadOptions {
  readonly dir?: string;
  /** keep only these languages (BCP 47 tags as stored) */
  readonly langs?: readonly string[];
  /** keep only these sources */
  readonly sources?: readonly string[];
}

/** The documents of one split, in file order (sorted by lang, then id). */
export function* multilingualDocuments(split: CorpusSplit, opts: ReadOptions = {}): Iterable<MultilingualDoc> {
  const path = multilingualSplitPath(split, opts.dir);
  const langs = opts.langs ? new Set(opts.langs) : undefined;
  const sources = opts.sources ? new Set(opts.sources) : undefined;
  let lineNo = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    lineNo++;
    if (line.length === 0) continue;
    const d = JSON.parse(line) as Partial<MultilingualDoc>;
    if (
      typeof d.id !== 'string' ||
      typeof d.lang !== 'string' ||
      typeof d.source !== 'string' ||
      typeof d.text !== 'string'
    ) {
      throw new BltError(
        'BAD_INPUT',
        `${path}:${lineNo}: expected {"id","lang","source","text"} strings.`,
        'rebuild the corpus: node --import tsx scripts/build-corpus.ts',
      );
    }
    if (langs && !langs.has(d.lang)) continue;
    if (sources && !sources.has(d.source)) continue;
    yield d as MultilingualDoc;
  }
}
