/**
 * The loader's resumable state (docs/blt-loader.md): the batch-deciding config, the position as
 * the consumer sees it (batches consumed, token accounting) and the nested sequence-buffer state
 * (source position, Rng, pending shuffled sequences, leftover stream).
 */
import { BltError } from '../../core/errors.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { defineState } from '../../core/state.js';
import {
  sequenceBufferCodec,
  sequenceBufferState,
  type SequenceBufferSnapshot,
  type SequenceBufferState,
} from './sequence-buffer.js';

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

const COUNT_FIELDS = ['batches', 'targets', 'droppedLastPatch', 'droppedTruncated'] as const;

const HINT =
  'pass the object that getState() returned (after a JSON round trip is fine); ' +
  'states of other versions cannot be resumed';

/** The loader state's codec (src/core/state.ts); the buffer is checked by its own codec (nested). */
const loaderStateCodec = defineState<LoaderState>({
  kind: 'blt-loader',
  version: 1,
  label: 'loader state',
  fields: ['config', 'counts', 'buffer'],
  hint: HINT,
  check(r) {
    const c = r.sub('counts');
    const extra = Object.keys(c.o).find((k) => !(COUNT_FIELDS as readonly string[]).includes(k));
    if (extra !== undefined) c.fail(`unknown field "counts.${extra}"`);
    const [batches, targets, droppedLastPatch, droppedTruncated] = COUNT_FIELDS.map((k) => c.count(k)) as [
      number,
      number,
      number,
      number,
    ];
    r.nested('buffer', sequenceBufferCodec);
    return {
      kind: 'blt-loader',
      v: 1,
      config: r.object('config') as unknown as LoaderConfig,
      counts: { batches, targets, droppedLastPatch, droppedTruncated },
      buffer: r.o.buffer as SequenceBufferState,
    };
  },
});

/** Decodes the state and checks it was saved with this loader's config; returns its counts and buffer state. */
export function checkLoaderState(
  value: unknown,
  config: LoaderConfig,
): { counts: LoaderCounts; buffer: SequenceBufferState } {
  const o = loaderStateCodec.decode(value);
  if (canonicalJson(o.config) !== canonicalJson(config)) {
    const saved = o.config as unknown as Record<string, unknown>;
    const diff = Object.keys(config).filter(
      (k) => canonicalJson(saved[k] ?? null) !== canonicalJson(config[k as keyof LoaderConfig]),
    );
    const differs = (k: string): string =>
      `${k} ${JSON.stringify(saved[k])} (now ${JSON.stringify(config[k as keyof LoaderConfig])})`;
    throw new BltError(
      'STATE_FORMAT',
      `The loader state was saved with other settings: ${diff.map(differs).join(', ')}.`,
      'resume with the options of the run that saved the state (batchSize, seqLenPatches, maxEncoderSeqLen, ' +
        'bufferSize, seed, ngram, epochs, shuffleShards)',
    );
  }
  return { counts: o.counts, buffer: o.buffer };
}
