/**
 * Patch-length statistics, accumulated document by document in O(1) memory per distinct
 * length (a histogram), so they stream over corpora of any size.
 */
export interface PatchStats {
  documents: number;
  tokens: number;
  patches: number;
  mean: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  /** patch length → count */
  histogram: Record<string, number>;
}

export class PatchStatsAccumulator {
  private readonly counts = new Map<number, number>();
  private documents = 0;
  private tokens = 0;
  private patches = 0;

  add(lengths: ArrayLike<number>): void {
    this.documents++;
    for (let i = 0; i < lengths.length; i++) {
      const l = lengths[i] as number;
      this.counts.set(l, (this.counts.get(l) ?? 0) + 1);
      this.tokens += l;
      this.patches++;
    }
  }

  /** The q-quantile (nearest rank) of the patch lengths seen. */
  private quantile(sorted: Array<[number, number]>, q: number): number {
    if (this.patches === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.patches));
    let seen = 0;
    for (const [len, n] of sorted) {
      seen += n;
      if (seen >= rank) return len;
    }
    return sorted[sorted.length - 1]?.[0] ?? 0;
  }

  result(): PatchStats {
    const sorted = [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
    return {
      documents: this.documents,
      tokens: this.tokens,
      patches: this.patches,
      mean: this.patches ? this.tokens / this.patches : 0,
      median: this.quantile(sorted, 0.5),
      p90: this.quantile(sorted, 0.9),
      p99: this.quantile(sorted, 0.99),
      max: sorted[sorted.length - 1]?.[0] ?? 0,
      histogram: Object.fromEntries(sorted.map(([l, n]) => [String(l), n])),
    };
  }
}
