import { requireInt } from '../../core/validate.js';
import { BltError } from '../../core/errors.js';
import { createNodeTable, rebuildSlots, findChild, type NodeTable } from './node-table.js';

/**
 * Count pruning: an n-gram of length L ≥ 2 is dropped when its (adjusted) count is below
 * `minCount[L]` (lengths beyond the array use its last entry; 1 or 0 keeps everything), unless a
 * kept n-gram needs it as its context (parent) or its suffix. The counts of the dropped
 * children of each context are summed into `pruned[context]`, so the context keeps its total
 * and the dropped mass moves to its backoff weight γ (finalize.ts): the distribution stays
 * normalized and a dropped n-gram is predicted through its suffix.
 * Shape: trie (size n) → trie (size n′ ≤ n, ids renumbered in the same order, so parent < child) + pruned[n′].
 */
export interface PrunedTable {
  readonly table: NodeTable;
  /** [size] sum of the counts of the dropped children of each context */
  readonly pruned: Uint32Array;
}

export function pruneTable(t: NodeTable, order: number, minCount: readonly number[]): PrunedTable {
  minCount.forEach((c, i) => requireInt(`minCount[${i}]`, c, 0));
  const size = t.size;
  const min = (len: number): number =>
    len < 2 || minCount.length === 0 ? 0 : (minCount[Math.min(len, minCount.length - 1)] as number);
  const keep = new Uint8Array(size);
  keep[0] = 1;
  const byDepth: number[][] = Array.from({ length: order + 2 }, () => []);
  for (let v = 1; v < size; v++) {
    const d = t.depth[v] as number;
    (byDepth[d] as number[]).push(v);
    if ((t.count[v] as number) >= min(d)) keep[v] = 1;
  }
  for (let d = order + 1; d >= 2; d--) {
    for (const v of byDepth[d] as number[]) {
      if (!keep[v]) continue;
      keep[t.parent[v] as number] = 1;
      keep[t.suffix[v] as number] = 1;
    }
  }
  const newId = new Int32Array(size).fill(-1);
  let n = 0;
  for (let v = 0; v < size; v++) if (keep[v]) newId[v] = n++;
  const out = createNodeTable(Math.max(n, 2));
  const pruned = new Uint32Array(Math.max(n, 1));
  out.size = n;
  for (let v = 1; v < size; v++) {
    const p = t.parent[v] as number;
    if (!keep[v]) {
      const np = newId[p] as number;
      if (np >= 0) pruned[np] = (pruned[np] as number) + (t.count[v] as number);
      continue;
    }
    const id = newId[v] as number;
    out.parent[id] = newId[p] as number;
    out.token[id] = t.token[v] as number;
    out.depth[id] = t.depth[v] as number;
    out.count[id] = t.count[v] as number;
  }
  out.parent[0] = -1;
  rebuildSlots(out);
  for (let v = 1; v < n; v++) {
    const p = out.parent[v] as number;
    const s = (out.depth[v] as number) === 1 ? 0 : findChild(out, out.suffix[p] as number, out.token[v] as number);
    if (s < 0)
      throw new BltError('INTERNAL', `pruning lost the suffix of n-gram ${v}; this is a bug, please report it.`);
    out.suffix[v] = s;
  }
  return { table: out, pruned: pruned.subarray(0, Math.max(n, 1)) };
}
