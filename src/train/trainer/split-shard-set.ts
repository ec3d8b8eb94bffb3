/**
 * A deterministic train/validation split of a shard set by document: a document goes to the
 * validation side iff `isHeldOut(doc_id, { fraction, seed: 0 })` (the project's split,
 * src/ingest/corpora/held-out-split.ts), so the side of a document depends only on its id. For
 * udhr + brown that is exactly the held-out side the shipped entropy model never saw.
 *
 * The two sides are written as minimal shard sets (text + patch_lengths; no entropies, no n-gram
 * ids — the loader recomputes ids on packed rows) under `<dir>/train` and `<dir>/val`. The whole
 * directory is built under a temporary name and renamed, so it is complete or absent; an existing
 * one with the same key is reused.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '../../core/atomic.js';
import { BltError } from '../../core/errors.js';
import { isHeldOut } from '../../ingest/corpora/held-out-split.js';
import { fingerprint } from '../../shards/fingerprint.js';
import { buildManifest, readManifest, writeManifest, type Manifest } from '../../shards/manifest.js';
import { readShardSet } from '../../shards/reader.js';
import type { ShardDoc } from '../../shards/row.js';
import { ShardWriter } from '../../shards/shard-writer.js';

export interface SplitSets {
  readonly train: string;
  readonly val: string;
  readonly documents: { readonly train: number; readonly val: number };
}

const ROWS_PER_TASK = 256;

/** The key of a split: the source's content and patches (fingerprints + shard hashes) and the fraction. */
export function splitKey(source: Manifest, fraction: number): string {
  return fingerprint(['blt-train-split/1', source.fingerprints, source.shards.map((s) => s.sha256), { fraction }]);
}

async function writeSide(
  dir: string,
  source: Manifest,
  sourceDir: string,
  side: 'train' | 'val',
  fraction: number,
): Promise<number> {
  const writer = await ShardWriter.open({ dir, columns: { entropies: false, patchLengths: true, ngramTables: [] } });
  let task: ShardDoc[] = [];
  let t = 0;
  for await (const row of readShardSet(sourceDir, { columns: ['patch_lengths'] })) {
    if (isHeldOut(row.docId, { fraction, seed: 0 }) !== (side === 'val')) continue;
    if (!row.patchLengths) {
      throw new BltError(
        'BAD_INPUT',
        `${sourceDir}: the shard set has no patch_lengths column.`,
        'preprocess with patching, or run `blt repatch` on the set',
      );
    }
    task.push({
      docId: row.docId,
      source: row.source,
      lang: row.lang,
      bytes: row.bytes.slice(),
      patchLengths: row.patchLengths.slice(),
    });
    if (task.length === ROWS_PER_TASK) {
      await writer.addTask(t++, task);
      task = [];
    }
  }
  if (task.length > 0) await writer.addTask(t++, task);
  const shards = await writer.finish();
  const totals = writer.getState().totals;
  const fp = source.fingerprints;
  await writeManifest(
    dir,
    buildManifest({
      config: { split: { source: sourceDir, side, fraction, seed: 0 }, process: source.config.process ?? null },
      inputs: source.inputs,
      shards,
      totals: { ...totals, quarantined: 0 },
      fingerprints: {
        content: fingerprint(['split', fp.content, side, { fraction }]),
        patches: fingerprint(['split', fp.patches ?? fp.content, side, { fraction }]),
      },
    }),
  );
  await writer.dispose();
  return totals.documents;
}

/** Splits `sourceDir` into `<dir>/train` and `<dir>/val` (reused when `<dir>` already holds them). */
export async function splitShardSet(sourceDir: string, dir: string, fraction: number): Promise<SplitSets> {
  const train = join(dir, 'train');
  const val = join(dir, 'val');
  const done = await stat(join(val, 'index.json')).then(
    () => true,
    () => false,
  );
  if (!done) {
    const source = await readManifest(sourceDir);
    await writeDirAtomic(dir, async (tmp) => {
      await writeSide(join(tmp, 'train'), source, sourceDir, 'train', fraction);
      await writeSide(join(tmp, 'val'), source, sourceDir, 'val', fraction);
    });
  }
  const [t, v] = await Promise.all([readManifest(train), readManifest(val)]);
  return { train, val, documents: { train: t.totals.documents, val: v.totals.documents } };
}
