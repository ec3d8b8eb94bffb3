/**
 * `blt eval`: bits per byte of a trained run's checkpoint on shard sets, with the run's shapes
 * (batch size, patches and bytes per row, n-gram tables) and its patching scheme (a run trained on
 * re-derived patches evaluates on the same re-derivation of the given sets). By default every
 * byte of the sets is scored once (coverage `covering`); `reference` is the reference's
 * validation iteration, which scores only the first N + 1 tokens of each P-patch sequence. Both
 * report the scored share of the sets' targets.
 */
import { toBltBatch } from '../data/loader-batch.js';
import { checkCoverage, type EvalCoverage } from '../data/covering-loader.js';
import { deriveForRun } from '../trainer/data-plan.js';
import { loadBltRun } from '../trainer/load-run.js';
import { openValidationLoader } from '../trainer/run-setup.js';
import { evaluateBlt } from './bits-per-byte.js';

export interface EvalRunOptions {
  /** The `blt train` run directory. */
  readonly checkpoint: string;
  /** Shard set directories to score. */
  readonly data: string | readonly string[];
  /** A checkpoint step (default: the newest). */
  readonly step?: number;
  /** Stop after this many batches (0 / absent: all). */
  readonly maxBatches?: number;
  /** `covering` (default): every byte once; `reference`: the reference's truncated P-patch sequences. */
  readonly coverage?: EvalCoverage;
  readonly log?: (message: string) => void;
  readonly onBatch?: (done: { batches: number; bytes: number }) => void;
}

export interface EvalRunResult {
  readonly bitsPerByte: number;
  /** Σ mask: real targets scored (bytes + BOS/EOS). */
  readonly bytes: number;
  readonly batches: number;
  readonly seconds: number;
  readonly bytesPerSecond: number;
  /** The checkpoint's step. */
  readonly step: number;
  readonly coverage: EvalCoverage;
  /** Targets the sets hold (Σ tokens − 1); `bytes / available` is the scored share. */
  readonly available: number;
  readonly scoredShare: number;
  /** covering: patches longer than the row (N) split across rows. */
  readonly splitPatches: number;
}

export async function evaluateRun(o: EvalRunOptions): Promise<EvalRunResult> {
  const coverage = checkCoverage(o.coverage);
  const run = await loadBltRun(o.checkpoint, o.step);
  try {
    const cfg = run.state.config;
    const dirs = await deriveForRun(typeof o.data === 'string' ? [o.data] : o.data, cfg.patching, o.checkpoint, o.log);
    const loader = await openValidationLoader(cfg, dirs, coverage);
    const batches = (async function* () {
      for await (const b of loader) yield toBltBatch(b);
    })();
    const r = await evaluateBlt(run.model, batches, {
      maxBatches: o.maxBatches ?? 0,
      ...(o.onBatch ? { onBatch: o.onBatch } : {}),
    });
    const c = loader.counts();
    return {
      bitsPerByte: r.bitsPerByte,
      bytes: r.bytes,
      batches: r.batches,
      seconds: r.seconds,
      bytesPerSecond: r.seconds > 0 ? r.bytes / r.seconds : 0,
      step: run.state.step,
      coverage,
      available: c.available,
      scoredShare: c.available > 0 ? r.bytes / c.available : 0,
      splitPatches: c.splitPatches,
    };
  } finally {
    run.dispose();
  }
}
