/**
 * ShardWriter: rolling shard files made of whole tasks, resumable to byte-identical output.
 *
 * Design. The pipeline hands over tasks in order (`addTask(t, rows)` with t = 0, 1, 2, …). Each
 * task's rows are staged durably (staging.ts), then the task joins the open shard. The open
 * shard closes right after the task that brings its uncompressed column bytes to
 * `shardSizeBytes` or more, so shard boundaries are a pure function of the data and task order,
 * never of timing, worker count or where a run was interrupted. Closing builds row groups of
 * ≤ `rowGroupRows` rows from the staged files and streams them into `shard-<n>.<ext>.tmp`, which
 * is fsynced and renamed. After every task the writer commits its state JSON atomically
 * (`.shard-writer-state.json`): that commit is the moment the task is done. A crash before it
 * loses only the task in hand (the resumed run redoes it and rewrites the same bytes); a crash
 * after it loses nothing. Open the same directory with the same settings and the writer
 * continues at `nextTask`.
 *
 *   const w = await ShardWriter.open({ dir, columns });       // fresh, or resumed from its state
 *   for (let t = w.nextTask; t < tasks; t++) await w.addTask(t, rowsOf(t));
 *   const shards = await w.finish();                           // closes the last shard
 *   await writeManifest(dir, …shards…);                        // manifest last
 *   await w.dispose();                                         // drops state + staging
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { requireInt, requireOneOf } from '../core/validate.js';
import { arrowFileChunks } from './arrow-format.js';
import { writeFileDurably } from './durable-file.js';
import { spliceParquetFiles } from './parquet-splice.js';
import type { ShardDoc } from './row.js';
import { validateColumnsSpec, type ShardColumnsSpec } from './schema.js';
import { SHARD_FILE_RE, shardFileName } from './shard-file.js';
import {
  pruneStaging,
  readStagedArrow,
  removeStaging,
  stagedFileIntact,
  stagedPath,
  stageTask,
  type StagedTask,
} from './staging.js';
import type { TaskEncoding } from './encode-task.js';
import type { NgramIdsOf } from './task-columns.js';
import {
  parseWriterState,
  settingsDiff,
  WRITER_STATE_FILE,
  type PendingTask,
  type ShardFileFormat,
  type ShardRecord,
  type ShardWriterSettings,
  type ShardWriterState,
} from './writer-state.js';

export const DEFAULT_SHARD_SIZE_BYTES = 128 * 2 ** 20;
export const DEFAULT_ROW_GROUP_ROWS = 10_000;

export interface ShardWriterOptions {
  /** the shard set's directory (created if missing) */
  dir: string;
  columns: ShardColumnsSpec;
  format?: ShardFileFormat;
  /** uncompressed column bytes after which a shard closes (default 128 MiB) */
  shardSizeBytes?: number;
  /** maximum rows per Parquet row group / Arrow record batch (default 10 000) */
  rowGroupRows?: number;
  /**
   * Called before each durable (fsynced) state commit, i.e. once per shard: the place for the
   * caller to fsync its own per-task records (e.g. completion records) that this state vouches for.
   */
  beforeDurableCommit?: () => Promise<void>;
}

function resolveSettings(o: ShardWriterOptions): ShardWriterSettings {
  if (typeof o?.dir !== 'string' || o.dir === '')
    throw new BltError('BAD_OPTION', `Expected \`dir\` to be a directory path, got ${JSON.stringify(o?.dir)}.`);
  return {
    format: requireOneOf('format', o.format ?? 'parquet', ['parquet', 'arrow'] as const),
    shardSizeBytes: requireInt('shardSizeBytes', o.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES, 1),
    rowGroupRows: requireInt('rowGroupRows', o.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS, 1, 1 << 24),
    columns: validateColumnsSpec(o.columns),
  };
}

function freshState(settings: ShardWriterSettings): ShardWriterState {
  return {
    kind: 'shard-writer',
    v: 2,
    settings,
    nextTask: 0,
    nextShard: 0,
    pending: [],
    shards: [],
    totals: { documents: 0, bytes: 0, tokens: 0, patches: 0 },
    finished: false,
  };
}

export class ShardWriter {
  private readonly dir: string;
  private state: ShardWriterState;
  private busy = false;
  private readonly beforeDurableCommit: () => Promise<void>;

  private constructor(dir: string, state: ShardWriterState, beforeDurableCommit?: () => Promise<void>) {
    this.dir = dir;
    this.state = state;
    this.beforeDurableCommit = beforeDurableCommit ?? (async () => undefined);
  }

  /** A writer for `opts.dir`: resumed from the directory's saved state if there is one, else fresh. */
  static async open(opts: ShardWriterOptions): Promise<ShardWriter> {
    const settings = resolveSettings(opts);
    const path = join(opts.dir, WRITER_STATE_FILE);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === undefined) return ShardWriter.fromState(opts, freshState(settings));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BltError(
        'STATE_FORMAT',
        `${path}: expected JSON, got ${text.length} bytes that do not parse.`,
        'the file is written atomically, so this is not a torn write; delete the directory to start over',
      );
    }
    return ShardWriter.fromState(opts, parseWriterState(json, path));
  }

  /** A writer continuing from `state` (e.g. `getState()` of a writer on the same directory). */
  static async fromState(opts: ShardWriterOptions, state: ShardWriterState): Promise<ShardWriter> {
    const settings = resolveSettings(opts);
    const s = parseWriterState(structuredClone(state), `${opts.dir} (writer state)`);
    const diff = settingsDiff(s.settings, settings);
    if (diff.length > 0) {
      throw new BltError(
        'STATE_FORMAT',
        `The saved shard writer state in ${opts.dir} was written with other settings (${diff.join('; ')}).`,
        'resume with the settings of the interrupted run, or write to a new directory',
      );
    }
    await mkdir(opts.dir, { recursive: true });
    // Staged files are not fsynced one by one: keep the pending tasks whose staged file is
    // intact (size, CRC-32), roll back from the first that is not (after a power loss; a crash keeps them).
    const intact: PendingTask[] = [];
    for (const p of s.pending) {
      if (p.staged !== null && !(await stagedFileIntact(opts.dir, p.staged, p.stagedBytes, p.crc32))) break;
      intact.push(p);
    }
    const w = new ShardWriter(opts.dir, s, opts.beforeDurableCommit);
    if (intact.length < s.pending.length) w.state = rolledBack(s, (s.pending[intact.length] as PendingTask).task);
    await pruneStaging(opts.dir, stagedNames(w.state.pending));
    await removeShardTemporaries(opts.dir);
    return w;
  }

  /** The first task of the open shard (= nextTask when it has none): `rollbackTo` accepts tasks from here. */
  get firstPendingTask(): number {
    return this.state.pending[0]?.task ?? this.state.nextTask;
  }

  /**
   * Forgets tasks ≥ `task` of the open shard (a resumed run found their records incomplete and
   * redoes them). `task` must be in [firstPendingTask, nextTask].
   */
  async rollbackTo(task: number): Promise<void> {
    return this.exclusive(async () => {
      if (task === this.state.nextTask) return;
      if (task < this.firstPendingTask || task > this.state.nextTask) {
        throw new BltError(
          'STATE_FORMAT',
          `Cannot roll the shard writer in ${this.dir} back to task ${task}: tasks ` +
            `before ${this.firstPendingTask} are in closed shards.`,
          'the output directory is damaged; delete it and run again',
        );
      }
      await this.commit(rolledBack(this.state, task), false);
    });
  }

  /** The next task index `addTask` accepts: 0 for a fresh writer, where a resumed one stopped. */
  get nextTask(): number {
    return this.state.nextTask;
  }

  /** A copy of the state (also committed to `<dir>/.shard-writer-state.json` after each task). */
  getState(): ShardWriterState {
    return structuredClone(this.state);
  }

  /** How this writer's tasks are encoded (for workers that stage tasks themselves). */
  get encoding(): TaskEncoding {
    const { format, rowGroupRows, columns } = this.state.settings;
    return { format, rowGroupRows, columns };
  }

  /**
   * Adds task `taskIndex` (which must equal `nextTask`) with its rows, in their order: validates,
   * encodes and stages them in this thread, then `addStagedTask`. Returns the shards this task
   * closed (zero or one). When it resolves, the task is recorded. With `ngramIdsOf` the rows carry
   * no n-gram ids: each table is computed just before it is encoded (one table in memory at a time).
   */
  async addTask(taskIndex: number, rows: readonly ShardDoc[], ngramIdsOf?: NgramIdsOf): Promise<ShardRecord[]> {
    return this.exclusive(async () => {
      this.expectTask(taskIndex);
      return this.add(taskIndex, await stageTask(this.dir, taskIndex, rows, this.encoding, ngramIdsOf));
    });
  }

  /**
   * Adds task `taskIndex`, already staged (by `stageTask` with this writer's `encoding`, e.g. in
   * a worker). The open shard closes when the task brings it to shardSizeBytes.
   */
  async addStagedTask(taskIndex: number, t: StagedTask): Promise<ShardRecord[]> {
    return this.exclusive(async () => this.add(taskIndex, t));
  }

  private async add(taskIndex: number, t: StagedTask): Promise<ShardRecord[]> {
    {
      const s = this.state;
      this.expectTask(taskIndex);
      const totals = { ...s.totals };
      for (const k of ['documents', 'bytes', 'tokens', 'patches'] as const) totals[k] += t.totals[k];
      const entry: PendingTask = {
        task: taskIndex,
        rows: t.rows,
        bytes: t.bytes,
        staged: t.staged?.file ?? null,
        stagedBytes: t.staged?.bytes ?? 0,
        crc32: t.staged?.crc32 ?? 0,
        firstDoc: t.firstDoc,
        lastDoc: t.lastDoc,
        totals: { ...t.totals },
      };
      const next: ShardWriterState = { ...s, nextTask: taskIndex + 1, pending: [...s.pending, entry], totals };
      const pendingBytes = next.pending.reduce((a, p) => a + p.bytes, 0);
      const closed = pendingBytes >= s.settings.shardSizeBytes ? await this.closeShard(next) : [];
      await this.commit(next, closed.length > 0);
      return closed;
    }
  }

  private expectTask(taskIndex: number): void {
    const s = this.state;
    if (s.finished)
      throw new BltError('BAD_OPTION', `addTask(${taskIndex}) after finish(): the shard set in ${this.dir} is closed.`);
    if (taskIndex !== s.nextTask) {
      throw new BltError(
        'BAD_OPTION',
        `Expected task ${s.nextTask} (tasks are added in order, from writer.nextTask), got task ${taskIndex}.`,
        'on resume, skip the tasks below writer.nextTask and continue from it',
      );
    }
  }

  /** Closes the open shard (if it has rows) and returns every shard record. Idempotent. */
  async finish(): Promise<ShardRecord[]> {
    return this.exclusive(async () => {
      if (!this.state.finished) {
        const next: ShardWriterState = { ...this.state };
        await this.closeShard(next);
        next.pending = [];
        next.finished = true;
        await this.commit(next, true);
        await removeStaleShards(this.dir, next.shards);
      }
      return structuredClone(this.state.shards);
    });
  }

  /** Removes the writer's state file and staging folder; call after the manifest is written. */
  async dispose(): Promise<void> {
    await removeStaging(this.dir);
    await rm(join(this.dir, WRITER_STATE_FILE), { force: true });
  }

  /** Writes the pending tasks' staged files as the next shard, if they have rows; updates `next`. */
  private async closeShard(next: ShardWriterState): Promise<ShardRecord[]> {
    const { settings, pending } = next;
    const withRows = pending.filter((p) => p.rows > 0);
    if (withRows.length === 0) return [];
    const file = shardFileName(next.nextShard, settings.format);
    const staged = stagedNames(withRows);
    const chunks =
      settings.format === 'parquet'
        ? spliceParquetFiles(staged.map((f) => stagedPath(this.dir, f)))
        : arrowFileChunks(readStagedArrow(this.dir, staged));
    const written = await writeFileDurably(join(this.dir, file), chunks);
    const record: ShardRecord = {
      file,
      rows: withRows.reduce((a, p) => a + p.rows, 0),
      bytes: written.bytes,
      sha256: written.sha256,
      firstDoc: (withRows[0] as PendingTask).firstDoc,
      lastDoc: (withRows[withRows.length - 1] as PendingTask).lastDoc,
      firstTask: (pending[0] as PendingTask).task,
      lastTask: (pending[pending.length - 1] as PendingTask).task,
    };
    next.shards = [...next.shards, record];
    next.nextShard += 1;
    next.pending = [];
    return [record];
  }

  /**
   * Commits `next` (the task is done from here on), then drops staged files it no longer needs.
   * Durable (fsynced, after `beforeDurableCommit`) when a shard closed; otherwise atomic only.
   */
  private async commit(next: ShardWriterState, durable: boolean): Promise<void> {
    if (durable) await this.beforeDurableCommit();
    await writeFileAtomic(join(this.dir, WRITER_STATE_FILE), `${JSON.stringify(next, null, 1)}\n`, { sync: durable });
    this.state = next;
    await pruneStaging(this.dir, stagedNames(next.pending), next.nextTask);
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy)
      throw new BltError(
        'BAD_OPTION',
        'ShardWriter calls must not overlap: await addTask()/finish() before the next call.',
      );
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}

const stagedNames = (pending: readonly PendingTask[]): string[] =>
  pending.flatMap((p) => (p.staged === null ? [] : [p.staged]));

/** `s` without its pending tasks ≥ `task` (their totals taken back out). */
function rolledBack(s: ShardWriterState, task: number): ShardWriterState {
  const keep = s.pending.filter((p) => p.task < task);
  const totals = { ...s.totals };
  for (const p of s.pending.filter((x) => x.task >= task))
    for (const k of ['documents', 'bytes', 'tokens', 'patches'] as const) totals[k] -= p.totals[k];
  return { ...s, nextTask: task, pending: keep, totals };
}

/** Removes `shard-*.tmp` leftovers of an interrupted close. */
async function removeShardTemporaries(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => /^shard-\d+\.(parquet|arrow)\.tmp$/.test(n)).map((n) => rm(join(dir, n), { force: true })),
  );
}

/** Removes shard files that the finished set does not list (left by an earlier, longer run). */
async function removeStaleShards(dir: string, shards: readonly ShardRecord[]): Promise<void> {
  const listed = new Set(shards.map((s) => s.file));
  const names = await readdir(dir);
  await Promise.all(
    names.filter((n) => SHARD_FILE_RE.test(n) && !listed.has(n)).map((n) => rm(join(dir, n), { force: true })),
  );
}
