/**
 * `mergeShardSets(dirs, out)`: one shard set from the shard sets of a job array's partitions
 * (`blt preprocess --num-partitions N --partition-index I`). Shard files are hard-linked (or
 * copied across file systems) in the order the directories are given and renumbered; the bytes
 * and checksums do not change. The partitions must have been made with the same settings.
 *
 * Nothing is duplicated or lost silently: the same directory or the same documents (equal
 * content fingerprints) given twice are refused, and so are the partitions of one job
 * (same inputs and partition count) given twice or not all given (`allowIncomplete` merges a
 * subset on purpose and records which partitions are missing).
 */
import { copyFile, link, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical-json.js';
import { fingerprint } from './fingerprint.js';
import {
  buildManifest,
  readManifest,
  writeManifest,
  MANIFEST_FILE,
  type Manifest,
  type ManifestFingerprints,
  type ManifestShard,
} from './manifest.js';
import { shardFileName, shardFormatOf } from './shard-file.js';

const QUARANTINE = 'quarantine.jsonl';

/** The settings that must agree: everything but the inputs and the partition index. */
function settingsOf(m: Manifest): string {
  const { inputs: _inputs, partition: _partition, ...rest } = m.config as Record<string, unknown>;
  const { content: _content, ...fps } = m.fingerprints;
  const process = (rest.process ?? {}) as Record<string, unknown>;
  const entropy = process.entropy as { fingerprint?: string } | null | undefined;
  return canonicalJson({
    ...rest,
    process: { ...process, entropy: entropy ? { fingerprint: entropy.fingerprint } : null },
    keys: Object.keys(fps).sort(),
  });
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

function combine(kind: keyof ManifestFingerprints, parts: Manifest[]): string | undefined {
  const values = parts.map((m) => m.fingerprints[kind]);
  if (values.some((v) => v === undefined)) return undefined;
  return fingerprint([`merged-${kind}`, values as string[]]);
}

export interface MergeOptions {
  /** merge a job's partitions even when some are missing (they are recorded in the manifest) */
  allowIncomplete?: boolean;
}

interface PartitionOf {
  count: number;
  index: number;
}

function partitionOf(m: Manifest): PartitionOf {
  const p = m.config.partition as Partial<PartitionOf> | undefined;
  return { count: typeof p?.count === 'number' ? p.count : 1, index: typeof p?.index === 'number' ? p.index : 0 };
}

/**
 * Refuses repeated directories, repeated documents and repeated or missing partitions of a job.
 * Returns the missing partitions per job (only non-empty with `allowIncomplete`).
 */
async function checkPartitions(
  dirs: readonly string[],
  parts: readonly Manifest[],
  o: MergeOptions,
): Promise<Array<{ inputs: unknown; count: number; missing: number[] }>> {
  const byPath = new Map<string, string>();
  for (const d of dirs) {
    const key = await realpath(d).catch(() => resolve(d));
    const prev = byPath.get(key);
    if (prev !== undefined)
      throw new BltError(
        'BAD_OPTION',
        `${d} is given twice (also as ${prev}); its documents would be merged twice.`,
        'name each shard set once',
      );
    byPath.set(key, d);
  }
  const byContent = new Map<string, string>();
  parts.forEach((m, i) => {
    if (m.totals.documents === 0) return;
    const prev = byContent.get(m.fingerprints.content);
    if (prev !== undefined) {
      throw new BltError(
        'BAD_OPTION',
        `${dirs[i]} and ${prev} hold the same documents (equal content fingerprints); merging both would ` +
          `duplicate every one of them.`,
        'name each partition once',
      );
    }
    byContent.set(m.fingerprints.content, dirs[i] as string);
  });
  const jobs = new Map<string, { inputs: unknown; count: number; dirs: Map<number, string> }>();
  parts.forEach((m, i) => {
    const p = partitionOf(m);
    if (p.count === 1) return;
    const key = canonicalJson(m.config.inputs ?? null);
    const job = jobs.get(key) ?? { inputs: m.config.inputs ?? null, count: p.count, dirs: new Map<number, string>() };
    jobs.set(key, job);
    const dir = dirs[i] as string;
    if (job.count !== p.count) {
      throw new BltError(
        'BAD_OPTION',
        `${dir} is partition ${p.index} of ${p.count}, but ${[...job.dirs.values()][0]} is of a job ` +
          `with ${job.count} partitions (same inputs).`,
        'merge the partitions of one --num-partitions run',
      );
    }
    const prev = job.dirs.get(p.index);
    if (prev !== undefined) {
      throw new BltError(
        'BAD_OPTION',
        `Partition ${p.index} of ${p.count} is given twice: ${prev} and ${dir}; its documents would be merged twice.`,
        'name each partition once',
      );
    }
    job.dirs.set(p.index, dir);
  });
  const incomplete: Array<{ inputs: unknown; count: number; missing: number[] }> = [];
  for (const job of jobs.values()) {
    const missing = Array.from({ length: job.count }, (_, k) => k).filter((k) => !job.dirs.has(k));
    if (missing.length === 0) continue;
    if (!o.allowIncomplete) {
      const given = [...job.dirs.keys()].sort((a, b) => a - b);
      throw new BltError(
        'BAD_OPTION',
        `Expected all ${job.count} partitions of the job, got ${given.length} ` +
          `(${given.map((k) => `${k}: ${job.dirs.get(k)}`).join(', ')}); missing ` +
          `partition${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
        `run \`blt preprocess ... --num-partitions ${job.count} --partition-index ${missing[0]}\` first, or ` +
          `pass --allow-incomplete to merge a subset on purpose`,
      );
    }
    incomplete.push({ inputs: job.inputs, count: job.count, missing });
  }
  return incomplete;
}

export async function mergeShardSets(dirs: readonly string[], out: string, o: MergeOptions = {}): Promise<Manifest> {
  if (dirs.length === 0) throw new BltError('BAD_OPTION', 'Expected at least one shard set to merge, got none.');
  if (existsSync(join(out, MANIFEST_FILE))) {
    throw new BltError('BAD_OPTION', `${out} already holds a shard set.`, 'merge into a new, empty --out directory');
  }
  const parts = await Promise.all(dirs.map((d) => readManifest(d)));
  const first = parts[0] as Manifest;
  parts.forEach((m, i) => {
    if (settingsOf(m) !== settingsOf(first)) {
      throw new BltError(
        'SHARD_FORMAT',
        `${dirs[i]} was made with other settings than ${dirs[0]}; only partitions of one job can be merged.`,
        'compare the "config" of their index.json files',
      );
    }
  });
  const incomplete = await checkPartitions(dirs, parts, o);
  await mkdir(out, { recursive: true });
  const shards: ManifestShard[] = [];
  const quarantine: string[] = [];
  for (const [i, m] of parts.entries()) {
    const dir = dirs[i] as string;
    for (const s of m.shards) {
      const name = shardFileName(shards.length, shardFormatOf(s.file));
      const src = join(dir, s.file);
      const size = (await stat(src)).size;
      if (size !== s.bytes)
        throw new BltError(
          'SHARD_FORMAT',
          `${src} has ${size} bytes, its manifest says ${s.bytes}.`,
          `run blt verify ${dir}`,
        );
      await linkOrCopy(src, join(out, name));
      shards.push({
        file: name,
        rows: s.rows,
        bytes: s.bytes,
        sha256: s.sha256,
        ...(s.firstDoc === undefined ? {} : { firstDoc: s.firstDoc }),
        ...(s.lastDoc === undefined ? {} : { lastDoc: s.lastDoc }),
      });
    }
    if (existsSync(join(dir, QUARANTINE))) quarantine.push((await readFile(join(dir, QUARANTINE), 'utf8')).trimEnd());
  }
  await writeFileAtomic(
    join(out, QUARANTINE),
    quarantine
      .filter((q) => q !== '')
      .map((q) => `${q}\n`)
      .join(''),
  );
  const sum = (k: keyof Manifest['totals']): number => parts.reduce((a, m) => a + m.totals[k], 0);
  const fingerprints: ManifestFingerprints = { content: combine('content', parts) as string };
  for (const k of ['entropy', 'patches', 'ngrams'] as const) {
    const v = combine(k, parts);
    if (v !== undefined) fingerprints[k] = v;
  }
  const manifest = buildManifest({
    tool: first.tool,
    createdAt: new Date().toISOString(),
    config: {
      ...first.config,
      inputs: parts.flatMap((m) => (m.config.inputs as string[] | undefined) ?? []),
      merged: dirs.map(String),
      ...(incomplete.length > 0 ? { mergedIncomplete: incomplete } : {}),
    },
    inputs: parts.flatMap((m) => m.inputs),
    shards,
    totals: {
      documents: sum('documents'),
      bytes: sum('bytes'),
      tokens: sum('tokens'),
      patches: sum('patches'),
      quarantined: sum('quarantined'),
    },
    fingerprints,
  });
  await writeManifest(out, manifest);
  return manifest;
}
