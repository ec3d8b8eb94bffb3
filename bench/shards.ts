/**
 * Shard write/read throughput: Parquet (parquet-wasm, ZSTD) vs Arrow IPC file, on ~50 MB of
 * synthetic rows (uncompressed column bytes: text, float32 entropies, patch lengths, n-gram ids
 * with random values, so compression is pessimistic). MB = 10^6 bytes of uncompressed column
 * data. Median of `--repeat` runs, with min–max. Rates are given per CPU second of this process
 * (user + system, worker threads included), which other load on the machine distorts less than
 * wall time; wall-time rates follow in brackets.
 *
 *   write        ShardWriter end to end in one thread: validate, encode and stage each task,
 *                splice the staged files into shards, hash, fsync per shard, commit state
 *   encode       each task's rows in memory → its staged file's bytes only (no disk): what a
 *                preprocessing worker pays per task
 *   read         readShardSet: sha256 check of every shard, then decode row group by row group
 *   read (no checksum)  the same with { checksums: false }
 *
 *   node --import tsx bench/shards.ts [--mb 50] [--repeat 3] [--ngram-tables 2] [--shard-mb 16]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as pw from 'parquet-wasm';
import { encodeTask } from '../src/shards/encode-task.js';
import { fingerprint } from '../src/shards/fingerprint.js';
import { buildManifest, writeManifest } from '../src/shards/manifest.js';
import { readShardSet } from '../src/shards/reader.js';
import { rowColumnBytes, type ShardDoc } from '../src/shards/row.js';
import type { ShardColumnsSpec } from '../src/shards/schema.js';
import { ShardWriter } from '../src/shards/shard-writer.js';
import { syntheticRows } from '../src/shards/synthetic-rows.js';
import type { ShardFileFormat } from '../src/shards/writer-state.js';
import { summarize, type Summary } from './summary.js';

export interface ShardsBenchOptions {
  mb?: number;
  repeat?: number;
  ngramTables?: number;
  shardMb?: number;
  log?: (line: string) => void;
}

export interface ShardsFormatResult {
  format: ShardFileFormat;
  diskMB: number;
  /** MB of uncompressed column data per CPU second and per wall second */
  write: { cpu: Summary; wall: Summary };
  encode: { cpu: Summary; wall: Summary };
  read: { cpu: Summary; wall: Summary };
  readNoChecksum: { cpu: Summary; wall: Summary };
}

export interface ShardsBench {
  mb: number;
  documents: number;
  repeat: number;
  formats: ShardsFormatResult[];
}

interface Timing {
  cpu: number;
  wall: number;
}

async function time(fn: () => Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 };
}

export async function runShardsBench(o: ShardsBenchOptions = {}): Promise<ShardsBench> {
  const repeat = o.repeat ?? 3;
  const shardMb = o.shardMb ?? 16;
  const log = o.log ?? (() => undefined);
  const spec: ShardColumnsSpec = {
    entropies: true,
    patchLengths: true,
    ngramTables: Array.from({ length: o.ngramTables ?? 2 }, (_, i) => ({ groupSize: 3 + i, hashFunction: 0 })),
  };

  // ~targetMB of rows in tasks of 100 documents, mean 1 KB of text each
  const target = (o.mb ?? 50) * 1e6;
  const tasks: ShardDoc[][] = [];
  let rawBytes = 0;
  for (let t = 0; rawBytes < target; t++) {
    const rows = syntheticRows(t, 100, spec, { meanBytes: 1000 }, t * 100);
    rawBytes += rows.reduce((a, r) => a + rowColumnBytes(r), 0);
    tasks.push(rows);
  }
  const MB = rawBytes / 1e6;
  const docs = tasks.reduce((a, t) => a + t.length, 0);

  async function writeSet(dir: string, format: ShardFileFormat): Promise<number> {
    let fileBytes = 0;
    const w = await ShardWriter.open({ dir, columns: spec, format, shardSizeBytes: shardMb * 2 ** 20 });
    for (const [t, rows] of tasks.entries()) await w.addTask(t, rows);
    const shards = await w.finish();
    await writeManifest(
      dir,
      buildManifest({
        config: {},
        inputs: [],
        shards,
        totals: { ...w.getState().totals, quarantined: 0 },
        fingerprints: { content: fingerprint(['bench']) },
      }),
    );
    await w.dispose();
    for (const s of shards) fileBytes += s.bytes;
    return fileBytes;
  }

  async function encodeOnly(format: ShardFileFormat): Promise<void> {
    // what a worker does per task: encode its rows (per column for Parquet), no staging, no disk
    for (const rows of tasks) if (rows.length > 0) encodeTask(rows, { format, rowGroupRows: 10_000, columns: spec });
  }

  async function readSet(dir: string, checksums: boolean): Promise<void> {
    let n = 0;
    for await (const _ of readShardSet(dir, { checksums })) n++;
    if (n !== docs) throw new Error(`read ${n} rows, wrote ${docs}`);
  }

  const rates = (t: Timing[]): { cpu: Summary; wall: Summary } => ({
    cpu: summarize(t.map((x) => MB / x.cpu)),
    wall: summarize(t.map((x) => MB / x.wall)),
  });
  const fmt = (t: Timing[]): string => {
    const { cpu: s, wall: w } = rates(t);
    return `${s.median.toFixed(0).padStart(4)} MB/s (${s.min.toFixed(0)}–${s.max.toFixed(0)}) [wall ${w.median.toFixed(0)}]`;
  };

  log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )}; shards bench: ${MB.toFixed(1)} MB uncompressed column data, ${docs} documents in ${tasks.length} tasks, ` +
      `columns: entropies, patch_lengths, ${spec.ngramTables.length} n-gram table(s); shards of ${shardMb} MiB; median of ${repeat} (min–max)`,
  );
  const formats: ShardsFormatResult[] = [];
  const root = await mkdtemp(join(tmpdir(), 'blt-bench-shards-'));
  try {
    for (const format of ['parquet', 'arrow'] as const) {
      const w: Timing[] = [];
      const e: Timing[] = [];
      const r: Timing[] = [];
      const rn: Timing[] = [];
      let size = 0;
      for (let i = 0; i < repeat; i++) {
        const dir = join(root, `${format}-${i}`);
        w.push(await time(async () => (size = await writeSet(dir, format))));
        e.push(await time(() => encodeOnly(format)));
        r.push(await time(() => readSet(dir, true)));
        rn.push(await time(() => readSet(dir, false)));
        await rm(dir, { recursive: true, force: true });
      }
      const label = format === 'parquet' ? 'Parquet ZSTD' : 'Arrow IPC   ';
      log(`${label} (${(size / 1e6).toFixed(1)} MB on disk, ${((100 * size) / rawBytes).toFixed(0)}%)`);
      log(`  write ${fmt(w)}   encode ${fmt(e)}   read ${fmt(r)}   read, no checksum ${fmt(rn)}`);
      formats.push({
        format,
        diskMB: size / 1e6,
        write: rates(w),
        encode: rates(e),
        read: rates(r),
        readNoChecksum: rates(rn),
      });
    }
    log(
      `wasm heap after: ${(pw.wasmMemory().buffer.byteLength / 2 ** 20).toFixed(0)} MiB; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return { mb: MB, documents: docs, repeat, formats };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      mb: { type: 'string', default: '50' },
      repeat: { type: 'string', default: '3' },
      'ngram-tables': { type: 'string', default: '2' },
      'shard-mb': { type: 'string', default: '16' },
    },
  });
  await runShardsBench({
    mb: Number(values.mb),
    repeat: Number(values.repeat),
    ngramTables: Number(values['ngram-tables']),
    shardMb: Number(values['shard-mb']),
    log: (l) => console.log(l),
  });
}
