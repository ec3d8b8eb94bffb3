/**
 * ShardWriterState: the JSON from which a ShardWriter continues identically (docs/shards.md,
 * "Resuming"). It is committed atomically to `<dir>/.shard-writer-state.json` after every task
 * (fsynced only when a shard closes: in between, a resumed writer checks the staged files of
 * its pending tasks by size and CRC-32 and rolls back to the first bad one), and is the single record
 * of which tasks are done: task t is complete iff `nextTask > t`. Decoded by `writerStateCodec`.
 */
import { defineState } from '../core/state.js';
import type { ShardColumnsSpec } from './schema.js';

export type ShardFileFormat = 'parquet' | 'arrow';

/** A finished shard file. */
export interface ShardRecord {
  /** file name relative to the shard directory, e.g. `shard-00000.parquet` */
  file: string;
  rows: number;
  /** file size in bytes */
  bytes: number;
  /** sha256 of the file, hex */
  sha256: string;
  firstDoc: string;
  lastDoc: string;
  /** the tasks whose rows the shard holds, inclusive (a shard is made of whole tasks) */
  firstTask: number;
  lastTask: number;
}

/** The writer settings that decide the bytes of the shards; a resumed writer must use the same. */
export interface ShardWriterSettings {
  format: ShardFileFormat;
  shardSizeBytes: number;
  rowGroupRows: number;
  columns: ShardColumnsSpec;
}

/** A task added since the last shard closed. */
export interface PendingTask {
  task: number;
  rows: number;
  /** uncompressed column bytes (`rowColumnBytes` summed) */
  bytes: number;
  /** staged file name, null for a task without rows */
  staged: string | null;
  /** size and CRC-32 of the staged file: checked on resume (staged files are not fsynced one by one) */
  stagedBytes: number;
  crc32: number;
  /** doc ids of the task's first and last rows ('' without rows), for the shard record */
  firstDoc: string;
  lastDoc: string;
  /** what this task added to the totals (to roll it back on resume) */
  totals: ShardTotals;
}

export interface ShardTotals {
  documents: number;
  /** Σ text bytes */
  bytes: number;
  /** Σ n_tokens */
  tokens: number;
  /** Σ len(patch_lengths) */
  patches: number;
}

export interface ShardWriterState {
  kind: 'shard-writer';
  v: 2;
  settings: ShardWriterSettings;
  /** the next task `addTask` accepts */
  nextTask: number;
  /** the number the next shard file gets (= shards.length) */
  nextShard: number;
  /** tasks in the open shard, in order */
  pending: PendingTask[];
  shards: ShardRecord[];
  totals: ShardTotals;
  /** true once `finish()` closed the last shard */
  finished: boolean;
}

export const WRITER_STATE_FILE = '.shard-writer-state.json';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The writer state's codec (src/core/state.ts); `ShardWriter.fromState` rebuilds the writer. */
const writerStateCodec = defineState<ShardWriterState>({
  kind: 'shard-writer',
  version: 2,
  label: 'shard writer state',
  fields: ['settings', 'nextTask', 'nextShard', 'pending', 'shards', 'totals', 'finished'],
  hint: 'delete the output directory to start over, or point the run at the directory it wrote',
  check(r) {
    const fail = (what: string): never => r.fail(what);
    const s = r.o;
    if (!isCount(s.nextTask) || !isCount(s.nextShard)) fail('nextTask/nextShard are not non-negative integers');
    if (!Array.isArray(s.pending) || !Array.isArray(s.shards)) fail('pending/shards are not arrays');
    if (typeof s.finished !== 'boolean') fail('finished is not a boolean');
    const st = s as unknown as ShardWriterState;
    if (st.nextShard !== st.shards.length)
      fail(`nextShard is ${st.nextShard} but ${st.shards.length} shards are recorded`);
    for (const p of st.pending) {
      if (
        !isCount(p?.task) ||
        !isCount(p.rows) ||
        !isCount(p.bytes) ||
        !(p.staged === null || typeof p.staged === 'string') ||
        !isCount(p.stagedBytes) ||
        !isCount(p.crc32) ||
        typeof p.firstDoc !== 'string' ||
        typeof p.lastDoc !== 'string' ||
        !isCount(p.totals?.documents)
      )
        fail(`a pending task is malformed: ${JSON.stringify(p)}`);
    }
    for (const rec of st.shards) {
      if (typeof rec?.file !== 'string' || !isCount(rec.rows) || !isCount(rec.bytes) || typeof rec.sha256 !== 'string')
        fail(`a shard record is malformed: ${JSON.stringify(rec)}`);
    }
    const t = st.totals;
    if (!t || !isCount(t.documents) || !isCount(t.bytes) || !isCount(t.tokens) || !isCount(t.patches))
      fail('totals are malformed');
    const set = st.settings;
    if (
      !set ||
      (set.format !== 'parquet' && set.format !== 'arrow') ||
      !isCount(set.shardSizeBytes) ||
      !isCount(set.rowGroupRows) ||
      typeof set.columns !== 'object'
    ) {
      fail('settings are malformed');
    }
    return st;
  },
});

/** Validates a parsed state; throws STATE_FORMAT naming what is wrong (`where`: its file). */
export function parseWriterState(value: unknown, where: string): ShardWriterState {
  return writerStateCodec.decode(value, where);
}

/** Names the settings that differ between a saved state and the options of a resumed writer. */
export function settingsDiff(saved: ShardWriterSettings, now: ShardWriterSettings): string[] {
  const out: string[] = [];
  for (const k of ['format', 'shardSizeBytes', 'rowGroupRows'] as const) {
    if (saved[k] !== now[k]) out.push(`${k}: saved ${JSON.stringify(saved[k])}, now ${JSON.stringify(now[k])}`);
  }
  if (JSON.stringify(saved.columns) !== JSON.stringify(now.columns)) {
    out.push(`columns: saved ${JSON.stringify(saved.columns)}, now ${JSON.stringify(now.columns)}`);
  }
  return out;
}
