/**
 * Hash collisions of one n-gram table, measured exactly on a sample of ids (docs/stats.md).
 *
 * Definition: the collision rate is the share of the distinct n-grams of the data that share
 * their id (their embedding row) with at least one other distinct n-gram of the data.
 *
 * Estimate: an id is in the sample iff `imul(id, 0x9E3779B1) mod 2^32 < cutoff`. For every
 * position whose id is sampled, the n-gram there (its g tokens, with the reference's zero
 * prefix before the document) is recorded under its id as a 21-bit fingerprint (an open-
 * addressing table of (id, fingerprint) pairs: 8 bytes × 2–4 per pair, ≈ 2 MB per table). Ids are a hash
 * of the n-gram, so sampling ids samples n-grams independently of their content, and for the
 * sampled ids we know exactly which distinct n-grams map to each: the rate measured on them
 * estimates the rate of the whole table. The sample starts with every id (exact on small data)
 * and, whenever more than `budget` n-grams are held, the cutoff is halved and the ids that fell
 * out are dropped (the samples are nested), so memory stays bounded on any corpus.
 *
 * Two distinct n-grams of one id are merged only if their 21-bit fingerprints are equal
 * (probability 2^-21 per pair), which would undercount a collision; negligible here.
 *
 * For comparison, `expectedUniform` is what a uniform random hash gives for the estimated
 * number D of distinct n-grams: 1 − (1 − 1/V)^(D − 1).
 */
import { BOS_ID, EOS_ID, OFFSET } from '../bytes/byte-vocab.js';

export interface CollisionResult {
  /** ids of [0, vocab) in the final sample */
  sampledIds: number;
  /** sampledIds / vocab */
  sampleRate: number;
  /** sampled ids that occur in the data */
  occupiedSampledIds: number;
  /** distinct n-grams whose id is sampled */
  ngrams: number;
  /** of those, n-grams whose id also holds another distinct n-gram */
  collidingNgrams: number;
  /** collidingNgrams / ngrams: the collision rate */
  rate: number;
  /** occupied sampled ids holding ≥ 2 distinct n-grams, / occupiedSampledIds */
  idCollisionRate: number;
  /** ngrams / sampleRate: distinct n-grams in the data, extrapolated */
  estimatedDistinctNgrams: number;
  /** the rate a uniform random hash would give for that many distinct n-grams */
  expectedUniform: number;
}

/** n-grams kept per table for the collision estimate (≈ 2 MB of tables) */
export const DEFAULT_COLLISION_BUDGET = 1 << 17;

const GOLDEN = 0x9e3779b1;
const FP_BITS = 21;
const FP_SPAN = 2 ** FP_BITS;

/**
 * A set of (id, fingerprint) pairs: open addressing over two Int32Arrays (no per-entry
 * objects, no GC pressure), capacity a power of two ≥ 2 × the budget.
 */
class PairSet {
  private ids: Int32Array;
  private fps: Int32Array;
  private mask: number;
  size = 0;

  constructor(budget: number) {
    let cap = 16;
    while (cap < 2 * (budget + 1)) cap *= 2;
    this.ids = new Int32Array(cap).fill(-1);
    this.fps = new Int32Array(cap);
    this.mask = cap - 1;
  }

  add(id: number, fp: number): void {
    let slot = Math.imul(id ^ Math.imul(fp, 0x85ebca6b), 0xc2b2ae35) >>> 0;
    for (;;) {
      slot &= this.mask;
      const cur = this.ids[slot] as number;
      if (cur === -1) {
        this.ids[slot] = id;
        this.fps[slot] = fp;
        this.size++;
        return;
      }
      if (cur === id && this.fps[slot] === fp) return;
      slot++;
    }
  }

  /** calls f(id, fp) for every pair */
  forEach(f: (id: number, fp: number) => void): void {
    for (let s = 0; s <= this.mask; s++)
      if ((this.ids[s] as number) !== -1) f(this.ids[s] as number, this.fps[s] as number);
  }

  /** keeps only the pairs whose id passes `keep` */
  filter(keep: (id: number) => boolean): void {
    const ids = this.ids;
    const fps = this.fps;
    this.ids = new Int32Array(ids.length).fill(-1);
    this.fps = new Int32Array(fps.length);
    this.size = 0;
    for (let s = 0; s < ids.length; s++)
      if ((ids[s] as number) !== -1 && keep(ids[s] as number)) this.add(ids[s] as number, fps[s] as number);
  }
}

export class CollisionSampler {
  private cutoff = 2 ** 32;
  private readonly pairs: PairSet;

  constructor(
    readonly groupSize: number,
    readonly vocab: number,
    readonly budget = DEFAULT_COLLISION_BUDGET,
  ) {
    this.pairs = new PairSet(budget);
  }

  private sampled(id: number): boolean {
    return Math.imul(id, GOLDEN) >>> 0 < this.cutoff;
  }

  /** bytes [n] of a document and its ids [n + 2] (one per token incl. BOS/EOS) */
  add(bytes: Uint8Array, ids: Int32Array): void {
    let cutoff = this.cutoff;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (Math.imul(id, GOLDEN) >>> 0 >= cutoff) continue; // the hot path: most ids are not sampled
      this.record(bytes, ids.length, i, id);
      cutoff = this.cutoff;
    }
  }

  private record(bytes: Uint8Array, n: number, i: number, id: number): void {
    let h = 0x811c9dc5; // FNV-1a over the g tokens (zero prefix before the document)
    for (let t = i - this.groupSize + 1; t <= i; t++) {
      const tok = t < 0 ? 0 : t === 0 ? BOS_ID : t === n - 1 ? EOS_ID : (bytes[t - 1] as number) + OFFSET;
      h = Math.imul(h ^ (tok & 0xff), 0x01000193);
      h = Math.imul(h ^ (tok >>> 8), 0x01000193);
    }
    this.pairs.add(id, (h >>> 0) % FP_SPAN);
    if (this.pairs.size > this.budget) this.shrink();
  }

  /** Halves the id sample until the kept n-grams fit the budget (the samples are nested). */
  private shrink(): void {
    while (this.pairs.size > this.budget && this.cutoff > 1) {
      this.cutoff = Math.floor(this.cutoff / 2);
      this.pairs.filter((id) => this.sampled(id));
    }
  }

  /** ids of [0, vocab) in the sample (counted exactly up to 2^24 ids) */
  private sampledIdCount(): number {
    if (this.cutoff >= 2 ** 32) return this.vocab;
    if (this.vocab > 1 << 24) return Math.round((this.cutoff / 2 ** 32) * this.vocab);
    let k = 0;
    for (let id = 0; id < this.vocab; id++) if (this.sampled(id)) k++;
    return k;
  }

  result(): CollisionResult {
    const perId = new Map<number, number>();
    this.pairs.forEach((id) => perId.set(id, (perId.get(id) ?? 0) + 1));
    let colliding = 0;
    let collidingIds = 0;
    for (const c of perId.values()) {
      if (c >= 2) {
        colliding += c;
        collidingIds++;
      }
    }
    const ngrams = this.pairs.size;
    const sampledIds = this.sampledIdCount();
    const sampleRate = sampledIds / this.vocab;
    const estimated = sampleRate > 0 ? ngrams / sampleRate : 0;
    return {
      sampledIds,
      sampleRate,
      occupiedSampledIds: perId.size,
      ngrams,
      collidingNgrams: colliding,
      rate: ngrams ? colliding / ngrams : 0,
      idCollisionRate: perId.size ? collidingIds / perId.size : 0,
      estimatedDistinctNgrams: Math.round(estimated),
      expectedUniform:
        estimated > 1 ? (this.vocab === 1 ? 1 : -Math.expm1((estimated - 1) * Math.log1p(-1 / this.vocab))) : 0,
    };
  }
}
