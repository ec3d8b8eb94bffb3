/**
 * The reference PackingIterator in patching mode (docs/reference.md §3.6, `packing_iterator.py`
 * `_create_iter_from_patch_lengths` + `truncate_batch`), as pure functions over typed arrays.
 * Rows are row-major: `[B,N]` means `b·N + i`.
 */
import { BOE_ID } from '../../bytes/byte-vocab.js';
import { invariant } from '../../core/errors.js';
import type { Sequence } from './patch-stream.js';

/** x, y [B,N] (pad 0), mask [B,N], patch lengths [B,P], and the token accounting of the batch. */
export interface PackedRows {
  x: Int32Array;
  y: Int32Array;
  mask: Uint8Array;
  patchLengths: Int32Array;
  /** Σ mask: targets that are real tokens */
  realTargets: number;
  /** rows filled from sequences (the rest are the partial last batch's padding rows) */
  rows: number;
  /** tokens dropped by step 1 (the last patch of a sequence whose first patch was > 1) */
  droppedLastPatch: number;
  /** tokens dropped by step 4 (past N + 1 in a row) */
  droppedTruncated: number;
}

/**
 * Step 1, force the first patch to 1: pl [P] with pl[0] > 1 → [1, pl[0]−1, pl[1], …, pl[P−2]]; the
 * last patch's tokens are dropped (not carried over). Returns the kept tokens (a view) and pl.
 */
export function forceFirstPatch(seq: Sequence): { tokens: Uint16Array; patchLengths: Int32Array; dropped: number } {
  const pl = seq.patchLengths;
  const P = pl.length;
  if ((pl[0] as number) <= 1) return { tokens: seq.tokens, patchLengths: pl.slice(), dropped: 0 };
  const last = pl[P - 1] as number;
  const out = new Int32Array(P);
  out[0] = 1;
  out[1] = (pl[0] as number) - 1;
  out.set(pl.subarray(1, P - 1), 2);
  return { tokens: seq.tokens.subarray(0, seq.tokens.length - last), patchLengths: out, dropped: last };
}

/**
 * Step 4 on one row of patch lengths summing to T + 1 (`truncate_batch`): when T > N, cut at the
 * patch that tips over N + 1 (it keeps the rest of the budget, later patches become 0); when
 * T < N, add N − T to the last non-zero patch (index max(0, #non-zero − 1), as the reference).
 */
function fitRow(pl: Int32Array, T: number, N: number): void {
  if (T > N) {
    let count = 0;
    let j = 0;
    while (count + (pl[j] as number) <= N + 1) count += pl[j++] as number;
    pl.fill(0, j);
    pl[j] = N + 1 - count;
  } else if (T < N) {
    let nonZero = 0;
    for (const l of pl) if (l !== 0) nonZero += 1;
    const j = Math.max(0, nonZero - 1);
    pl[j] = (pl[j] as number) + N - T;
  }
}

/**
 * 1..B sequences of P patches → one batch of B rows of N bytes (steps 1–5): force the first patch,
 * T = max tokens − 1, x = t[:-1], y = t[1:], row padding added to the last patch (Σ = T + 1), missing
 * rows (partial last batch) copy the last row's patch lengths with an all-zero mask, then truncate
 * or pad to N. Every row ends with Σ pl = N + 1 and pl[0] = 1.
 */
export function packSequences(seqs: readonly Sequence[], B: number, P: number, N: number): PackedRows {
  invariant(seqs.length >= 1 && seqs.length <= B, `packSequences with ${seqs.length} sequences for B = ${B}`);
  const rows = seqs.map(forceFirstPatch);
  const T = Math.max(...rows.map((r) => r.tokens.length)) - 1;
  const pl = new Int32Array(B * P);
  rows.forEach((r, i) => {
    invariant(r.patchLengths.length === P, `a sequence of ${r.patchLengths.length} patches, expected ${P}`);
    pl.set(r.patchLengths, i * P);
    pl[i * P + P - 1] = (pl[i * P + P - 1] as number) + T - (r.tokens.length - 1);
  });
  for (let i = rows.length; i < B; i++) pl.copyWithin(i * P, (rows.length - 1) * P, rows.length * P);
  for (let i = 0; i < B; i++) fitRow(pl.subarray(i * P, (i + 1) * P), T, N);

  const x = new Int32Array(B * N).fill(BOE_ID);
  const y = new Int32Array(B * N).fill(BOE_ID);
  const mask = new Uint8Array(B * N);
  let realTargets = 0;
  let droppedTruncated = 0;
  let droppedLastPatch = 0;
  rows.forEach((r, i) => {
    const t = r.tokens;
    const n = Math.min(t.length - 1, N);
    x.set(t.subarray(0, n), i * N);
    y.set(t.subarray(1, n + 1), i * N);
    mask.fill(1, i * N, i * N + n);
    realTargets += n;
    droppedTruncated += t.length - 1 - n;
    droppedLastPatch += r.dropped;
  });
  for (let i = 0; i < B; i++) {
    let sum = 0;
    for (let p = 0; p < P; p++) sum += pl[i * P + p] as number;
    invariant(
      sum === N + 1 && pl[i * P] === 1,
      `row ${i} has Σ pl = ${sum} (expected ${N + 1}) and pl[0] = ${pl[i * P]} (expected 1)`,
    );
  }
  return { x, y, mask, patchLengths: pl, realTargets, rows: rows.length, droppedLastPatch, droppedTruncated };
}
