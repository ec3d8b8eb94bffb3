/**
 * The reader's resumable position, a small tagged JSON object (docs/ingest.md):
 *
 *   { kind: 'ingest-cursor', v: 1, fileIndex, file, records, line?, byteOffset?, row? }
 *
 * `records` is how many records (documents and bad records) were consumed in total;
 * `fileIndex`/`file` name the file the next record comes from; within it, `line` and
 * `byteOffset` (JSONL and text lines: the last line consumed and the offset just after it,
 * in decompressed bytes) or `row` (Parquet, Arrow: the next row) say where. No position
 * means the file's beginning. `file` is null past the last file.
 */
import { BltError } from '../../core/errors.js';
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

const FIELDS = new Set(['kind', 'v', 'fileIndex', 'file', 'records', 'line', 'byteOffset', 'row']);

/** Validates a cursor (e.g. from JSON) against the input list it must belong to. */
export function parseCursor(value: unknown, files: readonly InputFile[]): IngestCursor {
  const fail = (what: string, hint?: string): never => {
    throw new BltError(
      'STATE_FORMAT',
      `Invalid ingest cursor: ${what}.`,
      hint ?? 'resume with the state written by the same run, or start over without it',
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a JSON object');
  const c = value as Record<string, unknown>;
  if (c.kind !== 'ingest-cursor') return fail(`expected kind "ingest-cursor", got ${JSON.stringify(c.kind)}`);
  if (c.v !== 1)
    return fail(
      `expected version 1, got ${JSON.stringify(c.v)}`,
      'this state was written by another version of the tool',
    );
  const extra = Object.keys(c).find((k) => !FIELDS.has(k));
  if (extra !== undefined) return fail(`unknown field ${JSON.stringify(extra)}`);
  const count = (k: string, required: boolean): void => {
    const v = c[k];
    if (v === undefined && !required) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      fail(`expected \`${k}\` to be an integer ≥ 0, got ${JSON.stringify(v)}`);
  };
  for (const k of ['fileIndex', 'records']) count(k, true);
  for (const k of ['line', 'byteOffset', 'row']) count(k, false);
  if ((c.line === undefined) !== (c.byteOffset === undefined)) fail('expected `line` and `byteOffset` together');
  if (c.row !== undefined && c.line !== undefined) fail('expected either `line`/`byteOffset` or `row`, got both');
  const fileIndex = c.fileIndex as number;
  if (fileIndex > files.length)
    fail(
      `fileIndex ${fileIndex} is past the ${files.length} input files`,
      'resume with the same inputs as the interrupted run',
    );
  const expected = files[fileIndex]?.path ?? null;
  if (c.file !== expected) {
    fail(
      `it points at file ${fileIndex} = ${JSON.stringify(c.file)}, but input ${fileIndex} is now ${JSON.stringify(expected)}`,
      'resume with the same inputs, in the same order, from the same working directory',
    );
  }
  return c as unknown as IngestCursor;
}
