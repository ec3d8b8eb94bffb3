/**
 * The reader's resumable position, a small tagged JSON state (docs/ingest.md, src/core/state.ts):
 *
 *   { kind: 'ingest-cursor', v: 1, fileIndex, file, records, line?, byteOffset?, row? }
 *
 * `records` is how many records (documents and bad records) were consumed in total;
 * `fileIndex`/`file` name the file the next record comes from; within it, `line` and
 * `byteOffset` (JSONL and text lines: the last line consumed and the offset just after it,
 * in decompressed bytes) or `row` (Parquet, Arrow: the next row) say where. No position
 * means the file's beginning. `file` is null past the last file.
 */
import { stateError, type StateSchema } from '../../core/state.js';
import type { InputFile } from '../list-inputs.js';

export interface FilePosition {
  readonly line?: number;
  readonly byteOffset?: number;
  readonly row?: number;
}

export interface IngestCursor extends FilePosition {
  readonly kind: 'ingest-cursor';
  readonly v: 1;
  readonly fileIndex: number;
  readonly file: string | null;
  readonly records: number;
}

const SAME_INPUTS = 'resume with the same inputs, in the same order, from the same working directory';

/** The cursor's schema: field types and the line/row rules (the input list is checked by `checkCursorInputs`). */
export const INGEST_CURSOR_SCHEMA: StateSchema<IngestCursor> = {
  kind: 'ingest-cursor',
  version: 1,
  label: 'ingest cursor',
  fields: ['fileIndex', 'file', 'records', 'line', 'byteOffset', 'row'],
  optional: ['line', 'byteOffset', 'row'],
  check(r) {
    const cursor: IngestCursor = {
      kind: 'ingest-cursor',
      v: 1,
      fileIndex: r.count('fileIndex'),
      file: r.nullableString('file'),
      records: r.count('records'),
    };
    const line = r.optionalCount('line');
    const byteOffset = r.optionalCount('byteOffset');
    const row = r.optionalCount('row');
    if ((line === undefined) !== (byteOffset === undefined)) r.fail('expected `line` and `byteOffset` together');
    if (row !== undefined && line !== undefined) r.fail('expected either `line`/`byteOffset` or `row`, got both');
    if (line !== undefined) return { ...cursor, line, byteOffset: byteOffset as number };
    return row === undefined ? cursor : { ...cursor, row };
  },
};

/** Checks a decoded cursor against the input list it must belong to. */
export function checkCursorInputs(c: IngestCursor, files: readonly InputFile[]): void {
  const site = { label: 'ingest cursor', path: '' };
  if (c.fileIndex > files.length) {
    const what = `fileIndex ${c.fileIndex} is past the ${files.length} input files`;
    throw stateError(site, what, 'resume with the same inputs as the interrupted run');
  }
  const expected = files[c.fileIndex]?.path ?? null;
  if (c.file !== expected) {
    const what =
      `it points at file ${c.fileIndex} = ${JSON.stringify(c.file)}, ` +
      `but input ${c.fileIndex} is now ${JSON.stringify(expected)}`;
    throw stateError(site, what, SAME_INPUTS);
  }
}
