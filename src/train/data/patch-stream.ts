/**
 * The reference SequenceIterator's token/patch buffer (docs/reference.md §3.5): documents appended whole,
 * sequences of exactly P patches cut from the front. Chunks are never mutated after `append`, so
 * a snapshot is a list of references plus two offsets (cheap enough to take after every batch);
 * `concat` turns one into plain arrays for a JSON state.
 */
import { invariant } from '../../core/errors.js';

/** tokens [n] and patch lengths [p] with Σ = n. */
export interface PatchChunk {
  readonly tokens: Uint16Array;
  readonly patchLengths: Int32Array;
}

/** One cut sequence: exactly P patches and their Σ tokens. */
export type Sequence = PatchChunk;

export interface PatchStreamSnapshot {
  readonly chunks: readonly PatchChunk[];
  /** patches / tokens of chunks[0] already cut */
  readonly headPatch: number;
  readonly headToken: number;
}

export class PatchStream {
  private chunks: PatchChunk[] = [];
  private first = 0;
  private headPatch = 0;
  private headToken = 0;
  /** patches / tokens not yet cut */
  patches = 0;
  tokens = 0;

  static fromSnapshot(s: PatchStreamSnapshot): PatchStream {
    const st = new PatchStream();
    st.chunks = [...s.chunks];
    st.headPatch = s.headPatch;
    st.headToken = s.headToken;
    for (const c of s.chunks)
      [st.patches, st.tokens] = [st.patches + c.patchLengths.length, st.tokens + c.tokens.length];
    st.patches -= s.headPatch;
    st.tokens -= s.headToken;
    return st;
  }

  append(c: PatchChunk): void {
    if (c.patchLengths.length === 0) return;
    this.chunks.push(c);
    this.patches += c.patchLengths.length;
    this.tokens += c.tokens.length;
  }

  /** The next sequence of `P` patches (the caller checks `patches >= P`). */
  cut(P: number): Sequence {
    invariant(this.patches >= P, `cut(${P}) with ${this.patches} patches buffered`);
    const parts: PatchChunk[] = [];
    let n = 0;
    for (let left = P; left > 0;) {
      const chunk = this.chunks[this.first] as PatchChunk;
      const takeP = Math.min(left, chunk.patchLengths.length - this.headPatch);
      const pl = chunk.patchLengths.subarray(this.headPatch, this.headPatch + takeP);
      let takeT = 0;
      for (const l of pl) takeT += l;
      parts.push({ tokens: chunk.tokens.subarray(this.headToken, this.headToken + takeT), patchLengths: pl });
      [this.headPatch, this.headToken, n, left] = [
        this.headPatch + takeP,
        this.headToken + takeT,
        n + takeT,
        left - takeP,
      ];
      if (this.headPatch === chunk.patchLengths.length) this.dropFirst();
    }
    const seq = { tokens: new Uint16Array(n), patchLengths: new Int32Array(P) };
    let [t, p] = [0, 0];
    for (const part of parts) {
      seq.tokens.set(part.tokens, t);
      seq.patchLengths.set(part.patchLengths, p);
      [t, p] = [t + part.tokens.length, p + part.patchLengths.length];
    }
    this.patches -= P;
    this.tokens -= n;
    return seq;
  }

  private dropFirst(): void {
    this.chunks[this.first] = undefined as unknown as PatchChunk; // release it
    this.first += 1;
    this.headPatch = 0;
    this.headToken = 0;
    if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  /** Drops everything buffered; returns the number of tokens dropped. */
  clear(): number {
    const n = this.tokens;
    this.chunks = [];
    [this.first, this.headPatch, this.headToken, this.patches, this.tokens] = [0, 0, 0, 0, 0];
    return n;
  }

  snapshot(): PatchStreamSnapshot {
    return { chunks: this.chunks.slice(this.first), headPatch: this.headPatch, headToken: this.headToken };
  }
}

/** Snapshot → one chunk holding everything not yet cut (for a JSON state). */
export function concatSnapshot(s: PatchStreamSnapshot): PatchChunk {
  let nt = 0;
  let np = 0;
  s.chunks.forEach((c, i) => {
    nt += c.tokens.length - (i === 0 ? s.headToken : 0);
    np += c.patchLengths.length - (i === 0 ? s.headPatch : 0);
  });
  const tokens = new Uint16Array(nt);
  const patchLengths = new Int32Array(np);
  let [t, p] = [0, 0];
  s.chunks.forEach((c, i) => {
    const [ht, hp] = i === 0 ? [s.headToken, s.headPatch] : [0, 0];
    tokens.set(c.tokens.subarray(ht), t);
    patchLengths.set(c.patchLengths.subarray(hp), p);
    t += c.tokens.length - ht;
    p += c.patchLengths.length - hp;
  });
  return { tokens, patchLengths };
}
