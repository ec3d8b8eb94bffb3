/**
 * The per-document record the pipeline hands to the shard writer (`ShardDoc`) and the record
 * the reader gives back (`ShardRow` = the same plus the stored `nTokens`), with the invariants
 * every row of a shard satisfies.
 */
import { BltError } from '../core/errors.js';
import type { ShardColumnsSpec } from './schema.js';

export interface ShardDoc {
  docId: string;
  source: string;
  lang?: string | undefined;
  /** the document's raw bytes: [nBytes] */
  bytes: Uint8Array;
  /** one per token incl. BOS/EOS: [nBytes + 2] */
  entropies?: Float32Array | undefined;
  /** [nPatches], Σ = nBytes + 2 */
  patchLengths?: Int32Array | undefined;
  /** one array per hash table, in the columns spec's order, each [nBytes + 2] */
  ngramIds?: Int32Array[] | undefined;
}

export interface ShardRow extends ShardDoc {
  /** the stored `n_tokens` column: bytes.length + 2 */
  nTokens: number;
}

/** BOS + EOS. */
export const EXTRA_TOKENS = 2;

/** Returns the problems of one row against the spec (empty when it is valid). */
export function rowProblems(row: ShardDoc, spec: ShardColumnsSpec, nTokens?: number): string[] {
  const out: string[] = [];
  if (typeof row.docId !== 'string' || !row.docId.isWellFormed()) out.push('docId must be a well-formed string');
  if (typeof row.source !== 'string' || !row.source.isWellFormed()) out.push('source must be a well-formed string');
  if (row.lang !== undefined && (typeof row.lang !== 'string' || !row.lang.isWellFormed()))
    out.push('lang must be a well-formed string or absent');
  if (!(row.bytes instanceof Uint8Array)) return [...out, 'bytes must be a Uint8Array'];
  const n = row.bytes.length + EXTRA_TOKENS;
  if (nTokens !== undefined && nTokens !== n) out.push(`n_tokens is ${nTokens}, expected text bytes + 2 = ${n}`);
  if (spec.entropies) {
    if (!(row.entropies instanceof Float32Array)) out.push('entropies must be a Float32Array');
    else if (row.entropies.length !== n)
      out.push(`entropies has ${row.entropies.length} values, expected n_tokens = ${n}`);
  } else if (row.entropies !== undefined) out.push('entropies given but this shard set has no entropies column');
  if (spec.patchLengths) {
    if (!(row.patchLengths instanceof Int32Array)) out.push('patchLengths must be an Int32Array');
    else {
      let sum = 0;
      for (const l of row.patchLengths) sum += l;
      if (sum !== n) out.push(`patch lengths sum to ${sum}, expected n_tokens = ${n}`);
    }
  } else if (row.patchLengths !== undefined)
    out.push('patchLengths given but this shard set has no patch_lengths column');
  const tables = spec.ngramTables.length;
  const ids = row.ngramIds ?? [];
  if (ids.length !== tables) out.push(`ngramIds has ${ids.length} arrays, expected ${tables} (one per hash table)`);
  ids.forEach((a, i) => {
    if (!(a instanceof Int32Array)) out.push(`ngramIds[${i}] must be an Int32Array`);
    else if (a.length !== n) out.push(`ngramIds[${i}] has ${a.length} values, expected n_tokens = ${n}`);
  });
  return out;
}

/** Throws BAD_INPUT when `row` breaks an invariant. */
export function checkRow(row: ShardDoc, spec: ShardColumnsSpec, where: string): void {
  const problems = rowProblems(row, spec);
  if (problems.length > 0) {
    throw new BltError(
      'BAD_INPUT',
      `${where} (doc ${JSON.stringify(row.docId)}): ${problems.join('; ')}.`,
      "the pipeline must produce rows that match the shard set's columns (docs/shards.md)",
    );
  }
}

const utf8Len = (s: string | undefined): number => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));

/**
 * Uncompressed column bytes of one row (values + 4-byte offsets), the measure of
 * `shardSizeBytes`. A pure function of the row, so shard boundaries depend only on the data.
 */
export function rowColumnBytes(row: ShardDoc): number {
  const n = row.bytes.length + EXTRA_TOKENS;
  let b = utf8Len(row.docId) + utf8Len(row.source) + utf8Len(row.lang) + 12; // 3 strings + offsets
  b += row.bytes.length + 4 + 4; // text + offset, n_tokens
  if (row.entropies) b += 4 * n + 4;
  if (row.patchLengths) b += 4 * row.patchLengths.length + 4;
  for (const _ of row.ngramIds ?? []) b += 4 * n + 4;
  return b;
}
