import assert from 'node:assert/strict';
import { cp, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BltError } from '../../../src/core/errors.js';
import { fingerprint } from '../../../src/shards/fingerprint.js';
import { buildManifest, writeManifest, type Manifest } from '../../../src/shards/manifest.js';
import { readShardSet } from '../../../src/shards/reader.js';
import type { ShardColumnsSpec } from '../../../src/shards/schema.js';
import type { ShardDoc } from '../../../src/shards/row.js';
import { ShardWriter } from '../../../src/shards/shard-writer.js';
import { syntheticRows } from '../../../src/shards/synthetic-rows.js';
import { verifyShardSet } from '../../../src/shards/verify.js';
import type { ShardFileFormat } from '../../../src/shards/writer-state.js';

const SPEC: ShardColumnsSpec = {
  entropies: true,
  patchLengths: true,
  ngramTables: [{ groupSize: 3, hashFunction: 0 }],
};

async function flipByte(path: string, at: (size: number) => number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    const pos = at(size);
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, pos);
    b[0] = (b[0] as number) ^ 0x5a;
    await fh.write(b, 0, 1, pos);
  } finally {
    await fh.close();
  }
}

async function editManifest(dir: string, edit: (m: Manifest) => void): Promise<void> {
  const m = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Manifest;
  edit(m);
  await writeFile(join(dir, 'index.json'), JSON.stringify(m));
}

describe('shards: verifyShardSet', function () {
  this.timeout(300_000);
  let root: string;
  const clean = new Map<ShardFileFormat, string>();
  let n = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-shards-verify-'));
    for (const format of ['parquet', 'arrow'] as const) {
      const dir = join(root, `clean-${format}`);
      const w = await ShardWriter.open({ dir, columns: SPEC, format, shardSizeBytes: 20_000, rowGroupRows: 8 });
      for (let t = 0; t < 10; t++) await w.addTask(t, syntheticRows(t, 12, SPEC, { meanBytes: 150 }, t * 12));
      const shards = await w.finish();
      await writeManifest(
        dir,
        buildManifest({
          config: {},
          inputs: [],
          shards,
          totals: { ...w.getState().totals, quarantined: 0 },
          fingerprints: { content: fingerprint(['v']) },
        }),
      );
      await w.dispose();
      clean.set(format, dir);
    }
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const copy = async (format: ShardFileFormat): Promise<string> => {
    const dir = join(root, `case-${n++}`);
    await cp(clean.get(format)!, dir, { recursive: true });
    return dir;
  };

  for (const format of ['parquet', 'arrow'] as const) {
    it(`${format}: a clean set verifies`, async () => {
      const report = await verifyShardSet(clean.get(format)!);
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      assert.equal(report.rows, 120);
      assert.ok(report.shards >= 2);
      // the column-by-column path (shards holding huge documents) agrees
      assert.deepEqual(await verifyShardSet(clean.get(format)!, { columnwiseBytes: 0 }), report);
    });

    for (const [where, at] of [
      ['in the middle', (s: number) => Math.floor(s / 2)],
      ['in the footer', (s: number) => s - 12],
    ] as const) {
      it(`${format}: one flipped byte ${where} is reported`, async () => {
        const dir = await copy(format);
        await flipByte(join(dir, 'shard-00001.' + format), at);
        const report = await verifyShardSet(dir);
        assert.equal(report.ok, false);
        assert.ok(
          report.problems.some(
            (p) => p.file === `shard-00001.${format}` && /sha256 is [0-9a-f]{64}, index.json records/.test(p.problem),
          ),
          JSON.stringify(report.problems),
        );
      });
    }
  }

  it('a wrong row count, wrong totals, a missing shard and an unlisted shard are each reported', async () => {
    const dir = await copy('parquet');
    await editManifest(dir, (m) => {
      m.shards[0]!.rows += 1;
      m.totals.tokens += 5;
    });
    await rm(join(dir, 'shard-00001.parquet'));
    await writeFile(join(dir, 'shard-00042.parquet'), 'stale');
    const { problems } = await verifyShardSet(dir);
    const text = problems.map((p) => `${p.file}: ${p.problem}`);
    assert.ok(
      text.some((t) => /^shard-00000\.parquet: holds \d+ rows, index.json records \d+/.test(t)),
      text.join('\n'),
    );
    assert.ok(text.includes('shard-00001.parquet: listed in index.json but missing'), text.join('\n'));
    assert.ok(
      text.includes('shard-00042.parquet: shard file not listed in index.json (left from another run?)'),
      text.join('\n'),
    );
    const complete = await copy('arrow');
    await editManifest(complete, (m) => {
      m.totals.tokens += 5;
      m.totals.patches -= 1;
    });
    const t2 = (await verifyShardSet(complete)).problems.map((p) => p.problem);
    assert.ok(
      t2.some((t) => /^totals\.tokens is \d+, the shards hold \d+$/.test(t)) &&
        t2.some((t) => /^totals\.patches/.test(t)),
      t2.join('\n'),
    );
  });

  it('a wrong row count also stops readShardSet with SHARD_FORMAT', async () => {
    const dir = await copy('arrow');
    await editManifest(dir, (m) => {
      m.shards[0]!.rows -= 1;
    });
    const drain = async (): Promise<void> => {
      for await (const _ of readShardSet(dir)) {
        // read everything
      }
    };
    await assert.rejects(
      drain(),
      (e: BltError) => e.code === 'SHARD_FORMAT' && /records \d+ rows, the file holds \d+/.test(e.message),
    );
  });

  /** A copy whose shard 0 was written by another tool, with rows that break the invariants. */
  async function badShard(format: ShardFileFormat): Promise<{ dir: string; rows: ShardDoc[] }> {
    const dir = await copy(format);
    const spec: ShardColumnsSpec = {
      entropies: true,
      patchLengths: true,
      ngramTables: [{ groupSize: 3, hashFunction: 0 }],
    };
    const rows = syntheticRows(1, 3, spec);
    rows[1]!.patchLengths = Int32Array.of(1); // flattenRows copies as given; the token-aligned lists cannot be mis-sized this way
    let bytes: Uint8Array;
    if (format === 'arrow') {
      const { buildShardTable } = await import('../../../src/shards/build-table.js');
      const arrow = await import('apache-arrow');
      bytes = arrow.tableToIPC(buildShardTable(rows, spec), 'file');
    } else {
      rows[2]!.entropies = new Float32Array(3);
      rows[2]!.ngramIds = [new Int32Array(1)];
      const { encodeTask } = await import('../../../src/shards/encode-task.js');
      bytes = Buffer.concat(encodeTask(rows, { format: 'parquet', rowGroupRows: 2, columns: spec }));
    }
    await writeFile(join(dir, `shard-00000.${format}`), bytes);
    const { createHash } = await import('node:crypto');
    await editManifest(dir, (m) => {
      Object.assign(m.shards[0]!, {
        rows: 3,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    });
    return { dir, rows };
  }

  it('row invariants are checked per row', async () => {
    const { dir } = await badShard('arrow');
    const { problems } = await verifyShardSet(dir);
    assert.ok(
      problems.some(
        (p) =>
          p.file === 'shard-00000.arrow' &&
          p.row === 1 &&
          /patch lengths sum to 1, expected n_tokens = \d+/.test(p.problem),
      ),
      JSON.stringify(problems),
    );
  });

  it('row invariants are checked column by column in large Parquet shards, with the same messages', async () => {
    const { dir, rows } = await badShard('parquet');
    const byRow = await verifyShardSet(dir);
    const byColumn = await verifyShardSet(dir, { columnwiseBytes: 0 });
    const key = (p: { file: string; row?: number; problem: string }): string => `${p.file}:${p.row}:${p.problem}`;
    assert.deepEqual(byColumn.problems.map(key).sort(), byRow.problems.map(key).sort());
    assert.deepEqual(byRow.problems.filter((p) => p.file === 'shard-00000.parquet').map(key), [
      'shard-00000.parquet:1:patch lengths sum to 1, expected n_tokens = ' + (rows[1]!.bytes.length + 2),
      'shard-00000.parquet:2:entropies has 3 values, expected n_tokens = ' + (rows[2]!.bytes.length + 2),
      'shard-00000.parquet:2:ngramIds[0] has 1 values, expected n_tokens = ' + (rows[2]!.bytes.length + 2),
    ]);
  });

  it('a missing manifest is a problem, not a crash', async () => {
    const dir = await copy('parquet');
    await rm(join(dir, 'index.json'));
    const report = await verifyShardSet(dir);
    assert.equal(report.ok, false);
    assert.match(report.problems[0]?.problem ?? '', /incomplete shard set/);
  });
});

describe('shards: readShardSet refuses damaged shards before decoding them', function () {
  this.timeout(120_000);
  it('a flipped byte → SHARD_FORMAT naming expected and found checksums; checksums:false skips the check', async () => {
    const root = await mkdtemp(join(tmpdir(), 'blt-shards-read-'));
    try {
      const dir = join(root, 'set');
      const w = await ShardWriter.open({ dir, columns: SPEC, format: 'arrow' });
      await w.addTask(0, syntheticRows(5, 20, SPEC));
      const shards = await w.finish();
      await writeManifest(
        dir,
        buildManifest({
          config: {},
          inputs: [],
          shards,
          totals: { ...w.getState().totals, quarantined: 0 },
          fingerprints: { content: fingerprint(['v']) },
        }),
      );
      await flipByte(join(dir, 'shard-00000.arrow'), (s) => s >> 1);
      const drain = async (checksums: boolean): Promise<number> => {
        let n = 0;
        for await (const _ of readShardSet(dir, { checksums })) n++;
        return n;
      };
      await assert.rejects(
        drain(true),
        (e: BltError) =>
          e.code === 'SHARD_FORMAT' &&
          /expected \d+ bytes with sha256 [0-9a-f]{64} \(index.json\), found/.test(e.message),
      );
      assert.equal(await drain(false), 20);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
