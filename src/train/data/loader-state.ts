/**
 * The loader's resumable state (docs/blt-loader.md): the batch-deciding config, the position as
 * the consumer sees it (batches consumed, token accounting) and the nested sequence-buffer state
 * (source position, Rng, pending shuffled sequences, leftover stream).
 */
import { BltError } from '../../core/errors.js';
import { canonicalJson } from '../../core/canonical-json.js';
import {
  SEQUENCE_BUFFER_FIELDS,
  sequenceBufferState,
  type SequenceBufferSnapshot,
  type SequenceBufferState,
} from './sequence-buffer.js';
import { checkCount, checkTagged } from './state-codec.js';

/** The options that decide the batches; stored in the state and compared on resume. */
export interface LoaderConfig {
  batchSize: number;
  seqLenPatches: number;
  maxEncoderSeqLen: number;
  bufferSize: number;
  seed: number;
  ngram: { sizes: number[]; functions: number; vocab: number } | null;
  /** null = unbounded */
  epochs: number | null;
  shuffleShards: boolean;
}

/** Token accounting since the start (docs/blt-loader.md "What is dropped"). */
export interface LoaderCounts {
  batches: number;
  /** Σ mask over all batches */
  targets: number;
  /** tokens dropped by forcing the first patch to 1 (the sequence's last patch) */
  droppedLastPatch: number;
  /** tokens dropped past N + 1 in a row */
  droppedTruncated: number;
}

export interface LoaderState {
  kind: 'blt-loader';
  v: 1;
  config: LoaderConfig;
  counts: LoaderCounts;
  buffer: SequenceBufferState;
}

/** What the producer records after each batch; serialised only when getState() is called. */
export interface LoaderSnapshot {
  readonly counts: LoaderCounts;
  readonly buffer: SequenceBufferSnapshot;
}

export function loaderState(config: LoaderConfig, s: LoaderSnapshot): LoaderState {
  return {
    kind: 'blt-loader',
    v: 1,
    config,
    counts: { ...s.counts },
    buffer: sequenceBufferState(s.buffer, config.seqLenPatches, config.bufferSize),
  };
}

/** Validates the outer state against this loader's config; returns its counts and buffer state. */
export function checkLoaderState(
  value: unknown,
  config: LoaderConfig,
): { counts: LoaderCounts; buffer: SequenceBufferState } {
  const o = checkTagged(value, 'blt-loader', 1, ['config', 'counts', 'buffer'], 'the loader state');
  if (canonicalJson(o.config) !== canonicalJson(config)) {
    const saved = (o.config ?? {}) as Record<string, unknown>;
    const diff = Object.keys(config).filter(
      (k) => canonicalJson(saved[k] ?? null) !== canonicalJson(config[k as keyof LoaderConfig]),
    );
    throw new BltError(
      'STATE_FORMAT',
      `The loader state was saved with other settings: ${diff.map((k) => `${k} ${JSON.stringify(saved[k])} (now ${JSON.stringify(config[k as keyof LoaderConfig])})`).join(', ')}.`,
      'resume with the options of the run that saved the state (batchSize, seqLenPatches, maxEncoderSeqLen, bufferSize, seed, ngram, epochs, shuffleShards)',
    );
  }
  const c = checkTagged(
    { kind: 'counts', v: 1, ...(o.counts as object) },
    'counts',
    1,
    ['batches', 'targets', 'droppedLastPatch', 'droppedTruncated'],
    'the loader state counts',
  );
  const counts: LoaderCounts = {
    batches: checkCount(c, 'batches', 'counts'),
    targets: checkCount(c, 'targets', 'counts'),
    droppedLastPatch: checkCount(c, 'droppedLastPatch', 'counts'),
    droppedTruncated: checkCount(c, 'droppedTruncated', 'counts'),
  };
  const buffer = checkTagged(o.buffer, 'sequence-buffer', 1, SEQUENCE_BUFFER_FIELDS, 'the sequence-buffer state');
  return { counts, buffer: buffer as unknown as SequenceBufferState };
}
