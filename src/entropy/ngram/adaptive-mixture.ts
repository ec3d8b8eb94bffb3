import { BltError, describeValue } from '../../core/errors.js';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import type { AdaptiveConfig } from './adaptive-config.js';
import { adaptiveIndex, type AdaptiveIndex } from './adaptive-index.js';
import { HI_MASK, keySlot, LO_MASK } from './context-table.js';
import type { NgramModel } from './model.js';
import { findChild, type NodeTable } from './node-table.js';

/**
 * The static n-gram model and two count models of the document's own tokens so far, switched by
 * online weights (docs/ngram-model.md "In-document adaptive experts"):
 *
 *   S:  p′(x | context)                               the static model (floored Kneser–Ney)
 *   C0: q0(x) = (n(x) + α) / (N + 260 α)              order 0: counts of the tokens predicted so far
 *   C1: q1(x) = (n(y·x) + α) / (N(y) + 260 α)         order 1: y = the current token
 *
 * Each expert's weight is a Bayesian posterior with fixed share: after token x, w_k ∝ w_k·(k's
 * probability of x), then w ← (1 − σ) w + σ/3. The prediction for the next token is S's unless a count
 * model weighs more than κ·w_S (then the heavier count model's), so its entropy is exact and O(1): the stored one of
 * the static context, or H(q) = ln T − (1/T) Σ_x (n_x + α) ln(n_x + α), T = N + 260 α, from a running
 * sum updated with each count. On prose S keeps the lead and the static entropies are returned
 * unchanged; on text whose own statistics beat the model (base64, hex, CSV, JSON) a count model
 * takes over within bytes and hands back when the text turns to prose again.
 *
 * Causal and deterministic: token i's prediction depends only on tokens ≤ i of the same document,
 * and a document may be pushed in any pieces (the state carries over) with identical results.
 */
// module-local bindings: the hot loop must not go through the import bindings
const LO = Int32Array.from(LO_MASK);
const HI = Int32Array.from(HI_MASK);
const keySlotOf = keySlot;
const childOf = findChild;
const V = VOCAB_SIZE;

export class AdaptiveNgramStream {
  private readonly alpha: number;
  private readonly share: number;
  private readonly margin: number;
  /** g[n] = (n + α) ln(n + α) for small counts (the running sums' terms) */
  private readonly g: Float64Array;
  private readonly s0init: number;
  // static context key of the current position (context-table.ts)
  private lo = 0;
  private hi = 0;
  private len = 0;
  private node = 0;
  private depth = 0; // length of `node`'s n-gram
  private nodeGamma = 1; // its backoff weight γ
  private prev = -1; // current token (the order-1 context), -1 before the first
  private wS = 1;
  private w0 = 0;
  private w1 = 0;
  private readonly n0 = new Uint32Array(V);
  private total0 = 0;
  private sum0 = 0;
  private readonly n1 = new Uint32Array(V * V);
  private readonly total1 = new Uint32Array(V);
  private readonly sum1 = new Float64Array(V);
  private readonly seen = new Uint16Array(V);
  private nSeen = 0;
  private readonly cells: number[] = [];
  // the static model's tables (read once: the model's getters are lazy)
  private readonly table: NodeTable;
  private readonly prob: Float64Array;
  private readonly gamma: Float64Array;
  private readonly lam: number;
  private readonly u: Float64Array;
  private readonly index: AdaptiveIndex;

  constructor(
    private readonly model: NgramModel,
    cfg: AdaptiveConfig,
  ) {
    if (model.contexts === undefined) {
      throw new BltError(
        'BAD_OPTION',
        `The adaptive n-gram experts need a model of order <= 6 (its context index), got order ${model.order}.`,
        'remove the adaptive block from the model config',
      );
    }
    this.table = model.table;
    this.prob = model.prob;
    this.gamma = model.gamma;
    this.lam = model.floor.weight;
    this.u = model.floor.dist;
    this.index = adaptiveIndex(model);
    this.alpha = cfg.alpha;
    this.share = cfg.share;
    this.margin = cfg.margin;
    this.g = new Float64Array(4096);
    for (let n = 0; n < this.g.length; n++) this.g[n] = (n + this.alpha) * Math.log(n + this.alpha);
    this.s0init = V * (this.g[0] as number);
    this.sum1.fill(this.s0init);
    this.reset();
  }

  /** Starts a new document (counts cleared, weights back to their prior). */
  reset(): void {
    for (let k = 0; k < this.nSeen; k++) this.n0[this.seen[k] as number] = 0;
    for (const c of this.cells) {
      this.n1[c] = 0;
      const y = Math.floor(c / V);
      this.total1[y] = 0;
      this.sum1[y] = this.s0init;
    }
    this.cells.length = 0;
    this.nSeen = 0;
    this.total0 = 0;
    this.sum0 = this.s0init;
    this.lo = this.hi = this.len = this.node = this.depth = 0;
    this.nodeGamma = this.gamma[0] as number;
    this.prev = -1;
    this.w0 = this.w1 = this.share / 3;
    this.wS = 1 - (2 * this.share) / 3;
  }

  /** (n + α) ln(n + α) */
  private term(n: number): number {
    return n < 4096 ? (this.g[n] as number) : (n + this.alpha) * Math.log(n + this.alpha);
  }

  /**
   * The next tokens of the document. entropies[i] (nats) = entropy of the prediction of the token
   * after tokens[i]; logProbs[i] (when given) = ln p(tokens[i] | earlier tokens), NaN for the
   * document's first token (never predicted). Shape: tokens Int32Array[L] → entropies Float32Array[L].
   */
  push(tokens: Int32Array, entropies: Float32Array, logProbs?: Float32Array | Float64Array): void {
    const { model, alpha, share, n0, n1, total1, sum1, seen, cells, prob, gamma, table, lam, u } = this;
    const ct = model.contexts;
    if (ct === undefined) return;
    const { slots, f32, f64, mask, leaves, leafF64 } = this.index;
    const leafMask = leaves.length > 0 ? this.index.leafMask : -1;
    const leavesClosed = this.index.leavesClosed;
    const keyLen = leafMask >= 0 ? model.order + 1 : model.order;
    const suffix = table.suffix;
    const order = model.order;
    const rootH = model.rootEntropy;
    const gammaRoot = gamma[0] as number;
    const third = share / 3;
    const va = V * alpha;
    const margin = this.margin;
    let { lo, hi, len, node, depth, nodeGamma, prev, wS, w0, w1, total0, sum0, nSeen } = this;
    for (let i = 0; i < tokens.length; i++) {
      const x = tokens[i] as number;
      if (x >>> 0 >= V) {
        throw new BltError('BAD_INPUT', `Expected token ids in [0, ${V}), got ${describeValue(x)} at index ${i}.`);
      }
      // the longest context ending at x (score.ts entropiesByKey): node v of length d; the key keeps
      // up to order + 1 tokens (the leaf n-gram), contexts use the newest ≤ order
      if (len < keyLen) len++;
      hi = (((hi << 9) | (lo >>> 18)) & (HI[len] as number)) | 0;
      lo = (((lo << 9) | (x + 1)) & (LO[len] as number)) | 0;
      let h = rootH;
      let v = 0;
      let d = 0;
      let pv = 0;
      let gv = gammaRoot;
      // a context of length m ending at x has its prefix (length m − 1, ending at the previous token) in the trie,
      // so m ≤ depth + 1: the longer keys cannot exist and are not probed
      const top = len < order ? len : order;
      for (let m = top <= depth ? top : depth + 1; m > 0; m--) {
        const kl = lo & (LO[m] as number);
        const kh = hi & (HI[m] as number);
        let s = keySlotOf(kl, kh, mask);
        let k = slots[8 * s] as number;
        while (k !== 0 && !(k === kl && slots[8 * s + 1] === kh)) {
          s = (s + 1) & mask;
          k = slots[8 * s] as number;
        }
        if (k !== 0) {
          v = slots[8 * s + 2] as number;
          h = f32[8 * s + 3] as number;
          pv = f64[4 * s + 2] as number;
          gv = f64[4 * s + 3] as number;
          d = m;
          break;
        }
      }
      if (prev >= 0) {
        // x was predicted after `node` (length `depth`): p_KN(x | node) as score.ts probFrom computes it.
        // Its first context with child x is the parent of v (length d − 1): no child x at lengths
        // depth..d, except possibly the leaf of length order + 1 (node·x) that the context index lacks.
        let pk = -1;
        if (d === depth + 1) pk = pv;
        else if (depth === order && (d === order || !leavesClosed)) {
          // the leaf node·x has its suffix (length order, ending at x) in the trie when the trie is suffix-closed,
          // so it can exist only if the longest context ending at x has length order
          if (leafMask >= 0) {
            const kl = lo & (LO[order + 1] as number);
            const kh = hi & (HI[order + 1] as number);
            let s = keySlotOf(kl, kh, leafMask);
            let k = leaves[4 * s] as number;
            while (k !== 0 && !(k === kl && leaves[4 * s + 1] === kh)) {
              s = (s + 1) & leafMask;
              k = leaves[4 * s] as number;
            }
            if (k !== 0) pk = leafF64[2 * s + 1] as number;
          } else {
            const leaf = childOf(table, node, x);
            if (leaf >= 0) pk = prob[leaf] as number;
          }
        }
        if (pk < 0) {
          let mult = nodeGamma;
          let c = suffix[node] as number;
          for (let j = depth - 1; j >= d; j--) {
            mult *= gamma[c] as number;
            c = suffix[c] as number;
          }
          pk = d > 0 ? mult * pv : mult / V; // d = 0: the loop took the root's γ too
        }
        const p = lam > 0 ? (1 - lam) * pk + lam * (u[x] as number) : pk;
        const cell = prev * V + x;
        const c0 = n0[x] as number;
        const c1 = n1[cell] as number;
        const t1 = total1[prev] as number;
        const q0 = (c0 + alpha) / (total0 + va);
        const q1 = (c1 + alpha) / (t1 + va);
        if (logProbs) {
          const who = leader(wS, w0, w1, margin);
          logProbs[i] = Math.log(who === 0 ? p : who === 1 ? q0 : q1);
        }
        const keep = (1 - share) / (wS * p + w0 * q0 + w1 * q1);
        wS = wS * p * keep + third;
        w0 = w0 * q0 * keep + third;
        w1 = w1 * q1 * keep + third;
        if (c0 === 0) seen[nSeen++] = x;
        n0[x] = c0 + 1;
        total0++;
        sum0 += this.term(c0 + 1) - this.term(c0);
        if (c1 === 0) cells.push(cell);
        n1[cell] = c1 + 1;
        total1[prev] = t1 + 1;
        sum1[prev] = (sum1[prev] as number) + this.term(c1 + 1) - this.term(c1);
      } else if (logProbs) logProbs[i] = NaN;
      node = v;
      depth = d;
      nodeGamma = gv;
      prev = x;
      const who = leader(wS, w0, w1, margin);
      if (who === 0) entropies[i] = h;
      else if (who === 1) entropies[i] = countEntropy(total0 + va, sum0);
      else entropies[i] = countEntropy((total1[x] as number) + va, sum1[x] as number);
    }
    Object.assign(this, { lo, hi, len, node, depth, nodeGamma, prev, wS, w0, w1, total0, sum0, nSeen });
  }
}

/**
 * The expert that predicts: 0 = static unless a count model's weight exceeds `margin` times its own,
 * else 1 = order-0 or 2 = order-1 counts, whichever weighs more (ties: order 0).
 */
function leader(wS: number, w0: number, w1: number, margin: number): number {
  if (wS * margin >= w0 && wS * margin >= w1) return 0;
  return w0 >= w1 ? 1 : 2;
}

/** H(q) of q(x) = (n_x + α)/T: ln T − S/T with S = Σ (n_x + α) ln(n_x + α). */
function countEntropy(t: number, sum: number): number {
  const h = Math.log(t) - sum / t;
  return h > 0 ? h : 0;
}

/**
 * Whole documents under the mixture, one stream reused (reset per document).
 * entropies: Int32Array[L] → Float32Array[L]; logProbs: → Float32Array[max(L − 1, 0)], aligned as ngramLogProbs.
 */
export function adaptiveScorer(
  model: NgramModel,
  cfg: AdaptiveConfig,
): { entropies(tokens: Int32Array): Float32Array; logProbs(tokens: Int32Array): Float32Array } {
  let stream: AdaptiveNgramStream | undefined;
  const run = (tokens: Int32Array, lp?: Float64Array): Float32Array => {
    stream ??= new AdaptiveNgramStream(model, cfg);
    stream.reset();
    const out = new Float32Array(tokens.length);
    stream.push(tokens, out, lp);
    return out;
  };
  return {
    entropies: (tokens) => run(tokens),
    logProbs: (tokens) => {
      const lp = new Float64Array(tokens.length);
      run(tokens, lp);
      return Float32Array.from(lp.subarray(1));
    },
  };
}
