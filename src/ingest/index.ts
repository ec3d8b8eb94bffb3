/**
 * The ingest layer of `blt preprocess`: inputs (files, directories, globs, stdin) → a
 * deterministic stream of `RawDoc | BadRecord`, resumable by cursor or by record count,
 * and whole-file partitions for job arrays. See docs/ingest.md.
 */
import type { InputFile } from './list-inputs.js';
import { IngestStream, type ReadFrom } from './readers/ingest-stream.js';
import type { ReadOptions } from './readers/read-options.js';

export { listInputs, listInputsReport, detectInput, type InputFile } from './list-inputs.js';
export { partitionFiles, partitionPlan, PER_FILE_WEIGHT } from './partition.js';
export { isBadRecord, describeBadRecord, type RawDoc, type BadRecord, type IngestRecord } from './raw-doc.js';

export { type IngestCursor } from './readers/cursor.js';
export { type ReadOptions } from './readers/read-options.js';

/** Every record of `files`, in order; `from` resumes (cursor) and/or skips the first records. */
export function readInputs(files: readonly InputFile[], opts: ReadOptions = {}, from: ReadFrom = {}): IngestStream {
  return new IngestStream(files, opts, from);
}
