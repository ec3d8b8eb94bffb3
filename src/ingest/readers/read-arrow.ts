/**
 * Arrow IPC (file format, i.e. Feather v2, or stream format) → documents, record batch by
 * record batch through a file handle (the file format is read by random access, so memory
 * holds one batch). A file-format file whose footer is missing (truncated) is salvaged by
 * reading its embedded stream: the complete batches are read, then one BadRecord for the file.
 * Any failure part way: the rows before it, then one file-level BadRecord.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { badRecord, type IngestRecord } from '../raw-doc.js';
import { batchRows, planColumns } from './arrow-columns.js';
import { describeDecodeFailure } from '../../core/errors.js';
import { take, takeMany, type ReadContext } from './read-context.js';

type Batches = AsyncIterable<RecordBatch> & { schema: { fields: RecordBatch['schema']['fields'] } };
interface Opened {
  readonly reader: Batches;
  /** why the file format could not be opened, when its embedded stream is read instead */
  readonly salvaged?: string;
}

export async function* readArrow(ctx: ReadContext): AsyncGenerator<IngestRecord> {
  const handles: FileHandle[] = [];
  try {
    const opened = await openArrow(ctx.file.path, handles);
    const reason = 'error' in opened ? opened.error : yield* readBatches(ctx, opened);
    if (reason !== undefined && !take(ctx, 'done')) yield badRecord({ file: ctx.name }, reason);
  } finally {
    for (const h of handles) await h.close();
  }
}

/** Yields the rows; returns the reason for a file-level BadRecord, if any. */
async function* readBatches(ctx: ReadContext, opened: Opened): AsyncGenerator<IngestRecord, string | undefined> {
  const plan = planColumns(opened.reader.schema.fields, ctx.opts);
  if ('error' in plan) return plan.error;
  const startRow = ctx.start.row ?? 0; // rows before the cursor are not records of this run
  let row = 0;
  try {
    for await (const batch of opened.reader) {
      const end = row + batch.numRows;
      const first = Math.max(row, startRow);
      if (first < end && ctx.skip.remaining >= end - first) takeMany(ctx, end - first, { row: end });
      else if (first < end) {
        const rows = batchRows(batch, plan, ctx.opts);
        for (let r = first; r < end; r++) if (!take(ctx, { row: r + 1 })) yield rows.record(r - row, r, ctx.name);
      }
      row = end;
    }
  } catch (err) {
    return (
      `Arrow IPC data truncated or corrupt after row ${row}: ${describeDecodeFailure(err, 'the rest')}; the ` +
      `rows before were read`
    );
  }
  return opened.salvaged === undefined
    ? undefined
    : `Arrow IPC file without a valid footer (truncated?): ${opened.salvaged}; the ${row} rows of its ` +
        `complete batches were read`;
}

async function openArrow(path: string, handles: FileHandle[]): Promise<Opened | { error: string }> {
  let head = new Uint8Array(0);
  try {
    const handle = await open(path);
    handles.push(handle);
    head = (await handle.read(new Uint8Array(8), 0, 8, 0)).buffer;
    if (String.fromCharCode(...head.subarray(0, 4)) === 'FEA1')
      return {
        error:
          'expected Arrow IPC (Feather v2), got a Feather v1 file, which apache-arrow cannot read; rewrite ' +
          'it (e.g. pyarrow.feather.write_feather(df, path, version=2))',
      };
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    return { reader: reader as unknown as Batches };
  } catch (err) {
    const cause = describeDecodeFailure(err, 'the file');
    if (String.fromCharCode(...head.subarray(0, 6)) !== 'ARROW1')
      return { error: `expected an Arrow IPC file, could not open it: ${cause}` };
    try {
      // the stream inside the file format
      const reader = await RecordBatchReader.from(createReadStream(path, { start: 8 }));
      await reader.open();
      return { reader: reader as unknown as Batches, salvaged: cause };
    } catch {
      return { error: `expected an Arrow IPC file, could not open it: ${cause}` };
    }
  }
}
