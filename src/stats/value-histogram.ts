/**
 * A streaming histogram of real values over fixed bins (for entropies in nats): constant
 * memory, exact count/mean/min/max, quantiles to within one bin (linear inside the bin).
 */
export interface ValueSummary {
  count: number;
  mean: number;
  min: number;
  max: number;
  /** q → value, for QUANTILES, within `resolution` of the exact quantile */
  quantiles: Record<string, number>;
  /** largest error of a quantile (the fine bin width) */
  resolution: number;
  /** counts per bin of `binWidth` from 0; the last bin also holds larger values */
  histogram: { binWidth: number; counts: number[] };
}

const QUANTILES: ReadonlyArray<[string, number]> = [
  ['p01', 0.01],
  ['p10', 0.1],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p90', 0.9],
  ['p99', 0.99],
];

export class ValueHistogram {
  private readonly counts: Float64Array;
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** bins of `binWidth` over [0, upper); values below 0 go to the first bin, above to the last */
  constructor(
    readonly binWidth = 0.01,
    readonly upper = 6,
  ) {
    this.counts = new Float64Array(Math.ceil(upper / binWidth));
  }

  add(v: number): void {
    if (Number.isNaN(v)) return;
    const n = this.counts.length;
    const b = Math.min(n - 1, Math.max(0, Math.floor(v / this.binWidth)));
    this.counts[b] = (this.counts[b] as number) + 1;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** values [n] from `from` (inclusive) to `to` (exclusive) */
  addRange(values: ArrayLike<number>, from = 0, to = values.length): void {
    for (let i = from; i < to; i++) this.add(values[i] as number);
  }

  get size(): number {
    return this.count;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  /** The q-quantile, interpolated linearly inside its bin and clamped to [min, max]. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = q * this.count;
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      const c = this.counts[b] as number;
      if (c > 0 && seen + c >= target) {
        const v = (b + (target - seen) / c) * this.binWidth;
        return Math.min(this.max, Math.max(this.min, v));
      }
      seen += c;
    }
    return this.max;
  }

  /** Summary with the histogram re-binned to `coarseWidth` (a multiple of the bin width). */
  result(coarseWidth = 0.1): ValueSummary {
    const factor = Math.max(1, Math.round(coarseWidth / this.binWidth));
    const coarse: number[] = new Array<number>(Math.ceil(this.counts.length / factor)).fill(0);
    for (let b = 0; b < this.counts.length; b++)
      coarse[Math.floor(b / factor)] = (coarse[Math.floor(b / factor)] as number) + (this.counts[b] as number);
    while (coarse.length > 1 && coarse[coarse.length - 1] === 0) coarse.pop();
    return {
      count: this.count,
      mean: this.mean,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      quantiles: Object.fromEntries(QUANTILES.map(([k, q]) => [k, this.quantile(q)])),
      resolution: this.binWidth,
      histogram: { binWidth: factor * this.binWidth, counts: coarse },
    };
  }
}
