/**
 * The job queue of `blt serve`: jobs start in submission order, at most `concurrency` at a time;
 * every state change is persisted (JobStore) before it is announced, so a restarted server finds
 * its queue again. A job found `running` at start-up was interrupted by a crash or kill: it is
 * queued again and its next run resumes from the completion records of its output directory.
 *
 * Cancel: a queued job is cancelled at once; a running one gets `shouldStop`, finishes the tasks
 * in flight (committed, so a resubmission resumes) and becomes `cancelled`. Shutdown: the same
 * stop for every running job, which is persisted as `queued` to resume at the next start.
 */
import { randomBytes } from 'node:crypto';
import { BltError } from '../core/errors.js';
import type { PreprocessOptions } from '../preprocess/config.js';
import { HttpError } from './http-error.js';
import {
  JOB_FORMAT,
  JOB_STATES,
  JOB_VERSION,
  isFinished,
  type JobProgress,
  type JobRecord,
  type JobState,
} from './job-record.js';
import type { JobStore } from './job-store.js';
import type { JobRunner } from './run-job.js';

export type JobListener = (job: JobRecord) => void;

export interface JobManagerOptions {
  store: JobStore;
  runner: JobRunner;
  /** jobs running at once (default 1) */
  concurrency: number;
  log?: (message: string) => void;
  /** how often a running job's progress is written to its record (ms; default 5000) */
  persistProgressMs?: number;
}

interface Running {
  promise: Promise<void>;
  lastPersist: number;
}

export class JobManager {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Map<string, Set<JobListener>>();
  private seq = 0;
  private stopping = false;
  private readonly log: (m: string) => void;
  /** input bytes and documents processed by jobs since the server started (metrics) */
  readonly totals = { bytes: 0, documents: 0 };

  constructor(private readonly o: JobManagerOptions) {
    this.log = o.log ?? (() => undefined);
  }

  /** Loads the persisted records, requeues interrupted jobs and starts the queue. */
  async start(): Promise<void> {
    for (const r of await this.o.store.load()) {
      this.seq = Math.max(this.seq, r.seq);
      if (r.state === 'running') {
        if (r.cancelRequested) {
          Object.assign(r, { state: 'cancelled' as JobState, finishedAt: new Date().toISOString() });
        } else {
          r.state = 'queued';
          this.log(`job ${r.id} was interrupted while running; queued again (it resumes from its completion records)`);
        }
        await this.o.store.save(r);
      }
      this.jobs.set(r.id, r);
    }
    this.pump();
  }

  get accepting(): boolean {
    return !this.stopping;
  }

  newId(): string {
    return `job-${randomBytes(6).toString('hex')}`;
  }

  /** Queues a job whose options were already checked. */
  async submit(id: string, options: PreprocessOptions): Promise<JobRecord> {
    if (this.stopping)
      throw new HttpError(
        503,
        'BACKEND_UNAVAILABLE',
        'The server is shutting down and accepts no new jobs.',
        'submit the job again once the server is back',
      );
    if (this.jobs.has(id)) throw new BltError('INTERNAL', `job id ${id} used twice`);
    const clash = [...this.jobs.values()].find((j) => !isFinished(j.state) && j.options.out === options.out);
    if (clash) {
      throw new HttpError(
        409,
        'STATE_FORMAT',
        `Job ${clash.id} (${clash.state}) already writes to ${options.out}.`,
        'wait for it to finish or cancel it, or choose another `out`',
      );
    }
    const r: JobRecord = {
      format: JOB_FORMAT,
      version: JOB_VERSION,
      id,
      seq: ++this.seq,
      state: 'queued',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      options,
      attempts: 0,
      cancelRequested: false,
      progress: null,
      summary: null,
      error: null,
    };
    await this.o.store.save(r);
    this.jobs.set(id, r);
    this.emit(r);
    this.pump();
    return r;
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  list(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => a.seq - b.seq);
  }

  countByState(): Record<JobState, number> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const j of this.jobs.values()) counts[j.state]++;
    return counts;
  }

  /** Live updates of one job; returns the unsubscribe function. */
  subscribe(id: string, fn: JobListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /**
   * Cancels a job. Queued: cancelled now. Running: asked to stop; waits up to `waitMs` for the
   * tasks in flight to be committed, then answers with the record as it is (state `cancelled`,
   * or still `running` with `cancelRequested` if it takes longer).
   */
  async cancel(id: string, waitMs = 10_000): Promise<JobRecord> {
    const r = this.jobs.get(id);
    if (!r) throw new BltError('NOT_FOUND', `No job ${id}.`);
    if (isFinished(r.state))
      throw new HttpError(409, 'STATE_FORMAT', `Job ${id} is already ${r.state}; there is nothing to cancel.`);
    if (r.state === 'queued') {
      await this.update(r, { state: 'cancelled', finishedAt: new Date().toISOString(), cancelRequested: true });
      return r;
    }
    await this.update(r, { cancelRequested: true });
    const run = this.running.get(id);
    if (run) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([run.promise, new Promise<void>((res) => (timer = setTimeout(res, waitMs)))]);
      clearTimeout(timer);
    }
    return r;
  }

  /** Stops starting jobs, asks running ones to stop after their tasks in flight, persists them as queued. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()].map((r) => r.promise));
    await this.o.store.flush();
  }

  private pump(): void {
    if (this.stopping) return;
    const queued = [...this.jobs.values()].filter((j) => j.state === 'queued').sort((a, b) => a.seq - b.seq);
    for (const job of queued) {
      if (this.running.size >= this.o.concurrency) break;
      const entry: Running = { promise: Promise.resolve(), lastPersist: 0 };
      this.running.set(job.id, entry);
      entry.promise = this.run(job, entry)
        .catch((err: unknown) => {
          // only a failure to persist the record gets here (the run's own errors make it `failed`)
          this.log(`job ${job.id}: ${err instanceof Error ? err.message : String(err)}`);
        })
        .finally(() => {
          this.running.delete(job.id);
          this.pump();
        });
    }
  }

  private async run(r: JobRecord, entry: Running): Promise<void> {
    const attempts = r.attempts + 1;
    await this.update(r, { state: 'running', startedAt: new Date().toISOString(), attempts, error: null });
    this.log(`job ${r.id}: started${attempts > 1 ? ` (attempt ${attempts}: resuming)` : ''}`);
    const last = { bytes: 0, documents: 0 };
    const onProgress = (p: JobProgress): void => {
      this.totals.bytes += Math.max(0, p.runBytes - last.bytes);
      this.totals.documents += Math.max(0, p.runDocuments - last.documents);
      last.bytes = p.runBytes;
      last.documents = p.runDocuments;
      r.progress = p;
      const now = Date.now();
      if (now - entry.lastPersist >= (this.o.persistProgressMs ?? 5000)) {
        entry.lastPersist = now;
        void this.o.store
          .save(r)
          .catch((err: Error) => this.log(`job ${r.id}: could not persist progress: ${err.message}`));
      }
      this.emit(r);
    };
    try {
      const summary = await this.o.runner(r.options, {
        progress: onProgress,
        log: (m) => this.log(`job ${r.id}: ${m}`),
        shouldStop: () => this.stopping || r.cancelRequested,
      });
      if (summary.status === 'interrupted') {
        if (r.cancelRequested) {
          await this.update(r, { state: 'cancelled', finishedAt: new Date().toISOString() });
          this.log(`job ${r.id}: cancelled after ${summary.tasks} task(s); resubmitting it resumes from there`);
        } else {
          await this.update(r, { state: 'queued' });
          this.log(`job ${r.id}: stopped for shutdown after ${summary.tasks} task(s); it resumes at the next start`);
        }
        return;
      }
      const p = r.progress;
      const progress: JobProgress = {
        tasks: summary.tasks,
        documents: summary.documents,
        quarantined: summary.quarantined,
        bytes: summary.bytes,
        totalBytes: p?.totalBytes ?? null,
        fraction: 1,
        runDocuments: p?.runDocuments ?? 0,
        runBytes: p?.runBytes ?? 0,
        mbPerSecond: summary.mbPerSecond,
        etaSeconds: 0,
        elapsedSeconds: summary.wallSeconds,
      };
      await this.update(r, { state: 'done', finishedAt: new Date().toISOString(), summary, progress });
      this.log(`job ${r.id}: done (${summary.status}), ${summary.documents} documents`);
    } catch (err) {
      const e =
        err instanceof BltError
          ? {
              code: err.code,
              message: err.hint ? err.message.slice(0, err.message.lastIndexOf('\n  hint: ')) : err.message,
              ...(err.hint ? { hint: err.hint } : {}),
            }
          : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
      await this.update(r, { state: 'failed', finishedAt: new Date().toISOString(), error: e });
      this.log(`job ${r.id}: failed: ${e.message}`);
    }
  }

  private async update(r: JobRecord, patch: Partial<JobRecord>): Promise<void> {
    Object.assign(r, patch);
    await this.o.store.save(r);
    this.emit(r);
  }

  private emit(r: JobRecord): void {
    for (const fn of this.listeners.get(r.id) ?? []) {
      try {
        fn(r);
      } catch (err) {
        this.log(`job ${r.id}: a listener failed: ${(err as Error).message}`);
      }
    }
  }
}
