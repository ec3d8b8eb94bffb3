/**
 * The contract every shard file format implements for reading (arrow-format.ts, parquet-format.ts);
 * shard-file.ts picks the format by extension. Kept apart so formats do not import their chooser.
 */
import type * as arrow from 'apache-arrow';

/** An open shard file: its Arrow schema, and its batches one row group / record batch at a time. */
export interface ShardFileReader {
  schema: arrow.Schema;
  /** `columns`: the columns to decode (all when absent); a format may return more */
  batches(columns?: readonly string[]): AsyncGenerator<arrow.RecordBatch>;
  close(): Promise<void>;
}
