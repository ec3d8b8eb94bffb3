/**
 * Per-task completion records (`completions/task-NNNNN.json`): how many input records the task
 * consumed, what it wrote, and the records it quarantined. Written atomically BEFORE the task is
 * committed to the shard writer; the writer's `nextTask` decides which tasks are done, and these
 * records tell a resumed run how many input records to skip and what was quarantined.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import type { BadRecord } from '../ingest/index.js';

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

const file = (dir: string, task: number): string => join(dir, COMPLETIONS_DIR, `task-${String(task).padStart(6, '0')}.json`);

export async function writeCompletion(dir: string, c: TaskCompletion): Promise<void> {
  await mkdir(join(dir, COMPLETIONS_DIR), { recursive: true });
  await writeFileAtomic(file(dir, c.task), `${JSON.stringify(c)}\n`);
}

export async function readCompletion(dir: string, task: number): Promise<TaskCompletion> {
  try {
    return JSON.parse(await readFile(file(dir, task), 'utf8')) as TaskCompletion;
  } catch (err) {
    throw new BltError('STATE_FORMAT', `The completion record of task ${task} in ${dir} is missing or unreadable (${(err as Error).message}).`, 'the output directory is damaged; delete it and run again');
  }
}

/** Completion records of tasks 0..n-1, in order. */
export async function readCompletions(dir: string, n: number): Promise<TaskCompletion[]> {
  const out: TaskCompletion[] = [];
  for (let t = 0; t < n; t++) out.push(await readCompletion(dir, t));
  return out;
}
