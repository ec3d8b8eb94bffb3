/**
 * `blt preprocess`: inputs → tasks → worker pool (entropies, patches, n-gram ids) → ordered
 * reassembly → shard writer → manifest. Resumable and deterministic (docs/design.md §8):
 *
 * - tasks are groups of input records fixed by the data, so output is identical for any worker
 *   count; in-flight work is bounded by `orderedMap`'s window (backpressure);
 * - each task's completion record is written, then the task is committed to the shard writer,
 *   whose `nextTask` is the truth about what is done; a killed run started again with the same
 *   command skips the records of finished tasks and continues, ending with identical shards;
 * - every input record is written or quarantined (documents read = written + quarantined);
 * - the manifest is written last; re-running a finished run is a no-op.
 *
 * The steps are exported (prepareRun, checkRunRecord, openRunWriter, finishRun, runSummary) so
 * that `blt repatch` and the cache (src/repatch, src/cache) build their shard sets through the
 * same task contract and end with the same files as a fresh run.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { orderedMap } from '../core/ordered-map.js';
import { packageVersion } from '../core/package-info.js';
import {
  describeBadRecord,
  isBadRecord,
  listInputs,
  partitionFiles,
  readInputs,
  type BadRecord,
  type InputFile,
  type RawDoc,
} from '../ingest/index.js';
import { ShardWriter } from '../shards/shard-writer.js';
import {
  buildManifest,
  readManifest,
  writeManifest,
  MANIFEST_FILE,
  type ManifestFingerprints,
  type ManifestInput,
  type ManifestShard,
  type ManifestTotals,
} from '../shards/manifest.js';
import type { ShardColumnsSpec } from '../shards/schema.js';
import type { StagedTask } from '../shards/staging.js';
import { canonicalJson } from '../shards/fingerprint.js';
import { packTask } from '../../workers/protocol.js';
import { outputDefiningConfig, type PreprocessConfig } from './config.js';
import { groupIntoTasks, type TaskInput } from './group-tasks.js';
import { createTaskRunner } from './task-runner.js';
import { describeInputs, runFingerprints } from './fingerprints.js';
import { CompletionWriter, readCompletion, readCompletions, type TaskCompletion } from './completions.js';
import { inputMeter } from './input-progress.js';
import { entropyModelFingerprint } from '../entropy/open-scorer.js';
import { resolveThreshold } from '../entropy/model-threshold.js';
import { existsSync } from 'node:fs';

export const RUN_FILE = 'run.json';
export const QUARANTINE_FILE = 'quarantine.jsonl';

export interface PreprocessProgress {
  tasks: number;
  documents: number;
  quarantined: number;
  /** input bytes of the documents done (this run) */
  bytes: number;
  /** total text bytes when known in advance (plain text files; repatch: the source set's) */
  totalBytes: number | null;
  /** input bytes on disk read up to the last committed task (the progress bar's value) */
  inputBytes: number;
  /** where this run started reading (> 0 on resume), for the rate and ETA */
  inputStartBytes: number;
  /** Σ input sizes on disk, null for stdin (the progress bar's total) */
  inputTotalBytes: number | null;
}

export interface PreprocessHooks {
  progress?: (p: PreprocessProgress) => void;
  log?: (message: string) => void;
  /** checked before each new task is started: true = finish the tasks in flight and stop */
  shouldStop?: () => boolean;
}

export interface PreprocessSummary {
  status: 'done' | 'already-complete' | 'interrupted';
  out: string;
  documents: number;
  bytes: number;
  tokens: number;
  patches: number;
  meanPatchLength: number;
  quarantined: number;
  tasks: number;
  resumedFromTask: number;
  shards: number;
  workers: number;
  engine: string | null;
  wallSeconds: number;
  /** input MB (10^6 bytes) per second processed by this run */
  mbPerSecond: number;
  fingerprints: ManifestFingerprints;
  /**
   * Which columns were taken from an earlier shard set instead of being computed (docs/reuse.md).
   * Always set by runPreprocess / runRepatch (optional only so that summaries built elsewhere,
   * e.g. test doubles, stay valid).
   */
  reused?: ReusedColumns;
  /** with a cache directory: the cached set reused (or null) and where this set is stored in the cache; null without one */
  cache?: { dir: string; from: string | null; stored: string | null } | null;
}

export interface ReusedColumns {
  entropies: boolean;
  ngrams: boolean;
  patches: boolean;
}

export const NOTHING_REUSED: ReusedColumns = Object.freeze({ entropies: false, ngrams: false, patches: false });

/** Inputs listed and hashed, the model's fingerprint and threshold resolved, the fingerprints computed. */
export interface PreparedRun {
  files: InputFile[];
  inputs: ManifestInput[];
  fingerprints: ManifestFingerprints;
}

export function columnsOf(c: PreprocessConfig): ShardColumnsSpec {
  const ng = c.process.ngrams;
  const ngramTables = [];
  if (ng)
    for (let f = 0; f < ng.functions; f++)
      for (const g of ng.sizes) ngramTables.push({ groupSize: g, hashFunction: f });
  return { entropies: c.process.entropy !== null, patchLengths: true, ngramTables };
}

/** Refuses to continue a run with other inputs or settings in the same directory; records the run otherwise. */
export async function checkRunRecord(c: PreprocessConfig, fingerprints: ManifestFingerprints): Promise<void> {
  const record = canonicalJson({ config: outputDefiningConfig(c), fingerprints });
  const path = join(c.out, RUN_FILE);
  if (existsSync(path)) {
    const prev = await readFile(path, 'utf8');
    if (prev.trim() !== record) {
      throw new BltError(
        'STATE_FORMAT',
        `${c.out} holds an unfinished run with other inputs or settings.`,
        'resume with exactly the same inputs and options, or write to a new --out directory (or delete this one)',
      );
    }
    return;
  }
  await writeFileAtomic(path, `${record}\n`);
}

/** Tasks until `shouldStop()`; `onTask` sees each task as it is read (the input cursor is right after it then). */
async function* stoppable(
  tasks: AsyncIterable<TaskInput>,
  shouldStop: () => boolean,
  stopped: { value: boolean },
  onTask: (t: TaskInput) => void = () => undefined,
): AsyncGenerator<TaskInput> {
  for await (const t of tasks) {
    if (shouldStop()) {
      stopped.value = true;
      return;
    }
    onTask(t);
    yield t;
  }
}

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

/**
 * Lists and hashes the inputs, resolves the entropy model's fingerprint and default threshold
 * (filling them into `c.process`), and computes the run's fingerprints.
 */
export async function prepareRun(
  c: PreprocessConfig,
  log: (m: string) => void = () => undefined,
): Promise<PreparedRun> {
  let files = await listInputs(c.inputs, {
    exclude: [c.out],
    onSkip: (s) =>
      log(
        `skipped ${s.path}: ${s.reason === 'output' ? "it is this run's output directory" : 'it is a shard set (an earlier output), not input text'}`,
      ),
  });
  if (c.partition.count > 1) files = partitionFiles(files, c.partition.count, c.partition.index);
  if (c.process.entropy) {
    const m = await entropyModelFingerprint(c.entropyModel ?? undefined);
    c.process.entropy.model = m.spec;
    c.process.entropy.fingerprint = m.fingerprint;
    const p = c.process.patching;
    if (p.mode === 'entropy' && !p.monotonicity && p.threshold === undefined) {
      const t = await resolveThreshold(undefined, m.spec);
      p.threshold = t.threshold;
      if (t.scriptThresholds) p.scriptThresholds = t.scriptThresholds;
      log(
        `entropy threshold ${t.threshold} (${t.source === 'model' ? "the model's calibrated threshold" : 'the reference default'}${
          t.scriptThresholds
            ? `; per script: ${Object.entries(t.scriptThresholds)
                .map(([k, v]) => `${k.slice(7)} ${v}`)
                .join(', ')}`
            : ''
        }; set --threshold to change it)`,
      );
    }
  }
  const inputs = await describeInputs(files);
  return { files, inputs, fingerprints: runFingerprints(c, inputs) };
}

const meanPatch = (t: { tokens: number; patches: number }): number => (t.patches ? t.tokens / t.patches : 0);

/**
 * When `c.out` already holds a complete set: the 'already-complete' summary if it was made from
 * these fingerprints, a STATE_FORMAT error if not. Null when the set is not complete.
 */
export async function completedSummary(
  c: PreprocessConfig,
  fingerprints: ManifestFingerprints,
  t0: number,
  log: (m: string) => void,
): Promise<PreprocessSummary | null> {
  if (!existsSync(join(c.out, MANIFEST_FILE))) return null;
  const m = await readManifest(c.out);
  if (canonicalJson(m.fingerprints) !== canonicalJson(fingerprints)) {
    throw new BltError(
      'STATE_FORMAT',
      `${c.out} already holds a complete shard set made from other inputs or settings.`,
      'write to a new --out directory',
    );
  }
  log(`${c.out} is already complete (${m.totals.documents} documents); nothing to do`);
  const t = m.totals;
  return {
    status: 'already-complete',
    out: c.out,
    documents: t.documents,
    bytes: t.bytes,
    tokens: t.tokens,
    patches: t.patches,
    meanPatchLength: meanPatch(t),
    quarantined: t.quarantined,
    tasks: 0,
    resumedFromTask: 0,
    shards: m.shards.length,
    workers: c.workers,
    engine: null,
    wallSeconds: (performance.now() - t0) / 1000,
    mbPerSecond: 0,
    fingerprints,
    reused: { ...NOTHING_REUSED },
    cache: null,
  };
}

/**
 * The shard writer of a run's output directory (fresh, or resumed from its saved state); it
 * fsyncs `completions` before each durable commit (once per shard).
 */
export function openRunWriter(c: PreprocessConfig, completions?: CompletionWriter): Promise<ShardWriter> {
  return ShardWriter.open({
    dir: c.out,
    columns: columnsOf(c),
    format: c.format,
    shardSizeBytes: c.shardSizeBytes,
    rowGroupRows: c.rowGroupRows,
    ...(completions ? { beforeDurableCommit: () => completions.sync() } : {}),
  });
}

/**
 * After the last task: closes the last shard, writes quarantine.jsonl (from the completion
 * records) and the manifest, removes the writer state. Shared by preprocessing and repatching,
 * so both end with the same files.
 */
export async function finishRun(
  c: PreprocessConfig,
  writer: ShardWriter,
  inputs: ManifestInput[],
  fingerprints: ManifestFingerprints,
): Promise<{ totals: ManifestTotals; shards: ManifestShard[]; tasks: number }> {
  await writer.finish();
  const state = writer.getState();
  const completions = await readCompletions(c.out, state.nextTask);
  const quarantined = completions.flatMap((d) => d.quarantined);
  await writeFileAtomic(
    join(c.out, QUARANTINE_FILE),
    quarantined.map((q) => JSON.stringify(q)).join('\n') + (quarantined.length ? '\n' : ''),
  );
  const totals = { ...state.totals, quarantined: quarantined.length };
  const shards: ManifestShard[] = state.shards;
  const manifest = buildManifest({
    tool: { name: 'blt-toolkit', version: packageVersion() },
    createdAt: new Date().toISOString(),
    config: JSON.parse(JSON.stringify(outputDefiningConfig(c))) as Record<string, unknown>,
    inputs,
    shards,
    totals,
    fingerprints,
  });
  await writeManifest(c.out, manifest);
  await writer.dispose();
  return { totals, shards, tasks: state.nextTask };
}

/** The summary of a run that stopped early (resumable) or finished. */
export function runSummary(
  c: PreprocessConfig,
  r: {
    status: 'done' | 'interrupted';
    totals: Omit<ManifestTotals, 'quarantined'>;
    quarantined: number;
    tasks: number;
    resumedFromTask: number;
    shards: number;
    engine: string | null;
    bytesThisRun: number;
    t0: number;
    fingerprints: ManifestFingerprints;
    reused?: ReusedColumns;
  },
): PreprocessSummary {
  const wallSeconds = (performance.now() - r.t0) / 1000;
  const t = r.totals;
  return {
    status: r.status,
    out: c.out,
    documents: t.documents,
    bytes: t.bytes,
    tokens: t.tokens,
    patches: t.patches,
    meanPatchLength: meanPatch(t),
    quarantined: r.quarantined,
    tasks: r.tasks,
    resumedFromTask: r.resumedFromTask,
    shards: r.shards,
    workers: c.workers,
    engine: r.engine,
    wallSeconds,
    mbPerSecond: r.bytesThisRun / 1e6 / Math.max(wallSeconds, 1e-9),
    fingerprints: r.fingerprints,
    reused: { ...(r.reused ?? NOTHING_REUSED) },
    cache: null,
  };
}

/**
 * Runs `blt preprocess`. With `c.cacheDir` the run goes through the cache (src/cache: reuse of
 * stored entropies and n-gram ids, docs/reuse.md); without it everything is computed here.
 */
export async function runPreprocess(c: PreprocessConfig, hooks: PreprocessHooks = {}): Promise<PreprocessSummary> {
  if (c.cacheDir !== null) {
    const { preprocessWithCache } = await import('../cache/preprocess-with-cache.js');
    return preprocessWithCache(c, hooks);
  }
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  return computeShardSet(c, await prepareRun(c, log), hooks, t0);
}

/** Preprocessing proper: every column computed from the inputs (entropy model, patching, hashing). */
export async function computeShardSet(
  c: PreprocessConfig,
  prepared: PreparedRun,
  hooks: PreprocessHooks = {},
  t0 = performance.now(),
): Promise<PreprocessSummary> {
  const log = hooks.log ?? (() => undefined);
  const { files, inputs, fingerprints } = prepared;
  await mkdir(c.out, { recursive: true });
  const complete = await completedSummary(c, fingerprints, t0, log);
  if (complete) return complete;
  await checkRunRecord(c, fingerprints);

  const completions = new CompletionWriter(c.out);
  const writer = await openRunWriter(c, completions);
  const done = await readRunCompletions(c.out, writer);
  const startTask = writer.nextTask;
  const skipDocs = done.reduce((a, d) => a + d.records, 0);
  if (startTask > 0) log(`resuming at task ${startTask} (${skipDocs} input records already done)`);

  const stream = readInputs(files, { ...c.read }, { skipDocs });
  const meter = await inputMeter(files);
  const readUpTo = new Map<number, number>(); // task → input bytes read once it was read
  const stopped = { value: false };
  const tasks = stoppable(
    groupIntoTasks(stream, c.docsPerTask, c.taskBytes, startTask),
    hooks.shouldStop ?? (() => false),
    stopped,
    (t) => readUpTo.set(t.index, meter.at(stream.getState())),
  );
  const runner = createTaskRunner(c.workers);
  const totalBytes = files.every((f) => f.kind === 'text' && f.compression === 'none')
    ? files.reduce((a, f) => a + f.size, 0)
    : null;
  const progress: PreprocessProgress = {
    tasks: 0,
    documents: 0,
    quarantined: 0,
    bytes: 0,
    totalBytes,
    inputBytes: 0,
    inputStartBytes: 0,
    inputTotalBytes: meter.total,
  };
  const stage = { dir: c.out, encoding: writer.encoding };
  let engine: string | null = null;
  try {
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
    for await (const { t, staged } of orderedMap(tasks, process, Math.max(2, c.workers * 2))) {
      const bad = t.records.filter(isBadRecord);
      if (bad.length > 0 && c.onError === 'fail') {
        throw new BltError(
          'BAD_INPUT',
          `Bad input record: ${describeBadRecord(bad[0] as BadRecord)}`,
          'fix the input, or run with --on-error quarantine to set such records aside in quarantine.jsonl',
        );
      }
      await completions.write(toCompletion(t.index, t.records.length, staged, bad));
      await writer.addStagedTask(t.index, staged);
      const read = readUpTo.get(t.index) ?? progress.inputBytes;
      readUpTo.delete(t.index);
      if (progress.tasks === 0) progress.inputStartBytes = read;
      progress.tasks++;
      progress.documents += staged.rows;
      progress.quarantined += bad.length;
      progress.bytes += staged.totals.bytes;
      progress.inputBytes = read;
      hooks.progress?.({ ...progress });
    }
  } finally {
    await runner.close();
  }

  const common = { resumedFromTask: startTask, engine, bytesThisRun: progress.bytes, t0, fingerprints };
  if (stopped.value) {
    const state = writer.getState();
    log(`stopped after task ${writer.nextTask - 1}; run the same command again to resume`);
    return runSummary(c, {
      ...common,
      status: 'interrupted',
      totals: state.totals,
      quarantined: progress.quarantined,
      tasks: state.nextTask,
      shards: state.shards.length,
    });
  }
  const r = await finishRun(c, writer, inputs, fingerprints);
  return runSummary(c, {
    ...common,
    status: 'done',
    totals: r.totals,
    quarantined: r.totals.quarantined,
    tasks: r.tasks,
    shards: r.shards.length,
  });
}
