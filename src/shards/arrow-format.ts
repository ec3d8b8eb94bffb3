/**
 * Arrow IPC *file* shards (Feather v2, uncompressed) through apache-arrow's
 * RecordBatchFileWriter: one record batch per incoming batch (≤ rowGroupRows rows). No
 * timestamps are written, so output is byte-identical for identical input.
 */
import { open } from 'node:fs/promises';
import { setImmediate as tick } from 'node:timers/promises';
import * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import type { ShardFileReader } from './shard-file-reader.js';

/** Arrow batches → the bytes of one Arrow IPC file, streamed. */
export async function* arrowFileChunks(batches: AsyncIterable<arrow.RecordBatch>): AsyncGenerator<Uint8Array> {
  const writer = new arrow.RecordBatchFileWriter();
  let failure: { error: unknown } | undefined;
  const produce = (async (): Promise<void> => {
    try {
      for await (const batch of batches) {
        writer.write(batch);
        await tick(); // let the consumer drain what this batch produced
      }
      writer.finish();
    } catch (error) {
      failure = { error };
    } finally {
      writer.close();
    }
  })();
  for await (const chunk of writer as AsyncIterable<Uint8Array>) yield chunk;
  await produce;
  if (failure) throw failure.error;
}

/** Opens an Arrow IPC file for reading record batch by record batch (through a file handle). */
export async function openArrowShard(path: string): Promise<ShardFileReader> {
  const fh = await open(path, 'r');
  try {
    const reader = await arrow.RecordBatchReader.from(fh);
    await reader.open();
    if (!reader.isFile()) {
      throw new BltError(
        'SHARD_FORMAT',
        `${path}: expected an Arrow IPC file (magic ARROW1 and a footer), found an IPC stream.`,
        "write shards with format 'arrow' (IPC file format)",
      );
    }
    return {
      schema: reader.schema,
      async *batches() {
        for await (const batch of reader) yield batch;
      },
      close: () => fh.close().catch(() => undefined),
    };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}
