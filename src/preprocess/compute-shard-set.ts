/**
 * Preprocessing proper: every column computed from the inputs. Input records are grouped into
 * tasks fixed by the data (so output is identical for any worker count), sent to the worker pool
 * (entropies, patches, n-gram ids) with at most `orderedMap`'s window in flight (backpressure),
 * and handed back in order to `runTasks` (src/shardset), which records, commits and finishes them.
 * A resumed run skips the input records of finished tasks; every input record is written or
 * quarantined (documents read = written + quarantined).
 */
import { BltError } from '../core/errors.js';
import { orderedMap } from '../core/ordered-map.js';
import { describeBadRecord, isBadRecord, readInputs, type BadRecord, type RawDoc } from '../ingest/index.js';
import type { StagedTask } from '../shards/staging.js';
import type { TaskCompletion } from '../shardset/completions.js';
import { runTasks, type ReadyTask, type ResumePoint, type TaskSource } from '../shardset/run-tasks.js';
import type { PreprocessHooks, PreprocessSummary } from '../shardset/summary.js';
import { packTask } from '../../workers/protocol.js';
import type { PreprocessConfig } from './config.js';
import { groupIntoTasks, type TaskInput } from './group-tasks.js';
import { inputMeter } from './input-progress.js';
import type { PreparedRun } from './prepare-run.js';
import { createTaskRunner } from './task-runner.js';

function toCompletion(task: number, records: number, t: StagedTask, bad: BadRecord[]): TaskCompletion {
  const quarantined = bad.map(({ kind: _kind, ...rest }) => rest);
  return {
    task,
    records,
    documents: t.totals.documents,
    bytes: t.totals.bytes,
    tokens: t.totals.tokens,
    patches: t.totals.patches,
    quarantined,
  };
}

/** The inputs' tasks from `at.startTask` on, computed by the worker pool. */
async function inputTasks(c: PreprocessConfig, prepared: PreparedRun, at: ResumePoint, log: (m: string) => void) {
  const { files } = prepared;
  const skipDocs = at.done.reduce((a, d) => a + d.records, 0);
  if (at.startTask > 0) log(`resuming at task ${at.startTask} (${skipDocs} input records already done)`);

  const stream = readInputs(files, { ...c.read }, { skipDocs });
  const meter = await inputMeter(files);
  const readUpTo = new Map<number, number>(); // task → input bytes read once it was read
  const tasks = at.stoppable(groupIntoTasks(stream, c.docsPerTask, c.taskBytes, at.startTask), (t) =>
    readUpTo.set(t.index, meter.at(stream.getState())),
  );
  const runner = createTaskRunner(c.workers);
  const stage = { dir: c.out, encoding: at.writer.encoding };
  let engine: string | null = null;
  const process = async (t: TaskInput): Promise<{ t: TaskInput; staged: StagedTask }> => {
    const docs = t.records.filter((r): r is RawDoc => !isBadRecord(r));
    const message = await runner.run(
      packTask(
        t.index,
        c.process,
        docs.map((d) => ({ id: d.id, source: d.source, lang: d.lang, bytes: d.bytes })),
        stage,
      ),
    );
    engine ??= message.engine;
    return { t, staged: message.staged };
  };
  let lastRead = 0;
  async function* ready(): AsyncGenerator<ReadyTask> {
    for await (const { t, staged } of orderedMap(tasks, process, Math.max(2, c.workers * 2))) {
      const bad = t.records.filter(isBadRecord);
      if (bad.length > 0 && c.onError === 'fail') {
        throw new BltError(
          'BAD_INPUT',
          `Bad input record: ${describeBadRecord(bad[0] as BadRecord)}`,
          'fix the input, or run with --on-error quarantine to set such records aside in quarantine.jsonl',
        );
      }
      const read = readUpTo.get(t.index) ?? lastRead;
      readUpTo.delete(t.index);
      lastRead = read;
      yield {
        completion: toCompletion(t.index, t.records.length, staged, bad),
        rows: staged.rows,
        inputBytes: read,
        commit: (writer) => writer.addStagedTask(t.index, staged),
      };
    }
  }
  const totalBytes = files.every((f) => f.kind === 'text' && f.compression === 'none')
    ? files.reduce((a, f) => a + f.size, 0)
    : null;
  const source: TaskSource = {
    tasks: ready(),
    progress: { totalBytes, inputBytes: 0, inputStartBytes: null, inputTotalBytes: meter.total },
    close: () => runner.close(),
    engine: () => engine,
  };
  return source;
}

/** Computes `c.out` from the prepared inputs (entropy model, patching, hashing). */
export function computeShardSet(
  c: PreprocessConfig,
  prepared: PreparedRun,
  hooks: PreprocessHooks = {},
  t0 = performance.now(),
): Promise<PreprocessSummary> {
  const { inputs, fingerprints } = prepared;
  const log = hooks.log ?? (() => undefined);
  return runTasks({ c, inputs, fingerprints, hooks, t0 }, (at) => inputTasks(c, prepared, at, log));
}
