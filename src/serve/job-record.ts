/**
 * A preprocessing job of the server, as persisted (`<cache-dir>/jobs/<id>.json`, written
 * atomically) and as answered by `GET /v1/jobs/:id`.
 */
import { defineState, type FieldReader } from '../core/state.js';
import type { PreprocessOptions } from '../preprocess/config.js';
import type { PreprocessSummary } from '../preprocess/run-preprocess.js';

export const JOB_FORMAT = 'blt-serve-job';
export const JOB_VERSION = 1;

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

const ID = /^job-[0-9a-f]{12}$/;

export const isJobId = (id: string): boolean => ID.test(id);

export const isFinished = (s: JobState): boolean => s === 'done' || s === 'failed' || s === 'cancelled';

export interface JobProgress {
  /** tasks, documents, quarantined records and input bytes done (earlier runs of the job included) */
  tasks: number;
  documents: number;
  quarantined: number;
  bytes: number;
  /** total input bytes when known (uncompressed plain text), else null */
  totalBytes: number | null;
  /** bytes / totalBytes when known */
  fraction: number | null;
  /** documents and input bytes of the current run alone */
  runDocuments: number;
  runBytes: number;
  /** input MB (10^6 bytes) per second of the current run */
  mbPerSecond: number | null;
  /** seconds left at the current rate, when the total is known */
  etaSeconds: number | null;
  /** seconds since the current run started */
  elapsedSeconds: number;
}

export interface JobError {
  code: string;
  message: string;
  hint?: string;
}

export interface JobRecord {
  format: typeof JOB_FORMAT;
  version: typeof JOB_VERSION;
  id: string;
  /** submission order (queued jobs start in this order) */
  seq: number;
  state: JobState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** the `blt preprocess` options of the job, inputs and out as absolute paths */
  options: PreprocessOptions;
  /** times the job was started (a run interrupted by a restart or shutdown is started again) */
  attempts: number;
  cancelRequested: boolean;
  progress: JobProgress | null;
  /** the run's summary (as `blt preprocess --json`) when done */
  summary: PreprocessSummary | null;
  error: JobError | null;
}

const nullableObject = (r: FieldReader, key: string): void => {
  if (r.o[key] !== null) r.object(key);
};

/** A job record as a state of the contract (src/core/state.ts), tagged `format`/`version` as it always was. */
export const jobRecordCodec = defineState<JobRecord>({
  kind: JOB_FORMAT,
  version: JOB_VERSION,
  label: 'job record',
  tagKeys: { kind: 'format', version: 'version' },
  fields: [
    'id',
    'seq',
    'state',
    'createdAt',
    'startedAt',
    'finishedAt',
    'options',
    'attempts',
    'cancelRequested',
    'progress',
    'summary',
    'error',
  ],
  hint: 'the record is moved aside; submit the job again',
  check(r) {
    if (!isJobId(r.string('id'))) r.expected('id', 'a job id (job-<12 hex digits>)');
    r.count('seq');
    if (!(JOB_STATES as readonly string[]).includes(r.string('state')))
      r.expected('state', `one of ${JOB_STATES.join(', ')}`);
    r.string('createdAt');
    r.nullableString('startedAt');
    r.nullableString('finishedAt');
    if (
      !r
        .sub('options')
        .array('inputs')
        .every((x) => typeof x === 'string')
    )
      r.expected('options', 'preprocess options with inputs (an array of paths)');
    r.count('attempts');
    r.bool('cancelRequested');
    for (const k of ['progress', 'summary', 'error']) nullableObject(r, k);
    return r.o as unknown as JobRecord;
  },
});
