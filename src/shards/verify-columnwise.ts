/**
 * `blt verify` of a shard holding huge documents: its list columns are checked one column at a
 * time (each in its own pass over the file), so memory holds one column of one row group
 * instead of a whole row (a 60 MB document's row is 1.7 GB with six n-gram tables). Same checks
 * and messages as `rowProblems` (row.ts): every list has n_tokens values, patch lengths sum to
 * n_tokens.
 */
import type * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import { ngramColumnName, type ShardColumnsSpec } from './schema.js';
import type { ShardFileReader } from './shard-file-reader.js';

/** Shards above this size on disk (a task of ≥ ~10 MB documents) are verified column by column. */
export const COLUMNWISE_SHARD_BYTES = 256 * 2 ** 20;

function listData(batch: arrow.RecordBatch, name: string): arrow.Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  const d = i < 0 ? undefined : batch.data.children[i];
  if (!d) throw new BltError('SHARD_FORMAT', `Expected column \`${name}\` in the shard batch.`);
  return d;
}

/**
 * Checks the list columns of `spec` against `nTokens` (the file's n_tokens, row by row),
 * reporting `problem(row, message)`; returns Σ len(patch_lengths).
 */
export async function checkListsColumnwise(
  reader: ShardFileReader,
  spec: ShardColumnsSpec,
  nTokens: readonly number[],
  problem: (row: number, message: string) => void,
): Promise<{ patches: number }> {
  const lists: Array<{ name: string; label: string }> = [];
  if (spec.entropies) lists.push({ name: 'entropies', label: 'entropies' });
  if (spec.patchLengths) lists.push({ name: 'patch_lengths', label: 'patch lengths' });
  spec.ngramTables.forEach((t, k) => lists.push({ name: ngramColumnName(t), label: `ngramIds[${k}]` }));
  let patches = 0;
  for (const { name, label } of lists) {
    let row = 0;
    for await (const batch of reader.batches([name])) {
      const d = listData(batch, name);
      const offsets = d.valueOffsets as Int32Array;
      const values = (d.children[0] as arrow.Data).values as Int32Array;
      for (let i = 0; i < batch.numRows; i++, row++) {
        const [s, e] = [offsets[i] as number, offsets[i + 1] as number];
        const n = nTokens[row] as number;
        if (name === 'patch_lengths') {
          patches += e - s;
          let sum = 0;
          for (let j = s; j < e; j++) sum += values[j] as number;
          if (sum !== n) problem(row, `patch lengths sum to ${sum}, expected n_tokens = ${n}`);
        } else if (e - s !== n) problem(row, `${label} has ${e - s} values, expected n_tokens = ${n}`);
      }
    }
    if (row !== nTokens.length) problem(row, `${name} holds ${row} rows, the file holds ${nTokens.length}`);
  }
  return { patches };
}
