/**
 * Per-task completion records (`completions/task-NNNNN.json`): how many input records the task
 * consumed, what it wrote, and the records it quarantined. Written atomically BEFORE the task is
 * committed to the shard writer; the writer's `nextTask` decides which tasks are done, and these
 * records tell a resumed run how many input records to skip and what was quarantined.
 *
 * Durability costs per shard, not per task: `CompletionWriter` writes each record atomically
 * (temporary + rename: intact after a crash or SIGKILL) without fsync, and fsyncs the records
 * written since the last shard in `sync()`, which the shard writer calls before each durable
 * state commit. After a power loss a record of the open shard may be missing or empty; the run
 * then rolls the writer back to that task (`readRunCompletions` below).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, syncFile, writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { defineState } from '../core/state.js';
import type { BadRecord } from '../ingest/index.js';
import type { ShardWriter } from '../shards/shard-writer.js';
import { readRecord, untagged } from './record-codec.js';

export interface TaskCompletion {
  task: number;
  records: number;
  documents: number;
  bytes: number;
  tokens: number;
  patches: number;
  quarantined: Array<Omit<BadRecord, 'kind'>>;
}

export const COMPLETIONS_DIR = 'completions';

const file = (dir: string, task: number): string =>
  join(dir, COMPLETIONS_DIR, `task-${String(task).padStart(6, '0')}.json`);

export async function writeCompletion(dir: string, c: TaskCompletion): Promise<void> {
  await mkdir(join(dir, COMPLETIONS_DIR), { recursive: true });
  await writeFileAtomic(file(dir, c.task), `${JSON.stringify(c)}\n`);
}

/** Completion records of one output directory, fsynced in batches (see above). */
export class CompletionWriter {
  private readonly unsynced: string[] = [];
  private made = false;
  constructor(private readonly dir: string) {}

  async write(c: TaskCompletion): Promise<void> {
    if (!this.made) await mkdir(join(this.dir, COMPLETIONS_DIR), { recursive: true });
    this.made = true;
    const path = file(this.dir, c.task);
    await writeFileAtomic(path, `${JSON.stringify(c)}\n`, { sync: false });
    this.unsynced.push(path);
  }

  /** fsyncs the records written since the last call, and their directory. */
  async sync(): Promise<void> {
    const paths = this.unsynced.splice(0);
    if (paths.length === 0) return;
    await Promise.all(paths.map(syncFile));
    await syncDir(join(this.dir, COMPLETIONS_DIR));
  }
}

/** A completion record's codec (src/core/state.ts); its files are untagged (record-codec.ts). */
export const completionCodec = defineState<TaskCompletion>({
  kind: 'task-completion',
  version: 1,
  label: 'task completion record',
  fields: ['task', 'records', 'documents', 'bytes', 'tokens', 'patches', 'quarantined'],
  check(r) {
    for (const k of ['task', 'records', 'documents', 'bytes', 'tokens', 'patches']) r.count(k);
    r.array('quarantined').forEach((q, i) => {
      const o = q as Record<string, unknown> | null;
      if (typeof o !== 'object' || o === null || typeof o.file !== 'string' || typeof o.reason !== 'string')
        r.fail(`expected \`quarantined[${i}]\` to be a record {file, reason, line or row}, got ${JSON.stringify(q)}`);
    });
    return untagged(r.o) as unknown as TaskCompletion;
  },
});

export async function readCompletion(dir: string, task: number): Promise<TaskCompletion> {
  try {
    const c = await readRecord(completionCodec, file(dir, task));
    if (c.task !== task) throw new Error(`it is the record of task ${c.task}`);
    return c;
  } catch (err) {
    throw new BltError(
      'STATE_FORMAT',
      `The completion record of task ${task} in ${dir} is missing or unreadable (${(err as Error).message}).`,
      'the output directory is damaged; delete it and run again',
    );
  }
}

/** Completion records of tasks 0..n-1, in order. */
export async function readCompletions(dir: string, n: number): Promise<TaskCompletion[]> {
  const out: TaskCompletion[] = [];
  for (let t = 0; t < n; t++) out.push(await readCompletion(dir, t));
  return out;
}

/**
 * The completion records of tasks 0..writer.nextTask-1. Records of the open shard's tasks are
 * not fsynced one by one: one missing or torn there (after a power loss) rolls the writer back
 * to that task, which is then redone; a bad record of a closed shard's task is an error.
 */
export async function readRunCompletions(dir: string, writer: ShardWriter): Promise<TaskCompletion[]> {
  const out: TaskCompletion[] = [];
  for (let t = 0; t < writer.nextTask; t++) {
    try {
      out.push(await readCompletion(dir, t));
    } catch (err) {
      if (t < writer.firstPendingTask) throw err;
      await writer.rollbackTo(t);
      break;
    }
  }
  return out;
}
