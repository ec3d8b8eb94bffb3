import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { BltError } from '../../src/core/errors.js';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { exportBltArrow } from '../../src/shards/export-blt-arrow.js';
import type { ExportSummary } from '../../src/shards/export-blt-arrow-options.js';
import { float16Bits, float16Value } from '../../src/shards/export-float16.js';
import { fingerprint } from '../../src/shards/fingerprint.js';
import { buildManifest, writeManifest } from '../../src/shards/manifest.js';
import { readShardSet } from '../../src/shards/reader.js';
import type { ShardDoc } from '../../src/shards/row.js';
import { ShardWriter } from '../../src/shards/shard-writer.js';
import {
  arrowFilesOfChunk,
  findAndSanitizeChunks,
  readArrowRows,
  referenceEncode,
  referenceRankExamples,
  type BltExample,
} from '../helpers/reference-arrow-iterator.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir, tinyModelDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

/** The positive finite halves in increasing order (bits 0x0000..0x7bff are monotonic in value). */
const HALVES = Array.from({ length: 0x7c00 }, (_, b) => float16Value(b));

/** Oracle: the nearest half by search, ties to the even bit pattern; beyond 65504 + half an ulp → Infinity. */
function nearestHalf(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = HALVES.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((HALVES[mid] as number) <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - (HALVES[lo] as number);
  const dh = (HALVES[hi] as number) - a;
  if (dl < dh || a === HALVES[lo]) return sign | lo;
  if (dh < dl) return sign | hi;
  return sign | (lo % 2 === 0 ? lo : hi);
}

/** Our shard rows, in order, for comparison. */
async function shardRows(dir: string): Promise<Array<{ id: string; bytes: Uint8Array; entropies: Float32Array }>> {
  const out = [];
  for await (const r of readShardSet(dir))
    out.push({ id: r.docId, bytes: r.bytes.slice(), entropies: (r.entropies as Float32Array).slice() });
  return out;
}

async function writeSet(dir: string, rows: ShardDoc[], entropies = true): Promise<void> {
  const w = await ShardWriter.open({ dir, columns: { entropies, patchLengths: true, ngramTables: [] } });
  await w.addTask(0, rows);
  const shards = await w.finish();
  await writeManifest(
    dir,
    buildManifest({
      config: { process: { patching: { mode: entropies ? 'entropy' : 'space', threshold: 1.5 } } },
      inputs: [],
      shards,
      totals: { ...w.getState().totals, quarantined: 0 },
      fingerprints: { content: fingerprint([dir]) },
    }),
  );
  await w.dispose();
}

/** issue 13 item 3: `blt export --format blt-arrow` writes what the reference trainer reads. */
describe("blt export --format blt-arrow: the reference trainer's layout", function () {
  this.timeout(300_000);
  let set: string;
  let rows: Awaited<ReturnType<typeof shardRows>>;
  before(async () => {
    const corpus = await writeCorpus(await tempDir('export-corpus'), 90);
    set = await tempDir('export-set');
    const s = await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out: set,
        entropyModel: await tinyModelDir(),
        workers: 0,
        ngramIds: false,
        docsPerTask: 16,
      }),
    );
    assert.equal(s.status, 'done');
    rows = await shardRows(set);
    assert.equal(rows.length, 90);
  });

  it('float16 conversion rounds to nearest even as numpy does (every half, ties, random float32)', () => {
    for (let b = 0; b < 0x10000; b++) {
      const v = float16Value(b);
      if (!Number.isNaN(v)) assert.equal(float16Bits(v), b === 0x8000 ? 0x8000 : b, `bits ${b.toString(16)}`);
    }
    assert.equal(float16Bits(1 + 2 ** -11), 0x3c00, 'tie rounds down to even');
    assert.equal(float16Bits(1 + 3 * 2 ** -11), 0x3c02, 'tie rounds up to even');
    assert.equal(float16Bits(65519.99), 0x7bff);
    assert.equal(float16Bits(65520), 0x7c00);
    assert.equal(float16Bits(2 ** -25), 0, 'half the smallest subnormal ties to 0');
    assert.equal(float16Bits(NaN), 0x7e00);
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => float16Bits(x) === nearestHalf(x)),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.float({ min: 0, max: 6, noNaN: true }), (x) => float16Bits(x) === nearestHalf(x)),
      { numRuns: 20_000 },
    );
  });

  it('layout, file names, .complete markers and schema as the reference writes and its iterator finds them', async () => {
    const out = join(await tempDir('export-a'), 'exp');
    const s = await exportBltArrow(set, { out, dataset: 'demo', shardSizeBytes: 3000, batchRows: 7 });
    assert.equal(s.documents, 90);
    assert.deepEqual(s.trainerConfig.sources, { demo: 1 });
    const chunks = findAndSanitizeChunks(join(s.trainerConfig.root_dir, 'demo'), 1);
    assert.deepEqual(chunks, [join(out, 'data', 'demo', 'demo.chunk.00.jsonl')]);
    const files = arrowFilesOfChunk(chunks[0] as string, s.trainerConfig.preprocess_dir, 'transformer_100m');
    assert.ok(files.length >= 3, `several shards: ${files.length}`);
    assert.deepEqual(
      files.map((f) => f.slice(f.lastIndexOf('/') + 1)),
      files.map((_, k) => `demo.chunk.00.jsonl.shard_${String(k).padStart(2, '0')}.arrow`),
    );
    const dir = join(out, 'preprocess', 'demo', 'transformer_100m');
    assert.deepEqual(
      readdirSync(dir).sort(),
      files.flatMap((f) => [f.slice(dir.length + 1), `${f.slice(dir.length + 1)}.complete`]).sort(),
    );
    for (const f of files) {
      const bytes = readFileSync(f);
      assert.equal(
        Buffer.from(bytes.subarray(0, 6)).toString(),
        'ARROW1',
        'Arrow IPC file format (magic at the start)',
      );
      assert.equal(Buffer.from(bytes.subarray(bytes.length - 6)).toString(), 'ARROW1', 'and a footer');
      const table = arrow.tableFromIPC(bytes);
      const f0 = table.schema.fields;
      assert.deepEqual(
        f0.map((x) => [x.name, String(x.type), x.nullable]),
        [
          ['sample_id', 'Utf8', false],
          ['text', 'Utf8', false],
          ['entropies', 'List<Float16>', false],
        ],
      );
      const item = (f0[2]?.type as arrow.List).children[0];
      assert.equal(item?.name, 'item');
      assert.ok(table.batches.every((b) => b.numRows <= 7));
      assert.equal(table.batches.filter((b) => b.numRows < 7).length <= 1, true, 'full record batches but the last');
    }
    // a missing marker is the reference's ValueError
    await rm(`${files[1]}.complete`);
    assert.throws(
      () => arrowFilesOfChunk(chunks[0] as string, s.trainerConfig.preprocess_dir, 'transformer_100m'),
      /Missing \.complete/,
    );
  });

  it('the reference iterator reads every document once, in order, with one float16 entropy per token incl. BOS and EOS', async () => {
    const out = join(await tempDir('export-b'), 'exp');
    const s = await exportBltArrow(set, { out, dataset: 'udhr', shardSizeBytes: 2500, chunks: 1 });
    const got = [...referenceRankExamples(s.trainerConfig, 'udhr', 0, 1)];
    assert.equal(got.length, rows.length);
    got.forEach((ex: BltExample, i) => {
      const want = rows[i] as (typeof rows)[number];
      assert.equal(ex.sample_id, want.id);
      assert.deepEqual(new TextEncoder().encode(ex.text), want.bytes);
      const tokens = referenceEncode(ex.text);
      assert.equal(ex.entropies.length, tokens.length, 'len(entropies) == len(tokenizer.encode(text))');
      assert.deepEqual(
        ex.entropies.map(float16Bits),
        Array.from(want.entropies, (e) => nearestHalf(e)),
        `${want.id}: np.float16 of the stored entropies`,
      );
    });
    // DuckDB reads the chunk file the trainer globs: the same documents as the Arrow shards
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const r = await conn.runAndReadAll(
      `SELECT sample_id, text FROM read_json('${join(out, 'data', 'udhr', 'udhr.chunk.00.jsonl')}', format = 'newline_delimited')`,
    );
    assert.deepEqual(
      r.getRowObjects().map((o) => [String(o.sample_id), String(o.text)]),
      got.map((e) => [e.sample_id, e.text]),
    );
    conn.closeSync();
    const meta = JSON.parse(await readFile(join(out, 'export.json'), 'utf8')) as ExportSummary;
    assert.equal(meta.documents, 90);
    assert.equal(
      meta.chunks[0]?.shards.reduce((a, x) => a + x.rows, 0),
      90,
    );
  });

  it('chunks for several ranks: each rank reads its share, together every document exactly once', async () => {
    const out = join(await tempDir('export-c'), 'exp');
    const s = await exportBltArrow(set, { out, dataset: 'd', chunks: 2, shardSizeBytes: 4000 });
    for (const world of [2, 4]) {
      const seen: string[] = [];
      for (let rank = 0; rank < world; rank++)
        for (const ex of referenceRankExamples(s.trainerConfig, 'd', rank, world)) seen.push(ex.sample_id);
      assert.deepEqual([...seen].sort(), rows.map((r) => r.id).sort(), `world size ${world}`);
    }
    assert.throws(() => [...referenceRankExamples(s.trainerConfig, 'd', 0, 3)], /multiple of number of chunks/);
    assert.equal(s.chunks.map((c) => c.documents).join(','), '45,45');
  });

  it('refuses a set without entropies, an existing --out without --force, and invalid UTF-8 unless skipped', async () => {
    const enc = (t: string): Uint8Array => new TextEncoder().encode(t);
    const f32 = (n: number): Float32Array => new Float32Array(n).fill(1.25);
    const noEnt = await tempDir('export-space');
    await writeSet(
      noEnt,
      [{ docId: 'a', source: 's', bytes: enc('ab'), patchLengths: Int32Array.from([1, 1, 2]) }],
      false,
    );
    await assert.rejects(
      exportBltArrow(noEnt, { out: join(noEnt, '..', 'x-none') }),
      (e: unknown) =>
        e instanceof BltError &&
        e.code === 'SHARD_FORMAT' &&
        /stores no entropies/.test(e.message) &&
        /space mode/.test(e.message),
    );

    const bad = await tempDir('export-bad');
    const rowsBad: ShardDoc[] = [
      { docId: 'ok', source: 's', bytes: enc('fine'), entropies: f32(6), patchLengths: Int32Array.from([1, 1, 4]) },
      {
        docId: 'broken',
        source: 's',
        bytes: Uint8Array.from([0x61, 0xff, 0x62]),
        entropies: f32(5),
        patchLengths: Int32Array.from([1, 1, 3]),
      },
      {
        docId: 'bom',
        source: 's',
        bytes: Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]),
        entropies: f32(6),
        patchLengths: Int32Array.from([1, 1, 4]),
      },
    ];
    await writeSet(bad, rowsBad);
    const out = join(await tempDir('export-d'), 'exp');
    await assert.rejects(
      exportBltArrow(bad, { out }),
      (e: unknown) =>
        e instanceof BltError &&
        e.code === 'BAD_INPUT' &&
        /"broken"/.test(e.message) &&
        /--skip-invalid-utf8/.test(e.message),
    );
    assert.equal(existsSync(out), false, 'nothing left behind');
    const s = await exportBltArrow(bad, { out, skipInvalidUtf8: true });
    assert.deepEqual(s.skipped, [{ sampleId: 'broken', source: 's', reason: 'invalid UTF-8' }]);
    const got = [
      ...readArrowRows(
        arrowFilesOfChunk(
          join(s.trainerConfig.root_dir, s.dataset, `${s.dataset}.chunk.00.jsonl`),
          s.trainerConfig.preprocess_dir,
          s.entropyModelName,
        ),
      ),
    ];
    assert.deepEqual(
      got.map((g) => [g.sample_id, g.entropies.length, referenceEncode(g.text).length]),
      [
        ['ok', 6, 6],
        ['bom', 6, 6],
      ],
      'a BOM is kept as text (its bytes count as tokens)',
    );

    const tail = await tempDir('export-tail');
    await writeSet(tail, [rowsBad[0] as ShardDoc, rowsBad[1] as ShardDoc]);
    const small = join(await tempDir('export-small'), 'exp');
    const one = await exportBltArrow(tail, { out: small, skipInvalidUtf8: true, shardSizeBytes: 1 });
    assert.deepEqual(
      one.chunks[0]?.shards.map((x) => x.rows),
      [1],
      'a shard that would hold only skipped documents is not written',
    );
    assert.deepEqual(readdirSync(join(small, 'preprocess', one.dataset, one.entropyModelName)).sort(), [
      `${one.dataset}.chunk.00.jsonl.shard_00.arrow`,
      `${one.dataset}.chunk.00.jsonl.shard_00.arrow.complete`,
    ]);

    await assert.rejects(
      exportBltArrow(bad, { out, skipInvalidUtf8: true }),
      (e: unknown) => e instanceof BltError && e.code === 'BAD_OPTION' && /--force/.test(e.hint ?? e.message),
    );
    await writeFile(join(out, 'stale.txt'), 'old');
    await exportBltArrow(bad, { out, skipInvalidUtf8: true, force: true });
    assert.equal(existsSync(join(out, 'stale.txt')), false, '--force replaces the directory');
    await assert.rejects(
      exportBltArrow(bad, { out: join(await tempDir('export-e'), 'x'), chunks: 5 }),
      (e: unknown) => e instanceof BltError && /--chunks/.test(e.message),
    );
  });

  it('the CLI: --json summary, progress on stderr, exit 2 with a clear message', async () => {
    const out = join(await tempDir('export-cli'), 'exp');
    const r = runCli(['export', set, '--format', 'blt-arrow', '--out', out, '--dataset', 'demo', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as ExportSummary;
    assert.equal(s.documents, 90);
    assert.match(r.stderr, /"event":"progress","label":"export","value":90,"total":90/);
    const again = runCli(['export', set, '--format', 'blt-arrow', '--out', out]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists.*\n.*--force/);
    const fmt = runCli(['export', set, '--format', 'parquet', '--out', out]);
    assert.notEqual(fmt.status, 0);
    assert.match(fmt.stderr, /blt-arrow/);
  });
});
