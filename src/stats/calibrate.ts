/**
 * Threshold calibration (docs/stats.md): the global threshold θ (or the relative θ_r with
 * `monotonicity`) whose mean patch length on a sample matches a target.
 *
 * The number of patches of a document is its forced starts (tokens 0 and 1; token 2 too in the
 * monotonic rule) plus the number of its *decision values* above θ: H[t-1] for the global rule,
 * f32(H[t-1] - H[t-2]) for the monotonic one, for the tokens t the rule decides (docs/reference.md §3.2).
 * So mean patch length = tokens / (forced + #{v > f32(θ)}), a step function of θ that changes
 * only at the distinct float32 decision values u_0 < … < u_{m-1}: any θ in [u_k, u_{k+1})
 * gives the same patches. We bisect over k (the mean is monotone in θ), compare the two
 * neighbours of the target, keep the closer (an exact tie goes to the lower threshold) and
 * return the shortest decimal θ inside its interval. When no step lies within the tolerance,
 * the closest achievable mean is reported with `withinTolerance: false`.
 *
 * With `maxPatchLength` the count is no longer a sum over values (long patches are split), but
 * it is still monotone and still changes only at the u_k, so the same bisection runs with each
 * step evaluated by patching the sample.
 */
import { BltError } from '../core/errors.js';
import { requireFinite, requireInt } from '../core/validate.js';
import { PatchStatsAccumulator, type PatchStats } from '../patching/patch-stats.js';
import { patchLengths } from '../patching/patch-lengths.js';
import type { CalibrationSample } from './calibration-sample.js';

const f32 = Math.fround;

export interface CalibrateOptions {
  /** target mean patch length (tokens per patch, as patch lengths count them) */
  target: number;
  /** relative rule: calibrate θ_r of H[t-1] - H[t-2] > θ_r */
  monotonicity?: boolean;
  maxPatchLength?: number;
  /** accepted relative error (default 0.01) */
  tolerance?: number;
}

export interface CalibrationStep {
  threshold: number;
  meanPatchLength: number;
}

export interface CalibrationResult {
  rule: 'global' | 'monotonic';
  target: number;
  tolerance: number;
  threshold: number;
  /** every θ in [lo, hi) gives the same patches (hi null: unbounded above; lo null: below) */
  thresholdInterval: [number | null, number | null];
  meanPatchLength: number;
  /** (mean - target) / target */
  relativeError: number;
  withinTolerance: boolean;
  /** the smallest and largest mean any threshold gives on this sample */
  achievable: { min: number; max: number };
  /** the steps on either side of the target */
  below: CalibrationStep | null;
  above: CalibrationStep | null;
  /** distinct decision values (the number of steps − 1) */
  distinctValues: number;
  /** bisection steps taken */
  iterations: number;
  stats: PatchStats;
  /** text bytes per patch at the chosen threshold */
  bytesPerPatch: number;
}

/** Decision values of one document (L tokens) per the rule: out[at..], returns the count written. */
function decisionValues(H: Float32Array, monotonic: boolean, out: Float32Array, at: number): number {
  const L = H.length;
  let k = at;
  // decided tokens t = 2..L-1 (the decision about token L is dropped without the next token)
  if (!monotonic) for (let t = 2; t <= L - 1; t++) out[k++] = H[t - 1] as number;
  else for (let t = 3; t <= L - 1; t++) out[k++] = f32((H[t - 1] as number) - (H[t - 2] as number));
  return k - at;
}

/** Forced patch starts of a document of L tokens: tokens 0 and 1 (and 2 with the relative rule). */
function forcedStarts(L: number, monotonic: boolean): number {
  return Math.min(L, monotonic ? 3 : 2);
}

/** The shortest decimal θ with lo ≤ f32(θ) < hi (hi undefined: no upper bound). */
export function shortestThreshold(lo: number | undefined, hi: number | undefined): number {
  // strictly inside when possible: a θ equal to a data value is right here but fragile elsewhere
  const inside = (x: number): boolean => (lo === undefined || f32(x) > lo) && (hi === undefined || f32(x) < hi);
  const ok = (x: number): boolean => (lo === undefined || f32(x) >= lo) && (hi === undefined || f32(x) < hi);
  let mid: number;
  if (lo === undefined && hi === undefined) mid = 0;
  else if (lo === undefined) mid = (hi as number) - Math.max(0.5, Math.abs(hi as number) * 0.1);
  else if (hi === undefined) mid = lo + Math.max(0.5, Math.abs(lo) * 0.1);
  else mid = lo + (hi - lo) / 2;
  for (let p = 1; p <= 17; p++) {
    const x = Number(mid.toPrecision(p));
    if (inside(x)) return x;
  }
  return ok(mid) ? mid : (lo as number);
}

export function calibrateThreshold(sample: CalibrationSample, o: CalibrateOptions): CalibrationResult {
  const target = requireFinite('target', o.target);
  if (target < 1)
    throw new BltError(
      'BAD_OPTION',
      `Expected a target mean patch length ≥ 1, got ${target}.`,
      'patch lengths count tokens; the reference aims at 4.5 bytes per patch',
    );
  const tolerance = requireFinite('tolerance', o.tolerance ?? 0.01);
  const maxLen = o.maxPatchLength === undefined ? undefined : requireInt('maxPatchLength', o.maxPatchLength, 1);
  const monotonic = o.monotonicity === true;
  if (sample.documents === 0)
    throw new BltError(
      'BAD_INPUT',
      'Expected at least one document with entropies to calibrate on, got none.',
      'check the inputs, or raise --max-docs / --max-bytes',
    );

  let nValues = 0;
  let forced = 0;
  for (let d = 0; d < sample.documents; d++) {
    const L = sample.doc(d).length;
    nValues += Math.max(0, L - (monotonic ? 3 : 2));
    forced += forcedStarts(L, monotonic);
  }
  const sorted = new Float32Array(nValues);
  for (let d = 0, at = 0; d < sample.documents; d++) at += decisionValues(sample.doc(d), monotonic, sorted, at);
  sorted.sort();
  let m = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) m++;
  const distinct = new Float32Array(m); // u_0 < u_1 < … (float32 values are exact in it)
  for (let i = 0, k = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[k++] = sorted[i] as number;
  const tokens = sample.tokens;

  // step k ∈ [-1, m-1]: θ ∈ [u_k, u_{k+1}); k = -1 is below every value
  const thresholdOf = (k: number): number =>
    shortestThreshold(k < 0 ? undefined : distinct[k], k + 1 < m ? distinct[k + 1] : undefined);
  const countAbove = (v: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) > v) hi = mid;
      else lo = mid + 1;
    }
    return sorted.length - lo;
  };
  const patchesOf = (k: number): number => {
    if (maxLen === undefined) return forced + (k < 0 ? sorted.length : countAbove(distinct[k] as number));
    const theta = thresholdOf(k);
    let n = 0;
    for (let d = 0; d < sample.documents; d++) n += lengthsAt(sample.doc(d), theta, monotonic, maxLen).length;
    return n;
  };
  const cache = new Map<number, number>();
  let iterations = 0;
  const meanOf = (k: number): number => {
    let v = cache.get(k);
    if (v === undefined) {
      iterations++;
      v = tokens / patchesOf(k);
      cache.set(k, v);
    }
    return v;
  };

  // bisection: the smallest k with mean(k) ≥ target (mean is non-decreasing in k)
  let lo = -1;
  let hi = m - 1;
  if (meanOf(hi) < target) lo = hi;
  else {
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (meanOf(mid) >= target) hi = mid;
      else lo = mid + 1;
    }
  }
  const k = lo;
  const candidates = [k - 1, k].filter((c) => c >= -1);
  let best = k;
  let bestErr = Infinity;
  for (const c of candidates) {
    const err = Math.abs(meanOf(c) - target);
    if (err < bestErr) {
      best = c;
      bestErr = err;
    }
  }
  const threshold = thresholdOf(best);
  const mean = meanOf(best);
  const step = (c: number): CalibrationStep | null =>
    c < -1 || c > m - 1 ? null : { threshold: thresholdOf(c), meanPatchLength: meanOf(c) };
  const reached = meanOf(k) >= target; // k: the first step at or above the target, if any
  const aboveK = reached ? k : undefined;
  const belowK = reached ? k - 1 : k;

  const stats = new PatchStatsAccumulator();
  for (let d = 0; d < sample.documents; d++) stats.add(lengthsAt(sample.doc(d), threshold, monotonic, maxLen));
  const s = stats.result();
  if (Math.abs(s.mean - mean) > 1e-9 * mean) {
    throw new BltError(
      'INTERNAL',
      `Internal invariant violated: calibration counted a mean of ${mean}, patching gives ${s.mean}. This ` +
        `is a bug; please report it.`,
    );
  }
  const relativeError = (mean - target) / target;
  return {
    rule: monotonic ? 'monotonic' : 'global',
    target,
    tolerance,
    threshold,
    thresholdInterval: [
      best < 0 ? null : (distinct[best] as number),
      best + 1 < m ? (distinct[best + 1] as number) : null,
    ],
    meanPatchLength: mean,
    relativeError,
    withinTolerance: Math.abs(relativeError) <= tolerance,
    achievable: { min: meanOf(-1), max: meanOf(m - 1) },
    below: step(belowK),
    above: aboveK === undefined ? null : step(aboveK),
    distinctValues: m,
    iterations,
    stats: s,
    bytesPerPatch: s.patches ? sample.bytes / s.patches : 0,
  };
}

function lengthsAt(
  H: Float32Array,
  threshold: number,
  monotonicity: boolean,
  maxPatchLength: number | undefined,
): Int32Array {
  const tokens = { length: H.length } as ArrayLike<number>; // entropy mode never reads token values
  return patchLengths(tokens, {
    mode: 'entropy',
    entropies: H,
    threshold,
    monotonicity,
    ...(maxPatchLength === undefined ? {} : { maxPatchLength }),
  });
}
