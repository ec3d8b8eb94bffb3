/**
 * Lists the shard sets of a cache directory (`blt cache ls`) from their manifests: corpus
 * (content fingerprint and inputs), entropy model, boundary settings, n-gram settings, layout,
 * documents, path and size on disk.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { readManifest, type Manifest, type ManifestFingerprints, type ManifestInput } from '../shards/manifest.js';
import type { NgramSettings, PatchingSettings, ProcessSettings } from '../preprocess/settings.js';
import { setsDir, tmpDir, type SetLayout } from './cache-layout.js';

export interface CacheEntry {
  key: string;
  path: string;
  fingerprints: ManifestFingerprints;
  inputs: ManifestInput[];
  /** the model that scored the stored entropies; null when the set holds none */
  entropyModel: { spec: string; fingerprint: string } | null;
  patching: PatchingSettings;
  ngrams: NgramSettings | null;
  layout: SetLayout;
  documents: number;
  /** Σ document bytes */
  bytes: number;
  /** bytes on disk of every file in the set (shards may be hard links shared with --out directories) */
  sizeBytes: number | null;
  createdAt: string | null;
}

export interface CacheListing {
  dir: string;
  sets: CacheEntry[];
  /** set directories that could not be read, with the reason */
  problems: Array<{ path: string; problem: string }>;
  /** leftovers under tmp/ (runs killed while storing a set) */
  unfinished: string[];
}

async function du(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await du(join(path, name));
  return total;
}

export function entryOf(key: string, path: string, m: Manifest, sizeBytes: number | null): CacheEntry {
  const c = m.config as {
    process?: ProcessSettings;
    format?: SetLayout['format'];
    shardSizeBytes?: number;
    rowGroupRows?: number;
  };
  if (!c.process || c.format === undefined || c.shardSizeBytes === undefined || c.rowGroupRows === undefined) {
    throw new BltError(
      'SHARD_FORMAT',
      `${path}/index.json: expected a preprocessing configuration ` +
        '(process, format, shardSizeBytes, rowGroupRows) in "config".',
    );
  }
  const e = c.process.entropy;
  return {
    key,
    path,
    fingerprints: m.fingerprints,
    inputs: m.inputs,
    entropyModel: e ? { spec: e.model, fingerprint: e.fingerprint } : null,
    patching: c.process.patching,
    ngrams: c.process.ngrams,
    layout: { format: c.format, shardSizeBytes: c.shardSizeBytes, rowGroupRows: c.rowGroupRows },
    documents: m.totals.documents,
    bytes: m.totals.bytes,
    sizeBytes,
    createdAt: m.createdAt ?? null,
  };
}

/** The cache's sets, sorted by corpus, entropy model and key. A missing cache directory lists as empty. */
export async function listCache(dir: string, opts: { sizes?: boolean } = {}): Promise<CacheListing> {
  const listing: CacheListing = { dir, sets: [], problems: [], unfinished: [] };
  const keys = (await readdir(setsDir(dir)).catch(() => [] as string[])).sort();
  for (const key of keys) {
    const path = join(setsDir(dir), key);
    try {
      const m = await readManifest(path);
      listing.sets.push(entryOf(key, path, m, opts.sizes ? await du(path) : null));
    } catch (err) {
      listing.problems.push({ path, problem: (err as Error).message.split('\n')[0] ?? String(err) });
    }
  }
  listing.unfinished = (await readdir(tmpDir(dir)).catch(() => [] as string[])).sort().map((n) => join(tmpDir(dir), n));
  const order = (e: CacheEntry): string => `${e.fingerprints.content}|${e.fingerprints.entropy ?? ''}|${e.key}`;
  listing.sets.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return listing;
}
