/**
 * Occupancy of one hashed n-gram table: which of its `vocab` ids occur at least once, as a
 * bitmap of vocab bits (62.5 KB for the default 500 002), so it is exact and constant-memory.
 * Ids ≥ vocab (a wrong vocabulary size was assumed) grow the bitmap and are counted
 * separately, so the report can say so.
 */
export interface OccupancyResult {
  vocab: number;
  /** distinct ids seen */
  distinctIds: number;
  /** distinctIds / vocab */
  occupancy: number;
  /** id occurrences (positions) seen */
  positions: number;
  /** occurrences of ids outside [0, vocab) */
  outOfRange: number;
}

export class OccupancyBitmap {
  private bits: Uint32Array;
  private distinct = 0;
  private positions = 0;
  private outOfRange = 0;

  constructor(readonly vocab: number) {
    this.bits = new Uint32Array(Math.ceil(vocab / 32));
  }

  /** ids [n] */
  add(ids: Int32Array): void {
    let bits = this.bits;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id < 0 || id >= this.vocab) {
        this.outOfRange++;
        if (id < 0) continue;
        if (id >>> 5 >= bits.length) {
          const grown = new Uint32Array(Math.max((id >>> 5) + 1, bits.length * 2));
          grown.set(bits);
          this.bits = bits = grown;
        }
      }
      const w = id >>> 5;
      const m = 1 << (id & 31);
      const word = bits[w] as number;
      if ((word & m) === 0) {
        bits[w] = word | m;
        this.distinct++;
      }
    }
    this.positions += ids.length;
  }

  result(): OccupancyResult {
    return {
      vocab: this.vocab,
      distinctIds: this.distinct,
      occupancy: this.distinct / this.vocab,
      positions: this.positions,
      outOfRange: this.outOfRange,
    };
  }
}
