/**
 * A finished shard set opened as the source of a repatch (or of a cache reuse): its manifest,
 * the preprocessing configuration it was made with (rebuilt from `index.json`'s config and
 * checked by recomputing the fingerprints), and its per-task completion records, which say how
 * many rows each task of the original run wrote. Grouping the source rows into those same tasks
 * is what makes a derived set byte-identical to a fresh `blt preprocess` (shards are made of
 * whole tasks, so shard boundaries depend on the task grouping).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical-json.js';
import { readManifest, type Manifest } from '../shards/manifest.js';
import { resolvePreprocessConfig, type PreprocessConfig, type PreprocessOptions } from '../preprocess/config.js';
import { runFingerprints } from '../preprocess/fingerprints.js';
import { COMPLETIONS_DIR, readCompletions, type TaskCompletion } from '../shardset/completions.js';
import type { PatchingSettings, ProcessSettings } from '../preprocess/settings.js';

export interface SourceSet {
  dir: string;
  manifest: Manifest;
  /** the configuration the set was made with (`out` is the source directory) */
  config: PreprocessConfig;
  /** one record per task of the original run, in task order */
  completions: TaskCompletion[];
}

/** `index.json`'s config: `outputDefiningConfig` of the run that wrote the set. */
interface StoredConfig {
  inputs: string[];
  process: ProcessSettings;
  format: 'parquet' | 'arrow';
  shardSizeBytes: number;
  rowGroupRows: number;
  docsPerTask: number;
  taskBytes: number;
  read: { textField?: string; idField?: string; linesAsDocs: boolean; maxDocBytes: number };
  partition: { count: number; index: number };
}

const STORED_KEYS = [
  'inputs',
  'process',
  'format',
  'shardSizeBytes',
  'rowGroupRows',
  'docsPerTask',
  'taskBytes',
  'read',
  'partition',
];

function storedConfig(dir: string, m: Manifest): StoredConfig {
  const c = m.config;
  if (c.merged !== undefined) {
    throw new BltError(
      'BAD_OPTION',
      `${dir} was made by \`blt merge\`; expected a shard set written by \`blt preprocess\` (or \`blt repatch\`).`,
      "repatch each partition's shard set, then merge the results with `blt merge`",
    );
  }
  const missing = STORED_KEYS.filter((k) => c[k] === undefined);
  if (missing.length > 0) {
    throw new BltError(
      'SHARD_FORMAT',
      `${dir}/index.json: expected the preprocessing configuration in "config", missing ${missing.join(', ')}.`,
      'the set was written by another tool or version; rebuild it with `blt preprocess`',
    );
  }
  return c as unknown as StoredConfig;
}

/**
 * The full configuration of a run with the stored settings and `patching` in place of the
 * stored patching settings, validated as `blt preprocess` validates its options. The entropy
 * model is the stored one (by fingerprint: the model itself is not needed).
 */
export function configWithPatching(
  stored: StoredConfig,
  patching: Partial<PatchingSettings>,
  out: string,
): PreprocessConfig {
  const { process: p, read } = stored;
  const o: PreprocessOptions = {
    inputs: [...stored.inputs],
    out,
    mode: patching.mode ?? 'entropy',
    monotonicity: patching.monotonicity === true,
    storeEntropies: p.entropy !== null,
    ngramIds: p.ngrams !== null,
    format: stored.format,
    shardSizeBytes: stored.shardSizeBytes,
    rowGroupRows: stored.rowGroupRows,
    workers: 0,
    docsPerTask: stored.docsPerTask,
    taskBytes: stored.taskBytes,
    lines: read.linesAsDocs,
    maxDocBytes: read.maxDocBytes,
    numPartitions: stored.partition.count,
    partitionIndex: stored.partition.index,
  };
  if (patching.threshold !== undefined) o.threshold = patching.threshold;
  if (patching.thresholdAdd !== undefined) o.thresholdAdd = patching.thresholdAdd;
  if (patching.maxPatchLength !== undefined) o.maxPatchLength = patching.maxPatchLength;
  if (patching.patchSize !== undefined) o.patchSize = patching.patchSize;
  if (p.entropy) Object.assign(o, { entropyModel: p.entropy.model, engine: p.entropy.engine });
  if (p.ngrams)
    Object.assign(o, { ngramSizes: [...p.ngrams.sizes], hashFunctions: p.ngrams.functions, hashVocab: p.ngrams.vocab });
  if (read.textField !== undefined) o.textField = read.textField;
  if (read.idField !== undefined) o.idField = read.idField;
  const c = resolvePreprocessConfig(o);
  if (c.process.entropy && p.entropy) c.process.entropy.fingerprint = p.entropy.fingerprint;
  // a per-script threshold table (the default model's) is part of the patching settings
  if (patching.scriptThresholds) c.process.patching.scriptThresholds = { ...patching.scriptThresholds };
  return c;
}

/** Task count: the completion records task-000000.json … must be contiguous from 0. */
async function countCompletions(dir: string): Promise<number> {
  const names = await readdir(join(dir, COMPLETIONS_DIR)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new BltError(
        'SHARD_FORMAT',
        `${dir} has no ${COMPLETIONS_DIR}/ folder (the per-task records of the run that wrote it), so its ` +
          `rows cannot be grouped into that run's tasks.`,
        'rebuild the set with `blt preprocess` (it keeps completions/), or for sets made by `blt merge` ' +
          'repatch each partition and merge the results',
      );
    }
    throw err;
  });
  const tasks = names
    .flatMap((n) => /^task-(\d{6,})\.json$/.exec(n)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b);
  tasks.forEach((t, i) => {
    if (t !== i)
      throw new BltError(
        'SHARD_FORMAT',
        `${dir}/${COMPLETIONS_DIR}: expected task records 0..${tasks.length - 1} without gaps, task ${i} is missing.`,
        'the set is damaged; rebuild it with `blt preprocess`',
      );
  });
  return tasks.length;
}

/** Checks the completion records against the manifest: documents, quarantined, rows per shard. */
function checkCompletions(dir: string, m: Manifest, done: readonly TaskCompletion[]): void {
  const fail = (what: string): never => {
    throw new BltError(
      'SHARD_FORMAT',
      `${dir}: the completion records do not match index.json (${what}).`,
      'the set is damaged or was edited; rebuild it with `blt preprocess`',
    );
  };
  const docs = done.reduce((a, d) => a + d.documents, 0);
  const quarantined = done.reduce((a, d) => a + d.quarantined.length, 0);
  if (docs !== m.totals.documents) fail(`they count ${docs} documents, the manifest ${m.totals.documents}`);
  if (quarantined !== m.totals.quarantined)
    fail(`they count ${quarantined} quarantined records, the manifest ${m.totals.quarantined}`);
  for (const s of m.shards) {
    if (s.firstTask === undefined || s.lastTask === undefined) continue;
    const rows = done.slice(s.firstTask, s.lastTask + 1).reduce((a, d) => a + d.documents, 0);
    if (rows !== s.rows) fail(`${s.file} holds ${s.rows} rows, tasks ${s.firstTask}..${s.lastTask} wrote ${rows}`);
  }
}

/** Opens a complete shard set as a source; SHARD_FORMAT / BAD_OPTION when it cannot serve as one. */
export async function openSourceSet(dir: string): Promise<SourceSet> {
  const manifest = await readManifest(dir);
  const stored = storedConfig(dir, manifest);
  const config = configWithPatching(stored, stored.process.patching, dir);
  const fps = runFingerprints(config, manifest.inputs);
  if (canonicalJson(fps) !== canonicalJson(manifest.fingerprints)) {
    throw new BltError(
      'SHARD_FORMAT',
      `${dir}/index.json: its config and inputs do not reproduce its fingerprints ` +
        `(expected ${canonicalJson(manifest.fingerprints)}, computed ${canonicalJson(fps)}).`,
      'the set was written by another version of blt-toolkit or edited; rebuild it with `blt preprocess`',
    );
  }
  const completions = await readCompletions(dir, await countCompletions(dir));
  checkCompletions(dir, manifest, completions);
  return { dir, manifest, config, completions };
}

/** The stored configuration of a source (for building a derived configuration). */
export function sourceStoredConfig(s: SourceSet): StoredConfig {
  return storedConfig(s.dir, s.manifest);
}

export type { StoredConfig };
