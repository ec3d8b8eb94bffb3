/**
 * How documents become model rows on the inference path, as the reference's calculate_entropies
 * (docs/reference.md §2.3) runs them: each document (never a flattened batch) is cut into chunks of
 * `chunkLength` = 8192 tokens, each chunk one row with RoPE positions 0..L−1 and a fresh context.
 * Inside a chunk the reference's local_block_causal mask also starts a new attention block after
 * every EOS (id 2) that is not the chunk's last token; such a segment becomes its own row whose
 * positions continue from its offset in the chunk (positions are not reset at EOS in the reference).
 * Every row runs in one pass at rowLength(length) (attention-layout.ts), so every token sees
 * exactly min(i + 1, window) tokens of its block.
 */
import { EOS_ID } from '../../bytes/byte-vocab.js';
import { rowLength } from './attention-layout.js';

/** calculate_entropies: `max_length = getattr(entropy_model, "max_length", 8192)`; LMTransformer has none. */
export const REFERENCE_CHUNK_LENGTH = 8192;

/** One model row: tokens [start, start + length) of document `doc`, at RoPE positions position.. */
export interface EntropyRow {
  readonly doc: number;
  readonly start: number;
  readonly length: number;
  /** Position of the row's first token (its offset in the reference's chunk). */
  readonly position: number;
  /** Padded length the row runs at (rowLength). */
  readonly T: number;
}

/** The rows of every document, in document order. docs [n_docs] → rows. */
export function planRows(
  docs: readonly Int32Array[],
  window: number,
  chunkLength = REFERENCE_CHUNK_LENGTH,
): EntropyRow[] {
  const rows: EntropyRow[] = [];
  docs.forEach((d, doc) => {
    for (let c0 = 0; c0 < d.length; c0 += chunkLength) {
      const c1 = Math.min(d.length, c0 + chunkLength);
      let s = c0;
      const push = (end: number): void => {
        rows.push({ doc, start: s, length: end - s, position: s - c0, T: rowLength(end - s, window) });
        s = end;
      };
      for (let i = c0; i < c1 - 1; i++) if (d[i] === EOS_ID) push(i + 1);
      push(c1);
    }
  });
  return rows;
}

/**
 * Groups rows of equal padded length and position (longest first) into model calls of at most
 * batchSize × window tokens (a longer row runs alone). A row's shapes depend only on the row, so
 * its floats never depend on which rows share its call.
 */
export function planBatches(rows: readonly EntropyRow[], window: number, batchSize: number): EntropyRow[][] {
  const groups = new Map<string, EntropyRow[]>();
  for (const r of rows) {
    const key = `${r.T}@${r.position}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const ordered = [...groups.values()].sort(
    (a, b) =>
      (b[0] as EntropyRow).T - (a[0] as EntropyRow).T || (a[0] as EntropyRow).position - (b[0] as EntropyRow).position,
  );
  const perCall = (T: number): number => Math.max(1, Math.floor((batchSize * window) / T));
  const batches: EntropyRow[][] = [];
  for (const list of ordered) {
    const n = perCall((list[0] as EntropyRow).T);
    for (let i = 0; i < list.length; i += n) batches.push(list.slice(i, i + n));
  }
  return batches;
}

/**
 * Rows of one call as ids [B*T]: row b's tokens from start + offset + shift (at most T, not past the
 * row's end + shift), then zeros (BOE padding). `offset`: the piece of a long row (rowPieces);
 * `shift` 1: each position's next token (log-probs targets).
 */
export function packRows(
  docs: readonly Int32Array[],
  rows: readonly EntropyRow[],
  T: number,
  shift = 0,
  offset = 0,
): Int32Array {
  const ids = new Int32Array(rows.length * T);
  rows.forEach((r, b) => {
    const d = docs[r.doc];
    const from = r.start + offset + shift;
    if (d) ids.set(d.subarray(from, Math.min(d.length, r.start + r.length + shift, from + T)), b * T);
  });
  return ids;
}

/** Copies each row's real outputs [B*T] (its piece at `offset`) into its document's output (clipped to its length). */
export function scatterRows(
  data: Float32Array,
  rows: readonly EntropyRow[],
  T: number,
  out: readonly Float32Array[],
  offset = 0,
): void {
  rows.forEach((r, b) => {
    const o = out[r.doc];
    if (!o) return;
    const at = r.start + offset;
    const n = Math.min(r.length - offset, T, o.length - at);
    if (n > 0) o.set(data.subarray(b * T, b * T + n), at);
  });
}
