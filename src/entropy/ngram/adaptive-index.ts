import { HI_MASK, keySlot, LO_MASK, MAX_FAST_ORDER } from './context-table.js';
import type { NgramModel } from './model.js';

/**
 * The scoring index of adaptive-mixture.ts, built once per model: the context table's slots
 * (context-table.ts) widened to 32 bytes, `[lo, hi, node, entropy f32 | prob f64 | γ f64]`, so the
 * lookup that finds a context also brings p_KN(last token | parent) and the context's backoff weight
 * in the same cache line; and the n-grams of length order + 1 (which are never contexts) by exact
 * key, `[lo, hi | prob f64]`. Same hash and probing as the context table. Memory: 2× the context table
 * plus 16 bytes per slot of the leaf table.
 */
export interface AdaptiveIndex {
  /** i32 view, 8 per slot */
  readonly slots: Int32Array;
  /** f32 view (entropy at 8s + 3) */
  readonly f32: Float32Array;
  /** f64 view (prob at 4s + 2, γ at 4s + 3) */
  readonly f64: Float64Array;
  readonly mask: number;
  /** i32 view, 4 per slot; empty when order + 1 > MAX_FAST_ORDER */
  readonly leaves: Int32Array;
  /** f64 view (prob at 2s + 1) */
  readonly leafF64: Float64Array;
  readonly leafMask: number;
  /** every n-gram of length order + 1 has its suffix of length order in the trie (true of pruned KN tries) */
  readonly leavesClosed: boolean;
}

const CACHE = new WeakMap<NgramModel, AdaptiveIndex>();

export function adaptiveIndex(model: NgramModel): AdaptiveIndex {
  let ix = CACHE.get(model);
  if (ix === undefined) {
    ix = buildIndex(model);
    CACHE.set(model, ix);
  }
  return ix;
}

function buildIndex(model: NgramModel): AdaptiveIndex {
  const ct = model.contexts;
  if (ct === undefined) throw new Error('adaptiveIndex: the model has no context index (order > 6)');
  const { prob, gamma, table } = model;
  const nSlots = ct.mask + 1;
  const buf = new ArrayBuffer(nSlots * 32);
  const slots = new Int32Array(buf);
  const f32 = new Float32Array(buf);
  const f64 = new Float64Array(buf);
  for (let s = 0; s < nSlots; s++) {
    if (ct.slots[4 * s] === 0) continue;
    const v = ct.slots[4 * s + 2] as number;
    slots[8 * s] = ct.slots[4 * s] as number;
    slots[8 * s + 1] = ct.slots[4 * s + 1] as number;
    slots[8 * s + 2] = v;
    f32[8 * s + 3] = ct.entropy[4 * s + 3] as number;
    f64[4 * s + 2] = prob[v] as number;
    f64[4 * s + 3] = gamma[v] as number;
  }
  // leaves: keys of every node (9 bits per token, newest lowest), as context-table.ts builds them
  const order = model.order;
  const withLeaves = order + 1 <= MAX_FAST_ORDER;
  const lo = new Int32Array(withLeaves ? table.size : 0);
  const hi = new Int32Array(withLeaves ? table.size : 0);
  let n = 0;
  let leavesClosed = true;
  for (let v = 1; v < table.size; v++) {
    if (table.depth[v] === order + 1 && table.depth[table.suffix[v] as number] !== order) leavesClosed = false;
  }
  if (withLeaves) {
    for (let v = 1; v < table.size; v++) {
      const p = table.parent[v] as number;
      lo[v] = (((lo[p] as number) << 9) | ((table.token[v] as number) + 1)) & (LO_MASK[3] as number);
      hi[v] = (((hi[p] as number) << 9) | ((lo[p] as number) >>> 18)) & (HI_MASK[6] as number);
      if (table.depth[v] === order + 1) n++;
    }
  }
  let leafSlots = 1;
  while (leafSlots * 0.5 < n) leafSlots *= 2;
  const lbuf = new ArrayBuffer(leafSlots * 16);
  const leaves = new Int32Array(lbuf);
  const leafF64 = new Float64Array(lbuf);
  const leafMask = leafSlots - 1;
  if (withLeaves) {
    for (let v = 1; v < table.size; v++) {
      if (table.depth[v] !== order + 1) continue;
      let s = keySlot(lo[v] as number, hi[v] as number, leafMask);
      while (leaves[4 * s] !== 0) s = (s + 1) & leafMask;
      leaves[4 * s] = lo[v] as number;
      leaves[4 * s + 1] = hi[v] as number;
      leafF64[2 * s + 1] = prob[v] as number;
    }
  }
  return {
    slots,
    f32,
    f64,
    mask: ct.mask,
    leaves: withLeaves ? leaves : new Int32Array(0),
    leafF64,
    leafMask,
    leavesClosed,
  };
}
