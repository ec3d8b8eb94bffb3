/**
 * Parquet shard files through parquet-wasm (parquet-rs compiled to wasm32), ZSTD, one row group
 * per incoming batch (the writer sends batches of ≤ rowGroupRows rows and sets the same
 * `setMaxRowGroupSize`, so nothing is buffered beyond one row group in the wasm heap, which
 * never shrinks). `created_by` is fixed and no timestamp is written: output is byte-identical
 * for identical input (checked by test/shards-writer.test.ts).
 *
 * Reading goes row group by row group (`ParquetFile.fromFile(openAsBlob)` + `read({rowGroups})`):
 * `readParquet(wholeFile)` crashes on files above ~1 GB (dependency-measurements §3).
 */
import { openAsBlob } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { FORMAT_VERSION } from './schema.js';
import type { ShardFileReader } from './shard-file.js';

export const PARQUET_CREATED_BY = `blt-toolkit shards v${FORMAT_VERSION} (parquet-wasm)`;

function writerProperties(rowGroupRows: number): pw.WriterProperties {
  return new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy(PARQUET_CREATED_BY)
    .build();
}

/** Arrow batches (each ≤ rowGroupRows rows) → the bytes of one Parquet file, streamed. */
export async function* parquetChunks(batches: AsyncIterable<arrow.RecordBatch>, rowGroupRows: number): AsyncGenerator<Uint8Array> {
  const it = batches[Symbol.asyncIterator]();
  const source = new ReadableStream({
    async pull(ctrl): Promise<void> {
      const next = await it.next();
      if (next.done) return ctrl.close();
      const table = pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table([next.value]), 'stream'));
      for (const b of table.recordBatches()) ctrl.enqueue(b);
      table.free();
    },
    async cancel(): Promise<void> {
      await it.return?.();
    },
  });
  const out = await pw.transformParquetStream(source, writerProperties(rowGroupRows));
  for await (const chunk of out as AsyncIterable<Uint8Array>) yield chunk;
}

/** Opens a Parquet file for reading row group by row group. */
export async function openParquetShard(path: string): Promise<ShardFileReader> {
  const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
  let schema: arrow.Schema;
  try {
    schema = arrow.tableFromIPC(file.schema().intoIPCStream()).schema;
  } catch (err) {
    file.free();
    throw err;
  }
  let closed = false;
  return {
    schema,
    async *batches(columns) {
      const meta = file.metadata();
      const groups = meta.numRowGroups();
      for (let i = 0; i < groups; i++) {
        const group = meta.rowGroup(i);
        const rows = group.numRows();
        group.free();
        const table = await file.read({ rowGroups: [i], batchSize: Math.max(1, rows), ...(columns ? { columns: [...columns] } : {}) });
        yield* arrow.tableFromIPC(table.intoIPCStream()).batches;
      }
      meta.free();
    },
    async close() {
      if (!closed) file.free();
      closed = true;
    },
  };
}
