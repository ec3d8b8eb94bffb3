import { BltError, describeValue } from '../../core/errors.js';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import { findContext, HI_MASK, LO_MASK, type ContextTable } from './context-table.js';
import type { NgramModel } from './model.js';
import { findChild } from './node-table.js';

/**
 * Per-token entropies, as the reference defines them (docs/reference.md §2.2): H[i] = entropy in nats
 * of the model's distribution over token i+1 given tokens[0..i]. One value per token, the
 * last one included. The entropy of every context was computed when the model was built, so
 * a position costs one lookup of its longest seen context (more only after unseen n-grams).
 * Shape: tokens Int32Array[L] → Float32Array[L].
 */
export function ngramEntropies(model: NgramModel, tokens: Int32Array): Float32Array {
  const out = new Float32Array(tokens.length);
  if (model.contexts !== undefined) entropiesByKey(model.contexts, model.order, model.rootEntropy, tokens, out);
  else entropiesByTrie(model, tokens, out);
  return out;
}

// module-local copies: under a CommonJS transform (tsx, tests) imported bindings are getters, too slow per token
const LO = Int32Array.from(LO_MASK);
const HI = Int32Array.from(HI_MASK);
const lookup = findContext;

/** Fast path: the longest context is found by its exact key, independent of the last position. */
function entropiesByKey(ct: ContextTable, order: number, rootH: number, tokens: Int32Array, out: Float32Array): void {
  let lo = 0;
  let hi = 0;
  let len = 0;
  for (let i = 0; i < tokens.length; i++) {
    const x = checkToken(tokens, i);
    if (len < order) len++;
    hi = (((hi << 9) | (lo >>> 18)) & (HI[len] as number)) | 0;
    lo = (((lo << 9) | (x + 1)) & (LO[len] as number)) | 0;
    let h = rootH;
    for (let m = len; m > 0; m--) {
      const s = lookup(ct, lo & (LO[m] as number), hi & (HI[m] as number));
      if (s >= 0) {
        h = ct.entropy[4 * s + 3] as number;
        break;
      }
    }
    out[i] = h;
  }
}

/** Any order: Aho–Corasick walk over the trie (each step depends on the previous one). */
function entropiesByTrie(model: NgramModel, tokens: Int32Array, out: Float32Array): void {
  let cur = 0;
  for (let i = 0; i < tokens.length; i++) {
    cur = advance(model, cur, checkToken(tokens, i));
    out[i] = model.entropy[cur] as number;
  }
}

/**
 * Natural-log probability of each actual next token: out[i] = ln p(tokens[i+1] | tokens[0..i]).
 * Shape: tokens Int32Array[L] → Float32Array[max(L − 1, 0)]. Bits: −out[i] / ln 2.
 */
export function ngramLogProbs(model: NgramModel, tokens: Int32Array): Float32Array {
  const out = new Float32Array(Math.max(tokens.length - 1, 0));
  const contexts = contextNodes(model, tokens);
  for (let i = 0; i + 1 < tokens.length; i++)
    out[i] = Math.log(flooredProb(model, contexts[i] as number, tokens[i + 1] as number));
  return out;
}

/** Node of the longest seen context after each position. Shape: Int32Array[L] → Int32Array[L]. */
function contextNodes(model: NgramModel, tokens: Int32Array): Int32Array {
  const out = new Int32Array(tokens.length);
  const ct = model.contexts;
  if (ct === undefined) {
    let cur = 0;
    for (let i = 0; i < tokens.length; i++) out[i] = cur = advance(model, cur, checkToken(tokens, i));
    return out;
  }
  let lo = 0;
  let hi = 0;
  let len = 0;
  for (let i = 0; i < tokens.length; i++) {
    const x = checkToken(tokens, i);
    if (len < model.order) len++;
    hi = (((hi << 9) | (lo >>> 18)) & (HI_MASK[len] as number)) | 0;
    lo = (((lo << 9) | (x + 1)) & (LO_MASK[len] as number)) | 0;
    let node = 0;
    for (let m = len; m > 0; m--) {
      const s = findContext(ct, lo & (LO_MASK[m] as number), hi & (HI_MASK[m] as number));
      if (s >= 0) {
        node = ct.slots[4 * s + 2] as number;
        break;
      }
    }
    out[i] = node;
  }
  return out;
}

/**
 * The full next-token distribution after `context` (all tokens so far; only the last `order`
 * matter). Slow path for inspection and tests: 260 probability walks.
 * Shape: context ArrayLike<number>[C] → Float64Array[260], sums to 1.
 */
export function ngramNextDistribution(model: NgramModel, context: ArrayLike<number>): Float64Array {
  const tokens = Int32Array.from(context);
  let cur = 0;
  for (let i = 0; i < tokens.length; i++) cur = advance(model, cur, checkToken(tokens, i));
  const out = new Float64Array(VOCAB_SIZE);
  for (let x = 0; x < VOCAB_SIZE; x++) out[x] = flooredProb(model, cur, x);
  return out;
}

/** Longest seen context after `cur` is followed by x (suffix links; ≤ order tokens). */
function advance(model: NgramModel, cur: number, x: number): number {
  const { depth, suffix } = model.table;
  let c = cur;
  let v = findChild(model.table, c, x);
  while (v < 0 && c !== 0) {
    c = suffix[c] as number;
    v = findChild(model.table, c, x);
  }
  return v < 0 ? 0 : (depth[v] as number) > model.order ? (suffix[v] as number) : v;
}

/** The model's prediction p′(x | node) = (1 − λ)·p_KN(x | node) + λ·u(x) (floor.ts). */
function flooredProb(model: NgramModel, node: number, x: number): number {
  const lam = model.floor.weight;
  const p = probFrom(model, node, x);
  return lam > 0 ? (1 - lam) * p + lam * (model.floor.dist[x] as number) : p;
}

/** Kneser–Ney p(x | context node) before the floor, float64: the stored probability of the first suffix that has seen
 * x, times the γ of those skipped. */
function probFrom(model: NgramModel, node: number, x: number): number {
  const { suffix } = model.table;
  let mult = 1;
  let cur = node;
  for (;;) {
    const v = findChild(model.table, cur, x);
    if (v >= 0) return mult * (model.prob[v] as number);
    mult *= model.gamma[cur] as number;
    if (cur === 0) return mult / VOCAB_SIZE;
    cur = suffix[cur] as number;
  }
}

function checkToken(tokens: Int32Array, i: number): number {
  const x = tokens[i] as number;
  if (x >>> 0 >= VOCAB_SIZE) {
    throw new BltError('BAD_INPUT', `Expected token ids in [0, ${VOCAB_SIZE}), got ${describeValue(x)} at index ${i}.`);
  }
  return x;
}
