import assert from 'node:assert/strict';
import { openAsBlob } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as pw from 'parquet-wasm';
import type { BltError } from '../../../src/core/errors.js';
import { buildManifest, writeManifest } from '../../../src/shards/manifest.js';
import { fingerprint } from '../../../src/shards/fingerprint.js';
import { readShardRows, readShardSet } from '../../../src/shards/reader.js';
import type { ShardDoc, ShardRow } from '../../../src/shards/row.js';
import type { ShardColumnsSpec } from '../../../src/shards/schema.js';
import { ShardWriter, type ShardWriterOptions } from '../../../src/shards/shard-writer.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';
import type { ShardFileFormat, ShardRecord } from '../../../src/shards/writer-state.js';

const SPEC: ShardColumnsSpec = {
  entropies: true,
  patchLengths: true,
  ngramTables: [
    { groupSize: 3, hashFunction: 0 },
    { groupSize: 4, hashFunction: 0 },
  ],
};
const FORMATS: ShardFileFormat[] = ['parquet', 'arrow'];

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'blt-shards-writer-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});
let dirCount = 0;
const freshDir = (): string => join(root, `d${dirCount++}`);

/** Tasks of small synthetic rows; doc ids name their task: `t<task>-<i>`. */
function makeTasks(nTasks: number, seed: number): ShardDoc[][] {
  return Array.from({ length: nTasks }, (_, t) =>
    syntheticRows(seed + t, t % 7 === 3 ? 0 : 1 + (t % 4), SPEC, { meanBytes: 60 }).map((r, i) => ({
      ...r,
      docId: `t${t}-${i}`,
    })),
  );
}

async function writeAll(
  opts: ShardWriterOptions,
  tasks: ShardDoc[][],
): Promise<{ shards: ShardRecord[]; writer: ShardWriter }> {
  const writer = await ShardWriter.open(opts);
  for (let t = writer.nextTask; t < tasks.length; t++) await writer.addTask(t, tasks[t] as ShardDoc[]);
  return { shards: await writer.finish(), writer };
}

async function withManifest(dir: string, writer: ShardWriter, shards: ShardRecord[]): Promise<void> {
  const totals = { ...writer.getState().totals, quarantined: 0 };
  await writeManifest(
    dir,
    buildManifest({
      config: { test: true },
      inputs: [],
      shards,
      totals,
      fingerprints: { content: fingerprint(['test']) },
    }),
  );
}

const expected = (rows: readonly ShardDoc[]): ShardRow[] => rows.map((r) => ({ ...r, nTokens: r.bytes.length + 2 }));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Copies views into fresh typed arrays (the reader's views keep whole buffers alive). */
const plain = (rows: ShardRow[]): ShardRow[] => rows.map((r) => structuredClone(r));

async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('shard-')).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as [string, Buffer])));
}

describe('shards: ShardWriter round trip', function () {
  this.timeout(300_000);
  const edgeRows = (): ShardDoc[] => {
    const rows = syntheticRows(7, 30, SPEC, { meanBytes: 300, emptyFraction: 0.2 });
    const enc = new TextEncoder();
    const special: ShardDoc[] = [
      { docId: 'empty', source: 'edge', bytes: new Uint8Array(0) },
      { docId: 'invalid-utf8', source: 'edge', bytes: Uint8Array.of(0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x00) },
      {
        docId: 'многоязычный 文档 🙂',
        source: 'edge/ü.jsonl',
        lang: 'mul',
        bytes: enc.encode('Ἐν ἀρχῇ ἦν ὁ λόγος · 道可道，非常道 · مرحبا · 👩‍👩‍👧\r\n'),
      },
      { docId: 'long', source: 'edge', lang: 'en', bytes: new Uint8Array(49_998).map((_, i) => 32 + (i % 90)) },
    ];
    return [...rows, ...special].map((r) => fillColumns(r));
  };
  /** Adds valid entropies / patches / n-grams to rows that have none. */
  function fillColumns(r: ShardDoc): ShardDoc {
    if (r.entropies) return r;
    const n = r.bytes.length + 2;
    const patch: number[] = [];
    for (let left = n; left > 0; left -= Math.min(left, 5)) patch.push(Math.min(left, 5));
    return {
      ...r,
      entropies: Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) + 2)),
      patchLengths: Int32Array.from(patch),
      ngramIds: SPEC.ngramTables.map((_, k) => Int32Array.from({ length: n }, (_, i) => (i * 7919 + k) % 500_002)),
    };
  }

  for (const format of FORMATS) {
    it(`${format}: random rows, empty documents, invalid UTF-8, multilingual text and a 50k-element list read back deep-equal`, async () => {
      const rows = edgeRows();
      assert.equal(rows.at(-1)?.entropies?.length, 50_000);
      const dir = freshDir();
      const tasks = [rows.slice(0, 10), [], rows.slice(10, 25), rows.slice(25)];
      const { shards, writer } = await writeAll({ dir, columns: SPEC, format, rowGroupRows: 7 }, tasks);
      assert.equal(shards.length, 1);
      assert.deepEqual(
        { ...shards[0], sha256: undefined, bytes: undefined },
        {
          file: `shard-00000.${format}`,
          rows: rows.length,
          firstDoc: rows[0]?.docId,
          lastDoc: 'long',
          firstTask: 0,
          lastTask: 3,
          sha256: undefined,
          bytes: undefined,
        },
      );
      await withManifest(dir, writer, shards);
      assert.deepStrictEqual(plain(await collect(readShardSet(dir))), expected(rows));
      assert.deepStrictEqual(plain(await collect(readShardRows(join(dir, shards[0]!.file)))), expected(rows));
      await writer.dispose();
      assert.deepEqual((await readdir(dir)).sort(), ['index.json', `shard-00000.${format}`]);
    });
  }

  it('space mode without n-grams: only the columns of the run', async () => {
    const spec: ShardColumnsSpec = { entropies: false, patchLengths: true, ngramTables: [] };
    const rows = syntheticRows(3, 12, spec);
    const dir = freshDir();
    const { shards, writer } = await writeAll({ dir, columns: spec }, [rows]);
    await withManifest(dir, writer, shards);
    const back = plain(await collect(readShardSet(dir)));
    assert.deepStrictEqual(back, expected(rows));
    assert.ok(back.every((r) => r.entropies === undefined && r.ngramIds === undefined));
  });

  it('columns: reads only the selected optional columns', async () => {
    const rows = syntheticRows(4, 9, SPEC);
    for (const format of FORMATS) {
      const dir = freshDir();
      const { shards, writer } = await writeAll({ dir, columns: SPEC, format }, [rows]);
      await withManifest(dir, writer, shards);
      const back = plain(await collect(readShardSet(dir, { columns: ['patch_lengths', 'ngram_ids_4_0'] })));
      assert.deepStrictEqual(
        back,
        expected(rows).map(({ entropies: _e, ngramIds, ...r }) => ({ ...r, ngramIds: [ngramIds![1]!] })),
      );
      await assert.rejects(
        collect(readShardSet(dir, { columns: ['entropy'] })),
        (e: BltError) => e.code === 'BAD_OPTION' && /got entropy; it has doc_id, .*entropies/.test(e.message),
      );
    }
  });

  it('rejects rows that break the invariants, tasks out of order, and overlapping calls', async () => {
    const dir = freshDir();
    const w = await ShardWriter.open({ dir, columns: SPEC });
    const [row] = syntheticRows(1, 1, SPEC);
    await assert.rejects(
      w.addTask(1, []),
      (e: BltError) => e.code === 'BAD_OPTION' && /Expected task 0 .*got task 1/.test(e.message),
    );
    await assert.rejects(
      w.addTask(0, [{ ...row!, entropies: new Float32Array(1) }]),
      (e: BltError) => e.code === 'BAD_INPUT' && /task 0 row 0 .*entropies has 1 values/.test(e.message),
    );
    const first = w.addTask(0, [row!]);
    await assert.rejects(w.addTask(1, []), (e: BltError) => /must not overlap/.test(e.message));
    await first;
    assert.equal(w.nextTask, 1);
    await assert.rejects(
      ShardWriter.open({ dir, columns: SPEC, rowGroupRows: 5 }),
      (e: BltError) => e.code === 'STATE_FORMAT' && /rowGroupRows: saved 10000, now 5/.test(e.message),
    );
    await assert.rejects(
      ShardWriter.open({ dir, columns: SPEC, format: 'csv' as ShardFileFormat }),
      (e: BltError) => e.code === 'BAD_OPTION',
    );
  });
});

describe('shards: rolling shards of whole tasks', function () {
  this.timeout(300_000);
  for (const format of FORMATS) {
    it(`${format}: a small shardSizeBytes gives several shards; each closes after the task that reaches the size, row groups ≤ rowGroupRows`, async () => {
      const tasks = makeTasks(40, 100);
      const dir = freshDir();
      const shardSizeBytes = 6_000;
      const { shards, writer } = await writeAll({ dir, columns: SPEC, format, shardSizeBytes, rowGroupRows: 3 }, tasks);
      assert.ok(shards.length >= 4, `got ${shards.length} shards`);
      await withManifest(dir, writer, shards);
      // tasks: contiguous, no task split, in order
      let nextTask = 0;
      for (const s of shards) {
        assert.equal(s.firstTask, nextTask);
        nextTask = s.lastTask + 1;
        const rows = await collect(readShardRows(join(dir, s.file)));
        assert.equal(rows.length, s.rows);
        const taskIds = new Set(rows.map((r) => Number(/^t(\d+)-/.exec(r.docId)?.[1])));
        for (const t of taskIds) assert.ok(t >= s.firstTask && t <= s.lastTask);
        const inShard = tasks.slice(s.firstTask, s.lastTask + 1).flat();
        assert.deepEqual(
          rows.map((r) => r.docId),
          inShard.map((r) => r.docId),
          'a shard holds its tasks whole',
        );
      }
      assert.equal(nextTask, tasks.length);
      // size rule: every closed shard reached the size only with its last task
      const { rowColumnBytes } = await import('../../../src/shards/row.js');
      const taskBytes = tasks.map((rows) => rows.reduce((a, r) => a + rowColumnBytes(r), 0));
      for (const s of shards.slice(0, -1)) {
        const before = taskBytes.slice(s.firstTask, s.lastTask).reduce((a, b) => a + b, 0);
        assert.ok(before < shardSizeBytes && before + (taskBytes[s.lastTask] as number) >= shardSizeBytes);
      }
      if (format === 'parquet') {
        for (const s of shards) {
          const f = await pw.ParquetFile.fromFile(await openAsBlob(join(dir, s.file)));
          const groups = f
            .metadata()
            .rowGroups()
            .map((g) => g.numRows());
          assert.ok(groups.every((n) => n <= 3));
          assert.equal(
            groups.reduce((a, b) => a + b, 0),
            s.rows,
          );
          assert.equal(f.metadata().fileMetadata().createdBy(), 'blt-toolkit shards v1 (parquet-wasm)');
          f.free();
        }
      }
      assert.deepStrictEqual(plain(await collect(readShardSet(dir))), expected(tasks.flat()));
    });
  }
});

describe('shards: determinism and resume', function () {
  this.timeout(600_000);
  const tasks = makeTasks(24, 500);
  const opts = (dir: string, format: ShardFileFormat): ShardWriterOptions => ({
    dir,
    columns: SPEC,
    format,
    shardSizeBytes: 5_000,
    rowGroupRows: 4,
  });
  const reference = new Map<ShardFileFormat, { shards: ShardRecord[]; files: Map<string, Buffer> }>();

  for (const format of FORMATS) {
    it(`${format}: two writes of the same tasks give byte-identical shards`, async () => {
      const a = freshDir();
      const b = freshDir();
      const ra = await writeAll(opts(a, format), tasks);
      const rb = await writeAll(opts(b, format), tasks);
      assert.ok(ra.shards.length >= 3);
      assert.deepEqual(rb.shards, ra.shards);
      assert.deepEqual(await filesOf(b), await filesOf(a));
      reference.set(format, { shards: ra.shards, files: await filesOf(a) });
    });

    it(`${format}: a run interrupted after any task k and resumed gives byte-identical shards (also when the crash hit mid-task)`, async () => {
      const ref = reference.get(format)!;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: tasks.length }),
          fc.constantFrom('reopen', 'fromState', 'crash-mid-task'),
          async (k, how) => {
            const dir = freshDir();
            const first = await ShardWriter.open(opts(dir, format));
            for (let t = 0; t < k; t++) await first.addTask(t, tasks[t] as ShardDoc[]);
            let resumed: ShardWriter;
            let outDir = dir;
            if (how === 'fromState') {
              resumed = await ShardWriter.fromState(opts(dir, format), first.getState());
            } else if (how === 'reopen' || k === tasks.length) {
              resumed = await ShardWriter.open(opts(dir, format));
            } else {
              // The durable state after task k, plus what task k left before its commit: its staged
              // file, the shard it closed, stray temporaries.
              const crashed = freshDir();
              await cp(dir, crashed, { recursive: true });
              await first.addTask(k, tasks[k] as ShardDoc[]);
              for (const name of await readdir(dir))
                if (name.startsWith('shard-')) await cp(join(dir, name), join(crashed, name));
              await mkdir(join(crashed, '.staging'), { recursive: true }); // absent when the crash hit task 0
              await writeFile(join(crashed, '.staging', 'task-999999.arrow'), 'junk');
              await writeFile(join(crashed, 'shard-00099.parquet.tmp'), 'junk');
              resumed = await ShardWriter.open(opts(crashed, format));
              outDir = crashed;
            }
            assert.equal(resumed.nextTask, k);
            for (let t = resumed.nextTask; t < tasks.length; t++) await resumed.addTask(t, tasks[t] as ShardDoc[]);
            const shards = await resumed.finish();
            assert.deepEqual(shards, ref.shards);
            assert.deepEqual(await filesOf(outDir), ref.files);
            assert.deepEqual(await readdir(join(outDir, '.staging')).catch(() => []), []);
          },
        ),
        {
          numRuns: 8,
          examples: [
            [0, 'reopen'],
            [0, 'crash-mid-task'],
            [tasks.length, 'reopen'],
            [ref.shards[0]!.lastTask + 1, 'crash-mid-task'],
            [ref.shards[0]!.lastTask, 'crash-mid-task'],
          ],
        },
      );
    });
  }

  for (const format of FORMATS) {
    it(`${format}: staged files lost or torn before the shard's fsync (power loss) roll the writer back to that task; the result is byte-identical`, async () => {
      const ref = reference.get(format)!;
      const dir = freshDir();
      const w = await ShardWriter.open(opts(dir, format));
      const closeAt = ref.shards[1]!.lastTask; // stop inside the third shard, with pending tasks
      for (let t = 0; t <= closeAt + 3; t++) await w.addTask(t, tasks[t] as ShardDoc[]);
      const pending = w.getState().pending.filter((p) => p.staged !== null);
      assert.ok(pending.length >= 2, `${pending.length} pending staged tasks`);
      const victim = pending[1]!;
      await writeFile(
        join(dir, '.staging', victim.staged!),
        (await readFile(join(dir, '.staging', victim.staged!))).subarray(0, 10),
      ); // torn
      const resumed = await ShardWriter.open(opts(dir, format));
      assert.equal(resumed.nextTask, victim.task);
      assert.equal(resumed.getState().totals.documents, tasks.slice(0, victim.task).flat().length);
      for (let t = resumed.nextTask; t < tasks.length; t++) await resumed.addTask(t, tasks[t] as ShardDoc[]);
      assert.deepEqual(await resumed.finish(), ref.shards);
      assert.deepEqual(await filesOf(dir), ref.files);
      // rollbackTo: only within the open shard
      const again = await ShardWriter.open(opts(freshDir(), format));
      for (let t = 0; t <= closeAt + 2; t++) await again.addTask(t, tasks[t] as ShardDoc[]);
      await assert.rejects(again.rollbackTo(closeAt), (e: BltError) => e.code === 'STATE_FORMAT');
      await again.rollbackTo(closeAt + 2);
      assert.equal(again.nextTask, closeAt + 2);
    });
  }

  it('finish is idempotent and a finished state reopens finished', async () => {
    const dir = freshDir();
    const { shards } = await writeAll(opts(dir, 'arrow'), tasks.slice(0, 5));
    const again = await ShardWriter.open(opts(dir, 'arrow'));
    assert.deepEqual(await again.finish(), shards);
    await assert.rejects(again.addTask(5, []), (e: BltError) => /after finish/.test(e.message));
  });

  it('finish removes shard files left by an earlier, longer run', async () => {
    const dir = freshDir();
    await writeAll(opts(dir, 'arrow'), tasks);
    const before = (await readdir(dir)).filter((n) => n.startsWith('shard-')).length;
    await rm(join(dir, '.shard-writer-state.json'));
    const { shards } = await writeAll(opts(dir, 'arrow'), tasks.slice(0, 4));
    const after = (await readdir(dir)).filter((n) => n.startsWith('shard-'));
    assert.ok(before > shards.length);
    assert.deepEqual(
      after,
      shards.map((s) => s.file),
    );
  });
});
