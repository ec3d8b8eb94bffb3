/**
 * The cache directory (docs/reuse.md):
 *
 *   <cache>/sets/<key>/   complete, self-contained shard sets (shards, index.json, completions/,
 *                         quarantine.jsonl, run.json), one per (inputs, fingerprints, layout);
 *                         a set appears only by an atomic rename of a finished directory
 *   <cache>/tmp/          sets being copied in (renamed into sets/ when complete); leftovers are
 *                         from killed runs and can be deleted when no run is active
 *
 * There is no shared index file to keep consistent: the cache is listed by reading each set's
 * index.json, whose fingerprints (docs/design.md §5) say what it can be reused for.
 */
import { join } from 'node:path';
import { fingerprint } from '../shards/fingerprint.js';
import type { ManifestFingerprints, ManifestInput } from '../shards/manifest.js';

const SETS_DIR = 'sets';
const TMP_DIR = 'tmp';

/** The shard-file settings that, with the fingerprints, decide a set's bytes. */
export interface SetLayout {
  format: 'parquet' | 'arrow';
  shardSizeBytes: number;
  rowGroupRows: number;
}

/**
 * A set's key: its inputs (paths too: rows store the path as `source`, and fallback document
 * ids contain it), its fingerprints and its layout. 32 hex digits of the fingerprint.
 */
export function cacheSetKey(
  inputs: readonly ManifestInput[],
  fingerprints: ManifestFingerprints,
  layout: SetLayout,
): string {
  const ins = inputs.map(({ path, size, sha256 }) => ({ path, size, sha256 }));
  return fingerprint(['blt-cache-set/1', ins, { ...fingerprints }, { ...layout }]).slice(0, 32);
}

export const setsDir = (cacheDir: string): string => join(cacheDir, SETS_DIR);
export const setDir = (cacheDir: string, key: string): string => join(cacheDir, SETS_DIR, key);
export const tmpDir = (cacheDir: string): string => join(cacheDir, TMP_DIR);
