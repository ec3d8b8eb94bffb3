import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BltError } from '../../../src/core/errors.js';
import { resolvePreprocessConfig, type PreprocessConfig } from '../../../src/preprocess/config.js';
import { readManifest, type ManifestFingerprints } from '../../../src/shards/manifest.js';
import type { ShardDoc } from '../../../src/shards/row.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';
import { readCompletions, type TaskCompletion } from '../../../src/shardset/completions.js';
import { QUARANTINE_FILE } from '../../../src/shardset/finish.js';
import { columnsOf } from '../../../src/shardset/open-writer.js';
import { RUN_FILE } from '../../../src/shardset/run-record.js';
import { runTasks, type ReadyTask, type ResumePoint, type TaskSource } from '../../../src/shardset/run-tasks.js';
import type { PreprocessHooks, PreprocessProgress } from '../../../src/shardset/summary.js';

const N_TASKS = 9;
const FP: ManifestFingerprints = { content: 'a'.repeat(64), patches: 'b'.repeat(64) };
const INPUTS = [{ path: 'in.jsonl', size: 1234, sha256: 'c'.repeat(64) }];

const root = mkdtempSync(join(tmpdir(), 'blt-shardset-'));
after(() => rm(root, { recursive: true, force: true }));
let dirs = 0;

function config(): PreprocessConfig {
  const out = join(root, `d${dirs++}`);
  // small shards so that the tasks span several shard files
  return resolvePreprocessConfig({ inputs: ['in.jsonl'], out, mode: 'space', ngramIds: false, shardSizeBytes: 600 });
}

/** Task t: 1..3 synthetic rows; task 4 also quarantined one input record. */
function taskRows(c: PreprocessConfig, t: number): ShardDoc[] {
  return syntheticRows(100 + t, 1 + (t % 3), columnsOf(c), { meanBytes: 50 }).map((r, i) => ({
    ...r,
    docId: `t${t}-${i}`,
  }));
}

function completionOf(t: number, rows: ShardDoc[]): TaskCompletion {
  const bytes = rows.reduce((a, r) => a + r.bytes.length, 0);
  const patches = rows.reduce((a, r) => a + (r.patchLengths?.length ?? 0), 0);
  const quarantined = t === 4 ? [{ file: 'in.jsonl', line: 17, reason: 'invalid JSON' }] : [];
  return {
    task: t,
    records: rows.length + quarantined.length,
    documents: rows.length,
    bytes,
    tokens: bytes + 2 * rows.length,
    patches,
    quarantined,
  };
}

interface Seen {
  points: Array<Omit<ResumePoint, 'writer' | 'stoppable'>>;
  closed: number;
}

/** A source of N_TASKS synthetic tasks, stop checked before each commit (as repatch does). */
function source(c: PreprocessConfig, seen: Seen, failAt = -1): (at: ResumePoint) => TaskSource {
  return (at) => {
    seen.points.push({ startTask: at.startTask, done: at.done });
    async function* planned(): AsyncGenerator<number> {
      for (let t = at.startTask; t < N_TASKS; t++) yield t;
    }
    async function* ready(): AsyncGenerator<ReadyTask> {
      let read = 1000 * at.startTask;
      for await (const t of at.stoppable(planned())) {
        const rows = taskRows(c, t);
        read += 1000;
        yield {
          completion: completionOf(t, rows),
          rows: rows.length,
          inputBytes: read,
          commit: async (w) => {
            if (t === failAt) throw new Error(`commit of task ${t} failed`);
            return w.addTask(t, rows);
          },
        };
      }
    }
    return {
      tasks: ready(),
      progress: { totalBytes: null, inputBytes: 1000 * at.startTask, inputStartBytes: null, inputTotalBytes: 9000 },
      close: async () => {
        seen.closed++;
      },
      engine: () => 'test-engine',
    };
  };
}

const run = (c: PreprocessConfig, hooks: PreprocessHooks = {}, fingerprints = FP) => ({
  c,
  inputs: INPUTS,
  fingerprints,
  hooks,
  t0: performance.now(),
});

/** Every file of a finished set (the manifest without `createdAt`). */
async function setFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    if (name === 'completions') continue;
    const bytes = await readFile(path);
    out.set(
      name,
      name === 'index.json' ? bytes.toString().replace(/"createdAt": "[^"]*",\n/, '') : bytes.toString('hex'),
    );
  }
  return out;
}

describe('shardset: runTasks', () => {
  it('runs every task once: completion records, quarantine, manifest last, progress totals and summary', async () => {
    const c = config();
    const seen: Seen = { points: [], closed: 0 };
    const progress: PreprocessProgress[] = [];
    const s = await runTasks(run(c, { progress: (p) => progress.push(p) }), source(c, seen));

    const all = Array.from({ length: N_TASKS }, (_, t) => completionOf(t, taskRows(c, t)));
    const documents = all.reduce((a, d) => a + d.documents, 0);
    const bytes = all.reduce((a, d) => a + d.bytes, 0);
    assert.deepEqual(seen.points, [{ startTask: 0, done: [] }]);
    assert.equal(seen.closed, 1);
    assert.equal(progress.length, N_TASKS);
    assert.deepEqual(progress.at(-1), {
      tasks: N_TASKS,
      documents,
      quarantined: 1,
      bytes,
      totalBytes: null,
      inputBytes: 9000,
      inputStartBytes: 1000, // null up front: the first committed task's inputBytes
      inputTotalBytes: 9000,
    });
    assert.deepEqual(
      progress.map((p) => p.tasks),
      Array.from({ length: N_TASKS }, (_, i) => i + 1),
    );

    const m = await readManifest(c.out);
    assert.equal(s.status, 'done');
    assert.equal(s.out, c.out);
    assert.equal(s.tasks, N_TASKS);
    assert.equal(s.resumedFromTask, 0);
    assert.equal(s.documents, documents);
    assert.equal(s.documents, m.totals.documents);
    assert.equal(s.bytes, m.totals.bytes);
    assert.equal(s.quarantined, 1);
    assert.equal(m.totals.quarantined, 1);
    assert.equal(s.shards, m.shards.length);
    assert.ok(m.shards.length > 1, `expected several shards, got ${m.shards.length}`);
    assert.equal(s.engine, 'test-engine');
    assert.equal(s.meanPatchLength, m.totals.tokens / m.totals.patches);
    assert.deepEqual(s.reused, { entropies: false, ngrams: false, patches: false });
    assert.deepEqual(s.fingerprints, FP);
    assert.deepEqual(m.inputs, INPUTS);
    assert.deepEqual(await readCompletions(c.out, N_TASKS), all);
    const q = (await readFile(join(c.out, QUARANTINE_FILE), 'utf8')).trim().split('\n');
    assert.deepEqual(
      q.map((l) => JSON.parse(l) as unknown),
      all.flatMap((d) => d.quarantined),
    );
    assert.ok(existsSync(join(c.out, RUN_FILE)));
  });

  for (const stopAfter of [0, 1, 4, 8]) {
    it(`stopped after ${stopAfter} task(s) and resumed: the same set as one run`, async () => {
      const one = config();
      await runTasks(run(one), source(one, { points: [], closed: 0 }));

      const c = { ...config() };
      const seen: Seen = { points: [], closed: 0 };
      let committed = 0;
      const first = await runTasks(
        run(c, { progress: () => committed++, shouldStop: () => committed >= stopAfter }),
        source(c, seen),
      );
      assert.equal(first.status, 'interrupted');
      assert.equal(first.tasks, stopAfter);
      assert.equal(first.quarantined, stopAfter > 4 ? 1 : 0);
      assert.ok(!existsSync(join(c.out, 'index.json')), 'no manifest before the last task');
      assert.equal(seen.closed, 1, 'the source is closed when the run stops');

      const progress: PreprocessProgress[] = [];
      const second = await runTasks(run(c, { progress: (p) => progress.push(p) }), source(c, seen));
      assert.equal(second.status, 'done');
      assert.equal(second.resumedFromTask, stopAfter);
      assert.equal(second.tasks, N_TASKS);
      assert.equal(seen.points[1]?.startTask, stopAfter);
      assert.deepEqual(seen.points[1]?.done, await readCompletions(c.out, stopAfter));
      assert.equal(progress.length, N_TASKS - stopAfter, 'only the remaining tasks run');
      assert.equal(progress[0]?.inputStartBytes, 1000 * (stopAfter + 1));

      const a = await setFiles(one.out);
      const b = await setFiles(c.out);
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [name, content] of a) {
        if (name === 'index.json') continue; // holds the directory-independent config; compared below
        assert.equal(b.get(name), content, `${name} differs from the uninterrupted run's`);
      }
      const [ma, mb] = [await readManifest(one.out), await readManifest(c.out)];
      assert.deepEqual(mb.shards, ma.shards);
      assert.deepEqual(mb.totals, ma.totals);
    });
  }

  it('a complete set is a no-op for the same fingerprints and an error for others', async () => {
    const c = config();
    await runTasks(run(c), source(c, { points: [], closed: 0 }));
    const seen: Seen = { points: [], closed: 0 };
    const again = await runTasks(run(c), source(c, seen));
    assert.equal(again.status, 'already-complete');
    assert.equal(again.tasks, 0);
    assert.equal(again.mbPerSecond, 0);
    assert.equal(seen.points.length, 0, 'the source is not opened');
    await assert.rejects(
      runTasks(run(c, {}, { ...FP, patches: 'd'.repeat(64) }), source(c, seen)),
      (e: BltError) => e.code === 'STATE_FORMAT' && /already holds a complete shard set/.test(e.message),
    );
  });

  it('refuses to resume an unfinished run with other fingerprints (run.json)', async () => {
    const c = config();
    const stopped = await runTasks(run(c, { shouldStop: () => true }), source(c, { points: [], closed: 0 }));
    assert.equal(stopped.status, 'interrupted');
    assert.equal(stopped.tasks, 0);
    await assert.rejects(
      runTasks(run(c, {}, { ...FP, patches: 'd'.repeat(64) }), source(c, { points: [], closed: 0 })),
      (e: BltError) => e.code === 'STATE_FORMAT' && /unfinished run with other inputs/.test(e.message),
    );
  });

  it('a failing commit closes the source and leaves a resumable directory', async () => {
    const c = config();
    const seen: Seen = { points: [], closed: 0 };
    await assert.rejects(runTasks(run(c), source(c, seen, 5)), /commit of task 5 failed/);
    assert.equal(seen.closed, 1);
    const s = await runTasks(run(c), source(c, seen));
    assert.equal(s.status, 'done');
    assert.ok((seen.points[1]?.startTask ?? -1) <= 5);
    const one = config();
    await runTasks(run(one), source(one, { points: [], closed: 0 }));
    assert.deepEqual((await readManifest(c.out)).shards, (await readManifest(one.out)).shards);
  });
});
