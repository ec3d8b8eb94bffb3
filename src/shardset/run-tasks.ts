/**
 * `runTasks`: the one loop that writes a shard set task by task, for every way of making one
 * (`blt preprocess` computes the tasks' rows, `blt repatch` and the cache derive them from an
 * earlier set). It owns the contract that makes a set resumable and identical whatever made it:
 *
 * 1. a complete set with these fingerprints → 'already-complete' (other fingerprints: an error);
 * 2. the run record is checked (or written), the writer opened or resumed at `writer.nextTask`;
 * 3. the source yields its tasks from there, in order; each task's completion record is written,
 *    then the task is committed to the writer (the writer's `nextTask` is the truth about what is
 *    done; completion records are owned here, never by the source);
 * 4. a stop request ends the run after the tasks in flight, resumable by the same command;
 *    otherwise the set is finished (quarantine, manifest last).
 *
 * The source decides where in its pipeline the stop check sits (`stoppable`): before dispatch
 * when tasks go to workers (tasks in flight are finished), or before each commit.
 */
import { mkdir } from 'node:fs/promises';
import type { ManifestFingerprints, ManifestInput } from '../shards/manifest.js';
import type { ShardWriter } from '../shards/shard-writer.js';
import type { PreprocessConfig } from '../preprocess/config.js';
import { CompletionWriter, readRunCompletions, type TaskCompletion } from './completions.js';
import { finishRun } from './finish.js';
import { openRunWriter } from './open-writer.js';
import { checkRunRecord } from './run-record.js';
import {
  completedSummary,
  runSummary,
  type PreprocessHooks,
  type PreprocessProgress,
  type PreprocessSummary,
  type ReusedColumns,
} from './summary.js';

/** One task ready to be committed, in task order. */
export interface ReadyTask {
  /** its completion record (`task` is its index), written before the commit */
  completion: TaskCompletion;
  /** rows it adds (the progress's `documents`) */
  rows: number;
  /** input bytes read once this task was read (the progress's `inputBytes`) */
  inputBytes: number;
  /** adds its rows to the writer */
  commit(writer: ShardWriter): Promise<unknown>;
}

/** Where a run starts: what is done already, and the stop check for the source to place. */
export interface ResumePoint {
  writer: ShardWriter;
  /** the first task to produce (= writer.nextTask) */
  startTask: number;
  /** completion records of tasks 0..startTask-1 */
  done: TaskCompletion[];
  /** `tasks` until a stop is requested; `onTask` sees each task let through */
  stoppable<T>(tasks: AsyncIterable<T>, onTask?: (t: T) => void): AsyncGenerator<T>;
}

/** A run's tasks from its resume point on. */
export interface TaskSource {
  tasks: AsyncIterable<ReadyTask>;
  /** progress figures known up front; `inputStartBytes: null` = the first committed task's `inputBytes` */
  progress: Pick<PreprocessProgress, 'totalBytes' | 'inputTotalBytes' | 'inputBytes'> & {
    inputStartBytes: number | null;
  };
  /** releases what the source holds (worker pool, readers); called whether the run ends well or not */
  close(): Promise<void>;
  /** the entropy engine the tasks ran on, null when none ran */
  engine(): string | null;
}

/** The run: its configuration (`c.out` is the directory), inputs and fingerprints. */
export interface ShardSetRun {
  c: PreprocessConfig;
  inputs: ManifestInput[];
  fingerprints: ManifestFingerprints;
  hooks?: PreprocessHooks;
  /** performance.now() when the run started */
  t0: number;
  /** the columns taken from an earlier set (for the summary) */
  reused?: ReusedColumns;
}

export async function runTasks(
  run: ShardSetRun,
  open: (at: ResumePoint) => Promise<TaskSource> | TaskSource,
): Promise<PreprocessSummary> {
  const { c, fingerprints, hooks = {}, t0 } = run;
  const log = hooks.log ?? (() => undefined);
  await mkdir(c.out, { recursive: true });
  const complete = await completedSummary(c, fingerprints, t0, log);
  if (complete) return complete;
  await checkRunRecord(c, fingerprints);

  const completions = new CompletionWriter(c.out);
  const writer = await openRunWriter(c, completions);
  const done = await readRunCompletions(c.out, writer); // rolls back to a task whose record was lost
  const startTask = writer.nextTask;
  let stopped = false;
  const shouldStop = hooks.shouldStop ?? (() => false);
  async function* stoppable<T>(tasks: AsyncIterable<T>, onTask: (t: T) => void = () => undefined) {
    for await (const t of tasks) {
      if (shouldStop()) {
        stopped = true;
        return;
      }
      onTask(t);
      yield t;
    }
  }
  const source = await open({ writer, startTask, done, stoppable });
  const { totalBytes, inputBytes, inputStartBytes, inputTotalBytes } = source.progress;
  const progress: PreprocessProgress = {
    tasks: 0,
    documents: 0,
    quarantined: 0,
    bytes: 0,
    totalBytes,
    inputBytes,
    inputStartBytes: inputStartBytes ?? 0,
    inputTotalBytes,
  };
  try {
    for await (const t of source.tasks) {
      await completions.write(t.completion);
      await t.commit(writer);
      if (progress.tasks === 0 && inputStartBytes === null) progress.inputStartBytes = t.inputBytes;
      progress.tasks++;
      progress.documents += t.rows;
      progress.quarantined += t.completion.quarantined.length;
      progress.bytes += t.completion.bytes;
      progress.inputBytes = t.inputBytes;
      hooks.progress?.({ ...progress });
    }
  } finally {
    await source.close();
  }

  const outcome = {
    resumedFromTask: startTask,
    engine: source.engine(),
    bytesThisRun: progress.bytes,
    t0,
    fingerprints,
    ...(run.reused ? { reused: run.reused } : {}),
  };
  if (stopped) {
    const state = writer.getState();
    log(`stopped after task ${writer.nextTask - 1}; run the same command again to resume`);
    return runSummary(c, {
      ...outcome,
      status: 'interrupted',
      totals: state.totals,
      quarantined: progress.quarantined,
      tasks: state.nextTask,
      shards: state.shards.length,
    });
  }
  const r = await finishRun(c, writer, run.inputs, fingerprints);
  return runSummary(c, {
    ...outcome,
    status: 'done',
    totals: r.totals,
    quarantined: r.totals.quarantined,
    tasks: r.tasks,
    shards: r.shards.length,
  });
}
