import type { NodeTable } from './node-table.js';

/**
 * Scoring index: every context node (1..order tokens) keyed by its exact token sequence,
 * packed 9 bits per token (token + 1, so 0 = no token) into two int32 words, newest token
 * lowest: `lo` holds the last 3 tokens, `hi` the 3 before. A slot is 4 int32s
 * [lo, hi, node, entropy as float32 bits]: one probe reads one cache line.
 *
 * Why: the key of position i is computed from the tokens alone, not from position i−1's
 * lookup, so consecutive probes are independent and the CPU overlaps their cache misses
 * (a dependent miss costs 5–10× an independent one on large tables). Exact keys, no
 * collisions; available for order ≤ 6 (MAX_FAST_ORDER), larger orders use the trie walk.
 */
export interface ContextTable {
  /** [4 * nSlots] */
  readonly slots: Int32Array;
  /** float32 view of `slots` (entropy at index 4s + 3) */
  readonly entropy: Float32Array;
  readonly mask: number;
}

export const MAX_FAST_ORDER = 6;
const WORD = 0x7ffffff; // 27 bits = 3 tokens
/** Masks keeping the newest m tokens of a key, m = 0..6. */
export const LO_MASK = Int32Array.of(0, 0x1ff, 0x3ffff, WORD, WORD, WORD, WORD);
export const HI_MASK = Int32Array.of(0, 0, 0, 0, 0x1ff, 0x3ffff, WORD);

export function keySlot(lo: number, hi: number, mask: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 15;
  return h & mask;
}

/** Slot index of the context (lo, hi), or -1. */
export function findContext(ct: ContextTable, lo: number, hi: number): number {
  const slots = ct.slots;
  let s = keySlot(lo, hi, ct.mask);
  for (;;) {
    const k = slots[4 * s] as number;
    if (k === lo && slots[4 * s + 1] === hi) return s;
    if (k === 0) return -1; // a stored key's newest token is never 0 (tokens are stored + 1)
    s = (s + 1) & ct.mask;
  }
}

/** Index of the contexts of depth 1..order (undefined when order > MAX_FAST_ORDER). */
export function buildContextTable(t: NodeTable, order: number, entropy: Float32Array): ContextTable | undefined {
  if (order > MAX_FAST_ORDER) return undefined;
  const lo = new Int32Array(t.size);
  const hi = new Int32Array(t.size);
  let n = 0;
  for (let v = 1; v < t.size; v++) {
    const p = t.parent[v] as number;
    lo[v] = (((lo[p] as number) << 9) | ((t.token[v] as number) + 1)) & WORD;
    hi[v] = (((hi[p] as number) << 9) | ((lo[p] as number) >>> 18)) & WORD;
    if ((t.depth[v] as number) <= order) n++;
  }
  let nSlots = 2;
  while (nSlots * 0.6 < n) nSlots *= 2;
  const slots = new Int32Array(nSlots * 4);
  const ct: ContextTable = { slots, entropy: new Float32Array(slots.buffer), mask: nSlots - 1 };
  for (let v = 1; v < t.size; v++) {
    if ((t.depth[v] as number) > order) continue;
    let s = keySlot(lo[v] as number, hi[v] as number, ct.mask);
    while (slots[4 * s] !== 0) s = (s + 1) & ct.mask;
    slots[4 * s] = lo[v] as number;
    slots[4 * s + 1] = hi[v] as number;
    slots[4 * s + 2] = v;
    ct.entropy[4 * s + 3] = entropy[v] as number;
  }
  return ct;
}
