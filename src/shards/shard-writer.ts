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
import { buildShardTable } from './build-table.js';
import { writeFileDurably } from './durable-file.js';
import { parquetChunks } from './parquet-format.js';
import { checkRow, EXTRA_TOKENS, rowColumnBytes, type ShardDoc, type ShardRow } from './row.js';
import { validateColumnsSpec, type ShardColumnsSpec } from './schema.js';
import { SHARD_FILE_RE, shardFileName } from './shard-file.js';
import { pruneStaging, readStaged, removeStaging, stageTask } from './staging.js';
import {
  parseWriterState,
  settingsDiff,
  WRITER_STATE_FILE,
  type ShardFileFormat,
  type ShardRecord,
  type ShardWriterSettings,
  type ShardWriterState,
} from './writer-state.js';
import type * as arrow from 'apache-arrow';

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
}

function resolveSettings(o: ShardWriterOptions): ShardWriterSettings {
  if (typeof o?.dir !== 'string' || o.dir === '') throw new BltError('BAD_OPTION', `Expected \`dir\` to be a directory path, got ${JSON.stringify(o?.dir)}.`);
  return {
    format: requireOneOf('format', o.format ?? 'parquet', ['parquet', 'arrow'] as const),
    shardSizeBytes: requireInt('shardSizeBytes', o.shardSizeBytes ?? DEFAULT_SHARD_SIZE_BYTES, 1),
    rowGroupRows: requireInt('rowGroupRows', o.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS, 1, 1 << 24),
    columns: validateColumnsSpec(o.columns),
  };
}

function freshState(settings: ShardWriterSettings): ShardWriterState {
  return { kind: 'shard-writer', v: 1, settings, nextTask: 0, nextShard: 0, pending: [], shards: [], totals: { documents: 0, bytes: 0, tokens: 0, patches: 0 }, finished: false };
}

/** Rows → Arrow batches of ≤ size rows each. */
async function* rowGroups(rows: AsyncIterable<ShardRow>, size: number, columns: ShardColumnsSpec): AsyncGenerator<arrow.RecordBatch> {
  let group: ShardRow[] = [];
  for await (const row of rows) {
    group.push(row);
    if (group.length === size) {
      yield* buildShardTable(group, columns).batches;
      group = [];
    }
  }
  if (group.length > 0) yield* buildShardTable(group, columns).batches;
}

export class ShardWriter {
  private readonly dir: string;
  private state: ShardWriterState;
  private busy = false;

  private constructor(dir: string, state: ShardWriterState) {
    this.dir = dir;
    this.state = state;
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
      throw new BltError('STATE_FORMAT', `${path}: expected JSON, got ${text.length} bytes that do not parse.`, 'the file is written atomically, so this is not a torn write; delete the directory to start over');
    }
    return ShardWriter.fromState(opts, parseWriterState(json, path));
  }

  /** A writer continuing from `state` (e.g. `getState()` of a writer on the same directory). */
  static async fromState(opts: ShardWriterOptions, state: ShardWriterState): Promise<ShardWriter> {
    const settings = resolveSettings(opts);
    const s = parseWriterState(structuredClone(state), `${opts.dir} (writer state)`);
    const diff = settingsDiff(s.settings, settings);
    if (diff.length > 0) {
      throw new BltError('STATE_FORMAT', `The saved shard writer state in ${opts.dir} was written with other settings (${diff.join('; ')}).`, 'resume with the settings of the interrupted run, or write to a new directory');
    }
    await mkdir(opts.dir, { recursive: true });
    const staged = s.pending.flatMap((p) => (p.staged === null ? [] : [p.staged]));
    await pruneStaging(opts.dir, staged);
    const present = new Set(await readdir(join(opts.dir, '.staging')).catch(() => [] as string[]));
    const missing = staged.filter((f) => !present.has(f));
    if (missing.length > 0) {
      throw new BltError('STATE_FORMAT', `The shard writer state of ${opts.dir} lists staged task file(s) that are missing: ${missing.join(', ')}.`, 'the state does not belong to this directory, or its .staging folder was removed; delete the directory to start over');
    }
    await removeShardTemporaries(opts.dir);
    return new ShardWriter(opts.dir, s);
  }

  /** The next task index `addTask` accepts: 0 for a fresh writer, where a resumed one stopped. */
  get nextTask(): number {
    return this.state.nextTask;
  }

  /** A copy of the state (also committed to `<dir>/.shard-writer-state.json` after each task). */
  getState(): ShardWriterState {
    return structuredClone(this.state);
  }

  /**
   * Adds task `taskIndex` (which must equal `nextTask`) with its rows, in their order. Returns
   * the shards this task closed (zero or one). When it resolves, the task is durably recorded.
   */
  async addTask(taskIndex: number, rows: readonly ShardDoc[]): Promise<ShardRecord[]> {
    return this.exclusive(async () => {
      const s = this.state;
      if (s.finished) throw new BltError('BAD_OPTION', `addTask(${taskIndex}) after finish(): the shard set in ${this.dir} is closed.`);
      if (taskIndex !== s.nextTask) {
        throw new BltError('BAD_OPTION', `Expected task ${s.nextTask} (tasks are added in order, from writer.nextTask), got task ${taskIndex}.`, 'on resume, skip the tasks below writer.nextTask and continue from it');
      }
      let bytes = 0;
      const totals = { ...s.totals };
      rows.forEach((r, i) => {
        checkRow(r, s.settings.columns, `task ${taskIndex} row ${i}`);
        bytes += rowColumnBytes(r);
        totals.documents += 1;
        totals.bytes += r.bytes.length;
        totals.tokens += r.bytes.length + EXTRA_TOKENS;
        totals.patches += r.patchLengths?.length ?? 0;
      });
      const staged = rows.length > 0 ? await stageTask(this.dir, taskIndex, rows, s.settings.columns) : null;
      const next: ShardWriterState = { ...s, nextTask: taskIndex + 1, pending: [...s.pending, { task: taskIndex, rows: rows.length, bytes, staged }], totals };
      const pendingBytes = next.pending.reduce((a, p) => a + p.bytes, 0);
      const closed = pendingBytes >= s.settings.shardSizeBytes ? await this.closeShard(next) : [];
      await this.commit(next);
      return closed;
    });
  }

  /** Closes the open shard (if it has rows) and returns every shard record. Idempotent. */
  async finish(): Promise<ShardRecord[]> {
    return this.exclusive(async () => {
      if (!this.state.finished) {
        const next: ShardWriterState = { ...this.state };
        await this.closeShard(next);
        next.pending = [];
        next.finished = true;
        await this.commit(next);
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

  /** Writes the pending tasks' rows as the next shard, if they have any; updates `next`. */
  private async closeShard(next: ShardWriterState): Promise<ShardRecord[]> {
    const { settings, pending } = next;
    const rows = pending.reduce((a, p) => a + p.rows, 0);
    if (rows === 0) return [];
    const file = shardFileName(next.nextShard, settings.format);
    const staged = pending.flatMap((p) => (p.staged === null ? [] : [p.staged]));
    let firstDoc: string | undefined;
    let lastDoc = '';
    const tracked = async function* (source: AsyncIterable<ShardRow>): AsyncGenerator<ShardRow> {
      for await (const row of source) {
        firstDoc ??= row.docId;
        lastDoc = row.docId;
        yield row;
      }
    };
    const batches = rowGroups(tracked(readStaged(this.dir, staged, settings.columns)), settings.rowGroupRows, settings.columns);
    const chunks = settings.format === 'parquet' ? parquetChunks(batches, settings.rowGroupRows) : arrowFileChunks(batches);
    const written = await writeFileDurably(join(this.dir, file), chunks);
    const record: ShardRecord = {
      file,
      rows,
      bytes: written.bytes,
      sha256: written.sha256,
      firstDoc: firstDoc ?? '',
      lastDoc,
      firstTask: (pending[0] as { task: number }).task,
      lastTask: (pending[pending.length - 1] as { task: number }).task,
    };
    next.shards = [...next.shards, record];
    next.nextShard += 1;
    next.pending = [];
    return [record];
  }

  /** Commits `next` (the task is done from here on), then drops staged files it no longer needs. */
  private async commit(next: ShardWriterState): Promise<void> {
    await writeFileAtomic(join(this.dir, WRITER_STATE_FILE), `${JSON.stringify(next, null, 1)}\n`);
    this.state = next;
    await pruneStaging(this.dir, next.pending.flatMap((p) => (p.staged === null ? [] : [p.staged])));
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new BltError('BAD_OPTION', 'ShardWriter calls must not overlap: await addTask()/finish() before the next call.');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}

/** Removes `shard-*.tmp` leftovers of an interrupted close. */
async function removeShardTemporaries(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => /^shard-\d+\.(parquet|arrow)\.tmp$/.test(n)).map((n) => rm(join(dir, n), { force: true })));
}

/** Removes shard files that the finished set does not list (left by an earlier, longer run). */
async function removeStaleShards(dir: string, shards: readonly ShardRecord[]): Promise<void> {
  const listed = new Set(shards.map((s) => s.file));
  const names = await readdir(dir);
  await Promise.all(names.filter((n) => SHARD_FILE_RE.test(n) && !listed.has(n)).map((n) => rm(join(dir, n), { force: true })));
}
