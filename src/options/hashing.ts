/**
 * The hashed n-gram options (the reference's `ngram_ids_<size>_<function>` columns; `blt
 * preprocess`, `/v1/jobs`, `/v1/patch`'s `ngram`), declared once with the reference's defaults:
 * sizes 3..8, one hash function, 500002 ids per table.
 */
import { BltError, badOption } from '../core/errors.js';
import { requireInt } from '../core/validate.js';
import type { NgramSettings } from '../preprocess/settings.js';
import { bool, configValue, defOf, int, opt, type OptionDef, type OptionValues } from './option-def.js';

export const DEFAULT_NGRAM_SIZES: readonly number[] = Object.freeze([3, 4, 5, 6, 7, 8]);
export const DEFAULT_HASH_VOCAB = 500002;
/** the hash functions the reference defines (`hash_primes`) */
export const MAX_HASH_FUNCTIONS = 11;
export const MAX_NGRAM_SIZE = 64;
export const MAX_HASH_VOCAB = 2 ** 31;

export const HASHING_OPTIONS = [
  opt('ngramSizes', { kind: 'intList', min: 1, max: MAX_NGRAM_SIZE }, '--ngram-sizes <list>', 'hashed n-gram sizes', {
    default: [...DEFAULT_NGRAM_SIZES],
  }),
  opt(
    'hashFunctions',
    int(1, MAX_HASH_FUNCTIONS),
    '--hash-functions <n>',
    `hash functions per size (1..${MAX_HASH_FUNCTIONS})`,
    {
      default: 1,
    },
  ),
  opt('hashVocab', int(1, MAX_HASH_VOCAB), '--hash-vocab <n>', 'hash vocabulary per table', {
    default: DEFAULT_HASH_VOCAB,
  }),
  opt('ngramIds', bool, '--no-ngram-ids', 'do not compute hashed n-gram ids', { default: true }),
] as const satisfies readonly OptionDef[];

export type HashingValues = OptionValues<typeof HASHING_OPTIONS>;

/** The n-gram sizes of a config: a non-empty list of distinct sizes in [1, 64]. */
export function resolveNgramSizes(v: unknown): number[] {
  const sizes = v ?? DEFAULT_NGRAM_SIZES;
  if (!Array.isArray(sizes) || sizes.length === 0)
    throw badOption('ngramSizes', 'a non-empty list of sizes such as 3,4,5,6,7,8', sizes);
  sizes.forEach((g) => requireInt('ngramSizes', g, 1, MAX_NGRAM_SIZE));
  if (new Set(sizes).size !== sizes.length) throw badOption('ngramSizes', 'distinct sizes', sizes.join(','));
  return [...(sizes as number[])];
}

/** The n-gram settings of hashing options (`sizes` resolved first), or null with `ngramIds: false`. */
export function resolveNgramSettings(o: HashingValues, sizes: number[]): NgramSettings | null {
  if (o.ngramIds === false) return null;
  return {
    sizes,
    functions: configValue(defOf(HASHING_OPTIONS, 'hashFunctions'), o.hashFunctions),
    vocab: configValue(defOf(HASHING_OPTIONS, 'hashVocab'), o.hashVocab),
  };
}

/** Distinct sizes of a request's `ngram.sizes` (the HTTP wording). */
export function checkDistinctSizes(sizes: readonly number[]): void {
  if (new Set(sizes).size !== sizes.length)
    throw new BltError('BAD_OPTION', `Expected distinct n-gram sizes, got [${sizes.join(', ')}].`);
}
