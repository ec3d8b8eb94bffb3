/**
 * Runs one job: exactly what `blt preprocess` runs (`resolvePreprocessConfig` → `runPreprocess`)
 * on the job's options, with the paths checked against the roots again at start (a symlink may
 * have changed since submission). A job started again after an interruption resumes from the
 * completion records of its output directory, as `blt preprocess` does.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvePreprocessConfig, type PreprocessOptions } from '../preprocess/config.js';
import { COMPLETIONS_DIR, type TaskCompletion } from '../shardset/completions.js';
import { runPreprocess, type PreprocessProgress, type PreprocessSummary } from '../preprocess/run-preprocess.js';
import { checkJobInputs } from './job-request.js';
import type { JobProgress } from './job-record.js';
import type { PathGuard } from './path-guard.js';

export interface JobRunHooks {
  progress(p: JobProgress): void;
  log(message: string): void;
  /** true: finish the tasks in flight and stop (cancel, or server shutdown) */
  shouldStop(): boolean;
}

export type JobRunner = (options: PreprocessOptions, hooks: JobRunHooks) => Promise<PreprocessSummary>;

interface Done {
  tasks: number;
  documents: number;
  quarantined: number;
  bytes: number;
}

/** What earlier runs in `out` completed (from its completion records), for cumulative progress. */
async function previousWork(out: string): Promise<Done> {
  const done: Done = { tasks: 0, documents: 0, quarantined: 0, bytes: 0 };
  const dir = join(out, COMPLETIONS_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^task-\d+\.json$/.test(n))) {
    try {
      const c = JSON.parse(await readFile(join(dir, name), 'utf8')) as TaskCompletion;
      done.tasks++;
      done.documents += c.documents;
      done.quarantined += c.quarantined.length;
      done.bytes += c.bytes;
    } catch {
      // a record being replaced: progress is an estimate until the summary
    }
  }
  return done;
}

function jobProgress(p: PreprocessProgress, before: Done, elapsedSeconds: number): JobProgress {
  const bytes = before.bytes + p.bytes;
  const rate = elapsedSeconds > 0 && p.bytes > 0 ? p.bytes / 1e6 / elapsedSeconds : null;
  const total = p.totalBytes !== null && p.totalBytes > 0 ? p.totalBytes : null;
  return {
    tasks: before.tasks + p.tasks,
    documents: before.documents + p.documents,
    quarantined: before.quarantined + p.quarantined,
    bytes,
    totalBytes: total,
    fraction: total === null ? null : Math.min(1, bytes / total),
    runDocuments: p.documents,
    runBytes: p.bytes,
    mbPerSecond: rate,
    etaSeconds: total !== null && rate ? Math.max(0, (total - bytes) / 1e6 / rate) : null,
    elapsedSeconds,
  };
}

export function preprocessJobRunner(guard: PathGuard, serverModel: string | undefined): JobRunner {
  return async (options, hooks) => {
    await checkJobInputs(options, guard, serverModel);
    const config = resolvePreprocessConfig(options);
    const before = await previousWork(options.out);
    const t0 = performance.now();
    return runPreprocess(config, {
      log: hooks.log,
      shouldStop: hooks.shouldStop,
      progress: (p) => hooks.progress(jobProgress(p, before, (performance.now() - t0) / 1000)),
    });
  };
}
