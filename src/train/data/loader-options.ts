/** Options of createLoader, validated and resolved in one place (BAD_OPTION naming the option). */
import { badOption } from '../../core/errors.js';
import { requireInt } from '../../core/validate.js';
import { HASH_PRIMES } from '../../patching/ngram-hash.js';
import type { LoaderNgramConfig } from './batch-ngrams.js';
import type { LoaderConfig, LoaderState } from './loader-state.js';

export interface LoaderOptions {
  /** one shard set directory or several (read as one list of shards) */
  data: string | readonly string[];
  /** B rows per batch */
  batchSize: number;
  /** P: patches per row (the reference's data.seq_len), ≥ 2 */
  seqLenPatches: number;
  /** N: bytes per row (the reference's max_encoder_seq_length); rows are truncated or padded to it */
  maxEncoderSeqLen: number;
  /** sequences per shuffle buffer (reference default 64; 1 = no shuffle) */
  bufferSize: number;
  /** uint32 seed of the buffer shuffle and the per-epoch shard order */
  seed: number;
  /** hash n-gram tables to fill, or null for none */
  ngram: LoaderNgramConfig | null;
  /** batches prepared ahead of the consumer (default 4; 0 = on demand) */
  prefetch?: number;
  /** epochs over the data (default 1; Infinity = loop forever, as the reference's LoopingIterator) */
  epochs?: number;
  /** shuffle the shard order per epoch (default true) */
  shuffleShards?: boolean;
  /** check shard sizes and sha256 against index.json before reading (default true) */
  checksums?: boolean;
  /** resume exactly where a loader's getState() was taken */
  state?: LoaderState;
}

export interface ResolvedLoaderOptions {
  dirs: string[];
  config: LoaderConfig;
  prefetch: number;
  checksums: boolean;
}

function resolveNgram(v: unknown): LoaderConfig['ngram'] {
  if (v === null) return null;
  if (typeof v !== 'object' || v === undefined) throw badOption('ngram', '{sizes, functions, vocab} or null', v);
  const { sizes, functions, vocab } = v as Record<string, unknown>;
  if (!Array.isArray(sizes) || sizes.length === 0)
    throw badOption('ngram.sizes', 'a non-empty array of n-gram sizes such as [3,4,5,6,7,8]', sizes);
  sizes.forEach((g) => requireInt('ngram.sizes', g, 1, 64));
  return {
    sizes: [...(sizes as number[])],
    functions: requireInt('ngram.functions', functions, 1, HASH_PRIMES.length),
    vocab: requireInt('ngram.vocab', vocab, 1, 2 ** 31 - 1),
  };
}

export function resolveLoaderOptions(o: LoaderOptions): ResolvedLoaderOptions {
  const dirs = typeof o.data === 'string' ? [o.data] : Array.isArray(o.data) ? [...o.data] : [];
  if (dirs.length === 0 || dirs.some((d) => typeof d !== 'string' || d === ''))
    throw badOption('data', 'a shard set directory or a non-empty list of them', o.data);
  const epochs = o.epochs ?? 1;
  if (epochs !== Infinity) requireInt('epochs', epochs, 1);
  if (o.shuffleShards !== undefined && typeof o.shuffleShards !== 'boolean')
    throw badOption('shuffleShards', 'a boolean', o.shuffleShards);
  return {
    dirs,
    config: {
      batchSize: requireInt('batchSize', o.batchSize, 1),
      seqLenPatches: requireInt('seqLenPatches', o.seqLenPatches, 2),
      maxEncoderSeqLen: requireInt('maxEncoderSeqLen', o.maxEncoderSeqLen, 1),
      bufferSize: requireInt('bufferSize', o.bufferSize, 1),
      seed: requireInt('seed', o.seed, 0, 0xffffffff),
      ngram: resolveNgram(o.ngram),
      epochs: epochs === Infinity ? null : epochs,
      shuffleShards: o.shuffleShards ?? true,
    },
    prefetch: requireInt('prefetch', o.prefetch ?? 4, 0, 1024),
    checksums: o.checksums ?? true,
  };
}
