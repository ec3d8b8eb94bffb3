/**
 * Resumable batch loader over a packed token stream (pack.ts).
 *
 * Epoch e draws, from its own Rng, a phase `offset ∈ [0, seqLen)` and a permutation of the
 * `n = floor((N − 1 − offset) / seqLen)` sequences starting at `offset + k·seqLen`; batches take
 * sequences in that order and roll into the next epoch (whose Rng continues where this epoch's
 * draws ended) when one runs out. The state is
 * `{ epoch, index, epochRng }` where epochRng is the Rng state *before* the epoch's draws, so
 * the epoch's order is rebuilt exactly on resume (it is not stored). `streamTokens` and
 * `streamHash` detect a resume over different data.
 */
import { BltError } from '../../core/errors.js';
import { Rng, rngStateCodec, type RngState } from '../../core/rng.js';
import { defineState, type Stateful } from '../../core/state.js';
import { writeSequence } from './pack.js';

export interface LoaderState {
  readonly kind: 'entropy-byte-loader';
  readonly v: 1;
  readonly seqLen: number;
  readonly streamTokens: number;
  readonly streamHash: number;
  readonly epoch: number;
  /** Sequences of this epoch already emitted. */
  readonly index: number;
  /** Rng state at the start of this epoch (before its offset and permutation were drawn). */
  readonly epochRng: RngState;
}

/** The loader state's codec (src/core/state.ts); `build(state, stream)` resumes a loader over `stream`. */
export const loaderStateCodec = defineState<LoaderState, ByteSequenceLoader, Uint16Array>(
  {
    kind: 'entropy-byte-loader',
    version: 1,
    label: 'loader state',
    fields: ['seqLen', 'streamTokens', 'streamHash', 'epoch', 'index', 'epochRng'],
    check(r) {
      const [seqLen, streamTokens, streamHash, epoch, index] = (
        ['seqLen', 'streamTokens', 'streamHash', 'epoch', 'index'] as const
      ).map((k) => r.count(k)) as [number, number, number, number, number];
      const epochRng = r.nested('epochRng', rngStateCodec);
      return { kind: 'entropy-byte-loader', v: 1, seqLen, streamTokens, streamHash, epoch, index, epochRng };
    },
  },
  (state, stream) => ByteSequenceLoader.fromState(stream, state),
);

/** One batch: x, y int32 [batchSize, seqLen] row-major, y[r,i] = x[r,i+1] (within a sequence). */
export interface TokenBatch {
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly batchSize: number;
  readonly seqLen: number;
}

/** FNV-1a over the stream's tokens (identifies the training data in the state). */
function streamHash(stream: Uint16Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ (stream[i] as number), 0x01000193);
  return h >>> 0;
}

export class ByteSequenceLoader implements Stateful<LoaderState> {
  private readonly stream: Uint16Array;
  private readonly seqLen: number;
  private readonly hash: number;
  private epoch = 0;
  private index = 0;
  private epochRng: RngState;
  private nextEpochRng: RngState;
  private offset = 0;
  private order: Uint32Array = new Uint32Array(0);

  private constructor(stream: Uint16Array, seqLen: number, hash: number, epochRng: RngState) {
    if (stream.length < seqLen + 1) {
      throw new BltError(
        'BAD_INPUT',
        `The training data has ${stream.length} tokens; a sequence needs seq_len + 1 = ${seqLen + 1}.`,
        'give more input text or a smaller --seq-len',
      );
    }
    this.stream = stream;
    this.seqLen = seqLen;
    this.hash = hash;
    this.epochRng = epochRng;
    this.nextEpochRng = epochRng;
    this.drawEpoch();
  }

  static create(stream: Uint16Array, seqLen: number, seed: number): ByteSequenceLoader {
    return new ByteSequenceLoader(stream, seqLen, streamHash(stream), Rng.fromSeed(seed).getState());
  }

  /** Resumes at `state` (checked by loaderStateCodec) over `stream`, which must be the saved run's. */
  static fromState(stream: Uint16Array, saved: LoaderState): ByteSequenceLoader {
    const hash = streamHash(stream);
    const state = loaderStateCodec.decode(saved);
    if (state.streamTokens !== stream.length || state.streamHash !== hash) {
      throw new BltError(
        'STATE_FORMAT',
        `The checkpoint's training data (${state.streamTokens} tokens, hash ${state.streamHash}) differs ` +
          `from this run's (${stream.length} tokens, hash ${hash}).`,
        'resume with the same inputs, --val-fraction, --text-field and --lines as the original run',
      );
    }
    const loader = new ByteSequenceLoader(stream, state.seqLen, hash, state.epochRng);
    loader.epoch = state.epoch;
    if (!Number.isInteger(state.index) || state.index < 0 || state.index > loader.order.length) {
      throw new BltError('STATE_FORMAT', `Loader state index ${state.index} is outside [0, ${loader.order.length}].`);
    }
    loader.index = state.index;
    return loader;
  }

  getState(): LoaderState {
    return {
      kind: 'entropy-byte-loader',
      v: 1,
      seqLen: this.seqLen,
      streamTokens: this.stream.length,
      streamHash: this.hash,
      epoch: this.epoch,
      index: this.index,
      epochRng: this.epochRng,
    };
  }

  /** Sequences per epoch (depends on the epoch's phase by at most one). */
  get sequencesPerEpoch(): number {
    return this.order.length;
  }

  nextBatch(batchSize: number): TokenBatch {
    const x = new Int32Array(batchSize * this.seqLen);
    const y = new Int32Array(batchSize * this.seqLen);
    for (let r = 0; r < batchSize; r++) {
      if (this.index >= this.order.length) this.nextEpoch();
      const k = this.order[this.index++] as number;
      writeSequence(this.stream, this.offset + k * this.seqLen, this.seqLen, x, y, r);
    }
    return { x, y, batchSize, seqLen: this.seqLen };
  }

  private nextEpoch(): void {
    this.epochRng = this.nextEpochRng;
    this.epoch += 1;
    this.index = 0;
    this.drawEpoch();
  }

  /** Rebuilds offset and order of the current epoch from epochRng (pure in the state). */
  private drawEpoch(): void {
    const rng = Rng.fromState(this.epochRng);
    const maxOffset = Math.min(this.seqLen, this.stream.length - 1 - this.seqLen + 1);
    this.offset = rng.int(Math.max(1, maxOffset));
    const n = Math.floor((this.stream.length - 1 - this.offset) / this.seqLen);
    const order = Array.from({ length: n }, (_, i) => i);
    rng.shuffle(order);
    this.order = Uint32Array.from(order);
    this.nextEpochRng = rng.getState();
  }
}
