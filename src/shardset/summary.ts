/**
 * What a shard-set run reports: its progress while it runs (`PreprocessProgress`), the hooks a
 * caller passes (progress, log, stop), and the summary it ends with (`PreprocessSummary`), the
 * same for `blt preprocess`, `blt repatch` and a run through the cache.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical-json.js';
import { MANIFEST_FILE, readManifest, type ManifestFingerprints, type ManifestTotals } from '../shards/manifest.js';
import type { PreprocessConfig } from '../preprocess/config.js';

export interface PreprocessProgress {
  tasks: number;
  documents: number;
  quarantined: number;
  /** input bytes of the documents done (this run) */
  bytes: number;
  /** total text bytes when known in advance (plain text files; repatch: the source set's) */
  totalBytes: number | null;
  /** input bytes on disk read up to the last committed task (the progress bar's value) */
  inputBytes: number;
  /** where this run started reading (> 0 on resume), for the rate and ETA */
  inputStartBytes: number;
  /** Σ input sizes on disk, null for stdin (the progress bar's total) */
  inputTotalBytes: number | null;
}

export interface PreprocessHooks {
  progress?: (p: PreprocessProgress) => void;
  log?: (message: string) => void;
  /** checked before each new task is started: true = finish the tasks in flight and stop */
  shouldStop?: () => boolean;
}

export interface PreprocessSummary {
  status: 'done' | 'already-complete' | 'interrupted';
  out: string;
  documents: number;
  bytes: number;
  tokens: number;
  patches: number;
  meanPatchLength: number;
  quarantined: number;
  tasks: number;
  resumedFromTask: number;
  shards: number;
  workers: number;
  engine: string | null;
  wallSeconds: number;
  /** input MB (10^6 bytes) per second processed by this run */
  mbPerSecond: number;
  fingerprints: ManifestFingerprints;
  /**
   * Which columns were taken from an earlier shard set instead of being computed (docs/reuse.md).
   * Always set by runPreprocess / runRepatch (optional only so that summaries built elsewhere,
   * e.g. test doubles, stay valid).
   */
  reused?: ReusedColumns;
  /**
   * with a cache directory: the cached set reused (or null) and where this set is stored in the
   * cache; null without one
   */
  cache?: { dir: string; from: string | null; stored: string | null } | null;
}

export interface ReusedColumns {
  entropies: boolean;
  ngrams: boolean;
  patches: boolean;
}

const NOTHING_REUSED: ReusedColumns = Object.freeze({ entropies: false, ngrams: false, patches: false });

/** What a run knows at its end; `runSummary` derives the rest. */
export interface RunOutcome {
  status: PreprocessSummary['status'];
  totals: Omit<ManifestTotals, 'quarantined'>;
  quarantined: number;
  tasks: number;
  resumedFromTask: number;
  shards: number;
  engine: string | null;
  bytesThisRun: number;
  /** performance.now() when the run started */
  t0: number;
  fingerprints: ManifestFingerprints;
  reused?: ReusedColumns;
}

/** The summary of a run that stopped early (resumable), finished, or found its set complete. */
export function runSummary(c: PreprocessConfig, r: RunOutcome): PreprocessSummary {
  const wallSeconds = (performance.now() - r.t0) / 1000;
  const t = r.totals;
  return {
    status: r.status,
    out: c.out,
    documents: t.documents,
    bytes: t.bytes,
    tokens: t.tokens,
    patches: t.patches,
    meanPatchLength: t.patches ? t.tokens / t.patches : 0,
    quarantined: r.quarantined,
    tasks: r.tasks,
    resumedFromTask: r.resumedFromTask,
    shards: r.shards,
    workers: c.workers,
    engine: r.engine,
    wallSeconds,
    mbPerSecond: r.bytesThisRun / 1e6 / Math.max(wallSeconds, 1e-9),
    fingerprints: r.fingerprints,
    reused: { ...(r.reused ?? NOTHING_REUSED) },
    cache: null,
  };
}

/**
 * When `c.out` already holds a complete set: the 'already-complete' summary if it was made from
 * these fingerprints, a STATE_FORMAT error if not. Null when the set is not complete.
 */
export async function completedSummary(
  c: PreprocessConfig,
  fingerprints: ManifestFingerprints,
  t0: number,
  log: (m: string) => void,
): Promise<PreprocessSummary | null> {
  if (!existsSync(join(c.out, MANIFEST_FILE))) return null;
  const m = await readManifest(c.out);
  if (canonicalJson(m.fingerprints) !== canonicalJson(fingerprints)) {
    throw new BltError(
      'STATE_FORMAT',
      `${c.out} already holds a complete shard set made from other inputs or settings.`,
      'write to a new --out directory',
    );
  }
  log(`${c.out} is already complete (${m.totals.documents} documents); nothing to do`);
  return runSummary(c, {
    status: 'already-complete',
    totals: m.totals,
    quarantined: m.totals.quarantined,
    tasks: 0,
    resumedFromTask: 0,
    shards: m.shards.length,
    engine: null,
    bytesThisRun: 0,
    t0,
    fingerprints,
  });
}
