/**
 * How the queries of one row of T tokens reach their keys on the inference path (entropies,
 * log-probabilities). Both layouts give query i exactly the keys j with max(0, i − W + 1) ≤ j ≤ i,
 * the reference's single-pass sliding window (docs/reference.md §2.1, W = config.window):
 *
 *   dense   (T ≤ W): one block of T queries over all T keys (nb 1, Bq T, S T) with the causal mask.
 *   blocked (T > W): nb = T/Bq blocks of Bq queries; block b gathers the S keys
 *           b·Bq − (S − Bq) .. b·Bq + Bq − 1, S = W + Bq − 1 rounded up to a multiple of Bq, i.e.
 *           S/Bq whole query blocks (indices below 0 are clamped to 0 and masked; extra keys masked).
 *           Cost per query: S scores, whatever T (linear in T, no recomputation).
 *
 * Masked scores get MASKED, so exp() underflows to exactly 0 and the blocked layout equals the
 * dense [T,T] band up to float32 summation order.
 */
import { MASKED, slidingWindowMaskArray } from '../../nn/attention-mask.js';

/** Queries per block of the blocked layout (min(QUERY_BLOCK, window)); measured in docs/entropy-inference.md. */
export const QUERY_BLOCK = 64;

/** Padding quantum of rows that fit the dense layout. */
export const DENSE_QUANTUM = 32;

/** Queries per piece of a blocked row (a multiple of QUERY_BLOCK); measured in docs/entropy-inference.md. */
export const PIECE_LENGTH = 512;

export interface AttentionLayout {
  /** Row length (multiple of Bq). */
  readonly T: number;
  /** Blocks, queries per block, keys per block. */
  readonly nb: number;
  readonly Bq: number;
  readonly S: number;
  /** [nb, S] int32: the row position of key kk of block b. */
  readonly keyIndex: Int32Array;
  /** [Bq, S] additive: 0 where query r may see key kk of its block, MASKED elsewhere. */
  readonly band: Float32Array;
  /** [nb, S] additive: MASKED where key kk of block b lies before position 0. */
  readonly keyValid: Float32Array;
}

/** Queries per block for a window of W. */
function queryBlock(window: number): number {
  return Math.min(QUERY_BLOCK, window);
}

/**
 * The padded length a row of n real tokens runs at: a multiple of 32 capped at W when n ≤ W
 * (dense), else a multiple of queryBlock(W) (blocked). It depends only on n, so the shapes (and
 * floats) of a row never depend on the other rows of its batch.
 */
export function rowLength(n: number, window: number): number {
  if (n <= window) return Math.min(window, Math.ceil(n / DENSE_QUANTUM) * DENSE_QUANTUM);
  const bq = queryBlock(window);
  return Math.ceil(n / bq) * bq;
}

/** Whether a row of padded length T uses the dense layout. */
export function isDense(T: number, window: number): boolean {
  return T <= window;
}

/** The layout of a row of padded length T (from rowLength) under window W. */
export function attentionLayout(T: number, window: number): AttentionLayout {
  if (isDense(T, window)) {
    return {
      T,
      nb: 1,
      Bq: T,
      S: T,
      keyIndex: Int32Array.from({ length: T }, (_, j) => j),
      band: slidingWindowMaskArray(T, window),
      keyValid: new Float32Array(T),
    };
  }
  const Bq = queryBlock(window);
  if (T % Bq !== 0) throw new RangeError(`blocked attention: row length ${T} is not a multiple of ${Bq}`);
  const nb = T / Bq;
  const S = Math.ceil((window + Bq - 1) / Bq) * Bq;
  const lead = S - Bq; // keys before the block's first query
  const keyIndex = new Int32Array(nb * S);
  const keyValid = new Float32Array(nb * S);
  for (let b = 0; b < nb; b++) {
    for (let kk = 0; kk < S; kk++) {
      const p = b * Bq - lead + kk; // [nb, S]: key kk of block b
      keyIndex[b * S + kk] = Math.max(0, p);
      if (p < 0) keyValid[b * S + kk] = MASKED;
    }
  }
  // Query r of a block sits at b·Bq + r, key kk at b·Bq − lead + kk: visible iff 0 ≤ r + lead − kk < W.
  const band = new Float32Array(Bq * S);
  for (let r = 0; r < Bq; r++) {
    for (let kk = 0; kk < S; kk++) if (kk > r + lead || kk <= r + lead - window) band[r * S + kk] = MASKED;
  }
  return { T, nb, Bq, S, keyIndex, band, keyValid };
}

/**
 * attentionLayout per row length, cached: dense layouts per T; one blocked layout grown on demand,
 * shorter rows take zero-copy prefixes of it (block b's keys and mask do not depend on T).
 */
export class AttentionLayoutCache {
  private readonly dense = new Map<number, AttentionLayout>();
  private blocked: AttentionLayout | undefined;

  constructor(private readonly window: number) {}

  get(T: number): AttentionLayout {
    if (isDense(T, this.window)) {
      let l = this.dense.get(T);
      if (!l) this.dense.set(T, (l = attentionLayout(T, this.window)));
      return l;
    }
    let max = this.blocked;
    if (!max || max.T < T) this.blocked = max = attentionLayout(Math.max(T, 2 * (max?.T ?? 0)), this.window);
    const nb = T / max.Bq;
    return {
      ...max,
      T,
      nb,
      keyIndex: max.keyIndex.subarray(0, nb * max.S),
      keyValid: max.keyValid.subarray(0, nb * max.S),
    };
  }
}

/**
 * A blocked row computed piece by piece (onnx, build-graph.ts `carry`): a piece of P queries at row
 * offset `start` sees `lead` = S − Bq carried keys (the row's positions start − lead .. start − 1,
 * zeros before position 0) followed by its own P keys; block j of the piece takes the S keys
 * j·Bq .. j·Bq + S − 1 of that concatenation, exactly the keys of the whole-row layout above.
 */
export interface PieceLayout {
  /** Queries, blocks of Bq queries, keys per block, carried keys. */
  readonly P: number;
  readonly np: number;
  readonly Bq: number;
  readonly S: number;
  readonly lead: number;
  /** [np, S] int32: index of key kk of block j in the lead + P keys. */
  readonly keyIndex: Int32Array;
  /** [Bq, S] additive band, as AttentionLayout.band. */
  readonly band: Float32Array;
  /** [nv, S] additive: MASKED where a key lies before position 0; nv = 1 (all 0) when start ≥ lead, else np. */
  readonly keyValid: Float32Array;
  readonly nv: number;
}

/** Queries per piece for a window of W: PIECE_LENGTH rounded down to whole blocks. */
function pieceLength(window: number): number {
  const bq = queryBlock(window);
  return Math.max(1, Math.floor(PIECE_LENGTH / bq)) * bq;
}

/** The pieces [start, start + length) of a blocked row of padded length T: pieceLength each, the last shorter. */
export function rowPieces(T: number, window: number): { start: number; length: number }[] {
  const P = pieceLength(window);
  const pieces: { start: number; length: number }[] = [];
  for (let s = 0; s < T; s += P) pieces.push({ start: s, length: Math.min(P, T - s) });
  return pieces;
}

/** pieceLayout per (P, start), cached: key indices and band shared, keyValid zero-sized past the row's start. */
export class PieceLayoutCache {
  private readonly whole: AttentionLayout;
  private readonly zeros: Float32Array;
  private readonly first = new Map<number, Float32Array>();
  private readonly keyIndex: Int32Array;

  /** Largest piece (pieceLength) and carried keys per piece (S − Bq). */
  readonly maxPiece: number;
  readonly lead: number;

  constructor(window: number) {
    const Bq = queryBlock(window);
    const S = Math.ceil((window + Bq - 1) / Bq) * Bq;
    this.maxPiece = pieceLength(window);
    this.lead = S - Bq;
    this.whole = attentionLayout(this.maxPiece + S, window); // > window: blocked; covers every start < lead
    this.zeros = new Float32Array(S);
    this.keyIndex = Int32Array.from({ length: (this.maxPiece / Bq) * S }, (_, i) => Math.floor(i / S) * Bq + (i % S));
  }

  get(P: number, start: number): PieceLayout {
    const { Bq, S, band } = this.whole;
    if (P % Bq !== 0 || P > this.maxPiece || start % Bq !== 0)
      throw new RangeError(`piece layout: piece ${start}+${P} is not made of whole blocks of ${Bq} queries`);
    const np = P / Bq;
    const lead = S - Bq;
    const keyIndex = this.keyIndex.subarray(0, np * S);
    if (start >= lead) return { P, np, Bq, S, lead, keyIndex, band, keyValid: this.zeros, nv: 1 };
    let kv = this.first.get(start);
    if (!kv) {
      // Block j of the piece is block start/Bq + j of the row: its keys' validity is the whole-row layout's.
      kv = this.whole.keyValid.slice((start / Bq) * S, (start + this.maxPiece) * (S / Bq));
      this.first.set(start, kv);
    }
    return { P, np, Bq, S, lead, keyIndex, band, keyValid: kv.subarray(0, np * S), nv: np };
  }
}
