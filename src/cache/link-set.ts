/**
 * The whole result is cached: `--out` gets hard links to the cached shard files (checked against
 * their sha256 first), copies of the completion records and quarantine file, and a manifest
 * built from this run's configuration and inputs, so the directory equals what a fresh run
 * writes (apart from `createdAt`). Crash-safe: run.json first, shards placed atomically,
 * manifest last; rerunning the command after a crash places them again.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic.js';
import { hashFile } from '../core/hash.js';
import { SHARD_FILE_RE } from '../shards/shard-file.js';
import type { PreprocessConfig } from '../preprocess/config.js';
import type { PreparedRun } from '../preprocess/prepare-run.js';
import { writeCompletion } from '../shardset/completions.js';
import { QUARANTINE_FILE, writeSetManifest } from '../shardset/finish.js';
import { checkRunRecord } from '../shardset/run-record.js';
import { runSummary, type PreprocessSummary } from '../shardset/summary.js';
import type { SourceSet } from '../repatch/source-set.js';
import { placeFile } from './link-file.js';

/** The first listed shard whose size or sha256 differs from the manifest, or null when all match. */
export async function damagedShard(s: SourceSet): Promise<string | null> {
  for (const shard of s.manifest.shards) {
    const got = await hashFile(join(s.dir, shard.file)).catch(() => null);
    if (!got || got.bytes !== shard.bytes || got.sha256 !== shard.sha256) return shard.file;
  }
  return null;
}

/** Materialises the cached set `source` (whose fingerprints and layout equal the run's) as `c.out`. */
export async function linkCachedSet(
  source: SourceSet,
  c: PreprocessConfig,
  prepared: PreparedRun,
  t0: number,
): Promise<PreprocessSummary> {
  const { fingerprints, inputs } = prepared;
  await mkdir(c.out, { recursive: true });
  await checkRunRecord(c, fingerprints);
  const m = source.manifest;
  for (const s of m.shards) await placeFile(join(source.dir, s.file), join(c.out, s.file));
  const listed = new Set(m.shards.map((s) => s.file));
  for (const name of await readdir(c.out))
    if (SHARD_FILE_RE.test(name) && !listed.has(name)) await rm(join(c.out, name), { force: true });
  for (const done of source.completions) await writeCompletion(c.out, done);
  await writeFileAtomic(
    join(c.out, QUARANTINE_FILE),
    await readFile(join(source.dir, QUARANTINE_FILE)).catch(() => ''),
  );
  await writeSetManifest(c, { inputs, shards: m.shards, totals: m.totals, fingerprints });
  return runSummary(c, {
    status: 'done',
    totals: m.totals,
    quarantined: m.totals.quarantined,
    tasks: source.completions.length,
    resumedFromTask: 0,
    shards: m.shards.length,
    engine: null,
    bytesThisRun: m.totals.bytes,
    t0,
    fingerprints,
    reused: { entropies: fingerprints.entropy !== undefined, ngrams: fingerprints.ngrams !== undefined, patches: true },
  });
}
