/**
 * All inputs → one deterministic stream of records, with a resumable position.
 *
 * Files are read one after another in list order. `getState()` returns an `IngestCursor`
 * naming the position just after the last record yielded (cheap, side-effect free); a new
 * stream built with that cursor continues with exactly the records that would have followed:
 * earlier files are not opened, an uncompressed line-based file is entered by seeking to the
 * byte offset, a compressed one by decompressing and discarding up to it, Parquet by skipping
 * row groups from the metadata. `skipDocs` skips the first N records (documents and bad
 * records alike, counted exactly as a full read counts them), after the cursor if both are
 * given; it has to walk the inputs, but without parsing: whole text files and Parquet row
 * groups are skipped without reading them, lines with one memchr each.
 */
import { BltError, badOption } from '../../core/errors.js';
import { defineState, stateError, type Stateful } from '../../core/state.js';
import type { InputFile } from '../list-inputs.js';
import type { IngestRecord } from '../raw-doc.js';
import { openFileBytes } from './byte-stream.js';
import { checkCursorInputs, INGEST_CURSOR_SCHEMA, type FilePosition, type IngestCursor } from './cursor.js';
import type { OpenBytes, ReadContext, SkipBudget } from './read-context.js';
import { readArrow } from './read-arrow.js';
import { readJsonl } from './read-jsonl.js';
import { resolveReadOptions, type ReadOptions, type ResolvedReadOptions } from './read-options.js';
import { readParquet } from './read-parquet.js';
import { readStdin } from './read-stdin.js';
import { readTextLines, readWholeText } from './read-text.js';

export interface ReadFrom {
  /** skip this many records first (after the cursor, when both are given) */
  readonly skipDocs?: number;
  /** continue from a state returned by `getState()` of a stream over the same inputs */
  readonly cursor?: IngestCursor;
}

/** The ingest cursor's codec: `build(cursor, { files, opts })` is the stream continuing at the cursor. */
export const ingestCursorCodec = defineState(
  INGEST_CURSOR_SCHEMA,
  (cursor, ctx: { files: readonly InputFile[]; opts?: ReadOptions }) =>
    new IngestStream(ctx.files, ctx.opts, { cursor }),
);

export class IngestStream implements AsyncIterable<IngestRecord>, Stateful<IngestCursor> {
  readonly #files: readonly InputFile[];
  readonly #opts: ResolvedReadOptions;
  readonly #skip: SkipBudget;
  readonly #start: IngestCursor;
  #fileIndex: number;
  #recordsBefore: number; // records consumed in files before #fileIndex
  #ctx: ReadContext | undefined;
  #started = false;

  constructor(files: readonly InputFile[], opts: ReadOptions = {}, from: ReadFrom = {}) {
    if (!Array.isArray(files)) throw badOption('files', 'an array of InputFile (from listInputs)', files);
    this.#files = [...files];
    this.#opts = resolveReadOptions(opts);
    const skipDocs = from.skipDocs ?? 0;
    if (!Number.isSafeInteger(skipDocs) || skipDocs < 0) throw badOption('skipDocs', 'an integer ≥ 0', skipDocs);
    this.#skip = { remaining: skipDocs };
    this.#start =
      from.cursor === undefined
        ? { kind: 'ingest-cursor', v: 1, fileIndex: 0, file: this.#files[0]?.path ?? null, records: 0 }
        : ingestCursorCodec.decode(from.cursor);
    checkCursorInputs(this.#start, this.#files);
    this.#fileIndex = this.#start.fileIndex;
    this.#recordsBefore = this.#start.records;
    if (this.#fileIndex < this.#files.length)
      checkPosition(this.#files[this.#fileIndex] as InputFile, this.#opts, this.#start);
  }

  /** The position after the last record yielded (or skipped). */
  getState(): IngestCursor {
    const ctx = this.#ctx;
    const records = this.#recordsBefore + (ctx?.consumed ?? 0);
    const at = ctx === undefined ? positionOf(this.#start) : ctx.at;
    const fileIndex = at === 'done' ? this.#fileIndex + 1 : this.#fileIndex;
    const base: IngestCursor = {
      kind: 'ingest-cursor',
      v: 1,
      fileIndex,
      file: this.#files[fileIndex]?.path ?? null,
      records,
    };
    return at === 'done' ? base : { ...base, ...at };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<IngestRecord> {
    if (this.#started)
      throw new BltError(
        'BAD_OPTION',
        'An IngestStream can be iterated once; build a new one (from getState()) to read again.',
      );
    this.#started = true;
    for (let i = this.#fileIndex; i < this.#files.length; i++) {
      const file = this.#files[i] as InputFile;
      const start = i === this.#start.fileIndex ? positionOf(this.#start) : {};
      if (this.#ctx !== undefined) this.#recordsBefore += this.#ctx.consumed;
      this.#fileIndex = i;
      this.#ctx = {
        file,
        name: file.kind === 'stdin' ? 'stdin' : file.path,
        opts: this.#opts,
        skip: this.#skip,
        start,
        at: start,
        consumed: 0,
      };
      yield* readFile(this.#ctx);
      this.#ctx.at = 'done';
    }
  }
}

function readFile(ctx: ReadContext): AsyncGenerator<IngestRecord> {
  const { file, opts } = ctx;
  const open: OpenBytes = (offset) => openFileBytes(file.path, file.compression, offset);
  switch (file.kind) {
    case 'stdin':
      return readStdin(ctx);
    case 'jsonl':
      return readJsonl(open, ctx);
    case 'text':
      return opts.linesAsDocs ? readTextLines(open, ctx) : readWholeText(open, ctx);
    case 'parquet':
      return readParquet(ctx);
    case 'arrow':
      return readArrow(ctx);
  }
}

function positionOf(c: IngestCursor): FilePosition {
  const p: { line?: number; byteOffset?: number; row?: number } = {};
  if (c.line !== undefined) p.line = c.line;
  if (c.byteOffset !== undefined) p.byteOffset = c.byteOffset;
  if (c.row !== undefined) p.row = c.row;
  return p;
}

/** A cursor's in-file position must fit the file's kind (line-based vs. row-based). */
function checkPosition(file: InputFile, opts: ResolvedReadOptions, c: IngestCursor): void {
  const lineBased = file.kind === 'jsonl' || file.kind === 'stdin' || (file.kind === 'text' && opts.linesAsDocs);
  const rowBased = file.kind === 'parquet' || file.kind === 'arrow';
  if ((c.line !== undefined && !lineBased) || (c.row !== undefined && !rowBased)) {
    const how = file.kind !== 'text' ? '' : opts.linesAsDocs ? ' read by lines' : ' read as one document';
    const what =
      `it holds a ${c.line !== undefined ? 'line' : 'row'} position for ${JSON.stringify(file.path)}, ` +
      `a ${file.kind} input${how}`;
    throw stateError(
      { label: 'ingest cursor', path: '' },
      what,
      'resume with the same inputs and read options (e.g. --lines-as-docs) as the interrupted run',
    );
  }
}
