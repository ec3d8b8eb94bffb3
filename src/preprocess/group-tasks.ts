/**
 * Records → tasks: consecutive groups of at most `maxRecords` records and about `maxBytes`
 * bytes (a task closes after the record that reaches it). Boundaries depend only on the data,
 * never on the worker count, so output is identical for any --workers.
 */
import type { IngestRecord } from '../ingest/index.js';

export interface TaskInput {
  index: number;
  records: IngestRecord[];
}

export async function* groupIntoTasks(
  records: AsyncIterable<IngestRecord>,
  maxRecords: number,
  maxBytes: number,
  firstIndex = 0,
): AsyncGenerator<TaskInput> {
  let batch: IngestRecord[] = [];
  let bytes = 0;
  let index = firstIndex;
  for await (const r of records) {
    batch.push(r);
    if ('bytes' in r) bytes += r.bytes.length;
    if (batch.length >= maxRecords || bytes >= maxBytes) {
      yield { index: index++, records: batch };
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) yield { index, records: batch };
}
