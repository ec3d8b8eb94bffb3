/**
 * The end of a shard-set run: the last shard closed, `quarantine.jsonl` written from the completion
 * records, the manifest (`index.json`) last, the writer state removed. Every path that makes a set
 * (preprocess, repatch, a set linked from the cache) writes its manifest here, so all end alike.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { packageVersion } from '../core/package-info.js';
import {
  buildManifest,
  writeManifest,
  type ManifestFingerprints,
  type ManifestInput,
  type ManifestShard,
  type ManifestTotals,
} from '../shards/manifest.js';
import type { ShardWriter } from '../shards/shard-writer.js';
import { outputDefiningConfig, type PreprocessConfig } from '../preprocess/config.js';
import { readCompletions } from './completions.js';

export const QUARANTINE_FILE = 'quarantine.jsonl';

/** Writes `c.out`'s manifest: this tool, now, the run's output-defining configuration and inputs. */
export async function writeSetManifest(
  c: PreprocessConfig,
  set: { inputs: ManifestInput[]; shards: ManifestShard[]; totals: ManifestTotals; fingerprints: ManifestFingerprints },
): Promise<void> {
  const manifest = buildManifest({
    tool: { name: 'blt-toolkit', version: packageVersion() },
    createdAt: new Date().toISOString(),
    config: JSON.parse(JSON.stringify(outputDefiningConfig(c))) as Record<string, unknown>,
    inputs: set.inputs,
    shards: set.shards,
    totals: set.totals,
    fingerprints: set.fingerprints,
  });
  await writeManifest(c.out, manifest);
}

/** After the last task: closes the last shard, writes quarantine.jsonl and the manifest, removes the writer state. */
export async function finishRun(
  c: PreprocessConfig,
  writer: ShardWriter,
  inputs: ManifestInput[],
  fingerprints: ManifestFingerprints,
): Promise<{ totals: ManifestTotals; shards: ManifestShard[]; tasks: number }> {
  await writer.finish();
  const state = writer.getState();
  const completions = await readCompletions(c.out, state.nextTask);
  const quarantined = completions.flatMap((d) => d.quarantined);
  await writeFileAtomic(
    join(c.out, QUARANTINE_FILE),
    quarantined.map((q) => JSON.stringify(q)).join('\n') + (quarantined.length ? '\n' : ''),
  );
  const totals = { ...state.totals, quarantined: quarantined.length };
  const shards: ManifestShard[] = state.shards;
  await writeSetManifest(c, { inputs, shards, totals, fingerprints });
  await writer.dispose();
  return { totals, shards, tasks: state.nextTask };
}
