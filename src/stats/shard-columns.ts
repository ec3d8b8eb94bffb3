/**
 * What a shard set holds, without decoding any row: its manifest and the optional columns of
 * its first shard's schema (every shard of a set has the same columns; `blt verify` checks it).
 */
import { join } from 'node:path';
import { readManifest, type Manifest } from '../shards/manifest.js';
import { specFromSchema, type ShardColumnsSpec } from '../shards/schema.js';
import { openShardFile } from '../shards/shard-file.js';

export interface ShardSetInfo {
  manifest: Manifest;
  /** optional columns; all false/empty for a set without shards */
  columns: ShardColumnsSpec;
}

export async function shardSetInfo(dir: string): Promise<ShardSetInfo> {
  const manifest = await readManifest(dir);
  const first = manifest.shards[0];
  if (!first) return { manifest, columns: { entropies: false, patchLengths: false, ngramTables: [] } };
  const file = join(dir, first.file);
  const reader = await openShardFile(file);
  try {
    return { manifest, columns: specFromSchema(reader.schema, file) };
  } finally {
    await reader.close();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads `path` (dot-separated) from the manifest's config; undefined when absent. */
function configValue(manifest: Manifest, path: string): unknown {
  let v: unknown = manifest.config;
  for (const key of path.split('.')) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

/** The first of `paths` in the config that holds a finite number. */
function configNumber(manifest: Manifest, ...paths: string[]): number | undefined {
  for (const p of paths) {
    const v = configValue(manifest, p);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** The hashed n-gram vocabulary recorded by `blt preprocess` (config.process.ngrams.vocab). */
export function manifestNgramVocab(manifest: Manifest): number | undefined {
  return configNumber(manifest, 'process.ngrams.vocab', 'ngrams.vocab', 'hashVocab');
}

/** The patching settings recorded by `blt preprocess` (config.process.patching). */
export function manifestPatching(manifest: Manifest): {
  mode?: string;
  threshold?: number;
  scriptThresholds?: Record<string, number>;
  monotonicity?: boolean;
} {
  const mode = configValue(manifest, 'process.patching.mode');
  const table = configValue(manifest, 'process.patching.scriptThresholds');
  const mono = configValue(manifest, 'process.patching.monotonicity');
  const threshold = configNumber(manifest, 'process.patching.threshold');
  return {
    ...(typeof mode === 'string' ? { mode } : {}),
    ...(threshold === undefined ? {} : { threshold }),
    ...(table !== null && typeof table === 'object' && !Array.isArray(table)
      ? { scriptThresholds: table as Record<string, number> }
      : {}),
    ...(typeof mono === 'boolean' ? { monotonicity: mono } : {}),
  };
}
