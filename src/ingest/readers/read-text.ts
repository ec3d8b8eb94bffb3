/**
 * Plain text → documents, bytes exactly as they are (invalid UTF-8 kept, no BOM or newline
 * handling): one document per file (id = the path), or with `linesAsDocs` one per line
 * (id `<file>:<line>`, split on `\n`, one trailing `\r` dropped, empty lines skipped).
 */
import { stat } from 'node:fs/promises';
import { badRecord, type IngestRecord } from '../raw-doc.js';
import { describeStreamError } from './byte-stream.js';
import { docTooLong, makeDoc } from './make-doc.js';
import { take, type OpenBytes, type ReadContext } from './read-context.js';
import { readLines, type LineHandler } from './read-lines.js';
import { DOC_BYTES_CEILING } from './read-options.js';

export function readTextLines(open: OpenBytes, ctx: ReadContext): AsyncGenerator<IngestRecord> {
  return readLines(open, ctx, textLineHandler);
}

const textLineHandler: LineHandler = {
  isEmpty: (bytes) => bytes.length === 0 || (bytes.length === 1 && bytes[0] === 0x0d),
  toRecord(bytes, line, ctx) {
    const body = bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, bytes.length - 1) : bytes;
    return makeDoc(ctx.opts, `${ctx.name}:${line.line}`, body, { file: ctx.name, line: line.line });
  },
};

/** The whole input as one document. An uncompressed file over the limit is not even read. */
export async function* readWholeText(open: OpenBytes, ctx: ReadContext): AsyncGenerator<IngestRecord> {
  if (take(ctx, 'done')) return; // exactly one record per file, whatever it holds: skipping needs no I/O
  yield await wholeDoc(open, ctx);
}

async function wholeDoc(open: OpenBytes, ctx: ReadContext): Promise<IngestRecord> {
  const at = { file: ctx.name };
  if (ctx.file.kind !== 'stdin' && ctx.file.compression === 'none') {
    const size = await stat(ctx.file.path).then(
      (s) => s.size,
      () => 0,
    ); // a read error is reported below
    const tooLong = docTooLong(ctx.opts, size);
    if (tooLong !== undefined) return badRecord(at, tooLong);
  }
  const limit = ctx.opts.maxDocBytes ?? DOC_BYTES_CEILING;
  let chunks: Uint8Array[] = [];
  let head: Uint8Array | undefined;
  let total = 0;
  try {
    for await (const chunk of open(0)) {
      head ??= chunk.subarray(0, 800);
      total += chunk.length;
      if (total <= limit) chunks.push(chunk);
      else chunks = []; // keep counting, stop keeping
    }
  } catch (err) {
    const compressed = ctx.file.compression !== 'none';
    const what =
      !compressed && total === 0
        ? 'could not read the file'
        : `${compressed ? `${ctx.file.compression} stream` : 'reading'} stopped after ${total} bytes ` +
          `(truncated or corrupt)`;
    return badRecord(at, `${what}: ${describeStreamError(err)}; the document was not read`, head);
  }
  const tooLong = docTooLong(ctx.opts, total);
  if (tooLong !== undefined) return badRecord(at, tooLong, head);
  return makeDoc(ctx.opts, ctx.name, concat(chunks, total), at);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]?.byteOffset === 0 && chunks[0].byteLength === chunks[0].buffer.byteLength)
    return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
