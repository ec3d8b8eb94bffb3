/**
 * Staged tasks: each task's rows are written, durably, to `<dir>/.staging/task-<n>.arrow`
 * (Arrow IPC stream, uncompressed) when the task is added, and the shard is built from these
 * files when it closes. A task is therefore complete once it is staged and recorded in the
 * writer state: a resumed run never recomputes it, and the fresh and the resumed writer build
 * shards through the same code from the same bytes. Staged files are removed after the state
 * that no longer needs them is committed.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic } from '../core/atomic.js';
import { buildShardTable } from './build-table.js';
import { decodeBatch } from './decode-batch.js';
import type { ShardDoc, ShardRow } from './row.js';
import type { ShardColumnsSpec } from './schema.js';

export const STAGING_DIR = '.staging';

export function stagedFileName(task: number): string {
  return `task-${String(task).padStart(6, '0')}.arrow`;
}

/** Writes the task's rows (≥ 1) durably; returns the file name relative to the staging dir. */
export async function stageTask(dir: string, task: number, rows: readonly ShardDoc[], spec: ShardColumnsSpec): Promise<string> {
  const name = stagedFileName(task);
  await writeFileAtomic(join(dir, STAGING_DIR, name), arrow.tableToIPC(buildShardTable(rows, spec), 'stream'));
  return name;
}

/** The rows of staged files, in order; one file in memory at a time. */
export async function* readStaged(dir: string, names: readonly string[], spec: ShardColumnsSpec): AsyncGenerator<ShardRow> {
  for (const name of names) {
    const table = arrow.tableFromIPC(await readFile(join(dir, STAGING_DIR, name)));
    for (const batch of table.batches) yield* decodeBatch(batch, spec);
  }
}

/** Removes every staged file (and leftover temporaries) not named in `keep`. */
export async function pruneStaging(dir: string, keep: readonly string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(dir, STAGING_DIR));
  } catch {
    return;
  }
  const keepSet = new Set(keep);
  await Promise.all(names.filter((n) => !keepSet.has(n)).map((n) => rm(join(dir, STAGING_DIR, n), { force: true })));
}

export async function removeStaging(dir: string): Promise<void> {
  await rm(join(dir, STAGING_DIR), { recursive: true, force: true });
}
