/**
 * `mergeShardSets(dirs, out)`: one shard set from the shard sets of a job array's partitions
 * (`blt preprocess --num-partitions N --partition-index I`). Shard files are hard-linked (or
 * copied across file systems) in the order the directories are given and renumbered; the bytes
 * and checksums do not change. The partitions must have been made with the same settings.
 */
import { copyFile, link, mkdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { canonicalJson, fingerprint } from './fingerprint.js';
import { buildManifest, readManifest, writeManifest, MANIFEST_FILE, type Manifest, type ManifestFingerprints, type ManifestShard } from './manifest.js';
import { shardFileName, shardFormatOf } from './shard-file.js';

const QUARANTINE = 'quarantine.jsonl';

/** The settings that must agree: everything but the inputs and the partition index. */
function settingsOf(m: Manifest): string {
  const { inputs: _inputs, partition: _partition, ...rest } = m.config as Record<string, unknown>;
  const { content: _content, ...fps } = m.fingerprints;
  const process = (rest.process ?? {}) as Record<string, unknown>;
  const entropy = process.entropy as { fingerprint?: string } | null | undefined;
  return canonicalJson({ ...rest, process: { ...process, entropy: entropy ? { fingerprint: entropy.fingerprint } : null }, keys: Object.keys(fps).sort() });
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

export async function mergeShardSets(dirs: readonly string[], out: string): Promise<Manifest> {
  if (dirs.length === 0) throw new BltError('BAD_OPTION', 'Expected at least one shard set to merge, got none.');
  if (existsSync(join(out, MANIFEST_FILE))) {
    throw new BltError('BAD_OPTION', `${out} already holds a shard set.`, 'merge into a new, empty --out directory');
  }
  const parts = await Promise.all(dirs.map((d) => readManifest(d)));
  const first = parts[0] as Manifest;
  parts.forEach((m, i) => {
    if (settingsOf(m) !== settingsOf(first)) {
      throw new BltError('SHARD_FORMAT', `${dirs[i]} was made with other settings than ${dirs[0]}; only partitions of one job can be merged.`, 'compare the "config" of their index.json files');
    }
  });
  await mkdir(out, { recursive: true });
  const shards: ManifestShard[] = [];
  const quarantine: string[] = [];
  for (const [i, m] of parts.entries()) {
    const dir = dirs[i] as string;
    for (const s of m.shards) {
      const name = shardFileName(shards.length, shardFormatOf(s.file));
      const src = join(dir, s.file);
      const size = (await stat(src)).size;
      if (size !== s.bytes) throw new BltError('SHARD_FORMAT', `${src} has ${size} bytes, its manifest says ${s.bytes}.`, `run blt verify ${dir}`);
      await linkOrCopy(src, join(out, name));
      shards.push({ file: name, rows: s.rows, bytes: s.bytes, sha256: s.sha256, ...(s.firstDoc === undefined ? {} : { firstDoc: s.firstDoc }), ...(s.lastDoc === undefined ? {} : { lastDoc: s.lastDoc }) });
    }
    if (existsSync(join(dir, QUARANTINE))) quarantine.push((await readFile(join(dir, QUARANTINE), 'utf8')).trimEnd());
  }
  await writeFileAtomic(join(out, QUARANTINE), quarantine.filter((q) => q !== '').map((q) => `${q}\n`).join(''));
  const sum = (k: keyof Manifest['totals']): number => parts.reduce((a, m) => a + m.totals[k], 0);
  const fingerprints: ManifestFingerprints = { content: combine('content', parts) as string };
  for (const k of ['entropy', 'patches', 'ngrams'] as const) {
    const v = combine(k, parts);
    if (v !== undefined) fingerprints[k] = v;
  }
  const manifest = buildManifest({
    tool: first.tool,
    createdAt: new Date().toISOString(),
    config: { ...first.config, inputs: parts.flatMap((m) => (m.config.inputs as string[] | undefined) ?? []), merged: dirs.map(String) },
    inputs: parts.flatMap((m) => m.inputs),
    shards,
    totals: { documents: sum('documents'), bytes: sum('bytes'), tokens: sum('tokens'), patches: sum('patches'), quarantined: sum('quarantined') },
    fingerprints,
  });
  await writeManifest(out, manifest);
  return manifest;
}
