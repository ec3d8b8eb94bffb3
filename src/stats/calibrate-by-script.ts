/**
 * Per-script calibration (docs/stats.md "Per-script thresholds"): one global threshold for the
 * whole sample (calibrateThreshold) plus, for every script bucket with at least `minBytes` of
 * text in the sample, the threshold that gives THAT script's documents the same target mean patch
 * length. A byte-level entropy model is far more certain inside some scripts' multi-byte
 * characters than inside others' (or than in ASCII), so one global threshold gives some scripts
 * patches many times longer than others; the table evens that out. Documents of scripts without
 * an entry (too little calibration text, or `script:none`) use the global threshold.
 */
import { patchLengths } from '../patching/patch-lengths.js';
import { calibrateThreshold, type CalibrateOptions, type CalibrationResult } from './calibrate.js';
import { CalibrationSample } from './calibration-sample.js';

export interface ScriptCalibration {
  script: string;
  documents: number;
  bytes: number;
  threshold: number;
  meanPatchLength: number;
  bytesPerPatch: number;
  withinTolerance: boolean;
  /** text bytes per patch of this script's documents at the GLOBAL threshold */
  bytesPerPatchAtGlobal: number;
}

export interface ScriptCalibrationResult {
  global: CalibrationResult;
  /** scripts with an entry, largest first */
  scripts: ScriptCalibration[];
  /** scripts left to the global threshold (under minBytes, or `script:none`) */
  skipped: Array<{ script: string; documents: number; bytes: number }>;
  minBytes: number;
  /** the table to store: `script:<Name>` → θ */
  scriptThresholds: Record<string, number>;
  /** max / min bytes per patch over the calibrated scripts: with the global threshold, and with the table */
  spread: { global: number; perScript: number };
}

const DEFAULT_MIN_SCRIPT_BYTES = 16 * 1024;

/** Bytes per patch of `sample` with the global rule at `threshold`. */
function bytesPerPatchAt(sample: CalibrationSample, threshold: number, maxPatchLength: number | undefined): number {
  let patches = 0;
  for (let d = 0; d < sample.documents; d++) {
    const H = sample.doc(d);
    patches += patchLengths(
      { length: H.length },
      { mode: 'entropy', entropies: H, threshold, ...(maxPatchLength === undefined ? {} : { maxPatchLength }) },
    ).length;
  }
  return patches ? sample.bytes / patches : 0;
}

const ratio = (v: readonly number[]): number => (v.length === 0 ? 1 : Math.max(...v) / Math.min(...v));

export function calibrateByScript(
  sample: CalibrationSample,
  o: CalibrateOptions & { minBytes?: number },
): ScriptCalibrationResult {
  const { minBytes = DEFAULT_MIN_SCRIPT_BYTES, ...opts } = o;
  const global = calibrateThreshold(sample, opts);
  const parts = new Map<string, CalibrationSample>();
  for (let d = 0; d < sample.documents; d++) {
    const k = sample.key(d) || 'script:none';
    let s = parts.get(k);
    if (!s) parts.set(k, (s = new CalibrationSample()));
    s.add(sample.doc(d), k);
  }
  const scripts: ScriptCalibration[] = [];
  const skipped: ScriptCalibrationResult['skipped'] = [];
  for (const [script, s] of [...parts].sort(([a, x], [b, y]) => y.bytes - x.bytes || (a < b ? -1 : 1))) {
    if (s.bytes < minBytes || script === 'script:none' || opts.monotonicity === true) {
      skipped.push({ script, documents: s.documents, bytes: s.bytes });
      continue;
    }
    const r = calibrateThreshold(s, opts);
    scripts.push({
      script,
      documents: s.documents,
      bytes: s.bytes,
      threshold: r.threshold,
      meanPatchLength: r.meanPatchLength,
      bytesPerPatch: r.bytesPerPatch,
      withinTolerance: r.withinTolerance,
      bytesPerPatchAtGlobal: bytesPerPatchAt(s, global.threshold, opts.maxPatchLength),
    });
  }
  return {
    global,
    scripts,
    skipped,
    minBytes,
    scriptThresholds: Object.fromEntries(
      scripts.map((s) => [s.script, s.threshold]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
    ),
    spread: {
      global: ratio(scripts.map((s) => s.bytesPerPatchAtGlobal)),
      perScript: ratio(scripts.map((s) => s.bytesPerPatch)),
    },
  };
}
