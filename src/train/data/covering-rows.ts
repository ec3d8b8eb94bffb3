/**
 * Evaluation rows that score EVERY target of a document stream once (docs/blt-loader.md
 * "Covering evaluation"). The reference's validation iteration cuts the stream into sequences of
 * P patches and keeps only the first N + 1 tokens of each (docs/reference.md §3.6 step 4, §8.2): with long
 * patches most bytes are never scored (measured: 9 % under entropy patching of Russian, 99 % under
 * space patching), so bits per byte of two patchings are taken over different bytes.
 *
 * Here the stream (documents concatenated with BOS/EOS, as the reference's SequenceIterator) is cut
 * greedily at patch boundaries into rows of at most N targets and at most P − 1 patches, and each
 * row starts with the LAST token of the row before as its context patch (pl[0] = 1, as the
 * reference's forced first patch), so consecutive rows overlap by exactly one token and every token
 * after the stream's first is a target of exactly one row. The patches are the stored ones; only a
 * patch longer than N (possible without max_patch_length) is split across rows (counted).
 */
import { invariant } from '../../core/errors.js';
import { BOE_ID } from '../../bytes/byte-vocab.js';
import type { PackedRows } from './pack-batch.js';
import type { Sequence } from './patch-stream.js';

/** One covering row: tokens [T + 1] (context token, then the T targets) and patch lengths, pl[0] = 1, Σ = T + 1. */
export type CoveringRow = Sequence;

/** Streams documents into covering rows of ≤ N targets and ≤ P patches (context patch included). */
export class CoveringRows {
  private ctx = -1; // the token before the row's first target; -1 before the stream's first token
  private tokens: number[] = [];
  private lengths: number[] = [];
  private targets = 0;
  /** patches cut because they were longer than the room left in an empty row (N) */
  splitPatches = 0;
  /** Σ targets of the rows returned so far (push + finish) */
  scored = 0;

  constructor(
    private readonly P: number,
    private readonly N: number,
  ) {
    invariant(
      Number.isInteger(P) && P >= 2 && Number.isInteger(N) && N >= 1,
      `CoveringRows(P = ${P}, N = ${N}): P ≥ 2 and N ≥ 1`,
    );
  }

  /** Appends one document (tokens with its patch lengths, Σ = tokens.length); returns the rows it completed. */
  push(doc: Sequence): CoveringRow[] {
    const out: CoveringRow[] = [];
    let t = 0;
    for (const len of doc.patchLengths) {
      let off = 0;
      if (this.ctx < 0) {
        this.ctx = doc.tokens[0] as number; // the stream's first token: context only, never a target
        off = 1;
      }
      while (off < len) {
        const rest = len - off;
        if (this.lengths.length === this.P - 1 || (rest > this.N - this.targets && this.targets > 0)) {
          out.push(this.flush());
          continue;
        }
        const take = Math.min(rest, this.N - this.targets); // < rest only in an empty row: a patch longer than N
        if (take < rest) this.splitPatches += 1;
        for (let i = 0; i < take; i++) this.tokens.push(doc.tokens[t + off + i] as number);
        this.lengths.push(take);
        this.targets += take;
        off += take;
      }
      t += len;
    }
    return out;
  }

  /** The last, partial row (or none). */
  finish(): CoveringRow[] {
    return this.targets > 0 ? [this.flush()] : [];
  }

  private flush(): CoveringRow {
    const tokens = new Uint16Array(this.targets + 1);
    tokens[0] = this.ctx;
    tokens.set(this.tokens, 1);
    const patchLengths = Int32Array.from([1, ...this.lengths]);
    this.ctx = this.tokens[this.tokens.length - 1] as number;
    this.scored += this.targets;
    [this.tokens, this.lengths, this.targets] = [[], [], 0];
    return { tokens, patchLengths };
  }
}

/**
 * 1..B covering rows → one batch of B rows of N bytes, laid out as packSequences lays out the
 * reference's rows: x = t[:-1], y = t[1:], mask 1 on the T real targets, patch lengths zero-padded
 * to P with the row padding N − T added to the last non-zero patch (Σ = N + 1, pl[0] = 1), missing
 * rows copying the last row's patch lengths with an all-zero mask. Nothing is dropped.
 */
export function packCoveringRows(rows: readonly CoveringRow[], B: number, P: number, N: number): PackedRows {
  invariant(rows.length >= 1 && rows.length <= B, `packCoveringRows with ${rows.length} rows for B = ${B}`);
  const x = new Int32Array(B * N).fill(BOE_ID);
  const y = new Int32Array(B * N).fill(BOE_ID);
  const mask = new Uint8Array(B * N);
  const pl = new Int32Array(B * P);
  let realTargets = 0;
  rows.forEach((r, i) => {
    const T = r.tokens.length - 1;
    invariant(
      T >= 1 && T <= N && r.patchLengths.length <= P && r.patchLengths[0] === 1,
      `covering row ${i}: ${T} targets, ${r.patchLengths.length} patches (N = ${N}, P = ${P})`,
    );
    x.set(r.tokens.subarray(0, T), i * N);
    y.set(r.tokens.subarray(1), i * N);
    mask.fill(1, i * N, i * N + T);
    pl.set(r.patchLengths, i * P);
    pl[i * P + r.patchLengths.length - 1] = (r.patchLengths[r.patchLengths.length - 1] as number) + N - T;
    realTargets += T;
  });
  for (let i = rows.length; i < B; i++) pl.copyWithin(i * P, (rows.length - 1) * P, rows.length * P);
  return { x, y, mask, patchLengths: pl, realTargets, rows: rows.length, droppedLastPatch: 0, droppedTruncated: 0 };
}
