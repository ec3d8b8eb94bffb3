/**
 * deriveShardSet: a new shard set from an existing one of the same inputs, computing only what
 * changed. Entropies are always taken from the source (no entropy model runs); patch lengths are
 * recomputed from them (`patchAndHash`, the function the preprocessing workers use); n-gram ids
 * are copied when their fingerprint matches, recomputed otherwise; text, ids and sources are
 * copied. Rows are **copied** into new shards, not referenced: the result is a self-contained
 * shard set, byte-identical to what `blt preprocess` writes with the target configuration.
 *
 * How identity is kept: the source's completion records say how many rows each task of the
 * original run wrote; the derived set feeds the same rows, task by task, to a ShardWriter with
 * the target's settings, writing each task's completion record before committing it, exactly as
 * `blt preprocess` does. Same tasks + same rows → same shards. The same contract makes it
 * resumable: a killed run continues at `writer.nextTask` (the rows of finished tasks are skipped),
 * and because a fresh preprocess and a derivation write identical tasks, either can resume the
 * other's directory.
 */
import { resolve } from 'node:path';
import { BltError } from '../core/errors.js';
import { encodeBytes } from '../bytes/tokenizer.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { ManifestFingerprints, ManifestInput } from '../shards/manifest.js';
import { readShardSet } from '../shards/reader.js';
import type { ShardDoc, ShardRow } from '../shards/row.js';
import { ngramColumnName } from '../shards/schema.js';
import type { NgramIdsOf } from '../shards/task-columns.js';
import { COLUMNWISE_SHARD_BYTES } from '../shards/verify-columnwise.js';
import { hashNgramIds } from '../patching/ngram-hash.js';
import type { PreprocessConfig } from '../preprocess/config.js';
import { patchAndHash } from '../preprocess/process-docs.js';
import type { ProcessSettings } from '../preprocess/settings.js';
import type { TaskCompletion } from '../shardset/completions.js';
import { columnsOf } from '../shardset/open-writer.js';
import { runTasks, type ReadyTask, type ResumePoint, type TaskSource } from '../shardset/run-tasks.js';
import type { PreprocessHooks, PreprocessSummary, ReusedColumns } from '../shardset/summary.js';
import type { SourceSet } from './source-set.js';
import { readAhead } from './read-ahead.js';

export interface DeriveTarget {
  /** the target's inputs as `describeInputs` lists them (equal to the source's) */
  inputs: ManifestInput[];
  fingerprints: ManifestFingerprints;
}

/** What a derivation takes from the source (true) and what it recomputes. */
export type DerivePlan = Omit<ReusedColumns, 'patches'>;

export const sameInputs = (a: readonly ManifestInput[], b: readonly ManifestInput[]): boolean =>
  canonicalJson(a.map(({ path, size, sha256 }) => ({ path, size, sha256 }))) ===
  canonicalJson(b.map(({ path, size, sha256 }) => ({ path, size, sha256 })));

/** What a source offers: its manifest's fingerprints and inputs. */
export interface SourceFacts {
  fingerprints: ManifestFingerprints;
  inputs: readonly ManifestInput[];
}

/**
 * Whether a set with these fingerprints and inputs can produce the target, and what it reuses;
 * null (with the reason) when it cannot: other inputs, or the target needs entropies the source
 * does not hold.
 */
export function derivePlan(
  source: SourceFacts,
  c: PreprocessConfig,
  target: DeriveTarget,
): { plan: DerivePlan | null; reason: string } {
  const fp = source.fingerprints;
  if (fp.content !== target.fingerprints.content || !sameInputs(source.inputs, target.inputs)) {
    return { plan: null, reason: 'it was made from other inputs (or read them with other settings)' };
  }
  if (c.process.entropy && fp.entropy !== target.fingerprints.entropy) {
    return {
      plan: null,
      reason:
        fp.entropy === undefined
          ? 'it holds no entropies (made in a non-entropy mode without --store-entropies)'
          : 'its entropies come from another entropy model or scoring scheme',
    };
  }
  return {
    plan: {
      entropies: c.process.entropy !== null,
      ngrams: c.process.ngrams !== null && fp.ngrams === target.fingerprints.ngrams,
    },
    reason: '',
  };
}

/** Source rows from task `startTask` on (the rows of earlier tasks are skipped). */
async function* rowsFrom(source: SourceSet, columns: string[], skip: number): AsyncGenerator<ShardRow> {
  let left = skip;
  for await (const row of readShardSet(source.dir, { columns })) {
    if (left > 0) left--;
    else yield row;
  }
}

/** Tasks read ahead of the writer (each holds one task's rows in memory). */
const READ_AHEAD_TASKS = 2;

interface DerivedTask {
  task: number;
  rows: ShardDoc[];
  completion: TaskCompletion;
}

/** The source's rows grouped into its tasks from `startTask` on, with the recomputed columns. */
async function* derivedTasks(
  source: SourceSet,
  startTask: number,
  rows: AsyncGenerator<ShardRow>,
  plan: DerivePlan,
  settings: ProcessSettings,
): AsyncGenerator<DerivedTask> {
  const tasks = source.completions;
  try {
    for (let t = startTask; t < tasks.length; t++) {
      const done = tasks[t] as TaskCompletion;
      const out: ShardDoc[] = [];
      let patches = 0;
      for (let i = 0; i < done.documents; i++) {
        const next = await rows.next();
        if (next.done)
          throw new BltError(
            'SHARD_FORMAT',
            `${source.dir} ended inside task ${t}: its completion records list more rows than its shards hold.`,
            'the set is damaged; rebuild it with `blt preprocess`',
          );
        const r = next.value;
        const entropies = plan.entropies ? (r.entropies ?? null) : null;
        const p = patchAndHash(encodeBytes(r.bytes), entropies, settings);
        patches += p.patchLengths.length;
        out.push({
          docId: r.docId,
          source: r.source,
          lang: r.lang,
          bytes: r.bytes,
          entropies: entropies ?? undefined,
          patchLengths: p.patchLengths,
          ngramIds: plan.ngrams ? r.ngramIds : p.ngramIds,
        });
      }
      yield { task: t, rows: out, completion: { ...done, patches } };
    }
    if (!(await rows.next()).done) {
      throw new BltError(
        'SHARD_FORMAT',
        `${source.dir} holds more rows than its completion records list.`,
        'the set is damaged; rebuild it with `blt preprocess`',
      );
    }
  } finally {
    await rows.return(undefined);
  }
}

/** The source's tasks from `at.startTask` on, read ahead of the writer, as tasks ready to commit. */
function sourceTasks(
  source: SourceSet,
  c: PreprocessConfig,
  plan: DerivePlan,
  at: ResumePoint,
  log: (m: string) => void,
): TaskSource {
  const { startTask } = at;
  const spec = columnsOf(c);
  // a source holding huge documents: reused n-gram ids are rehashed (identical: same settings, same
  // fingerprint) one table at a time by the encoder instead of read, which would hold all tables of a row
  const ng = c.process.ngrams;
  const rehash = plan.ngrams && ng !== null && source.manifest.shards.some((s) => s.bytes > COLUMNWISE_SHARD_BYTES);
  const read = [
    ...(plan.entropies ? ['entropies'] : []),
    ...(plan.ngrams && !rehash ? spec.ngramTables.map(ngramColumnName) : []),
  ];
  const idsOf =
    rehash && ng
      ? (rows: readonly ShardDoc[]): NgramIdsOf =>
          (row, table) => {
            const t = spec.ngramTables[table] as { groupSize: number; hashFunction: number };
            return hashNgramIds(encodeBytes((rows[row] as ShardDoc).bytes), t.groupSize, t.hashFunction, ng.vocab);
          }
      : undefined;
  const skip = source.completions.slice(0, startTask).reduce((a, t) => a + t.documents, 0);
  if (startTask > 0) log(`resuming at task ${startTask} (${skip} documents already done)`);
  // patching from the stored entropies; n-gram ids only when they are not reused
  const settings: ProcessSettings = { ...c.process, ngrams: plan.ngrams ? null : c.process.ngrams };
  const startBytes = source.completions.slice(0, startTask).reduce((a, t) => a + t.bytes, 0);
  const total = source.manifest.totals.bytes;
  const derived = readAhead(
    derivedTasks(source, startTask, rowsFrom(source, read, skip), plan, settings),
    READ_AHEAD_TASKS,
  );
  async function* ready(): AsyncGenerator<ReadyTask> {
    let bytes = 0;
    for await (const { task, rows, completion } of at.stoppable(derived)) {
      bytes += completion.bytes;
      yield {
        completion,
        rows: rows.length,
        inputBytes: startBytes + bytes,
        commit: (w) => w.addTask(task, rows, idsOf?.(rows)),
      };
    }
  }
  return {
    tasks: ready(),
    progress: { totalBytes: total, inputBytes: startBytes, inputStartBytes: startBytes, inputTotalBytes: total },
    close: async () => {
      await derived.return(undefined);
    },
    engine: () => null,
  };
}

/** Derives `c.out` from `source`. The caller checked the plan (`derivePlan`); this re-checks it. */
export async function deriveShardSet(
  source: SourceSet,
  c: PreprocessConfig,
  target: DeriveTarget,
  hooks: PreprocessHooks = {},
  t0 = performance.now(),
): Promise<PreprocessSummary> {
  const log = hooks.log ?? (() => undefined);
  const { plan, reason } = derivePlan(source.manifest, c, target);
  if (!plan)
    throw new BltError(
      'BAD_OPTION',
      `Cannot derive ${c.out} from ${source.dir}: ${reason}.`,
      'preprocess the inputs with `blt preprocess` instead',
    );
  if (resolve(c.out) === resolve(source.dir)) {
    throw new BltError(
      'BAD_OPTION',
      `Expected --out to be a new directory, got the source shard set ${source.dir} itself.`,
      'write the new boundaries to another directory',
    );
  }
  const { inputs, fingerprints } = target;
  const reused = { ...plan, patches: false };
  return runTasks({ c, inputs, fingerprints, hooks, t0, reused }, (at) => sourceTasks(source, c, plan, at, log));
}
