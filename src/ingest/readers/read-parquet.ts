/**
 * Parquet → documents, one row group at a time, streamed in batches of `parquetBatchRows`,
 * decoded by parquet-wasm in a worker thread (`parquet-worker.ts`: a corrupt page can make
 * parquet-wasm panic uncatchably). `ParquetFile.fromFile(openAsBlob)` reads only the byte
 * ranges needed, so files far larger than memory work.
 *
 * Record slots: a file that cannot be opened, or lacks a usable text column, is one
 * file-level BadRecord. Otherwise every row is exactly one record, as the metadata counts
 * them: a row group that fails to decode yields a BadRecord for each of its rows not read.
 * So whole row groups can be skipped from the metadata alone, without decoding.
 */
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { badRecord, type IngestRecord } from '../raw-doc.js';
import { batchRows, planColumns, type ColumnPlan } from './arrow-columns.js';
import { describeStreamError } from './byte-stream.js';
import { closeParquetHandle, newParquetHandle, parquetWorker, type WorkerReply } from './parquet-worker.js';
import { take, takeMany, type ReadContext } from './read-context.js';

export async function* readParquet(ctx: ReadContext): AsyncGenerator<IngestRecord> {
  const handle = newParquetHandle();
  try {
    const opened = await openParquet(ctx, handle);
    if ('error' in opened) {
      if (!take(ctx, 'done')) yield badRecord({ file: ctx.name }, opened.error);
      return;
    }
    let row = 0;
    const startRow = ctx.start.row ?? 0; // rows before the cursor are not records of this run
    for (let g = 0; g < opened.groupRows.length; g++) {
      const end = row + (opened.groupRows[g] as number);
      const first = Math.max(row, startRow);
      if (first < end && ctx.skip.remaining >= end - first) takeMany(ctx, end - first, { row: end });
      else if (first < end) yield* readRowGroup(ctx, handle, opened.plan, g, { start: row, first, end });
      row = end;
    }
  } finally {
    await closeParquetHandle(handle);
  }
}

async function openParquet(
  ctx: ReadContext,
  handle: number,
): Promise<{ plan: ColumnPlan; groupRows: number[] } | { error: string }> {
  try {
    const reply = await open(ctx, handle);
    const plan = planColumns(tableFromIPC(reply.schema).schema.fields, ctx.opts);
    return 'error' in plan ? plan : { plan, groupRows: reply.groupRows };
  } catch (err) {
    return { error: `expected a Parquet file, could not open it: ${describeStreamError(err)}` };
  }
}

async function open(ctx: ReadContext, handle: number): Promise<Extract<WorkerReply, { type: 'opened' }>> {
  const reply = await parquetWorker().request({ type: 'open', handle, path: ctx.file.path });
  if (reply.type !== 'opened') throw new Error(`unexpected reply "${reply.type}" to open`);
  return reply;
}

/** Rows [first, end) of row group `group`, which starts at row `start` of the file. */
async function* readRowGroup(
  ctx: ReadContext,
  handle: number,
  plan: ColumnPlan,
  group: number,
  rows: { start: number; first: number; end: number },
): AsyncGenerator<IngestRecord> {
  const { first, end } = rows;
  const columns = [plan.text, plan.id, plan.lang].filter((c): c is string => c !== undefined);
  let row = rows.start;
  let failure: string | undefined;
  try {
    const worker = parquetWorker();
    await worker.request({ type: 'group', handle, group, batchRows: ctx.opts.parquetBatchRows, columns });
    for (
      let reply = await worker.request({ type: 'next', handle });
      reply.type === 'batch';
      reply = await worker.request({ type: 'next', handle })
    ) {
      for (const batch of tableFromIPC(reply.ipc).batches as RecordBatch[]) {
        const access = batchRows(batch, plan, ctx.opts);
        for (let i = 0; i < batch.numRows && row < end; i++, row++) {
          if (row < first || take(ctx, { row: row + 1 })) continue;
          yield access.record(i, row, ctx.name);
        }
      }
    }
    if (row < end)
      failure =
        `row group ${group} ended after ${row - rows.start} of the ${end - rows.start} rows its ` +
        `metadata announces`;
  } catch (err) {
    failure = `row group ${group} could not be decoded: ${describeStreamError(err)}`;
    // after a crash a fresh worker needs the file; if this fails, the next groups say so
    await open(ctx, handle).catch(() => undefined);
  }
  for (; failure !== undefined && row < end; row++) {
    if (row < first || take(ctx, { row: row + 1 })) continue;
    yield badRecord({ file: ctx.name, row }, failure);
  }
}
