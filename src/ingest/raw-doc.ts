/**
 * The ingest layer's output: a document's bytes with where it came from, or a record that
 * could not be read. Readers never throw bad input away and never stop on it: they yield a
 * `BadRecord`, and the pipeline quarantines it (or, with `--on-error fail`, stops with its
 * message). See docs/ingest.md.
 */

/** Where a record sits in its input: 1-based `line` (JSONL, text lines) or 0-based `row` (Parquet, Arrow). */
export interface RecordPosition {
  /** the input path as listed, or `stdin` */
  readonly file: string;
  readonly line?: number;
  readonly row?: number;
}

export interface RawDoc {
  readonly id: string;
  /** the input path as listed, or `stdin` */
  readonly source: string;
  /** the document's bytes; always owns its whole ArrayBuffer (offset 0), so it can be transferred */
  readonly bytes: Uint8Array;
  readonly lang?: string;
  readonly position: RecordPosition;
}

export interface BadRecord {
  readonly kind: 'bad';
  readonly file: string;
  readonly line?: number;
  readonly row?: number;
  /** what was expected, what was found, and (where it helps) how to fix it */
  readonly reason: string;
  /** the start of the offending record as text (at most 200 UTF-16 code units) */
  readonly raw?: string;
}

export type IngestRecord = RawDoc | BadRecord;

export function isBadRecord(r: IngestRecord): r is BadRecord {
  return (r as BadRecord).kind === 'bad';
}

/** Builds a BadRecord; `raw` (bytes or text) is cut to its first 200 code units. */
export function badRecord(at: RecordPosition, reason: string, raw?: Uint8Array | string): BadRecord {
  const out: { -readonly [K in keyof BadRecord]: BadRecord[K] } = { kind: 'bad', file: at.file, reason };
  if (at.line !== undefined) out.line = at.line;
  if (at.row !== undefined) out.row = at.row;
  if (raw !== undefined) out.raw = rawSnippet(raw);
  return out;
}

/** The `--on-error fail` message of a BadRecord: `file:line: reason`. */
export function describeBadRecord(r: BadRecord): string {
  const where = r.line !== undefined ? `${r.file}:${r.line}` : r.row !== undefined ? `${r.file} row ${r.row}` : r.file;
  return `${where}: ${r.reason}`;
}

const snippetDecoder = new TextDecoder('utf-8'); // invalid bytes → U+FFFD: a snippet is for people

/** The first 200 UTF-16 code units of `raw`, never ending in half a surrogate pair. */
function rawSnippet(raw: Uint8Array | string): string {
  const text = typeof raw === 'string' ? raw.slice(0, 201) : snippetDecoder.decode(raw.subarray(0, 800));
  if (text.length <= 200) return text;
  const cut = text.slice(0, 200);
  const last = cut.charCodeAt(199);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, 199) : cut;
}
