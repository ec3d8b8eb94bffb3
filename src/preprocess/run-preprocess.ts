/**
 * `blt preprocess`: inputs → tasks → worker pool (entropies, patches, n-gram ids) → ordered
 * reassembly → shard writer → manifest. Resumable and deterministic (DESIGN §8):
 *
 * - tasks are groups of input records fixed by the data, so output is identical for any worker
 *   count; in-flight work is bounded by `orderedMap`'s window (backpressure);
 * - each task's completion record is written, then the task is committed to the shard writer,
 *   whose `nextTask` is the truth about what is done; a killed run started again with the same
 *   command skips the records of finished tasks and continues, ending with identical shards;
 * - every input record is written or quarantined (documents read = written + quarantined);
 * - the manifest is written last; re-running a finished run is a no-op.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { orderedMap } from '../core/ordered-map.js';
import { packageVersion } from '../core/package-info.js';
import { describeBadRecord, isBadRecord, listInputs, partitionFiles, readInputs, type BadRecord, type RawDoc } from '../ingest/index.js';
import { ShardWriter } from '../shards/shard-writer.js';
import { buildManifest, readManifest, writeManifest, MANIFEST_FILE, type ManifestFingerprints, type ManifestShard } from '../shards/manifest.js';
import type { ShardColumnsSpec } from '../shards/schema.js';
import type { ShardDoc } from '../shards/row.js';
import { canonicalJson } from '../shards/fingerprint.js';
import { packTask, unpackResult } from '../../workers/protocol.js';
import { outputDefiningConfig, type PreprocessConfig } from './config.js';
import { groupIntoTasks, type TaskInput } from './group-tasks.js';
import { createTaskRunner } from './task-runner.js';
import { describeInputs, runFingerprints } from './fingerprints.js';
import { readCompletions, writeCompletion, type TaskCompletion } from './completions.js';
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
  /** total input bytes when known (files), for an ETA */
  totalBytes: number | null;
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
}

function columnsOf(c: PreprocessConfig): ShardColumnsSpec {
  const ng = c.process.ngrams;
  const ngramTables = [];
  if (ng) for (let f = 0; f < ng.functions; f++) for (const g of ng.sizes) ngramTables.push({ groupSize: g, hashFunction: f });
  return { entropies: c.process.entropy !== null, patchLengths: true, ngramTables };
}

/** Refuses to continue a run with other inputs or settings in the same directory. */
async function checkRunRecord(c: PreprocessConfig, fingerprints: ManifestFingerprints): Promise<void> {
  const record = canonicalJson({ config: outputDefiningConfig(c), fingerprints });
  const path = join(c.out, RUN_FILE);
  if (existsSync(path)) {
    const prev = await readFile(path, 'utf8');
    if (prev.trim() !== record) {
      throw new BltError('STATE_FORMAT', `${c.out} holds an unfinished run with other inputs or settings.`,
        'resume with exactly the same inputs and options, or write to a new --out directory (or delete this one)');
    }
    return;
  }
  await writeFileAtomic(path, `${record}\n`);
}

async function* stoppable(tasks: AsyncIterable<TaskInput>, shouldStop: () => boolean, stopped: { value: boolean }): AsyncGenerator<TaskInput> {
  for await (const t of tasks) {
    if (shouldStop()) {
      stopped.value = true;
      return;
    }
    yield t;
  }
}

function toCompletion(task: number, records: number, docs: ShardDoc[], bad: BadRecord[]): TaskCompletion {
  let bytes = 0;
  let tokens = 0;
  let patches = 0;
  for (const d of docs) {
    bytes += d.bytes.length;
    tokens += d.bytes.length + 2;
    patches += d.patchLengths?.length ?? 0;
  }
  const quarantined = bad.map(({ kind: _kind, ...rest }) => rest);
  return { task, records, documents: docs.length, bytes, tokens, patches, quarantined };
}

export async function runPreprocess(c: PreprocessConfig, hooks: PreprocessHooks = {}): Promise<PreprocessSummary> {
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  let files = await listInputs(c.inputs);
  if (c.partition.count > 1) files = partitionFiles(files, c.partition.count, c.partition.index);
  if (c.process.entropy) {
    const m = await entropyModelFingerprint(c.entropyModel ?? undefined);
    c.process.entropy.model = m.spec;
    c.process.entropy.fingerprint = m.fingerprint;
    const p = c.process.patching;
    if (p.mode === 'entropy' && !p.monotonicity && p.threshold === undefined) {
      const t = await resolveThreshold(undefined, m.spec);
      p.threshold = t.threshold;
      log(`entropy threshold ${t.threshold} (${t.source === 'model' ? "the model's calibrated threshold" : 'the reference default'}; set --threshold to change it)`);
    }
  }
  const inputs = await describeInputs(files);
  const fingerprints = runFingerprints(c, inputs);
  await mkdir(c.out, { recursive: true });

  const base = { out: c.out, workers: c.workers, fingerprints };
  if (existsSync(join(c.out, MANIFEST_FILE))) {
    const m = await readManifest(c.out);
    if (canonicalJson(m.fingerprints) !== canonicalJson(fingerprints)) {
      throw new BltError('STATE_FORMAT', `${c.out} already holds a complete shard set made from other inputs or settings.`, 'write to a new --out directory');
    }
    log(`${c.out} is already complete (${m.totals.documents} documents); nothing to do`);
    const t = m.totals;
    return { ...base, status: 'already-complete', documents: t.documents, bytes: t.bytes, tokens: t.tokens, patches: t.patches, meanPatchLength: t.patches ? t.tokens / t.patches : 0, quarantined: t.quarantined, tasks: 0, resumedFromTask: 0, shards: m.shards.length, engine: null, wallSeconds: (performance.now() - t0) / 1000, mbPerSecond: 0 };
  }
  await checkRunRecord(c, fingerprints);

  const writer = await ShardWriter.open({ dir: c.out, columns: columnsOf(c), format: c.format, shardSizeBytes: c.shardSizeBytes, rowGroupRows: c.rowGroupRows });
  const startTask = writer.nextTask;
  const done = await readCompletions(c.out, startTask);
  const skipDocs = done.reduce((a, d) => a + d.records, 0);
  if (startTask > 0) log(`resuming at task ${startTask} (${skipDocs} input records already done)`);

  const stream = readInputs(files, { ...c.read }, { skipDocs });
  const stopped = { value: false };
  const tasks = stoppable(groupIntoTasks(stream, c.docsPerTask, c.taskBytes, startTask), hooks.shouldStop ?? (() => false), stopped);
  const runner = createTaskRunner(c.workers);
  const totalBytes = files.every((f) => f.kind === 'text' && f.compression === 'none') ? files.reduce((a, f) => a + f.size, 0) : null;
  const progress: PreprocessProgress = { tasks: 0, documents: 0, quarantined: 0, bytes: 0, totalBytes };
  let engine: string | null = null;
  try {
    const process = async (t: TaskInput): Promise<{ t: TaskInput; docs: RawDoc[]; result: ReturnType<typeof unpackResult> }> => {
      const docs = t.records.filter((r): r is RawDoc => !isBadRecord(r));
      const message = await runner.run(packTask(t.index, c.process, docs.map((d) => d.bytes)));
      engine ??= message.engine;
      return { t, docs, result: unpackResult(message) };
    };
    for await (const { t, docs, result } of orderedMap(tasks, process, Math.max(2, c.workers * 2))) {
      const bad = t.records.filter(isBadRecord);
      if (bad.length > 0 && c.onError === 'fail') {
        throw new BltError('BAD_INPUT', `Bad input record: ${describeBadRecord(bad[0] as BadRecord)}`, 'fix the input, or run with --on-error quarantine to set such records aside in quarantine.jsonl');
      }
      const rows: ShardDoc[] = docs.map((d, i) => {
        const p = result[i] as (typeof result)[number];
        return { docId: d.id, source: d.source, lang: d.lang, bytes: d.bytes, entropies: p.entropies ?? undefined, patchLengths: p.patchLengths, ngramIds: p.ngramIds };
      });
      await writeCompletion(c.out, toCompletion(t.index, t.records.length, rows, bad));
      await writer.addTask(t.index, rows);
      progress.tasks++;
      progress.documents += rows.length;
      progress.quarantined += bad.length;
      progress.bytes += rows.reduce((a, r) => a + r.bytes.length, 0);
      hooks.progress?.({ ...progress });
    }
  } finally {
    await runner.close();
  }

  const wallSeconds = (performance.now() - t0) / 1000;
  const mbPerSecond = progress.bytes / 1e6 / Math.max(wallSeconds, 1e-9);
  if (stopped.value) {
    const s = writer.getState().totals;
    log(`stopped after task ${writer.nextTask - 1}; run the same command again to resume`);
    return { ...base, status: 'interrupted', ...s, meanPatchLength: s.patches ? s.tokens / s.patches : 0, quarantined: progress.quarantined, tasks: writer.nextTask, resumedFromTask: startTask, shards: writer.getState().shards.length, engine, wallSeconds, mbPerSecond };
  }

  await writer.finish();
  const state = writer.getState();
  const completions = await readCompletions(c.out, state.nextTask);
  const quarantined = completions.flatMap((d) => d.quarantined);
  await writeFileAtomic(join(c.out, QUARANTINE_FILE), quarantined.map((q) => JSON.stringify(q)).join('\n') + (quarantined.length ? '\n' : ''));
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
  return {
    ...base,
    status: 'done',
    documents: totals.documents,
    bytes: totals.bytes,
    tokens: totals.tokens,
    patches: totals.patches,
    meanPatchLength: totals.patches ? totals.tokens / totals.patches : 0,
    quarantined: totals.quarantined,
    tasks: state.nextTask,
    resumedFromTask: startTask,
    shards: shards.length,
    engine,
    wallSeconds,
    mbPerSecond,
  };
}
