/**
 * Reading Parquet shard files through parquet-wasm (parquet-rs compiled to wasm32); writing is
 * in encode-task.ts (per task, per column) and parquet-splice.ts (tasks → shard file).
 *
 * Reading goes by row groups (`ParquetFile.fromFile(openAsBlob)` + `read({rowGroups})`):
 * `readParquet(wholeFile)` crashes on files above ~1 GB (docs/parquet-choice.md). Small
 * row groups (one per task) are read several at a time, up to READ_GROUP_BYTES of
 * uncompressed data per call; a row group larger than COLUMNWISE_BYTES (a huge document) is read
 * one column at a time, because parquet-wasm's 4 GiB heap holds the decoded data and its IPC
 * copy at once: a 60 MB document's row group (~1.9 GB with n-gram ids) would not fit whole.
 */
import { openAsBlob } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { OwnListReader } from './list-chunk-reader.js';
import type { ShardFileReader } from './shard-file-reader.js';

const READ_GROUP_BYTES = 64 * 2 ** 20;
const COLUMNWISE_BYTES = 256 * 2 ** 20;

async function readColumnwise(
  file: pw.ParquetFile,
  group: number,
  rows: number,
  names: readonly string[],
  schema: arrow.Schema,
  own: OwnListReader,
): Promise<arrow.RecordBatch> {
  const fields: arrow.Field[] = [];
  const children: arrow.Data[] = [];
  for (const name of names) {
    // list columns written by list-chunk.ts: decoded page by page, outside parquet-wasm's heap
    const f = schema.fields.find((x) => x.name === name);
    const data = f && arrow.DataType.isList(f.type) ? await own.read(group, name, f.type) : null;
    if (f && data) {
      fields.push(f);
      children.push(data);
      continue;
    }
    const t = await file.read({ rowGroups: [group], batchSize: Math.max(1, rows), columns: [name] });
    const table = arrow.tableFromIPC(t.intoIPCStream());
    const col = table.getChildAt(0);
    if (!col || col.data.length !== 1) throw new Error(`row group ${group}, column ${name}: expected one batch`);
    fields.push(schema.fields.find((f) => f.name === name) ?? (table.schema.fields[0] as arrow.Field));
    children.push(col.data[0] as arrow.Data);
  }
  const s = new arrow.Schema(fields, schema.metadata);
  return new arrow.RecordBatch(
    s,
    arrow.makeData({ type: new arrow.Struct(fields), length: rows, nullCount: 0, children }),
  );
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
  const own = new OwnListReader(path);
  return {
    schema,
    async *batches(columns) {
      const meta = file.metadata();
      const groups: Array<{ rows: number; bytes: number }> = [];
      for (let i = 0; i < meta.numRowGroups(); i++) {
        const g = meta.rowGroup(i);
        groups.push({ rows: g.numRows(), bytes: g.totalByteSize() });
        g.free();
      }
      meta.free();
      const names = columns ? [...columns] : schema.fields.map((f) => f.name);
      for (let i = 0; i < groups.length;) {
        const first = groups[i] as { rows: number; bytes: number };
        if (first.bytes > COLUMNWISE_BYTES) {
          yield await readColumnwise(file, i, first.rows, names, schema, own);
          i += 1;
          continue;
        }
        const take = [i];
        let bytes = first.bytes;
        let rows = first.rows;
        for (let j = i + 1; j < groups.length; j++) {
          const g = groups[j] as { rows: number; bytes: number };
          if (g.bytes > COLUMNWISE_BYTES || bytes + g.bytes > READ_GROUP_BYTES) break;
          take.push(j);
          bytes += g.bytes;
          rows += g.rows;
        }
        const table = await file.read({
          rowGroups: take,
          batchSize: Math.max(1, rows),
          ...(columns ? { columns: [...columns] } : {}),
        });
        yield* arrow.tableFromIPC(table.intoIPCStream()).batches;
        i += take.length;
      }
    },
    async close() {
      if (!closed) file.free();
      await own.close();
      closed = true;
    },
  };
}
