/**
 * The n-gram trie behind the model, in typed arrays (no JS object per n-gram).
 *
 * Node v stands for an n-gram: `parent[v]` is the n-gram without its last token (its
 * context), `token[v]` is that last token, `depth[v]` its length, and `suffix[v]` the n-gram
 * without its first token (which is always a node too). Node 0 is the empty n-gram (root).
 * Children are found through one open-addressing hash table keyed by (parent, token);
 * a slot holds the key packed as `parent * 512 + token` (exact in a float64) and the node id,
 * side by side, so a probe touches one cache line.
 */
export interface NodeTable {
  /** number of nodes in use, root included */
  size: number;
  parent: Int32Array; // [capacity]
  token: Uint16Array; // [capacity]
  depth: Uint8Array; // [capacity]
  suffix: Int32Array; // [capacity]
  count: Uint32Array; // [capacity] raw or continuation count of the n-gram (see train.ts)
  /** [2 * slots]: (packed key, node id) pairs; key -1 = empty */
  slots: Float64Array;
  /** slots - 1 (slots is a power of two) */
  mask: number;
}

export const TOKEN_BITS = 512; // > vocabulary (260): the packing factor of slot keys

export function createNodeTable(capacity = 1 << 16): NodeTable {
  const nSlots = nextPow2(capacity * 2);
  const t: NodeTable = {
    size: 1,
    parent: new Int32Array(capacity),
    token: new Uint16Array(capacity),
    depth: new Uint8Array(capacity),
    suffix: new Int32Array(capacity),
    count: new Uint32Array(capacity),
    slots: new Float64Array(nSlots * 2).fill(-1),
    mask: nSlots - 1,
  };
  t.parent[0] = -1;
  return t;
}

/** Slot index where probing for (parent, token) starts. */
function slotOf(parent: number, token: number, mask: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(token + 0x3c6ef372, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  return h & mask;
}

/** Node id of the n-gram `parent · token`, or -1. */
export function findChild(t: NodeTable, parent: number, token: number): number {
  const key = parent * TOKEN_BITS + token;
  const slots = t.slots;
  const mask = t.mask;
  let s = slotOf(parent, token, mask);
  for (;;) {
    const k = slots[2 * s] as number;
    if (k === key) return slots[2 * s + 1] as number;
    if (k === -1) return -1;
    s = (s + 1) & mask;
  }
}

/** Adds the n-gram `parent · token` (which must not exist yet) with count 0; returns its id. */
export function addChild(t: NodeTable, parent: number, token: number): number {
  if (t.size === t.parent.length) growNodes(t);
  if (t.size * 2 > t.mask) growSlots(t);
  const v = t.size++;
  t.parent[v] = parent;
  t.token[v] = token;
  t.depth[v] = (t.depth[parent] as number) + 1;
  insertSlot(t.slots, t.mask, parent, token, v);
  return v;
}

function insertSlot(slots: Float64Array, mask: number, parent: number, token: number, v: number): void {
  let s = slotOf(parent, token, mask);
  while ((slots[2 * s] as number) !== -1) s = (s + 1) & mask;
  slots[2 * s] = parent * TOKEN_BITS + token;
  slots[2 * s + 1] = v;
}

/** Rebuilds the hash table for nodes 1..size-1 (after loading, or when it is too full). */
export function rebuildSlots(t: NodeTable, nSlots = nextPow2(Math.max(2, t.size) * 2)): void {
  t.slots = new Float64Array(nSlots * 2).fill(-1);
  t.mask = nSlots - 1;
  for (let v = 1; v < t.size; v++) insertSlot(t.slots, t.mask, t.parent[v] as number, t.token[v] as number, v);
}

function growSlots(t: NodeTable): void {
  rebuildSlots(t, (t.mask + 1) * 2);
}

function growNodes(t: NodeTable): void {
  const cap = t.parent.length * 2;
  t.parent = grow(t.parent, new Int32Array(cap));
  t.token = grow(t.token, new Uint16Array(cap));
  t.depth = grow(t.depth, new Uint8Array(cap));
  t.suffix = grow(t.suffix, new Int32Array(cap));
  t.count = grow(t.count, new Uint32Array(cap));
}

function grow<T extends Int32Array | Uint16Array | Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
