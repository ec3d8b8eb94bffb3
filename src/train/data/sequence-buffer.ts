/**
 * The reference SequenceIterator (docs/reference.md §3.5, `sequence_iterator.py`): documents are concatenated
 * into one stream; whenever `bufferSize·P` patches are buffered, the next `bufferSize` sequences
 * of exactly P patches are cut and handed out in a seeded permutation. Leftover patches stay
 * buffered; documents straddle sequences.
 *
 * Deviations (docs/blt-loader.md): the permuted-but-not-yet-returned sequences and the leftover
 * stream are part of the state (the reference drops them on resume); when the source ends, the
 * complete sequences still buffered (< bufferSize) are cut and shuffled instead of dropped, and
 * only the final < P patches are dropped (counted in `droppedTail`). With bufferSize 1 (validation)
 * this is exactly the reference.
 */
import { Rng, rngStateCodec, type RngState } from '../../core/rng.js';
import { defineState, stateError, type FieldReader } from '../../core/state.js';
import { encodeArray } from '../../core/state-fields.js';
import { concatSnapshot, PatchStream, type PatchStreamSnapshot, type Sequence } from './patch-stream.js';
import type { ShardSourceState, SourceDoc } from './shard-source.js';

export interface EncodedChunk {
  /** base64 of uint16 LE token ids */
  tokens: string;
  /** base64 of int32 LE patch lengths */
  patchLengths: string;
}

export interface SequenceBufferState {
  kind: 'sequence-buffer';
  v: 1;
  seqLenPatches: number;
  bufferSize: number;
  rng: RngState;
  source: ShardSourceState;
  /** cut and permuted sequences not yet returned, in return order (P patch lengths each) */
  pending: EncodedChunk;
  /** buffered stream not yet cut */
  leftover: EncodedChunk;
  /** the source has ended */
  exhausted: boolean;
  documents: number;
  tokens: number;
  /** tokens dropped at the end of the source (the final < P patches) */
  droppedTail: number;
}

/** Everything needed to serialise the buffer as it was after some sequence (cheap to take). */
export interface SequenceBufferSnapshot {
  readonly source: ShardSourceState;
  readonly rng: RngState;
  readonly pending: readonly Sequence[];
  readonly pendingIndex: number;
  readonly stream: PatchStreamSnapshot;
  readonly exhausted: boolean;
  readonly documents: number;
  readonly tokens: number;
  readonly droppedTail: number;
}

/** What the buffer reads from: ShardSource, or any source with a position of the same shape. */
export interface DocSource {
  next(): Promise<SourceDoc | null>;
  getState(): ShardSourceState;
}

export const SEQUENCE_BUFFER_FIELDS = [
  'seqLenPatches',
  'bufferSize',
  'rng',
  'source',
  'pending',
  'leftover',
  'exhausted',
  'documents',
  'tokens',
  'droppedTail',
] as const;

interface Chunk {
  tokens: Uint16Array;
  patchLengths: Int32Array;
}

/** The buffer's state, decoded: the chunks as typed arrays (checked: lengths ≥ 1, Σ = token count). */
export interface DecodedSequenceBuffer {
  readonly seqLenPatches: number;
  readonly bufferSize: number;
  readonly rng: RngState;
  readonly source: ShardSourceState;
  readonly pending: Chunk;
  readonly leftover: Chunk;
  readonly exhausted: boolean;
  readonly documents: number;
  readonly tokens: number;
  readonly droppedTail: number;
}

/** Where the rebuilt buffer reads from and the settings it must have been saved with. */
export interface SequenceBufferContext {
  /** the source, already at the state's `source` position */
  readonly source: DocSource;
  readonly seqLenPatches: number;
  readonly bufferSize: number;
}

/** The sequence buffer's state codec; the source position is checked by the source's own codec. */
export const sequenceBufferCodec = defineState<DecodedSequenceBuffer, SequenceBuffer, SequenceBufferContext>(
  {
    kind: 'sequence-buffer',
    version: 1,
    label: 'sequence-buffer state',
    fields: SEQUENCE_BUFFER_FIELDS,
    hint: 'pass the object that getState() returned (after a JSON round trip is fine)',
    check(r) {
      const P = r.count('seqLenPatches');
      const pending = readChunk(r, 'pending');
      if (P > 0 && pending.patchLengths.length % P !== 0)
        r.fail(`expected \`pending\` to hold a multiple of P = ${P} patches, got ${pending.patchLengths.length}`);
      return {
        seqLenPatches: P,
        bufferSize: r.count('bufferSize'),
        rng: r.nested('rng', rngStateCodec),
        source: r.object('source') as unknown as ShardSourceState,
        pending,
        leftover: readChunk(r, 'leftover'),
        exhausted: r.bool('exhausted'),
        documents: r.count('documents'),
        tokens: r.count('tokens'),
        droppedTail: r.count('droppedTail'),
      };
    },
  },
  (s, ctx) => SequenceBuffer.restore(s, ctx),
);

export class SequenceBuffer {
  private pending: Sequence[] = [];
  private pendingIndex = 0;
  private stream = new PatchStream();
  private exhausted = false;
  private documents = 0;
  private tokens = 0;
  private droppedTail = 0;

  /** `source` must already be at `state.source` when a state is given. */
  constructor(
    private readonly source: DocSource,
    private readonly P: number,
    private readonly bufferSize: number,
    private readonly rng: Rng,
  ) {}

  static create(source: DocSource, P: number, bufferSize: number, seed: number): SequenceBuffer {
    return new SequenceBuffer(source, P, bufferSize, Rng.fromSeed(seed));
  }

  /** Rebuilds the buffer of `state` over `source` (opened at `state.source`). */
  static fromState(source: DocSource, P: number, bufferSize: number, value: SequenceBufferState): SequenceBuffer {
    return sequenceBufferCodec.build(value, { source, seqLenPatches: P, bufferSize });
  }

  /** The buffer of a decoded state (`sequenceBufferCodec.build`). */
  static restore(s: DecodedSequenceBuffer, ctx: SequenceBufferContext): SequenceBuffer {
    const { seqLenPatches: P, bufferSize } = ctx;
    if (s.seqLenPatches !== P || s.bufferSize !== bufferSize) {
      throw stateError(
        { label: 'sequence-buffer state', path: '' },
        `expected seqLenPatches/bufferSize ${P}/${bufferSize}, got ${s.seqLenPatches}/${s.bufferSize}`,
        'resume with the seqLenPatches and bufferSize of the run that saved the state',
      );
    }
    const buf = new SequenceBuffer(ctx.source, P, bufferSize, Rng.fromState(s.rng));
    const ps = PatchStream.fromSnapshot({ chunks: [s.pending], headPatch: 0, headToken: 0 });
    while (ps.patches > 0) buf.pending.push(ps.cut(P));
    buf.stream = PatchStream.fromSnapshot({ chunks: [s.leftover], headPatch: 0, headToken: 0 });
    buf.exhausted = s.exhausted;
    buf.documents = s.documents;
    buf.tokens = s.tokens;
    buf.droppedTail = s.droppedTail;
    return buf;
  }

  /** The next sequence (P patch lengths, Σ tokens), or null once the source is spent. */
  async next(): Promise<Sequence | null> {
    for (;;) {
      if (this.pendingIndex < this.pending.length) return this.pending[this.pendingIndex++] as Sequence;
      if (this.stream.patches >= this.bufferSize * this.P) {
        this.refill(this.bufferSize);
      } else if (this.exhausted) {
        if (this.stream.patches < this.P) {
          this.droppedTail += this.stream.clear();
          return null;
        }
        this.refill(Math.floor(this.stream.patches / this.P));
      } else {
        const doc = await this.source.next();
        if (doc === null) this.exhausted = true;
        else {
          this.stream.append(doc);
          this.documents += 1;
          this.tokens += doc.tokens.length;
        }
      }
    }
  }

  /** Cuts k sequences and queues them in a permutation drawn from the Rng (reference `rng.permutation`). */
  private refill(k: number): void {
    const cut = Array.from({ length: k }, () => this.stream.cut(this.P));
    const order = this.rng.shuffle(Array.from({ length: k }, (_, i) => i));
    this.pending = order.map((i) => cut[i] as Sequence);
    this.pendingIndex = 0;
  }

  snapshot(): SequenceBufferSnapshot {
    return {
      source: this.source.getState(),
      rng: this.rng.getState(),
      pending: this.pending,
      pendingIndex: this.pendingIndex,
      stream: this.stream.snapshot(),
      exhausted: this.exhausted,
      documents: this.documents,
      tokens: this.tokens,
      droppedTail: this.droppedTail,
    };
  }
}

function readChunk(parent: FieldReader, key: string): Chunk {
  const r = parent.sub(key);
  const tokens = r.uint16Array('tokens');
  const patchLengths = r.int32Array('patchLengths');
  let sum = 0;
  for (const l of patchLengths) {
    if (l < 1) r.fail(`expected \`${key}.patchLengths\` to be lengths ≥ 1, got ${l}`);
    sum += l;
  }
  if (sum !== tokens.length) r.fail(`expected Σ \`${key}.patchLengths\` = token count (${tokens.length}), got ${sum}`);
  return { tokens, patchLengths };
}

function encodeChunk(c: Chunk): EncodedChunk {
  return { tokens: encodeArray(c.tokens), patchLengths: encodeArray(c.patchLengths) };
}

/** Snapshot → JSON state (the expensive part: copies and base64 of the buffered tokens). */
export function sequenceBufferState(s: SequenceBufferSnapshot, P: number, bufferSize: number): SequenceBufferState {
  const rest = s.pending.slice(s.pendingIndex);
  return {
    kind: 'sequence-buffer',
    v: 1,
    seqLenPatches: P,
    bufferSize,
    rng: s.rng,
    source: s.source,
    pending: encodeChunk(concatSnapshot({ chunks: rest, headPatch: 0, headToken: 0 })),
    leftover: encodeChunk(concatSnapshot(s.stream)),
    exhausted: s.exhausted,
    documents: s.documents,
    tokens: s.tokens,
    droppedTail: s.droppedTail,
  };
}
